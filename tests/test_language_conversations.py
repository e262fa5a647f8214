"""Every served language, end to end: the same conversations in each, by text, SMS and voice.

Driven only by the language data (data/languages.yml, data/nlu/<code>/,
data/report_form.yml, data/channels.yml, data/voice.yml), so a language added
as data is tested the day it is added. What is checked is what the person
gets: which answer, and in which language (the `utter_action` and `language`
our NLG records on each bot message), or the exact text on SMS and voice.
Each conversation names its language first (its first switch word), as a
person can; then come the language's own words: its first training example
of an intent, its control words. (Which language a free message is taken
for, and how well free phrasing is understood, is the held-out test's job:
tests/test_heldout_languages.py.)
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.channels.voice_twiml import voice_settings
from bot.language.registry import language_settings
from bot.settings import PROJECT_ROOT
from tests.conftest import AUTH_TOKEN, LiveServer
from tests.test_language_data import examples
from tests.test_sms_channel import sms_text
from tests.test_voice_channel import spoken
from tests.test_voice_languages import digits_for
from tests.voice_client import Call

DATA = PROJECT_ROOT / "data"
LANGUAGES = list(language_settings().supported)
PLACE = "Pershing Square, 532 S Olive St"


@functools.cache
def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def first_example(code: str, intent: str) -> str:
    return examples(code)[intent][0]


def control_word(group: str, name: str, code: str) -> str:
    return str(_yaml(DATA / "report_form.yml")[group][name][code][0])


def switch_word(code: str) -> str:
    return str(_yaml(DATA / "languages.yml")["supported"][code]["switch_words"][0])


def last_turn(conversation: Any, text: str) -> list[tuple[str | None, str | None]]:
    """(response key, language) of each bot message answering `text`."""
    conversation.send(text)
    events = list(conversation.tracker().events)
    last_user = max(i for i, e in enumerate(events) if getattr(e, "type_name", "") == "user")
    return [
        ((e.metadata or {}).get("utter_action"), (e.metadata or {}).get("language"))
        for e in events[last_user:]
        if getattr(e, "type_name", "") == "bot"
    ]


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", LANGUAGES)
def test_named_language_then_menu_then_a_topic_by_number(code: str, conversation: Any) -> None:
    assert last_turn(conversation, switch_word(code)) == [("utter_language_changed", code)]
    assert ("utter_menu", code) in last_turn(conversation, control_word("control_words", "menu", code))
    assert last_turn(conversation, "2")[0] == ("utter_kyr_door", code)
    assert conversation.slot("language") == code


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_emergency_path(code: str, conversation: Any) -> None:
    conversation.send(switch_word(code))
    assert last_turn(conversation, first_example(code, "emergency"))[0] == ("utter_emergency", code)


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_language_menu_and_choosing_by_number(code: str, conversation: Any) -> None:
    conversation.send(switch_word(code))
    assert ("utter_language", code) in last_turn(conversation, first_example(code, "language"))
    number = str(LANGUAGES.index(code) + 1)
    assert last_turn(conversation, number) == [("utter_language_changed", code)]


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_report_in_the_language_with_its_own_words(code: str, conversation: Any, reports_db: str) -> None:
    conversation.send(switch_word(code))
    opened = last_turn(conversation, first_example(code, "report_activity"))
    assert ("utter_ask_report_location", code) in opened, opened
    skip = control_word("answers", "skip", code)
    steps = [
        (PLACE, "utter_ask_report_when"),
        (skip, "utter_ask_report_agents"),
        ("5", "utter_ask_report_masks"),
        (skip, "utter_ask_report_details"),
        (skip, "utter_ask_report_contact"),
        (control_word("answers", "no", code), "utter_report_done"),
    ]
    for text, key in steps:
        assert last_turn(conversation, text) == [(key, code)], text


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_cancel_word_ends_the_report(code: str, conversation: Any, reports_db: str) -> None:
    conversation.send(switch_word(code))
    conversation.send(first_example(code, "report_activity"))
    conversation.send(PLACE)
    cancelled = last_turn(conversation, control_word("control_words", "cancel", code))
    assert cancelled[0] == ("utter_report_cancelled", code), cancelled
    assert conversation.slot("report_location") is None


# --- SMS -------------------------------------------------------------------------------------


def help_word(code: str) -> str:
    return str(_yaml(DATA / "channels.yml")["sms"]["help_words"][code][0])


@pytest.mark.parametrize("code", LANGUAGES)
def test_sms_help_keyword_and_a_question(code: str, live_server: LiveServer) -> None:
    # A number range no other test uses: the live server keeps every conversation.
    phone = live_server.sender(f"+1424555{LANGUAGES.index(code):04d}")
    assert phone.send(help_word(code)).text == sms_text("utter_sms_help", code)
    answer = phone.send(first_example(code, "kyr_silent")).text
    assert answer in {
        sms_text("utter_kyr_silent", code, legal_notice=True, draft_notice=draft) for draft in (False, True)
    }, answer


# --- voice -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_call_reaches_the_language_in_two_menus_and_gets_an_answer(
    code: str, live_server: LiveServer
) -> None:
    phone = Call(live_server.base_url, AUTH_TOKEN)
    phone.start()
    for digit in digits_for(code):
        turn = phone.press(digit)
    settings = voice_settings(code)
    if not settings.can_say:
        # No voice reads this language: the caller is offered an interpreter or a text message.
        name = language_settings().languages[code].english_name
        assert name in turn.text and "interpreter" in turn.text, turn.text
        return
    assert turn.gather is not None and turn.gather.get("language") == settings.gather_language
    turn = phone.press("2")
    answer = spoken("utter_kyr_door", code, legal_notice=True)
    if language_settings().languages[code].is_draft:
        answer = f"{answer} {spoken('draft_notice', code)}"
    assert turn.text == f"{answer} {spoken('voice_after_answer', code)}"
    assert {say.voice for say in turn.says} == {settings.say_voice}
