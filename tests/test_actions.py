"""Custom actions run against real rasa-sdk trackers (as in RasaHQ/rasa-demo)."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.menu_choice import ActionMenuChoice
from bot.content.resources import resources_for_topic


def bot_event(response_key: str) -> dict[str, Any]:
    return {"event": "bot", "text": "...", "metadata": {"utter_action": response_key}}


def make_tracker(text: str, shown: list[str], language: str | None = None) -> Tracker:
    events: list[dict[str, Any]] = [{"event": "action", "name": "action_listen"}]
    for key in shown:
        events.append(bot_event(key))
    events.append({"event": "user", "text": text, "parse_data": {"intent": {"name": "menu_choice"}}})
    return Tracker(
        sender_id="actions-test",
        slots={"language": language},
        latest_message={"text": text, "intent": {"name": "menu_choice"}, "entities": []},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run_choice(text: str, shown: list[str], language: str | None = None) -> tuple[list[dict], list]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionMenuChoice().run(dispatcher, make_tracker(text, shown, language), {}))
    return dispatcher.messages, events


def test_number_picks_topic_from_main_menu() -> None:
    messages, events = run_choice("2", ["utter_greet", "utter_menu"])
    assert [m["response"] for m in messages] == ["utter_kyr_door"]
    assert events == []


def test_number_uses_the_last_menu_shown() -> None:
    messages, _ = run_choice("2", ["utter_menu", "utter_menu_more"])
    assert messages[0]["response"] == "utter_kyr_car"
    messages, _ = run_choice("9", ["utter_menu"])
    assert messages[0]["response"] == "utter_menu_more"


def test_a_topic_answer_after_the_menu_does_not_hide_the_menu() -> None:
    # "2" → door answer; then "3" still refers to the main menu shown before.
    messages, _ = run_choice("3", ["utter_menu", "utter_kyr_door"])
    assert messages[0]["response"] == "utter_kyr_street"


def test_resource_topics_list_resources_for_the_language() -> None:
    messages, _ = run_choice("6", ["utter_menu"], language="es")
    assert messages[0]["response"] == "utter_legal_help"
    assert messages[0]["resource_ids"] == [r.id for r in resources_for_topic("legal_help", "es")]
    assert "state_bar" not in messages[0]["resource_ids"]  # where to check a licence, not free help


def test_language_menu_switches_language() -> None:
    messages, events = run_choice("2", ["utter_language"], language="en")
    assert events == [SlotSet("language", "es")]
    assert [(m["response"], m["language"]) for m in messages] == [("utter_language_changed", "es")]


def test_digit_with_no_menu_shown_gets_the_menu() -> None:
    messages, events = run_choice("4", [])
    assert [m["response"] for m in messages] == ["utter_menu_choice_unknown"]
    assert events == []


def test_number_not_on_the_menu() -> None:
    messages, _ = run_choice("42", ["utter_menu"])
    assert messages[0]["response"] == "utter_menu_choice_unknown"


def test_every_menu_entry_renders_and_resolves() -> None:
    from bot.content.topics import menus
    from bot.rendering.renderer import renderer

    for menu in menus().values():
        for language in ("en", "es"):
            text = renderer().render(menu.shown_by[0], language).text
            assert "{" not in text
            for entry in menu.entries:
                assert f"{entry.number}) " in text, (menu.name, entry.number)
        for entry in menu.entries:
            messages, _ = run_choice(entry.number, [menu.shown_by[0]])
            assert messages[0]["response"] != "utter_menu_choice_unknown", (menu.name, entry.number)
