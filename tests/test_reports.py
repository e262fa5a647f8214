"""The reports database and the City's command-line view of it."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.cli.reports import main as reports_cli
from bot.storage import reports


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "reports.db"
    monkeypatch.setenv("REPORTS_DB_URL", f"sqlite:///{path}")
    return path


def add(location: str, callback: str | None = None) -> str:
    return reports.save_report(
        channel="twilio",
        language="es",
        location=location,
        when_seen="ahora",
        agents_vehicles="5",
        masks_identification=None,
        details=None,
        callback_number=callback,
    )


def test_references_are_short_unique_and_unambiguous(db: Path) -> None:
    references = {add("Parque Lincoln") for _ in range(50)}
    assert len(references) == 50
    assert all(re.fullmatch(r"R-[2-9A-HJKMNP-Z]{6}", r) for r in references)


def test_export_csv_and_json(db: Path, capsys: pytest.CaptureFixture) -> None:
    reference = add("Biblioteca Central", callback="+12135550100")
    assert reports_cli(["export", "--since", "2000-01-01", "--format", "json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported[-1]["reference"] == reference and exported[-1]["callback_number"] == "+12135550100"
    assert reports_cli(["export", "--since", "2000-01-01", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[-1]["location"] == "Biblioteca Central"
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
    reference = add("Grand Park")  # the first use migrates
    assert reports.list_reports()[-1].reference == reference
    assert reports.list_reports()[-1].agents_vehicles == "5"
