"""MORE: the full text of the last topic answer.

On SMS a long answer is sent as a short variant ending in "Reply MORE"; this
sends that answer's default (full) text.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import bot_responses, conversation_language
from actions.menu_choice import topic_answer
from bot.content.topics import topic_for_response
from bot.conversation_keys import FULL_TEXT_VARIANT

NOTHING_MORE_RESPONSE = "utter_more_nothing"


class ActionMore(Action):
    def name(self) -> str:
        return "action_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        for key in reversed(bot_responses(tracker)):
            topic = topic_for_response(key)
            if topic and topic.legal_notice:
                answer = topic_answer(topic.id, conversation_language(tracker))
                dispatcher.utter_message(**answer, variant=FULL_TEXT_VARIANT)
                return []
        dispatcher.utter_message(response=NOTHING_MORE_RESPONSE)
        return []
