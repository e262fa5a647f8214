"""Where conversations and locks live, chosen by URL in the environment (.env).

* Tracker store: TRACKER_STORE_URL, an SQLAlchemy URL. Unset: an SQLite file,
  var/trackers.db, so conversations survive a restart. PostgreSQL for
  production: postgresql://user:password@host:5432/kyr. Phone numbers,
  e-mails and house numbers typed by people are redacted before storage.
* Lock store: LOCK_STORE_URL, a Redis URL (redis://host:6379/1), so that
  several Rasa server processes can share the load without two of them
  handling one conversation at once. Unset: in-process locks (one process).

Both are plugged in through endpoints.yml (`type: bot.storage.stores....`), because
Rasa's own `${VAR}` expansion there has no defaults.
"""

from __future__ import annotations

import logging
import os
from contextlib import AbstractAsyncContextManager
from typing import Any
from urllib.parse import urlparse

from rasa.core.brokers.broker import EventBroker
from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from bot.channels.http_limits import DIALOGUE_DEADLINE_S
from bot.privacy.redaction import redact
from bot.settings import database_url
from bot.storage.sqlite import sqlite_engine
from bot.storage.window import WindowedSQLTrackerStore

logger = logging.getLogger(__name__)

TRACKER_STORE_URL_SETTING = "TRACKER_STORE_URL"
LOCK_STORE_URL_SETTING = "LOCK_STORE_URL"
DEFAULT_SQLITE_FILE = "trackers.db"
LOCK_POLL_S = 0.05
# How long a turn may hold its conversation's lock. A turn never runs longer
# (the channels give up at DIALOGUE_DEADLINE_S), and if the process handling
# it dies, the conversation's next message waits this long at most, not
# Rasa's default 60 s, which would outlast Twilio's 15 s.
TURN_LOCK_LIFETIME_S = DIALOGUE_DEADLINE_S


def tracker_store_url() -> str:
    return database_url(TRACKER_STORE_URL_SETTING, DEFAULT_SQLITE_FILE)


class ConfiguredTrackerStore(WindowedSQLTrackerStore):
    """Rasa's SQL tracker store on the database named by TRACKER_STORE_URL, read a window per turn.

    bot.storage.window says why and how a turn reads only the end of its conversation.
    """

    def __init__(
        self, domain: Domain | None = None, event_broker: EventBroker | None = None, **_: Any
    ) -> None:
        url = make_url(tracker_store_url())
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database or "",
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query) or None,
        )
        if url.get_backend_name() == "sqlite":
            self.engine = sqlite_engine(url)
            self.sessionmaker = sessionmaker(bind=self.engine)
        self.create_snapshot_table()
        # The URL may hold a password: log only what kind of store this is.
        logger.info("Tracker store: %s.", url.drivername)

    def clean_event(self, event: Event) -> Event:
        # Every channel's conversation is stored through here: the one place
        # where typed phone numbers, e-mails and house numbers are removed.
        return redacted_event(event)

    def forget(self, sender_id: str) -> int:
        """Delete every stored event of one conversation; the number deleted.

        For an SMS STOP: the person asked to hear nothing more, so nothing of
        the conversation is kept (Twilio itself records the opt-out).
        """
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            self.forget_snapshot(session, sender_id)
            session.commit()
        return int(deleted)


async def forget_conversation(tracker_store: Any, lock_store: LockStore | None, sender_id: str) -> int:
    """Delete one conversation's stored history, under its lock so no turn is half-saved.

    `tracker_store` is the agent's (Rasa wraps ours in an AwaitableTrackerStore).
    """
    store = getattr(tracker_store, "_tracker_store", tracker_store)
    if not isinstance(store, ConfiguredTrackerStore):
        raise TypeError(f"cannot forget conversations in a {type(store).__name__}")
    if lock_store is None:
        return store.forget(sender_id)
    async with lock_store.lock(sender_id):
        return store.forget(sender_id)


def redacted_event(event: Event) -> Event:
    """A copy of `event` without contact details in what the person typed."""
    if not isinstance(event, (UserUttered, SlotSet)):
        return event
    data = event.as_dict()
    if isinstance(event, UserUttered):
        data["text"] = redact(data.get("text") or "")
        if isinstance(data.get("parse_data"), dict) and data["parse_data"].get("text"):
            data["parse_data"]["text"] = redact(data["parse_data"]["text"])
    elif isinstance(data.get("value"), str):
        data["value"] = redact(data["value"])
    return Event.from_parameters(data)


class ConfiguredLockStore(LockStore):
    """Redis locks when LOCK_STORE_URL is set, in-process locks otherwise.

    A conversation's messages are handled one at a time, in arrival order
    (Rasa's ticket lock). A message that finds the conversation busy checks
    again every LOCK_POLL_S, not every second as Rasa's default does: a burst
    of texts from one phone would otherwise wait up to a second per message
    for nothing (measured in the README, "Hostile input"). A lock lives
    TURN_LOCK_LIFETIME_S at most.
    """

    def __init__(self, endpoint_config: EndpointConfig | None = None, **_: Any) -> None:
        url = os.environ.get(LOCK_STORE_URL_SETTING, "").strip()
        self.inner: LockStore = redis_lock_store(url) if url else InMemoryLockStore()
        logger.info("Lock store: %s.", "Redis" if url else "in-process (single server process only)")

    def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = TURN_LOCK_LIFETIME_S,
        wait_time_in_seconds: float = LOCK_POLL_S,
    ) -> AbstractAsyncContextManager[TicketLock]:
        return super().lock(conversation_id, lock_lifetime, wait_time_in_seconds)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.inner.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.inner.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.inner.save_lock(lock)


def redis_lock_store(url: str) -> RedisLockStore:
    parsed = urlparse(url)
    database = parsed.path.lstrip("/")
    return RedisLockStore(
        host=parsed.hostname or "localhost",
        port=parsed.port or 6379,
        db=int(database) if database else 1,
        username=parsed.username,
        password=parsed.password,
        use_ssl=parsed.scheme == "rediss",
    )
