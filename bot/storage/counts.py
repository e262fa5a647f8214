"""Anonymous daily counts: one atomic increment per event, correct with several processes writing.

A count's key is a day (America/Los_Angeles) and a few labels (a topic, a
language, a channel...); never a conversation id, a number or text. SQLite and
PostgreSQL both do `INSERT ... ON CONFLICT DO UPDATE SET count = count + n`
in one statement, so two servers counting the same cell at once both count.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

_DIALECTS = {"sqlite": sqlite, "postgresql": postgresql}


def increment(connection: Connection, table: sa.Table, key: dict[str, Any], amount: int = 1) -> None:
    """Add `amount` to the row of `table` whose primary key is `key` (created at `amount`)."""
    dialect = _DIALECTS.get(connection.engine.dialect.name)
    if dialect is None:
        raise RuntimeError(f"counts need SQLite or PostgreSQL, not {connection.engine.dialect.name}")
    statement = dialect.insert(table).values(**key, count=amount)
    connection.execute(
        statement.on_conflict_do_update(index_elements=list(key), set_={"count": table.c.count + amount})
    )
