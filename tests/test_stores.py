"""Conversations survive a restart; stores are chosen by URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import PROJECT_ROOT
from bot.storage import stores


def test_tracker_store_survives_a_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "trackers.db"
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{db}")
    tracker = DialogueStateTracker.from_events(
        "sms-abc", [ActionExecuted("action_listen"), UserUttered("hola"), SlotSet("language", "es")]
    )
    import asyncio

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    asyncio.run(stores.ConfiguredTrackerStore(domain=domain).save(tracker))
    assert db.exists()
    # A new store object, as after a restart, finds the conversation and its language.
    restored = asyncio.run(stores.ConfiguredTrackerStore(domain=domain).retrieve("sms-abc"))
    assert restored is not None and restored.get_slot("language") == "es"


def test_default_tracker_store_is_an_sqlite_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    monkeypatch.setattr("bot.settings.PROJECT_ROOT", tmp_path)
    assert stores.tracker_store_url() == f"sqlite:///{tmp_path / 'var' / 'trackers.db'}"
    store = stores.ConfiguredTrackerStore()
    assert store.engine.url.drivername == "sqlite"


def test_lock_store_is_redis_only_with_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCK_STORE_URL", raising=False)
    assert isinstance(stores.ConfiguredLockStore().inner, InMemoryLockStore)
    monkeypatch.setenv("LOCK_STORE_URL", "redis://:pw@redis.internal:6380/3")
    inner = stores.ConfiguredLockStore().inner  # redis-py connects lazily: no server needed here
    assert isinstance(inner, RedisLockStore)
    kwargs = inner.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["password"]) == (
        "redis.internal",
        6380,
        3,
        "pw",
    )


def test_typed_contact_details_never_reach_the_tracker_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    db = tmp_path / "trackers.db"
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{db}")
    typed = "they took my son, call me 213-555-0147 or ana.r@example.com, we live at 1420 W Temple St"
    tracker = DialogueStateTracker.from_events(
        "sms-xyz",
        [
            ActionExecuted("action_listen"),
            UserUttered(typed, parse_data={"text": typed, "intent": {"name": "find_detained"}}),
            SlotSet("report_location", "1420 W Temple St"),
        ],
    )
    import asyncio

    asyncio.run(stores.ConfiguredTrackerStore().save(tracker))
    # The database and its write-ahead log: everything SQLite wrote.
    stored = "".join(f.read_bytes().decode("utf-8", errors="ignore") for f in tmp_path.glob("trackers.db*"))
    for needle in ("213-555-0147", "2135550147", "ana.r@example.com", "1420"):
        assert needle not in stored
    assert "[phone]" in stored and "W Temple St" in stored
