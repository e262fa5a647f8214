"""Loading of the project's YAML data files (resources, topics, menus, languages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.caches import KeyedCache
from bot.settings import data_dir


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


# Every YAML file under data/ that the bot reads, by path (a few dozen at most).
_files: KeyedCache[Path, Any] = KeyedCache("data files", _read, max_size=256)


def load_data_file(relative_path: str) -> Any:
    """Parse `data/<relative_path>`; results are cached for the process's life.

    Data changes take effect on restart, which is how operators reload content.
    """
    return _files.get(data_dir() / relative_path)
