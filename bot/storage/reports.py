"""Reports of enforcement activity (Executive Directives 12 and 17), stored for the City.

Reports go to REPORTS_DB_URL (an SQLAlchemy URL; unset: the SQLite file
var/reports.db; PostgreSQL in production). The schema is created on first use.
Free text is redacted before it gets here (bot.privacy.redaction); a callback number
is stored only when the person said yes to a callback, and the export masks it.
The form's columns come from its one schema, bot/report_form.py.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.caches import KeyedCache
from bot.language.times import CITY_TIMEZONE
from bot.report_form import FIELDS, WHEN_AT_COLUMN, WHEN_PRECISION_COLUMN
from bot.settings import database_url

URL_SETTING = "REPORTS_DB_URL"
DEFAULT_FILE = "reports.db"
# Unambiguous when read aloud or copied by hand: no 0/O, 1/I/L.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6

metadata = MetaData()


def _field_columns() -> list[Column]:
    """The columns of the form's fields, from the one schema (bot/report_form.py)."""
    columns: list[Column] = []
    for field in FIELDS:
        if field.free_text:
            columns.append(Column(field.column, Text))
        elif field.kind == "phone":
            columns.append(Column(field.column, String(32)))
        else:
            columns.append(Column(field.column, String(16)))
        if field.kind == "time":
            columns.append(Column(WHEN_AT_COLUMN, DateTime(timezone=True), index=True))
            columns.append(Column(WHEN_PRECISION_COLUMN, String(16)))
    return columns


