"""SQLite as our stores use it: pooled connections and a write-ahead log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool


def sqlite_engine(url: Any) -> Engine:
    """An engine for an SQLite file that keeps its connections and commits cheaply.

    SQLAlchemy 1.4 opens a new SQLite connection for every session (NullPool),
    and SQLite's default journal syncs the disk twice per commit; both showed in
    the profile of a turn (README, Performance). Write-ahead logging with
    `synchronous=NORMAL` keeps every commit through a crash of the process; a
    power cut can lose the last few commits, never corrupt the file. Rasa runs
    all turns on one thread; check_same_thread is off so that a pooled
    connection may also serve another thread (Rasa's thread pool, the purge).
    """
    engine = create_engine(
        url, poolclass=QueuePool, pool_size=2, connect_args={"check_same_thread": False, "timeout": 10}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(connection: Any, _: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine
