"""A turn that a server process handled and then died before answering: found, not handled again.

Twilio's request, retried on another process (nginx, bot.storage.shared_state),
may carry a message that the dead process already took through the dialogue
and stored. Handling it again would store the person's message twice and
could, in the report form, file a report twice. So when a retry takes over a
request whose first handler vanished, it first looks at the conversation: if
its latest message has this request's id, the bot's stored replies to it are
sent again instead.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.events import BotUttered, UserUttered

logger = logging.getLogger(__name__)


async def replay_handled_turn(
    tracker_store: Any, sender_id: str, message_id: str, collector: CollectingOutputChannel
) -> bool:
    """Whether the conversation's latest message is `message_id`; if so, its replies go to `collector`."""
    tracker = await tracker_store.retrieve(sender_id)
    if tracker is None:
        return False
    events = list(tracker.events)
    latest = next((i for i in range(len(events) - 1, -1, -1) if isinstance(events[i], UserUttered)), None)
    if latest is None or events[latest].message_id != message_id:
        return False
    for event in events[latest + 1 :]:
        if isinstance(event, BotUttered):
            data = {key: value for key, value in (event.data or {}).items() if value is not None}
            await collector.send_response(sender_id, {"text": event.text, **data, **(event.metadata or {})})
    logger.warning(
        "A retried request had been handled by a server that stopped; its replies were sent again."
    )
    return True
