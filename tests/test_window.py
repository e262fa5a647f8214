"""A turn reads a bounded window of its conversation (bot.storage.window), and the answers do not change.

The conversation tests all run on the windowed store (tests/conftest.py);
here one long conversation is replayed with cuts every few turns and without
any, and every reply must be the same, while what a turn reads stays bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation_keys import LEGAL_NOTICE, UTTER_ACTION
from bot.storage import purge, window
from bot.storage.stores import ConfiguredTrackerStore, forget_conversation
from tests.conftest import Conversation, windowed_store

# A resident who keeps texting: topics and MORE long after them, menus, a
# language switch and back, thanks, nonsense, a report started and left, and
# a whole report. Each MORE comes several turns after the answer it expands.
LONG_CONVERSATION = [
    "ICE is at my door",
    "thanks",
    "hi",
    "ok",
    "more",
    "menu",
    "6",
    "9",
    "thanks",
    "asdfgh qwerty",
    "MORE",
    "hola",
    "la migra esta en mi trabajo",
    "gracias",
    "ok",
    "mas",
    "english please",
    "what are my rights if im stopped on the street",
    "menu",
    "5",
    "thanks",
    "more",
    "I want to report ICE agents at a city park",
    "Echo Park near the lake",
    "menu",
    "thanks",
    "I want to report ICE agents",
    "the library on 5th street",
    "about an hour ago",
    "4",
    "yes",
    "they had two vans",
    "no",
    "thanks",
    "more",
    "0",
    "hola",
    "1",
    "gracias",
]
NO_CUTS = {"window_keep_events": 10**6, "window_max_events": 10**6, "window_hard_max_events": 10**6}
# Cuts every turn or two, and inside the report form too.
TINY = {"window_keep_events": 8, "window_max_events": 12, "window_hard_max_events": 30}
REFERENCE = re.compile(r"R-[2-9A-HJKMNP-Z]{6}")


def inner_store(agent: Any) -> ConfiguredTrackerStore:
    return agent.tracker_store._tracker_store


@contextlib.contextmanager
def window_sizes(store: ConfiguredTrackerStore, sizes: dict[str, int]) -> Iterator[None]:
    before = {name: getattr(store, name) for name in sizes}
    for name, size in sizes.items():
        setattr(store, name, size)
    try:
        yield
    finally:
        for name, size in before.items():
            setattr(store, name, size)


def replies(conversation: Conversation, texts: list[str]) -> list[str]:
    # A report's reference is new each time: the rest of the text must be the same.
    return [REFERENCE.sub("R-XXXXXX", conversation.say(text)) for text in texts]


def test_cuts_change_no_answer_in_a_long_conversation(
    agent: Any, new_conversation: Any, reports_db: str
) -> None:
    store = inner_store(agent)
    with window_sizes(store, NO_CUTS):
        whole = new_conversation()
        expected = replies(whole, LONG_CONVERSATION)
    with window_sizes(store, TINY):
        cut = new_conversation()
        got = replies(cut, LONG_CONVERSATION)
    for number, (text, want, have) in enumerate(zip(LONG_CONVERSATION, expected, got, strict=True)):
        assert have == want, f"turn {number} ({text!r})"
    # The cut conversation really was cut, many times, and read little per turn.
    assert len(cut.tracker().events) < len(whole.tracker().events) / 3
    assert "R-XXXXXX" in expected[-7]  # the report went through in both


def test_a_turn_reads_a_bounded_window_while_every_event_is_kept(
    agent: Any, new_conversation: Any, event_loop_for_agent: asyncio.AbstractEventLoop
) -> None:
    store = inner_store(agent)
    conversation = new_conversation()
    sizes = []
    for turn in range(60):
        conversation.send(["hola", "2", "mas", "menu", "6", "gracias"][turn % 6])
        sizes.append(len(conversation.tracker().events))
    # What a turn reads never grows past the window and the snapshot.
    assert max(sizes[20:]) <= store.window_max_events + 20
    assert max(sizes[20:]) - min(sizes[20:]) < store.window_max_events
    stored = event_loop_for_agent.run_until_complete(store.retrieve_full_tracker(conversation.sender_id))
    user_texts = [event.text for event in stored.events if isinstance(event, UserUttered)]
    assert len(user_texts) == 60  # nothing deleted from the events table
    assert conversation.slot("language") == "es"


def _tracker(sender: str, events: list[Any]) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, events, [])


def _turn(at: float, text: str, key: str, legal: bool = False) -> list[Any]:
    return [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered(text, {"name": "greet", "confidence": 1.0}, timestamp=at + 0.1),
        ActionExecuted(key, timestamp=at + 0.2),
        BotUttered("text", metadata={UTTER_ACTION: key, LEGAL_NOTICE: legal}, timestamp=at + 0.3),
    ]


def long_conversation_on(store: ConfiguredTrackerStore, sender: str, turns: int) -> list[int]:
    """`turns` turns, each read, extended and saved as a server does; how many events each turn read."""
    from rasa.shared.core.domain import Domain

    store.domain = Domain.from_yaml("version: '3.1'\nslots:\n  language:\n    type: any\n    mappings: []\n")
    loop = asyncio.new_event_loop()
    read_sizes = []
    try:
        for turn in range(turns):
            tracker = loop.run_until_complete(store.retrieve(sender))
            if tracker is None:
                tracker = _tracker(sender, [SlotSet("language", "es", timestamp=1.0)])
            read_sizes.append(len(tracker.events))
            for event in [*_turn(10.0 + turn, f"m{turn}", "utter_kyr_door", legal=turn == 0)]:
                tracker.update(event)
            tracker.update(ActionExecuted("action_listen", timestamp=10.5 + turn))
            loop.run_until_complete(store.save(tracker))
        full = loop.run_until_complete(store.retrieve_full_tracker(sender))
        read = loop.run_until_complete(store.retrieve(sender))
    finally:
        loop.close()
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == [f"m{t}" for t in range(turns)]
    assert read.get_slot("language") == "es"
    assert any(isinstance(e, BotUttered) and e.metadata.get(LEGAL_NOTICE) for e in read.events)
    return read_sizes


def test_what_a_turn_reads_stays_bounded_in_the_store(tmp_path: Path) -> None:
    store = windowed_store(tmp_path / "t.db", window_keep_events=10, window_max_events=20)
    sizes = long_conversation_on(store, "long", 80)
    assert max(sizes) <= 20 + 5 + 4  # the window, a turn, the snapshot
    assert sizes[-1] < sizes[5] + 10


def test_a_new_session_starts_from_its_own_events(tmp_path: Path) -> None:
    """As in Rasa: after a session start, nothing of the session before is read, not even the snapshot."""
    from rasa.shared.core.domain import Domain

    store = windowed_store(tmp_path / "t.db", window_keep_events=4, window_max_events=6)
    store.domain = Domain.from_yaml("version: '3.1'\nslots:\n  language:\n    type: any\n    mappings: []\n")
    loop = asyncio.new_event_loop()
    events: list[Any] = [SlotSet("language", "es", timestamp=1.0)]
    for turn in range(6):
        events += _turn(10.0 + turn, f"m{turn}", "utter_kyr_door", legal=(turn == 0))
    events.append(ActionExecuted("action_listen", timestamp=20.0))  # at rest: a cut may come
    tracker = _tracker("s", events)
    loop.run_until_complete(store.save(tracker))
    read = loop.run_until_complete(store.retrieve("s"))
    # Cut: the legal notice's message and the language stay, the early turns do not.
    assert len(read.events) < len(events)
    assert read.get_slot("language") == "es"
    assert any(isinstance(e, BotUttered) and e.metadata.get(LEGAL_NOTICE) for e in read.events)
    session = [
        ActionExecuted("action_session_start", timestamp=100.0),
        SessionStarted(timestamp=100.0),
        ActionExecuted("action_listen", timestamp=100.1),
    ]
    for event in session:
        read.update(event)
    loop.run_until_complete(store.save(read))
    fresh = loop.run_until_complete(store.retrieve("s"))
    assert [type(e) for e in fresh.events] == [ActionExecuted, SessionStarted, ActionExecuted]
    assert fresh.get_slot("language") is None
    loop.close()


def test_stop_and_the_purge_delete_the_snapshot(tmp_path: Path) -> None:
    from rasa.shared.core.domain import Domain

    path = tmp_path / "t.db"
    store = windowed_store(path, window_keep_events=4, window_max_events=6)
    store.domain = Domain.from_yaml("version: '3.1'")
    loop = asyncio.new_event_loop()
    for sender in ("stop", "old"):
        events: list[Any] = []
        for turn in range(6):
            events += _turn(time.time() - 90 * 86_400, f"m{turn}", "utter_greet")
        events.append(ActionExecuted("action_listen"))
        loop.run_until_complete(store.save(_tracker(sender, events)))

    def snapshots() -> set[str]:
        with sqlite3.connect(path) as db:
            return {row[0] for row in db.execute("select sender_id from conversation_snapshots")}

    assert snapshots() == {"stop", "old"}
    loop.run_until_complete(forget_conversation(store, None, "stop"))
    assert snapshots() == {"old"}
    with sqlite3.connect(path) as db:
        db.execute("update conversation_snapshots set updated_at = ?", (time.time() - 90 * 86_400,))
    purge.purge_conversations(store.engine, older_than_s=30 * 86_400, dry_run=False)
    assert snapshots() == set()
    loop.close()


def test_the_snapshot_keeps_the_latest_message_of_each_kind_in_order() -> None:
    events: list[Any] = []
    for turn, key in enumerate(["utter_kyr_door", "utter_menu", "utter_kyr_door", "utter_greet"]):
        events += _turn(float(turn), "x", key, legal=(turn == 0))
    kept = window.snapshot_events("s", window.deserialise([e.as_dict() for e in events]), [], lambda e: e)
    keys = [(e["metadata"][UTTER_ACTION], e["metadata"][LEGAL_NOTICE]) for e in kept if e["event"] == "bot"]
    assert keys == [
        ("utter_kyr_door", True),
        ("utter_menu", False),
        ("utter_kyr_door", False),
        ("utter_greet", False),
    ]
    assert json.dumps(kept)  # serializable as stored


@pytest.mark.parametrize("keep", [3, 5])
def test_cuts_fall_where_a_turn_starts(keep: int) -> None:
    events: list[Any] = []
    for turn in range(5):
        events += _turn(float(turn), "x", "utter_greet")
    index = window.cut_index(events, keep)
    assert isinstance(events[index], ActionExecuted) and events[index].action_name == "action_listen"
    assert keep <= len(events) - index < keep + 4  # at least `keep` remain, and at most a turn more
