"""`python -m bot reports list|export`: the City's view of reports.

  list [--since YYYY-MM-DD]                      a table on the terminal
  export --since YYYY-MM-DD --format csv|json    for the Mayor's Office of
      [--output FILE]                            Immigrant Affairs (stdout by default)
  callback REFERENCE                             the one call-back number of a report

The export has every field of the form (bot/report_form.py): "when" as typed
(when_seen) and as a time in America/Los_Angeles (when_at, with
when_precision: exact, part_of_day or day; empty when it could not be read).
Call-back numbers are masked in list and export; `callback` shows one, for
the person who calls back. CSV cells that a spreadsheet would run as a formula
start with a quote.

Reads REPORTS_DB_URL (or the default SQLite file); see bot/storage/reports.py.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from dotenv import load_dotenv

from bot.language.times import CITY_TIMEZONE
from bot.settings import PROJECT_ROOT
from bot.storage import reports


def parse_date(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: use YYYY-MM-DD") from error


def main(args: list[str]) -> int:
    load_dotenv(PROJECT_ROOT / ".env")
    parser = argparse.ArgumentParser(prog="python -m bot reports", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="show reports")
    listing.add_argument("--since", type=parse_date)
    exporting = commands.add_parser("export", help="export reports as CSV or JSON")
    exporting.add_argument("--since", type=parse_date, required=True)
    exporting.add_argument("--format", choices=("csv", "json"), default="csv")
    exporting.add_argument("--output", type=Path)
    calling_back = commands.add_parser("callback", help="show the call-back number of one report")
    calling_back.add_argument("reference")
    options = parser.parse_args(args)

    if options.command == "callback":
        number = reports.callback_number(options.reference.strip().upper())
        print(number or f"{options.reference}: no call-back number.")
        return 0 if number else 1

    found = reports.list_reports(options.since)
    if options.command == "list":
        for report in found:
            callback = "call back" if report.wants_callback else "-"
            seen = f"{report.when_at.astimezone(CITY_TIMEZONE):%Y-%m-%d %H:%M}" if report.when_at else "?"
            print(
                f"{report.reference}  {report.created_at:%Y-%m-%d %H:%M}  seen {seen:<16}  "
                f"{report.channel:<12} {report.language}  {callback:<9}  {report.location or '-'}"
            )
        print(f"{len(found)} report(s).")
        return 0
    text = reports.export(found, options.format)
    if options.output:
        options.output.write_text(text, encoding="utf-8")
        print(f"Wrote {len(found)} report(s) to {options.output}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
