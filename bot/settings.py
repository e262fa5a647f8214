"""Where the project's data lives, relative to the repository root.

Paths can be moved with environment variables so that tests can point the bot
at fixture data without touching the real files.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(env_name: str, default: Path) -> Path:
    return Path(os.environ.get(env_name, str(default)))


def data_dir() -> Path:
    return _path("KYR_DATA_DIR", PROJECT_ROOT / "data")


def locales_dir() -> Path:
    return _path("KYR_LOCALES_DIR", PROJECT_ROOT / "locales")


def database_url(setting: str, default_file: str) -> str:
    """The SQLAlchemy URL in `setting`, else an SQLite file var/<default_file>."""
    url = os.environ.get(setting, "").strip()
    if url:
        return url
    path = PROJECT_ROOT / "var" / default_file
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"
