"""Anonymous daily counts, written as conversations happen (issue: what the City learns).

A cell is a day (America/Los_Angeles), a metric, a topic, a language and a
channel, and how many times it happened. Nothing else: no conversation id,
number, message text or time finer than a day. The counts live in
ANALYTICS_DB_URL (unset: REPORTS_DB_URL, else the SQLite file
var/analytics.db), are kept ANALYTICS_RETENTION_DAYS (default two years,
longer than conversations: they identify no one), and are correct with
several servers counting at once (bot.storage.counts).

Counting never breaks a turn: a failure is logged and the person is answered.
"""

from __future__ import annotations

import atexit
import logging
import os
import time
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from bot.caches import KeyedCache, LoadOnce
from bot.content.hours import CITY_TIME
from bot.content.topics import topic_for_response
from bot.data_files import load_data_file
from bot.settings import database_url
from bot.storage.counts import increment
from bot.storage.sqlite import sqlite_engine

logger = logging.getLogger(__name__)

URL_SETTING = "ANALYTICS_DB_URL"
REPORTS_URL_SETTING = "REPORTS_DB_URL"
DEFAULT_FILE = "analytics.db"
RETENTION_SETTING = "ANALYTICS_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 730

QUESTION_ANSWERED = "question_answered"
INTERPRETER_TRANSFER = "interpreter_transfer"
SMS_SEGMENTS = "sms_segments"
METRICS = (
    QUESTION_ANSWERED,
    "fallback",
    "language_menu",
    "unsupported_language",
    INTERPRETER_TRANSFER,
    "report_started",
    "report_completed",
    "report_cancelled",
    SMS_SEGMENTS,
)

metadata = sa.MetaData()
COUNTS = sa.Table(
    "daily_counts",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("metric", sa.String(32), primary_key=True),
    sa.Column("topic", sa.String(64), primary_key=True),
    sa.Column("language", sa.String(16), primary_key=True),
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)


def analytics_db_url() -> str:
    if os.environ.get(URL_SETTING, "").strip():
        return os.environ[URL_SETTING].strip()
    if os.environ.get(REPORTS_URL_SETTING, "").strip():
        return os.environ[REPORTS_URL_SETTING].strip()
    return database_url(URL_SETTING, DEFAULT_FILE)


def retention_days() -> int:
    value = os.environ.get(RETENTION_SETTING, "").strip()
    return int(value) if value else DEFAULT_RETENTION_DAYS


def _connect(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = sqlite_engine(parsed)  # pooled connections, write-ahead log
    else:
        engine = sa.create_engine(url, hide_parameters=True)
    try:
        metadata.create_all(engine)
    except (sa.exc.IntegrityError, sa.exc.ProgrammingError, sa.exc.OperationalError):
        # Two servers starting at once may both create the table; one of them made it.
        if not sa.inspect(engine).has_table(COUNTS.name):
            raise
    return engine


_engines: KeyedCache[str, Engine] = KeyedCache("analytics database engines", _connect, max_size=4)


def engine() -> Engine:
    return _engines.get(analytics_db_url())


def _response_metrics() -> dict[str, str]:
    # Not `responses:` at the top: Rasa reads every file under data/ and would take it for the domain's.
    mapping = load_data_file("analytics.yml").get("metrics_by_response") or {}
    return {str(key): str(value) for key, value in mapping.items()}


_metrics_by_response = LoadOnce("analytics metrics by response", _response_metrics)


KEY_COLUMNS = ("day", "metric", "topic", "language", "channel")
# Counts wait in this process for up to FLUSH_INTERVAL_S (or FLUSH_CELLS cells),
# then go to the database in one transaction: a write per turn cost 14% of the
# SMS server's CPU under load (py-spy), a write every few seconds costs nothing
# a turn notices. A process that is killed loses at most those seconds of
# counts; one that stops normally writes them on exit.
FLUSH_INTERVAL_S = 5.0
FLUSH_CELLS = 1000


class PendingCounts:
    """The counts of this process not yet in the database, by cell."""

    def __init__(self) -> None:
        self.cells: dict[tuple[Any, ...], int] = {}
        self.last_flush = time.monotonic()
        self.registered = False

    def add(self, key: tuple[Any, ...], amount: int) -> None:
        if not self.registered:
            atexit.register(flush)
            self.registered = True
        self.cells[key] = self.cells.get(key, 0) + amount

    def due(self) -> bool:
        return len(self.cells) >= FLUSH_CELLS or time.monotonic() - self.last_flush >= FLUSH_INTERVAL_S


_pending = PendingCounts()


def count(
    metric: str,
    *,
    topic: str = "",
    language: str = "",
    channel: str = "",
    amount: int = 1,
    when: datetime | None = None,
) -> None:
    """Add `amount` to one cell (written within FLUSH_INTERVAL_S). Never raises: the turn goes on."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    day = (when or datetime.now(CITY_TIME)).astimezone(CITY_TIME).date()
    _pending.add((day, metric, topic, language, channel), amount)
    if _pending.due():
        flush()


def flush() -> None:
    """Write this process's pending counts, in one transaction. Never raises."""
    cells, _pending.cells = _pending.cells, {}
    _pending.last_flush = time.monotonic()
    if not cells:
        return
    try:
        with engine().begin() as connection:
            for key, amount in cells.items():
                increment(connection, COUNTS, dict(zip(KEY_COLUMNS, key, strict=True)), amount)
    except Exception:  # noqa: BLE001 - counting must never break a turn
        logger.exception("Writing %d daily count(s) failed; they are lost.", len(cells))


def count_response(response_key: str, language: str, channel: str) -> None:
    """Count what a response the bot sent stands for, if anything (data/analytics.yml, topics)."""
    metric = _metrics_by_response.get().get(response_key)
    if metric:
        count(metric, language=language, channel=channel)
        return
    topic = topic_for_response(response_key)
    if topic is not None:
        count(QUESTION_ANSWERED, topic=topic.id, language=language, channel=channel)


def counts(since: date, until: date) -> list[dict[str, object]]:
    """Every cell from `since` to `until` (both included), this process's pending ones written first."""
    flush()
    query = sa.select(COUNTS).where(COUNTS.c.day >= since, COUNTS.c.day <= until).order_by(COUNTS.c.day)
    with engine().connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def purge(now: date | None = None, dry_run: bool = False) -> int:
    """Delete the days older than the retention period; how many cells."""
    cutoff = (now or datetime.now(CITY_TIME).date()) - timedelta(days=retention_days())
    flush()
    with engine().begin() as connection:
        old = COUNTS.c.day < cutoff
        found = connection.execute(sa.select(sa.func.count()).select_from(COUNTS).where(old)).scalar_one()
        if not dry_run:
            connection.execute(sa.delete(COUNTS).where(old))
    return int(found)
