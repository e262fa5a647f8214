"""Reporting enforcement activity: the form as residents use it, in English and Spanish.

Inside the form, what people type is their answer; only a message that is
nothing but a control word leaves or changes it, and a clear emergency gets
the emergency answer first (actions/report.py). Every conversation in
tests/data/report_conversations.yml must end in exactly one stored report
with its place as typed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from bot.privacy.redaction import redact
from bot.report_form import FIELDS
from bot.storage import reports
from tests.conftest import PROJECT_ROOT

CONVERSATIONS = yaml.safe_load(
    (PROJECT_ROOT / "tests" / "data" / "report_conversations.yml").read_text(encoding="utf-8")
)
REFERENCE = re.compile(r"R-[2-9A-HJKMNP-Z]{6}")
OPEN = {"en": "I want to report ICE agents at a city park", "es": "quiero reportar a la migra en el parque"}


def by_reference(reference: str) -> reports.Report:
    return next(r for r in reports.list_reports() if r.reference == reference)


def done_text(expected_text: Any, language: str, reference: str) -> str:
    return expected_text(
        "utter_report_done", language, values={"reference": reference, "retention_days": "30"}
    )


def answers_of(conversation: dict[str, Any]) -> list[tuple[str, str]]:
    """(field name, what the person types), in the form's order."""
    return [(f.name, str(conversation[f.name])) for f in FIELDS if f.name in conversation]


def cases() -> list[Any]:
    return [
        pytest.param(language, c, id=f"{language}-{i:02d}-{c['location'][:24]}")
        for language, conversations in CONVERSATIONS.items()
        for i, c in enumerate(conversations)
    ]


def test_every_language_has_30_conversations() -> None:
    assert {language: len(c) >= 30 for language, c in CONVERSATIONS.items()} == {"en": True, "es": True}


@pytest.mark.parametrize(("language", "case"), cases())
def test_a_resident_report_is_stored_once_with_the_place_as_typed(
    conversation: Any, expected_text: Any, reports_db: str, language: str, case: dict[str, Any]
) -> None:
    before = len(reports.list_reports())
    replies = conversation.send(case["open"])
    assert replies[-1] == expected_text("utter_ask_report_location", language), replies
    steps = answers_of(case)
    for (_, text), (next_field, _) in zip(steps, steps[1:], strict=False):
        reply = conversation.send(text)
        # The place, the time, "no sé"...: each is taken as the answer, and the next question comes.
        assert reply == [expected_text(f"utter_ask_report_{next_field}", language)], text
    done = conversation.send(steps[-1][1])
    reference = REFERENCE.search(done[-1]).group(0)
    assert done == [done_text(expected_text, language, reference)]
    assert len(reports.list_reports()) == before + 1
    report = by_reference(reference)
    assert report.location == redact(case["location"])
    assert report.when_seen == case["when"]
    assert (report.when_at is not None) == case["parsed"], case["when"]
    assert report.language == language
    assert report.wants_callback == ("callback" in case)


def test_a_report_in_english_with_a_consented_callback(
    conversation: Any, expected_text: Any, reports_db: str
) -> None:
    conversation.send("I want to report ICE agents at a city park")
    for text in ("MacArthur Park near the lake, by 2300 W 7th St", "right now", "about 8", "masks", "skip"):
        conversation.send(text)
    assert conversation.send("yes") == [expected_text("utter_ask_report_callback", "en")]
    done = conversation.send("call me at 213 555 0162 please")
    report = by_reference(REFERENCE.search(done[-1]).group(0))
    assert report.location == "MacArthur Park near the lake, by [number] W 7th St"
    assert report.details is None and report.contact_answer == "yes"
    assert report.wants_callback and report.callback_number == "+12135550162"
    assert report.when_precision == "exact"
    # The conversation keeps no copy of the number in its slots.
    assert conversation.slot("report_callback") is None
    assert conversation.slot("report_location") is None


@pytest.mark.parametrize(
    ("answer", "stored"),
    [
        ("sí", "yes"),
        ("Si.", "yes"),
        ("yeah", "yes"),
        ("nope", "no"),
        ("No, gracias", "no"),
        ("no sé", "dont_know"),
        ("I don't know", "dont_know"),
        ("3", "dont_know"),
    ],
)
def test_yes_no_questions_take_what_people_say(
    conversation: Any, expected_text: Any, reports_db: str, answer: str, stored: str
) -> None:
    conversation.send("report immigration activity")
    for text in ("City Hall", "now", "2 cars", "no masks", "skip"):
        conversation.send(text)
    replies = conversation.send(answer)
    if stored == "yes":
        assert replies[-1].startswith(expected_text("utter_ask_report_callback", "en")[:20])
        replies = conversation.send("skip")
    report = by_reference(REFERENCE.search(replies[-1]).group(0))
    assert report.contact_answer == stored and report.callback_number is None


def test_an_unclear_yes_no_or_number_is_asked_again(
    conversation: Any, expected_text: Any, reports_db: str
) -> None:
    conversation.send("report immigration activity")
    for text in ("city hall", "now", "2 cars", "no masks", "skip"):
        conversation.send(text)
    assert conversation.send("purple") == [
        expected_text("utter_report_contact_unclear", "en"),
        expected_text("utter_ask_report_contact", "en"),
    ]
    assert conversation.send("si") == [expected_text("utter_ask_report_callback", "en")]
    assert conversation.send("the blue house") == [
        expected_text("utter_report_callback_invalid", "en"),
        expected_text("utter_ask_report_callback", "en"),
    ]


