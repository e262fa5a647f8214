"""Whole conversations against the trained model, loaded once with Agent.load.

Messages are written the way people text: no accents, typos, abbreviations.
Expected replies are the exact catalog text for the expected language.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content.topics import topics

HELDOUT = Path(__file__).parent / "data" / "nlu_heldout.yml"
# Intents answered by more than one response, or by a response of another name.
REPLY_KEYS = {
    "greet": ["utter_greet", "utter_menu"],
    "report_activity": ["utter_report_activity", "utter_ask_report_location"],
}


def expected_replies(intent: str, language: str, expected_text: Any, first_turn: bool = True) -> list[str]:
    keys = REPLY_KEYS.get(intent, [f"utter_{intent}"])
    topic = topics().get(intent)
    notice = bool(first_turn and topic and topic.legal_notice)
    return [
        expected_text(key, language, legal_notice=notice and i == 0, draft_notice=first_turn and i == 0)
        for i, key in enumerate(keys)
    ]


def test_ice_at_my_door_in_english(conversation: Any, expected_text: Any) -> None:
    assert conversation.send("ICE is at my door") == [
        expected_text("utter_kyr_door", "en", legal_notice=True)
    ]
    assert conversation.slot("language") == "en"


def test_la_migra_at_my_door_in_spanish(conversation: Any, expected_text: Any) -> None:
    assert conversation.send("la migra está en mi puerta") == [
        expected_text("utter_kyr_door", "es", legal_notice=True, draft_notice=True)
    ]
    assert conversation.slot("language") == "es"


# Held-out messages the model gets wrong today (see README, NLU quality). They
# are strict xfails: when the model learns them, the test says so.
KNOWN_MISSES = {
    "is it a good idea to lie to immigration officers",
    "le puedo enseñar una identificacion falsa a ICE",
    "can ICE look inside my purse when im walking",
}


def heldout_cases() -> list[Any]:
    cases = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["cases"]
    return [
        pytest.param(
            case,
            id=f"{case['intent']}-{case['language']}-{case['text'][:30]}",
            marks=[pytest.mark.xfail(strict=True, reason="known NLU miss")]
            if case["text"] in KNOWN_MISSES
            else [],
        )
        for case in cases
        if case["intent"] != "unsupported_language"
    ]


@pytest.mark.parametrize("case", heldout_cases())
def test_every_topic_in_both_languages(case: dict, new_conversation: Any, expected_text: Any) -> None:
    """Held-out phrasings (never in the training data) get the right answer in the right language."""
    replies = new_conversation().send(case["text"])
    assert replies == expected_replies(case["intent"], case["language"], expected_text)


@pytest.mark.parametrize(
    "case",
    [
        c
        for c in yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["cases"]
        if c["intent"] == "unsupported_language"
    ],
    ids=lambda c: c["text"][:30],
)
def test_unsupported_languages_get_the_interpreter_reply(
    case: dict, new_conversation: Any, expected_text: Any
) -> None:
    conversation = new_conversation()
    assert conversation.say(case["text"]) == expected_text("utter_unsupported_language", "en")
    assert conversation.slot("language") is None


def test_short_messages_never_flip_the_language(conversation: Any, expected_text: Any) -> None:
    conversation.send("ICE is at my door")
    assert conversation.send("gracias") == [expected_text("utter_thanks", "en")]
    assert conversation.slot("language") == "en"
    conversation.send("la migra esta afuera de mi casa ahorita que hago")
    assert conversation.slot("language") == "es"
    conversation.send("ok")
    conversation.send("1")
    assert conversation.slot("language") == "es"


def test_a_first_short_message_sets_the_language(conversation: Any, expected_text: Any) -> None:
    assert conversation.send("hola") == [
        expected_text("utter_greet", "es", draft_notice=True),
        expected_text("utter_menu", "es"),
    ]
    assert conversation.slot("language") == "es"


@pytest.mark.parametrize(
    ("start", "request_text", "language"),
    [("ICE is at my door", "español", "es"), ("la migra esta en mi puerta", "english", "en")],
)
def test_named_language_switches(
    conversation: Any, expected_text: Any, start: str, request_text: str, language: str
) -> None:
    conversation.send(start)
    assert conversation.send(request_text) == [
        expected_text("utter_language_changed", language, draft_notice=True)
    ]
    assert conversation.slot("language") == language


def test_change_language_menu(conversation: Any, expected_text: Any) -> None:
    conversation.send("ICE is at my door")
    assert conversation.send("cambiar idioma") == [expected_text("utter_language", "en")]
    assert conversation.send("2") == [expected_text("utter_language_changed", "es", draft_notice=True)]
    assert conversation.slot("language") == "es"
    assert conversation.send("gracias") == [expected_text("utter_thanks", "es")]


def test_menu_numbers_pick_topics(conversation: Any, expected_text: Any) -> None:
    conversation.send("hola")
    assert conversation.send("2") == [expected_text("utter_kyr_door", "es", legal_notice=True)]
    assert conversation.send("9") == [expected_text("utter_menu_more", "es")]
    assert conversation.send("2") == [expected_text("utter_kyr_car", "es")]


def test_legal_notice_only_once(conversation: Any, expected_text: Any) -> None:
    first = conversation.send("ICE is at my door")
    second = conversation.send("do i have to answer their questions or can i stay quiet")
    assert first == [expected_text("utter_kyr_door", "en", legal_notice=True)]
    assert second == [expected_text("utter_kyr_silent", "en")]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "utter_rephrase"),
        ("   ", "utter_rephrase"),
        ("😀😀😀", "utter_rephrase"),
        ("🙏", "utter_rephrase"),
        ("3", "utter_menu_choice_unknown"),
        ("Olá, preciso de ajuda com a imigração", "utter_unsupported_language"),
        ("عملاء الهجرة عند باب بيتي الآن", "utter_unsupported_language"),
    ],
)
def test_bad_input_gets_a_clear_reply(conversation: Any, expected_text: Any, text: str, key: str) -> None:
    assert conversation.say(text) == expected_text(key, "en")


def test_huge_message_gets_a_reply(conversation: Any) -> None:
    replies = conversation.send("la migra esta en mi puerta que hago " * 140)  # ~5,000 characters
    assert len(replies) >= 1 and all(replies)
    assert conversation.slot("language") == "es"


def test_mixed_language_message_gets_a_reply_in_english_or_spanish(
    conversation: Any, expected_text: Any
) -> None:
    replies = conversation.send("hola, ICE is at my door que hago")
    assert replies and all(replies)
    # Too mixed to be sure of: the language may stay unset (English, the
    # default, answers) or be set; either way the reply is in that language.
    language = conversation.slot("language")
    assert language in (None, "en", "es")
    language = language or "en"
    assert replies[0] in {
        expected_text("utter_kyr_door", language, legal_notice=True),
        expected_text("utter_emergency", language),
    }


def test_digits_inside_a_sentence_are_not_a_menu_choice(conversation: Any, expected_text: Any) -> None:
    replies = conversation.send("report ICE at the library, call me 213 555 0111")
    assert replies[0] == expected_text("utter_report_activity", "en")


def test_restart_answers_from_the_catalog_without_errors(
    conversation: Any, expected_text: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An operator's /restart in the shell: Rasa's own utter_restart, in the catalog."""
    conversation.send("hola, necesito ayuda con la migra")
    with caplog.at_level(logging.WARNING):
        replies = conversation.send("/restart")
    assert replies == [expected_text("utter_restart", "es")]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
