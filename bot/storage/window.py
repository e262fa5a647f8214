"""A turn reads a bounded window of its conversation, whatever the conversation's length.

Rasa's SQL tracker store reads and replays every event of the conversation's
current session on every turn, and RulePolicy then featurizes all of it, so a
turn's cost grew with the conversation (turn 190 of one session took 14 times
as long as turn 5; README, Performance). An operator's test session or a
resident who keeps texting reaches hundreds of turns.

Here a conversation is read as a *snapshot* plus the events after it:

* the snapshot stands for every event up to a cut: the slot values there, the
  active form if any, and the latest bot message of each kind (response key,
  legal notice, draft notice), because the renderer and the actions ask "was
  the legal notice ever shown?", "what topic did the bot answer last?" and
  "which menu did it show last?", and those answers must not change;
* the events after the cut are read as stored, between WINDOW_KEEP_EVENTS and
  WINDOW_MAX_EVENTS of them (about 4 to 8 turns; the longest rule or story is
  7 steps, so every rule matches as it did on the whole history).

When a turn leaves more than WINDOW_MAX_EVENTS after the cut and the
conversation is at rest (no form running, listening), the same transaction that
stores the turn moves the cut so that WINDOW_KEEP_EVENTS remain. A form that
runs past WINDOW_HARD_MAX_EVENTS is cut too, with the form kept in the snapshot.

Every event stays in the events table (the purge and STOP delete them as
before); the snapshot is derived data, one row per conversation, rewritten under
the conversation's lock, so any replica can take any turn. A new session
(after an hour of silence) starts from its own events, as in Rasa.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, declarative_base

from bot.caches import LoadOnce
from bot.conversation_keys import DRAFT_NOTICE, LEGAL_NOTICE, UTTER_ACTION

logger = logging.getLogger(__name__)

# Small enough that a long conversation's turn costs what an early one does
# (measured: with 60-150, turn 200 took 11 ms against 8 ms for the first turns).
WINDOW_KEEP_EVENTS = 30
WINDOW_MAX_EVENTS = 60
WINDOW_HARD_MAX_EVENTS = 400

SnapshotBase = declarative_base()


def _event_classes() -> dict[str, type[Event]]:
    classes: dict[str, type[Event]] = {}
    for cls in all_subclasses(Event):
        classes.setdefault(cls.type_name, cls)  # the first, as Event.resolve_by_type finds it
    return classes


# Rasa's Event.from_parameters walks every Event subclass, recursively, for each
# event it reads: 90% of the time a turn spent reading its tracker (profiled).
EVENT_CLASSES = LoadOnce("event classes by type name", _event_classes)


def deserialise(serialized: list[dict[str, Any]]) -> list[Event]:
    """Events from their dicts, as rasa.shared.core.events.deserialise_events makes them."""
    classes = EVENT_CLASSES.get()
    events = []
    for data in serialized:
        cls = classes.get(data.get("event", ""))
        event = cls._from_parameters(data) if cls else Event.from_parameters(data)
        if event is not None:
            events.append(event)
    return events


class ConversationSnapshot(SnapshotBase):  # type: ignore[misc, valid-type]
    """One conversation's state up to a cut (bot.storage.window)."""

    __tablename__ = "conversation_snapshots"

    sender_id = sa.Column(sa.String(255), primary_key=True)
    # The id of the last event the snapshot stands for: the window is every event after it.
    cut_event_id = sa.Column(sa.Integer, nullable=False)
    # The snapshot as serialized events (slots, active form, bot messages).
    events = sa.Column(sa.Text, nullable=False)
    # When the cut last moved: the purge deletes snapshots older than the retention period.
    updated_at = sa.Column(sa.Float, nullable=False, index=True)


def latest_session(rows: Sequence[Any]) -> list[Any]:
    """The rows of the latest session, as Rasa's store selects them (by the session start's time)."""
    starts = [row.timestamp for row in rows if row.type_name == SessionStarted.type_name]
    if not starts:
        return list(rows)
    start = max(starts)
    return [row for row in rows if row.timestamp is not None and row.timestamp >= start]


def snapshot_events(
    sender_id: str, events: list[Event], slots: Any, clean: Callable[[Event], Event]
) -> list[dict[str, Any]]:
    """What `events` leave behind, as a short list of serialized events.

    `events` are the previous snapshot's and those being cut, oldest first;
    `clean` is applied to each (the store's redaction).
    """
    events = [clean(event) for event in events]
    replayed = DialogueStateTracker.from_events(sender_id, events, slots)
    last_set: dict[str, SlotSet] = {}
    messages: dict[tuple[Any, ...], BotUttered] = {}
    for event in events:
        if isinstance(event, SessionStarted):
            # As in Rasa, a new session does not see the bot messages of the one before.
            messages.clear()
        elif isinstance(event, SlotSet):
            last_set[event.key] = event
        elif isinstance(event, BotUttered):
            kind = tuple(event.metadata.get(key) for key in (UTTER_ACTION, LEGAL_NOTICE, DRAFT_NOTICE))
            messages.pop(kind, None)  # re-inserted last: the order stays that of the conversation
            messages[kind] = event
    cut_time = events[-1].timestamp if events else time.time()
    kept: list[Event] = []
    for name, slot in replayed.slots.items():
        if slot.value == slot.initial_value:
            continue
        last = last_set.get(name)
        # The original event where it still holds the value: it keeps when the slot was set.
        kept.append(last if last and last.value == slot.value else SlotSet(name, slot.value, cut_time))
    if replayed.active_loop_name:
        kept.append(ActiveLoop(replayed.active_loop_name, cut_time))
    kept.extend(sorted(messages.values(), key=lambda message: message.timestamp))
    return [event.as_dict() for event in kept]


