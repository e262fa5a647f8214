"""Where the project's data lives, relative to the repository root.

Paths can be moved with environment variables so that tests can point the bot
at fixture data without touching the real files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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


def channel_setting(
    credentials: dict[str, Any] | None, key: str, env_name: str, default: str | None = None
) -> str | None:
    """A channel's setting: the environment variable when set, else credentials.yml, else default.

    The environment wins so that secrets can stay out of files, and one
    credentials.yml serves every deployment.
    """
    from_env = os.environ.get(env_name, "").strip()
    if from_env:
        return from_env
    value = (credentials or {}).get(key)
    return default if value is None or str(value).strip() == "" else str(value).strip()


RETENTION_SETTING = "RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 30


def retention_days() -> int:
    """How many days conversations and reports are kept (purge, and what the report form promises)."""
    value = os.environ.get(RETENTION_SETTING, "").strip()
    return int(value) if value else DEFAULT_RETENTION_DAYS