STEPS = ["Echo Park lake", "ahora", "3", "masks", "skip"]  # the answers before each next question


@pytest.mark.parametrize("step", range(len(STEPS) + 1))
@pytest.mark.parametrize(
    ("word", "language", "replies"),
    [
        ("cancel", "en", ["utter_report_cancelled"]),
        ("Cancelar", "es", ["utter_report_cancelled"]),
        ("never mind", "en", ["utter_report_cancelled"]),
        ("menu", "en", ["utter_report_left", "utter_menu"]),
        ("Menú", "es", ["utter_report_left", "utter_menu"]),
        ("operator", "en", ["utter_report_left", "utter_human"]),
    ],
)
def test_a_control_word_leaves_the_form_at_any_step_and_nothing_is_sent(
    conversation: Any,
    expected_text: Any,
    reports_db: str,
    word: str,
    language: str,
    replies: list[str],
    step: int,
) -> None:
    before = len(reports.list_reports())
    conversation.send(OPEN[language])
    for text in STEPS[:step]:
        conversation.send(text)
    got = conversation.send(word)
    assert got[: len(replies)] == [expected_text(key, language) for key in replies]
    assert len(reports.list_reports()) == before
    assert all(conversation.slot(f.slot) is None for f in FIELDS)
    # The dialogue goes on normally afterwards: a place name is no answer any more.
    door = {"en": "ICE is at my door", "es": "la migra esta en mi puerta"}[language]
    assert conversation.send(door)[0].startswith(expected_text("utter_kyr_door", language)[:30])


@pytest.mark.parametrize("language", ["en", "es"])
def test_help_explains_the_form_and_asks_the_same_question(
    conversation: Any, expected_text: Any, reports_db: str, language: str
) -> None:
    conversation.send(OPEN[language])
    conversation.send("Echo Park")
    assert conversation.send("help" if language == "en" else "ayuda") == [
        expected_text("utter_report_help", language),
        expected_text("utter_ask_report_when", language),
    ]
    assert conversation.send("hace 10 minutos") == [expected_text("utter_ask_report_agents", language)]


def test_an_emergency_mid_form_gets_the_emergency_answer_then_the_report_goes_on(
    conversation: Any, expected_text: Any, reports_db: str
) -> None:
    conversation.send("I want to report ICE agents at a city park")
    conversation.send("Lincoln Park")
    conversation.send("an hour ago")
    # Asked "how many agents?", the person writes that agents are outside now.
    assert conversation.send("ICE agents outside my house right now") == [
        expected_text("utter_emergency", "en"),
        expected_text("utter_report_resume", "en"),
        expected_text("utter_ask_report_agents", "en"),
    ]
    for text in ("5", "masks", "skip"):
        conversation.send(text)
    done = conversation.send("no")
    report = by_reference(REFERENCE.search(done[-1]).group(0))
    assert (report.location, report.agents_vehicles) == ("Lincoln Park", "5")


@pytest.mark.parametrize(
    ("question_answers", "text", "stored_as"),
    [
        # "Where?": a place is expected, and a place may sound like anything.
        ([], "la migra esta en mi puerta ahorita", "location"),
        # "When?": "right now" is a time, though the classifier calls it an emergency.
        (["Grand Park"], "right now", "when_seen"),
        (["Grand Park"], "ahorita", "when_seen"),
    ],
)
def test_an_emergency_sounding_answer_is_an_answer_where_one_is_expected(
    conversation: Any,
    expected_text: Any,
    reports_db: str,
    question_answers: list[str],
    text: str,
    stored_as: str,
) -> None:
    conversation.send("I want to report ICE agents at a city park")
    for answer in question_answers:
        conversation.send(answer)
    reply = conversation.send(text)
    assert expected_text("utter_emergency", "en") not in reply
    remaining = ["Grand Park", "now", "3", "masks", "skip", "no"][len(question_answers) + 1 :]
    for answer in remaining:
        reply = conversation.send(answer)
    report = by_reference(REFERENCE.search(reply[-1]).group(0))
    assert getattr(report, stored_as) == text


def test_a_double_submitted_turn_stores_one_report(reports_db: str) -> None:
    """The submission runs again for the same turn (a retried action call, a
    retried MessageSid): the same reference, no second report."""
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.report import ActionSubmitReport

    slots = {
        "report_location": "Grand Park",
        "report_when": "ayer en la tarde",
        "report_contact": "no",
        "language": "es",
    }
    events = [
        {"event": "user", "text": "no", "message_id": "SM00000000000000000000000000000042", "timestamp": 1.0}
    ]
    tracker = Tracker("sms-abc", slots, {"text": "no"}, events, False, None, {}, "action_listen")
    before = len(reports.list_reports())
    references = set()
    for _ in range(2):
        dispatcher = CollectingDispatcher()
        asyncio.run(ActionSubmitReport().run(dispatcher, tracker, {}))
        references.add(dispatcher.messages[0]["reference"])
    assert len(references) == 1
    assert len(reports.list_reports()) == before + 1
    report = by_reference(references.pop())
    assert report.when_precision == "part_of_day" and report.when_at.astimezone().hour is not None
