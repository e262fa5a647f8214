"""What actions need to know about the conversation, read from the rasa-sdk tracker."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from bot.content.topics import Menu, menu_shown_by
from bot.conversation_keys import LANGUAGE_SLOT, NUMBERED_RESOURCES, UTTER_ACTION
from bot.language.registry import language_settings


def conversation_language(tracker: Tracker) -> str:
    return language_settings().or_default(tracker.get_slot(LANGUAGE_SLOT))


def bot_responses(tracker: Tracker) -> list[str]:
    """Response keys the bot has sent so far, oldest first."""
    keys = []
    for event in tracker.events:
        if event.get("event") == "bot":
            key = (event.get("metadata") or {}).get(UTTER_ACTION)
            if key:
                keys.append(key)
    return keys


def last_menu_shown(tracker: Tracker) -> Menu | None:
    """The menu of the most recent bot response that showed one, if any."""
    for key in reversed(bot_responses(tracker)):
        menu = menu_shown_by(key)
        if menu:
            return menu
    return None


def latest_text(tracker: Tracker) -> str:
    message: dict[str, Any] = tracker.latest_message or {}
    return message.get("text") or ""


def numbered_resources(tracker: Tracker) -> list[str]:
    """The resources the bot's latest message listed by number (a text message), else none."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return list((event.get("metadata") or {}).get(NUMBERED_RESOURCES) or [])
    return []
