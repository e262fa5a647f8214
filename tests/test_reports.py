"""The reports database and the City's command-line view of it."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.cli.reports import main as reports_cli
from bot.language.times import CITY_TIMEZONE
from bot.storage import reports


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "reports.db"
    monkeypatch.setenv("REPORTS_DB_URL", f"sqlite:///{path}")
    return path


def add(location: str, callback: str | None = None, **answers: Any) -> str:
    return reports.save_report(
        channel="twilio",
        language="es",
        **{
            "location": location,
            "when_seen": "ahora",
            "agents_vehicles": "5",
            "callback_number": callback,
            **answers,
        },
    )


def test_references_are_short_unique_and_unambiguous(db: Path) -> None:
    references = {add("Parque Lincoln") for _ in range(50)}
    assert len(references) == 50
    assert all(re.fullmatch(r"R-[2-9A-HJKMNP-Z]{6}", r) for r in references)


def test_export_csv_and_json(db: Path, capsys: pytest.CaptureFixture) -> None:
    when_at = datetime(2026, 11, 23, 15, 0, tzinfo=CITY_TIMEZONE)
    reference = add(
        "Biblioteca Central", callback="+12135550100", when_at=when_at, when_precision="part_of_day"
    )
    assert reports_cli(["export", "--since", "2000-01-01", "--format", "json"]) == 0
    exported = json.loads(capsys.readouterr().out)[-1]
    assert exported["reference"] == reference
    # The call-back number is masked; `reports callback` shows it to the one who calls.
    assert exported["callback_number"] == "*******0100" and exported["wants_callback"] is True
    # "When" as typed, and as a time in Los Angeles.
    assert (exported["when_seen"], exported["when_at"], exported["when_precision"]) == (
        "ahora",
        "2026-11-23T15:00:00-08:00",
        "part_of_day",
    )
    assert reports_cli(["callback", reference]) == 0
    assert capsys.readouterr().out.strip() == "+12135550100"
    assert reports_cli(["export", "--since", "2000-01-01", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[-1]["location"] == "Biblioteca Central"
    assert rows[-1]["when_at"] == "2026-11-23T15:00:00-08:00" and rows[-1]["callback_number"] == "*******0100"
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%d")
    assert reports_cli(["export", "--since", tomorrow, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_list(db: Path, capsys: pytest.CaptureFixture) -> None:
    reference = add("City Hall")
    assert reports_cli(["list"]) == 0
    out = capsys.readouterr().out
    assert reference in out and "City Hall" in out and "1 report(s)." in out


def test_callback_numbers_are_stashed_once(db: Path) -> None:
    reports.stash_callback("sms-1", "+12135550111")
    assert reports.take_callback("sms-1") == "+12135550111"
    assert reports.take_callback("sms-1") is None


def test_purge_reports(db: Path) -> None:
    add("Echo Park")
    assert reports.purge_reports(datetime.now(timezone.utc) - timedelta(days=30), dry_run=False) == 0
    assert reports.purge_reports(datetime.now(timezone.utc) + timedelta(seconds=1), dry_run=True) == 1
    assert len(reports.list_reports()) == 1
    assert reports.purge_reports(datetime.now(timezone.utc) + timedelta(seconds=1), dry_run=False) == 1
    assert reports.list_reports() == []


def test_an_older_schema_is_migrated_automatically(db: Path) -> None:
    from sqlalchemy import create_engine, text

    with create_engine(f"sqlite:///{db}").begin() as connection:  # a table from an older version
        connection.execute(
            text(
                "CREATE TABLE reports (id INTEGER PRIMARY KEY, reference VARCHAR(16) NOT NULL UNIQUE, "
                "created_at DATETIME NOT NULL, channel VARCHAR(32) NOT NULL, language VARCHAR(8) NOT NULL, "
                "location TEXT, when_seen TEXT, wants_callback BOOLEAN NOT NULL, callback_number VARCHAR(32))"
            )
        )
    reference = add(
        "Grand Park", when_at=datetime(2026, 11, 24, 9, tzinfo=CITY_TIMEZONE), idempotency_key="k"
    )
    assert reports.list_reports()[-1].reference == reference  # the first use migrated
    assert reports.list_reports()[-1].agents_vehicles == "5"
    assert reports.list_reports()[-1].when_at == datetime(2026, 11, 24, 17, tzinfo=timezone.utc)
    # The migrated table enforces one report per submission too.
    assert add("Grand Park", idempotency_key="k") == reference and len(reports.list_reports()) == 1


FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "=1\n=2"]


def test_the_csv_export_is_safe_to_open_in_a_spreadsheet(db: Path, capsys: pytest.CaptureFixture) -> None:
    """OWASP CSV injection: no cell starts with = + - @ tab or carriage return."""
    for formula in FORMULAS:
        add(
            formula, details=formula, agents_vehicles=formula, masks_identification=formula, when_seen=formula
        )
    assert reports_cli(["export", "--since", "2000-01-01", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out, newline="")))
    assert len(rows) == len(FORMULAS) + 1
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    # Nothing is lost: the text after the quote is what was stored.
    assert [row[rows[0].index("location")] for row in rows[1:]] == ["'" + f for f in FORMULAS]


def test_one_report_per_submission_across_processes(db: Path) -> None:
    """The unique index decides, not process memory: another process storing the
    same submission gets the first report's reference."""
    first = add("Echo Park", idempotency_key="sms-1:SM42")
    code = (
        "from bot.storage import reports;"
        "print(reports.save_report(channel='twilio', language='es', location='Echo Park',"
        " idempotency_key='sms-1:SM42'))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True, env=os.environ
    )
    assert other.stdout.strip() == first
    assert len(reports.list_reports()) == 1
    assert add("Echo Park", idempotency_key="sms-1:SM43") != first  # another submission is another report
