"""A reply of "1", "2"... picks the matching entry of the last menu shown.

Right after a text message that listed resources by number, the number picks
one of them instead: its details come again, with whether it is open now.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import conversation_language, last_menu_shown, latest_text, numbered_resources
from bot.content.resources import resources_for_topic
from bot.content.topics import menus, topics
from bot.conversation_keys import LANGUAGE_SLOT
from bot.rendering.renderer import channel_variant
from bot.storage.routes import DETAILS_SENT, record_route
from bot.text import menu_number

UNKNOWN_CHOICE_RESPONSE = "utter_menu_choice_unknown"
RESOURCE_DETAILS_RESPONSE = "utter_resource_details"
LANGUAGE_CHANGED_RESPONSE = "utter_language_changed"


class ActionMenuChoice(Action):
    def name(self) -> str:
        return "action_menu_choice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        number = menu_number(latest_text(tracker))
        listed = numbered_resources(tracker)
        if number and number.isdigit() and 1 <= int(number) <= len(listed):
            chosen = listed[int(number) - 1]
            dispatcher.utter_message(response=RESOURCE_DETAILS_RESPONSE, resource_ids=[chosen])
            channel = channel_variant(tracker.get_latest_input_channel()) or "chat"
            record_route(chosen, channel, conversation_language(tracker), DETAILS_SENT)
            return []
        menu = last_menu_shown(tracker)
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
