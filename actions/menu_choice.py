"""A reply of "1", "2"... picks the matching entry of the last menu shown."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import conversation_language, last_menu_shown, latest_text
from bot.content.resources import resources_for_topic
from bot.content.topics import menus, topics
from bot.conversation_keys import LANGUAGE_SLOT
from bot.text import menu_number

UNKNOWN_CHOICE_RESPONSE = "utter_menu_choice_unknown"
LANGUAGE_CHANGED_RESPONSE = "utter_language_changed"


class ActionMenuChoice(Action):
    def name(self) -> str:
        return "action_menu_choice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        menu = last_menu_shown(tracker)
        number = menu_number(latest_text(tracker))
        entry = menu.entry(number) if menu and number else None
        if entry is None:
            dispatcher.utter_message(response=UNKNOWN_CHOICE_RESPONSE)
            return []

        if entry.kind == "language":
            # The response is rendered before the SlotSet is applied, so the
            # new language is passed along for this one message.
            dispatcher.utter_message(response=LANGUAGE_CHANGED_RESPONSE, language=entry.value)
            return [SlotSet(LANGUAGE_SLOT, entry.value)]
        if entry.kind == "menu":
            dispatcher.utter_message(response=menus()[entry.value].shown_by[0])
            return []
        dispatcher.utter_message(**topic_answer(entry.value, conversation_language(tracker)))
        return []


def topic_answer(topic_id: str, language: str) -> dict[str, Any]:
    """The response for a topic, with the resources chosen for the language."""
    topic = topics()[topic_id]
    answer: dict[str, Any] = {"response": topic.response}
    if topic.lists_resources:
        answer["resource_ids"] = [r.id for r in resources_for_topic(topic_id, language)]
    return answer
