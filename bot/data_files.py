"""Loading of the project's YAML data files (resources, topics, menus, languages)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import data_dir


@cache
def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def load_data_file(relative_path: str) -> Any:
    """Parse `data/<relative_path>`; results are cached for the process's life.

    Data changes take effect on restart, which is how operators reload content.
    """
    return _load(data_dir() / relative_path)


def clear_cache() -> None:
    """Forget cached files (tests that switch data directories call this)."""
    _load.cache_clear()