reports_table = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), unique=True, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("language", String(8), nullable=False),
    *_field_columns(),
    # Kept for readers of the first schema: true when a call-back number was given.
    Column("wants_callback", Boolean, nullable=False, default=False),
    # One per submitted form (conversation + the message that completed it): a
    # retried message or a re-run submission finds the first report instead of
    # storing a second. A unique index, so it holds across processes.
    Column("idempotency_key", String(64)),
    Index("ix_reports_idempotency_key", "idempotency_key", unique=True),
)
META_COLUMNS = ("reference", "created_at", "channel", "language")
FIELD_COLUMNS = tuple(
    c.name for c in reports_table.columns if c.name not in ("id", *META_COLUMNS, "idempotency_key")
)
CALLBACK_COLUMN = next(f.column for f in FIELDS if f.kind == "phone")
# CSV cells starting with these are formulas to a spreadsheet (OWASP, CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# A call-back number given with consent, between the form's question and the
# report's submission (the tracker never holds it).
pending_callbacks_table = Table(
    "pending_callbacks",
    metadata,
    Column("conversation_id", String(128), primary_key=True),
    Column("callback_number", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Report:
    """One stored report: who/when it came in, and its answers by column name."""

    reference: str
    created_at: datetime
    channel: str
    language: str
    answers: dict[str, Any]

    def __getattr__(self, column: str) -> Any:
        # report.location, report.when_at...: the schema's columns, read as attributes.
        try:
            return self.__dict__["answers"][column]
        except KeyError:
            raise AttributeError(column) from None

    def record(self) -> dict[str, Any]:
        """The export's view: every column, the call-back number masked."""
        answers = dict(self.answers)
        answers[CALLBACK_COLUMN] = mask_number(answers.get(CALLBACK_COLUMN))
        when_at = answers.get(WHEN_AT_COLUMN)
        answers[WHEN_AT_COLUMN] = when_at.astimezone(CITY_TIMEZONE).isoformat() if when_at else None
        meta = {"reference": self.reference, "created_at": self.created_at.isoformat()}
        return {**meta, "channel": self.channel, "language": self.language, **answers}


def mask_number(number: str | None) -> str | None:
    """'+12135550162' -> '*******0162': enough to match a caller, not to call.
    `python -m bot reports callback <reference>` shows one number, on purpose."""
    if not number:
        return number
    return "*" * 7 + number[-4:]


def reports_db_url() -> str:
    return database_url(URL_SETTING, DEFAULT_FILE)


def _connect(url: str) -> Engine:
    # hide_parameters: an error message must not carry a call-back number into a log.
    engine = create_engine(url, future=True, hide_parameters=True)
    metadata.create_all(engine)  # creates missing tables; never drops
    migrate(engine)
    return engine


def migrate(engine: Engine) -> list[str]:
    """Add the columns a newer version defines to tables an older one created.

    Migrations are additive only (new nullable columns), so a database can
    always be read by the version that wrote it. Returns what was added.
    """
    added = []
    inspector = inspect(engine)
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            existing = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in existing:
                    column_type = column.type.compile(dialect=engine.dialect)
                    connection.execute(
                        text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {column_type}')
                    )
                    added.append(f"{table.name}.{column.name}")
            # Indexes (the idempotency key's unique one) after their columns:
            # SQLite cannot add a column with a UNIQUE constraint.
            indexes = {index["name"] for index in inspector.get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in indexes:
                    index.create(connection)
                    added.append(f"{table.name}.{index.name}")
    return added


# One engine (a connection pool) per database URL; a process uses one, tests a few.
_engines: KeyedCache[str, Engine] = KeyedCache("reports database engines", _connect, max_size=4)


def engine() -> Engine:
    return _engines.get(reports_db_url())


def new_reference() -> str:
    return "R-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def save_report(*, channel: str, language: str, idempotency_key: str | None = None, **answers: Any) -> str:
    """Store a report and return its reference code; answers are by column name.

    With an idempotency key already stored, nothing is stored and the first
    report's reference is returned: the database's unique index decides, so
    this holds across processes.
    """
    unknown = set(answers) - set(FIELD_COLUMNS)
    if unknown:
        raise ValueError(f"not columns of the reports table: {sorted(unknown)}")
    # Times are stored in UTC: SQLite keeps no offset, and reads give UTC back (_aware).
    values = {column: _utc(answers.get(column)) for column in FIELD_COLUMNS}
    values["wants_callback"] = bool(answers.get(CALLBACK_COLUMN))
    for _ in range(5):  # a reference code collision (1 in 10^8) gets a new code
        reference = new_reference()
        try:
            with engine().begin() as connection:
                connection.execute(
                    reports_table.insert().values(
                        reference=reference,
                        created_at=datetime.now(timezone.utc),
                        channel=channel,
                        language=language,
                        idempotency_key=idempotency_key,
                        **values,
                    )
                )
            return reference
        except IntegrityError:
            existing = _reference_for(idempotency_key)
            if existing is not None:
                return existing
    raise RuntimeError("could not store the report")


def _reference_for(idempotency_key: str | None) -> str | None:
    if idempotency_key is None:
        return None
    query = select(reports_table.c.reference).where(reports_table.c.idempotency_key == idempotency_key)
    with engine().connect() as connection:
        return connection.execute(query).scalar()


def stash_callback(conversation_id: str, number: str) -> None:
    with engine().begin() as connection:
        connection.execute(
            delete(pending_callbacks_table).where(
                pending_callbacks_table.c.conversation_id == conversation_id
            )
        )
        connection.execute(
            pending_callbacks_table.insert().values(
                conversation_id=conversation_id, callback_number=number, created_at=datetime.now(timezone.utc)
            )
        )


def take_callback(conversation_id: str) -> str | None:
    """The stashed number of a conversation, removed from the stash."""
    condition = pending_callbacks_table.c.conversation_id == conversation_id
    with engine().begin() as connection:
        number = connection.execute(
            select(pending_callbacks_table.c.callback_number).where(condition)
        ).scalar()
        connection.execute(delete(pending_callbacks_table).where(condition))
    return number


def list_reports(since: datetime | None = None) -> list[Report]:
    query = select(reports_table).order_by(reports_table.c.created_at)
    if since is not None:
        query = query.where(reports_table.c.created_at >= since)
    with engine().connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [
        Report(
            reference=row["reference"],
            created_at=_aware(row["created_at"]),
            channel=row["channel"],
            language=row["language"],
            answers={column: _aware(row[column]) for column in FIELD_COLUMNS},
        )
        for row in rows
    ]


def _utc(value: Any) -> Any:
    return value.astimezone(timezone.utc) if isinstance(value, datetime) else value


def _aware(value: Any) -> Any:
    """SQLite gives back naive datetimes; we only ever store UTC-aware ones."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def callback_number(reference: str) -> str | None:
    """The full call-back number of one report, for the person who calls back."""
    query = select(reports_table.c[CALLBACK_COLUMN]).where(reports_table.c.reference == reference)
    with engine().connect() as connection:
        return connection.execute(query).scalar()


def export(reports: list[Report], output_format: str) -> str:
    records = [report.record() for report in reports]
    if output_format == "json":
        return json.dumps(records, ensure_ascii=False, indent=2)
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=["reference", "created_at", "channel", "language", *FIELD_COLUMNS]
    )
    writer.writeheader()
    writer.writerows({key: spreadsheet_safe(value) for key, value in record.items()} for record in records)
    return buffer.getvalue()


def spreadsheet_safe(value: Any) -> Any:
    """OWASP's CSV-injection rule: a cell a spreadsheet would read as a formula
    starts with a single quote, so it is shown as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def purge_reports(before: datetime, dry_run: bool) -> int:
    """Delete reports (and stale pending call-back numbers) created before `before`."""
    condition = reports_table.c.created_at < before
    with engine().begin() as connection:
        count = len(connection.execute(select(reports_table.c.id).where(condition)).all())
        if not dry_run:
            connection.execute(delete(reports_table).where(condition))
            connection.execute(
                delete(pending_callbacks_table).where(pending_callbacks_table.c.created_at < before)
            )
    return count
