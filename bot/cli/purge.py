"""`python -m bot purge [--older-than 30d] [--dry-run]`: forget old conversations and reports.

Deletes every conversation whose last event, and every report, is older than
the retention period (RETENTION_DAYS, default 30; --older-than overrides it: 30d, 12h),
and the anonymous daily counts older than theirs (ANALYTICS_RETENTION_DAYS, default 730).
With --dry-run it only counts. Schedule it daily, e.g. with cron:

    15 3 * * *  cd /srv/kyr && .venv/bin/python -m bot purge
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone

from dotenv import load_dotenv
from sqlalchemy import create_engine

from bot.analytics import counters
from bot.settings import PROJECT_ROOT, RETENTION_SETTING, retention_days
from bot.storage import reports
from bot.storage.purge import parse_period, purge_conversations
from bot.storage.stores import tracker_store_url


def main(args: list[str]) -> int:
    load_dotenv(PROJECT_ROOT / ".env")
    parser = argparse.ArgumentParser(prog="python -m bot purge", description=__doc__.split("\n\n")[0])
    default_days = retention_days()
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
    count_cells = counters.purge(dry_run=options.dry_run)
    verb = "Would delete" if options.dry_run else "Deleted"
    print(
        f"{verb} {result.events} event(s) from {result.conversations} conversation(s), "
        f"{report_count} report(s), {count_cells} daily count(s) past {counters.retention_days()} days."
    )
    return 0
