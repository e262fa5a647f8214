"""Reports of enforcement activity (Executive Directives 12 and 17), stored for the City.

Reports go to REPORTS_DB_URL (an SQLAlchemy URL; unset: the SQLite file
var/reports.db; PostgreSQL in production). The schema is created on first use.
Free text is redacted before it gets here (bot.privacy.redaction); a callback number
is stored only when the person said yes to a callback.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
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

from bot.caches import KeyedCache
from bot.settings import database_url

URL_SETTING = "REPORTS_DB_URL"
DEFAULT_FILE = "reports.db"
# Unambiguous when read aloud or copied by hand: no 0/O, 1/I/L.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6

metadata = MetaData()
reports_table = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), unique=True, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("language", String(8), nullable=False),
    Column("location", Text),
    Column("when_seen", Text),
    Column("agents_vehicles", Text),
    Column("masks_identification", Text),
    Column("details", Text),
    Column("wants_callback", Boolean, nullable=False, default=False),
    Column("callback_number", String(32)),
)


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
    reference: str
    created_at: datetime
    channel: str
    language: str
    location: str | None
    when_seen: str | None
    agents_vehicles: str | None
    masks_identification: str | None
    details: str | None
    wants_callback: bool
    callback_number: str | None


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
    return added


# One engine (a connection pool) per database URL; a process uses one, tests a few.
_engines: KeyedCache[str, Engine] = KeyedCache("reports database engines", _connect, max_size=4)


def engine() -> Engine:
    return _engines.get(reports_db_url())


def new_reference() -> str:
    return "R-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def save_report(
    *,
    channel: str,
    language: str,
    location: str | None,
    when_seen: str | None,
    agents_vehicles: str | None,
    masks_identification: str | None,
    details: str | None,
    callback_number: str | None,
) -> str:
    """Store a report; returns its reference code."""
    reference = new_reference()
    with engine().begin() as connection:
        connection.execute(
            reports_table.insert().values(
                reference=reference,
                created_at=datetime.now(timezone.utc),
                channel=channel,
                language=language,
                location=location,
                when_seen=when_seen,
                agents_vehicles=agents_vehicles,
                masks_identification=masks_identification,
                details=details,
                wants_callback=callback_number is not None,
                callback_number=callback_number,
            )
        )
    return reference


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
    return [Report(**{k: v for k, v in row.items() if k != "id"}) for row in rows]


def export(reports: list[Report], output_format: str) -> str:
    records = [{**asdict(r), "created_at": r.created_at.isoformat()} for r in reports]
    if output_format == "json":
        return json.dumps(records, ensure_ascii=False, indent=2)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(Report.__dataclass_fields__))
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


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
