"""Retention: delete conversations (and, with bot.storage.reports, reports) past their time.

Works on the tracker store of bot.storage.stores (TRACKER_STORE_URL or the
default SQLite file). The command line is bot/cli/purge.py.
"""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import dataclass

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import column, delete, table

EVENTS = table("events", column("sender_id"), column("timestamp"))
# bot.storage.window: one row per conversation, its state at the last cut.
SNAPSHOTS = table("conversation_snapshots", column("updated_at"))
_PERIOD = re.compile(r"^\s*(\d+)\s*([dh])\s*$")


@dataclass(frozen=True)
class PurgeResult:
    conversations: int
    events: int


def parse_period(text: str) -> float:
    """'30d' / '12h' -> seconds."""
    match = _PERIOD.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r}: use a number of days or hours, like 30d or 12h")
    amount, unit = int(match.group(1)), match.group(2)
    return amount * (86_400 if unit == "d" else 3_600)


def purge_conversations(
    engine: Engine, older_than_s: float, dry_run: bool, now: float | None = None
) -> PurgeResult:
    """Delete every event older than the retention period, event by event.

    A conversation that goes on past the period keeps only its newer events:
    what a person wrote 40 days ago goes after 30 days even if they wrote
    again yesterday. `conversations` counts the conversations that lost events.
    A conversation's snapshot (bot.storage.window) goes when its cut has not
    moved for the period; while the conversation goes on it holds only its
    current state (language, a form being filled) and the bot's own messages.
    """
    if not inspect(engine).has_table("events"):
        return PurgeResult(0, 0)
    cutoff = (now if now is not None else time.time()) - older_than_s
    old = EVENTS.c.timestamp < cutoff
    with engine.begin() as connection:
        if not dry_run and inspect(engine).has_table("conversation_snapshots"):
            connection.execute(delete(SNAPSHOTS).where(SNAPSHOTS.c.updated_at < cutoff))
        events = connection.execute(select(func.count()).select_from(EVENTS).where(old)).scalar_one()
        if not events:
            return PurgeResult(0, 0)
        conversations = connection.execute(
            select(func.count(func.distinct(EVENTS.c.sender_id))).where(old)
        ).scalar_one()
        if not dry_run:
            connection.execute(delete(EVENTS).where(old))
    return PurgeResult(int(conversations), int(events))