def cut_index(events: Sequence[Event], keep: int) -> int:
    """Where to cut `events` so that at least `keep` remain, just before a turn starts (action_listen)."""
    for index in range(len(events) - keep, 0, -1):
        event = events[index]
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME:
            return index
    return 0  # no turn starts early enough: no cut


class WindowedTracker(DialogueStateTracker):
    """A tracker as the windowed store read it: it knows how much of it is stored.

    `stored` of its events are in the database (the snapshot's and the window's);
    `window` is how many rows follow the cut. The store updates both on save,
    so a turn's save needs no second read of the conversation.
    """

    stored: int = 0
    window: int = 0


class WindowedSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store, reading a snapshot and a bounded window of events per turn.

    `clean_event` is applied to every event before it is stored (redaction).
    The window's sizes are attributes so that tests can make cuts frequent.
    """

    window_keep_events = WINDOW_KEEP_EVENTS
    window_max_events = WINDOW_MAX_EVENTS
    window_hard_max_events = WINDOW_HARD_MAX_EVENTS

    def create_snapshot_table(self) -> None:
        try:
            SnapshotBase.metadata.create_all(self.engine)
        except (sa.exc.OperationalError, sa.exc.ProgrammingError):
            # Two servers starting at once may both try; one of them made it.
            if not sa.inspect(self.engine).has_table(ConversationSnapshot.__tablename__):
                raise

    def clean_event(self, event: Event) -> Event:
        return event

    def _window(self, connection: Connection, sender_id: str, with_data: bool) -> tuple[list[Any], list[Any]]:
        """The conversation's snapshot events and the rows after its cut, of the latest session.

        SQLAlchemy Core on one connection: the ORM's object loading was a
        third of a turn's reading time (profiled).
        """
        snapshots = ConversationSnapshot.__table__
        snapshot = connection.execute(
            sa.select(snapshots.c.cut_event_id, snapshots.c.events).where(snapshots.c.sender_id == sender_id)
        ).first()
        events = self.SQLEvent.__table__
        columns = [events.c.id, events.c.type_name, events.c.timestamp]
        if with_data:
            columns.append(events.c.data)
        rows = connection.execute(
            sa.select(*columns)
            .where(events.c.sender_id == sender_id, events.c.id > (snapshot.cut_event_id if snapshot else 0))
            .order_by(events.c.id)
        ).all()
        window = latest_session(rows)
        if snapshot is None or len(window) < len(rows):
            # No cut yet, or a session started after it: the session's own events are all there is.
            return [], window
        return json.loads(snapshot.events), window

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        with self.engine.connect() as connection:
            prefix, rows = self._window(connection, sender_id, with_data=True)
        events = prefix + [json.loads(row.data) for row in rows]
        if not self.domain or not events:
            return None
        tracker = WindowedTracker.from_events(sender_id, deserialise(events), self.domain.slots)
        tracker.stored, tracker.window = len(events), len(rows)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.engine.begin() as connection:  # one transaction: the turn and any cut
            if isinstance(tracker, WindowedTracker):
                stored, window = tracker.stored, tracker.window
            else:  # a tracker this store did not read (a new conversation)
                prefix, rows = self._window(connection, tracker.sender_id, with_data=False)
                stored, window = len(prefix) + len(rows), len(rows)
            events = list(tracker.events)
            rows_to_add = [self._row(tracker.sender_id, event) for event in events[stored:]]
            if rows_to_add:
                connection.execute(sa.insert(self.SQLEvent.__table__), rows_to_add)
            window += len(rows_to_add)
            if self._can_cut(tracker, window):
                window = self._move_cut(connection, tracker.sender_id, events, window)
        if isinstance(tracker, WindowedTracker):
            tracker.stored, tracker.window = len(events), window

    def _row(self, sender_id: str, event: Event) -> dict[str, Any]:
        data = self.clean_event(event).as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": (data.get("parse_data") or {}).get("intent", {}).get("name"),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _can_cut(self, tracker: DialogueStateTracker, window: int) -> bool:
        if window > self.window_hard_max_events:
            return True
        at_rest = tracker.latest_action_name == ACTION_LISTEN_NAME and not tracker.active_loop_name
        return window > self.window_max_events and at_rest

    def _move_cut(self, connection: Connection, sender_id: str, events: list[Event], window: int) -> int:
        """Fold the start of the window into the snapshot; how many rows the window keeps."""
        _, rows = self._window(connection, sender_id, with_data=False)
        window_start = len(events) - window
        cut = cut_index(events[window_start:], self.window_keep_events)
        if cut == 0 or len(rows) != window:
            return window  # nothing to cut yet (or the store changed under us: read it whole next time)
        assert self.domain is not None
        folded = snapshot_events(sender_id, events[: window_start + cut], self.domain.slots, self.clean_event)
        snapshots = ConversationSnapshot.__table__
        values = {"cut_event_id": rows[cut - 1].id, "events": json.dumps(folded), "updated_at": time.time()}
        # Under the conversation's lock: nobody else writes this row meanwhile.
        updated = connection.execute(
            sa.update(snapshots).where(snapshots.c.sender_id == sender_id).values(**values)
        )
        if updated.rowcount == 0:
            connection.execute(sa.insert(snapshots).values(sender_id=sender_id, **values))
        return window - cut

    def forget_snapshot(self, session: Session, sender_id: str) -> None:
        session.query(ConversationSnapshot).filter(ConversationSnapshot.sender_id == sender_id).delete(
            synchronize_session=False
        )
