"""Routes to resources, counted anonymously: which resource, channel, language, day, and what happened.

For the City's figures (what people are sent to, and whether a call got
through). A row is a count per day (America/Los_Angeles), resource, channel,
language and outcome: no conversation id, number, text or time finer than a
day. Kept in the reports database (REPORTS_DB_URL); correct with several
servers writing at once (one atomic upsert per route).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.caches import KeyedCache
from bot.content.hours import CITY_TIME
from bot.storage import reports
from bot.storage.counts import increment

logger = logging.getLogger(__name__)

# What happened: a call was put through and answered, put through and not
# answered (then sent to 311), the details were sent by text instead of a
# call, or a texter picked the resource from a numbered list.
CONNECTED, NOT_ANSWERED, SENT_BY_SMS = "connected", "not_answered", "sent_by_sms"
DETAILS_SENT = "details_sent"

metadata = sa.MetaData()
ROUTES = sa.Table(
    "resource_routes",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("resource_id", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("language", sa.String(16), primary_key=True),
    sa.Column("outcome", sa.String(16), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)


def _with_table(url: str) -> Engine:
    engine = reports.engine()
    metadata.create_all(engine)
    return engine


_engines: KeyedCache[str, Engine] = KeyedCache("route count tables", _with_table, max_size=4)


def record_route(
    resource_id: str, channel: str, language: str, outcome: str, when: datetime | None = None
) -> None:
    """Count one route. A failure is logged, never raised: the caller still gets through."""
    day = (when or datetime.now(CITY_TIME)).astimezone(CITY_TIME).date()
    key = {
        "day": day,
        "resource_id": resource_id,
        "channel": channel,
        "language": language,
        "outcome": outcome,
    }
    try:
        engine = _engines.get(reports.reports_db_url())
        with engine.begin() as connection:
            increment(connection, ROUTES, key)
    except Exception:  # noqa: BLE001 - counting must never break a call
        logger.exception("Counting a route failed.")


def route_counts(since: date | None = None) -> list[dict[str, object]]:
    engine = _engines.get(reports.reports_db_url())
    query = sa.select(ROUTES).order_by(*ROUTES.primary_key.columns)
    if since:
        query = query.where(ROUTES.c.day >= since)
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]
