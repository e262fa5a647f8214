"""`python -m bot purge [--older-than 30d] [--dry-run]`: forget old conversations and reports.

Deletes every conversation whose last event, and every report, is older than
the retention period (RETENTION_DAYS, default 30; --older-than overrides it: 30d, 12h).
With --dry-run it only counts. Schedule it daily, e.g. with cron:

    15 3 * * *  cd /srv/kyr && .venv/bin/python -m bot purge

It works on the tracker store of bot.stores (TRACKER_STORE_URL or the
default SQLite file).
"""

from __future__ import annotations

import argparse
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from dotenv import load_dotenv
from sqlalchemy import create_engine, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import column, delete, table

from bot import reports
from bot.paths import PROJECT_ROOT
from bot.stores import tracker_store_url

RETENTION_SETTING = "RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 30
EVENTS = table("events", column("sender_id"), column("timestamp"))
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
    if not inspect(engine).has_table("events"):
        return PurgeResult(0, 0)
    cutoff = (now if now is not None else time.time()) - older_than_s
    last_event = (
        select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id).having(func.max(EVENTS.c.timestamp) < cutoff)
    )
    with engine.begin() as connection:
        old = [row.sender_id for row in connection.execute(last_event)]
        if not old:
            return PurgeResult(0, 0)
        events = connection.execute(
            select(func.count()).select_from(EVENTS).where(EVENTS.c.sender_id.in_(old))
        ).scalar_one()
        if not dry_run:
            connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(old)))
    return PurgeResult(len(old), int(events))


def main(args: list[str]) -> int:
    load_dotenv(PROJECT_ROOT / ".env")
    parser = argparse.ArgumentParser(prog="python -m bot purge", description=__doc__.split("\n\n")[0])
    default_days = int(os.environ.get(RETENTION_SETTING, DEFAULT_RETENTION_DAYS))
    parser.add_argument(
        "--older-than",
        type=parse_period,
        default=default_days * 86_400,
        help=f"e.g. 30d or 12h (default: {RETENTION_SETTING}={default_days} days)",
    )
    parser.add_argument("--dry-run", action="store_true", help="count what would be deleted; delete nothing")
    options = parser.parse_args(args)
    result = purge_conversations(create_engine(tracker_store_url()), options.older_than, options.dry_run)
    before = datetime.now(timezone.utc) - timedelta(seconds=options.older_than)
    report_count = reports.purge_reports(before, options.dry_run)
    verb = "Would delete" if options.dry_run else "Deleted"
    print(
        f"{verb} {result.conversations} conversation(s), {result.events} event(s), {report_count} report(s)."
    )
    return 0
