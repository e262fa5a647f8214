"""`python -m bot purge` deletes what is past retention, event by event, and only that."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text

from bot.storage.local_services import INSTALL_ADVICE, missing_services, postgres_server
from bot.storage.purge import parse_period, purge_conversations
from bot.storage.stores import ConfiguredTrackerStore


def conversation(sender_id: str, age_s: float) -> DialogueStateTracker:
    stamp = time.time() - age_s
    return DialogueStateTracker.from_events(
        sender_id, [ActionExecuted("action_listen", timestamp=stamp), UserUttered("hola", timestamp=stamp)]
    )


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    missing = [name for name in missing_services() if name == "PostgreSQL"]
    if missing and not os.environ.get("KYR_REQUIRE_SERVICES"):
        pytest.skip(f"PostgreSQL not installed: {INSTALL_ADVICE}")
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'trackers.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        with create_engine(url).begin() as connection:  # each test starts from an empty store
            connection.execute(text("DROP TABLE IF EXISTS events"))
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    store = ConfiguredTrackerStore()
    for sender_id, age_days in (("old-1", 40), ("old-2", 31), ("recent", 2)):
        asyncio.run(store.save(conversation(sender_id, age_days * 86_400)))
    return url


def senders(url: str) -> set[str]:
    with create_engine(url).connect() as connection:
        return {row[0] for row in connection.execute(text("SELECT DISTINCT sender_id FROM events"))}


def test_dry_run_counts_and_deletes_nothing(store_url: str) -> None:
    result = purge_conversations(create_engine(store_url), parse_period("30d"), dry_run=True)
    assert (result.conversations, result.events) == (2, 4)
    assert senders(store_url) == {"old-1", "old-2", "recent"}


def test_purge_deletes_only_conversations_past_retention(store_url: str) -> None:
    result = purge_conversations(create_engine(store_url), parse_period("30d"), dry_run=False)
    assert result.conversations == 2
    assert senders(store_url) == {"recent"}
    assert purge_conversations(create_engine(store_url), parse_period("1d"), dry_run=False).conversations == 1
    assert senders(store_url) == set()


def test_a_conversation_that_goes_on_keeps_only_its_recent_events(store_url: str) -> None:
    store = ConfiguredTrackerStore()
    stamp_old, stamp_new = time.time() - 40 * 86_400, time.time() - 86_400
    tracker = DialogueStateTracker.from_events(
        "ongoing",
        [
            ActionExecuted("action_listen", timestamp=stamp_old),
            UserUttered("la migra en mi puerta", timestamp=stamp_old),
            ActionExecuted("action_listen", timestamp=stamp_new),
            UserUttered("gracias", timestamp=stamp_new),
        ],
    )
    asyncio.run(store.save(tracker))
    result = purge_conversations(create_engine(store_url), parse_period("30d"), dry_run=False)
    assert (result.conversations, result.events) == (3, 6)
    with create_engine(store_url).connect() as connection:
        rows = connection.execute(text("SELECT sender_id, data FROM events ORDER BY id")).fetchall()
    assert {row[0] for row in rows} == {"recent", "ongoing"}
    assert not any("la migra" in row[1] for row in rows)
    assert any("gracias" in row[1] for row in rows if row[0] == "ongoing")


def test_stop_forgets_a_whole_conversation_at_once(store_url: str) -> None:
    from bot.storage.stores import forget_conversation

    store = ConfiguredTrackerStore()
    assert asyncio.run(forget_conversation(store, None, "recent")) == 2
    assert senders(store_url) == {"old-1", "old-2"}
    assert asyncio.run(forget_conversation(store, None, "nobody")) == 0


@pytest.mark.parametrize(("text_", "seconds"), [("30d", 30 * 86_400), ("12h", 12 * 3_600)])
def test_periods(text_: str, seconds: int) -> None:
    assert parse_period(text_) == seconds
