"""Reporting enforcement activity: the form, in both languages, with skip/cancel/menu."""

from __future__ import annotations

from typing import Any

import pytest

from bot.storage import reports

ENGLISH = [
    ("I want to report ICE agents at a city park", "utter_ask_report_location"),
    ("MacArthur Park near the lake, by 2300 W 7th St", "utter_ask_report_when"),
    ("right now", "utter_ask_report_agents"),
    ("about 8 agents and 3 vans", "utter_ask_report_masks"),
    ("masks, no badges", "utter_ask_report_details"),
    ("skip", "utter_ask_report_contact"),
    ("yes", "utter_ask_report_callback"),
    ("call me at 213 555 0162 please", "utter_report_done"),
]


@pytest.fixture
def reports_db(reports_db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("REPORTS_DB_URL", reports_db_url)
    return reports_db_url


def last_report() -> reports.Report:
    return reports.list_reports()[-1]


def test_a_report_in_english_with_a_consented_callback(
    conversation: Any, expected_text: Any, reports_db: str
) -> None:
    first = conversation.send(ENGLISH[0][0])
    assert first[0] == expected_text("utter_report_activity", "en")
    assert first[1] == expected_text("utter_ask_report_location", "en")
    for text, next_key in ENGLISH[1:-1]:
        assert conversation.send(text) == [expected_text(next_key, "en")], text
    done = conversation.send(ENGLISH[-1][0])
    report = last_report()
    assert done == [expected_text("utter_report_done", "en", values={"reference": report.reference})]
    # Redacted free text, the skipped answer empty, the consented number kept.
    assert report.location == "MacArthur Park near the lake, by [number] W 7th St"
    assert (report.when_seen, report.agents_vehicles, report.masks_identification) == (
        "right now",
        "about 8 agents and 3 vans",
        "masks, no badges",
    )
    assert report.details is None
    assert report.wants_callback and report.callback_number == "+12135550162"
    # The conversation keeps no copy of the number in its slots.
    assert conversation.slot("report_callback") is None
    assert conversation.slot("report_location") is None


def test_a_report_in_spanish_without_callback(conversation: Any, expected_text: Any, reports_db: str) -> None:
    replies = conversation.send("quiero reportar a la migra en la biblioteca")
    assert replies[-1] == expected_text("utter_ask_report_location", "es")
    for text, next_key in (
        ("la biblioteca central", "utter_ask_report_when"),
        ("hace una hora", "utter_ask_report_agents"),
        ("unos 5 agentes", "utter_ask_report_masks"),
        ("no traian placa, mi tel 310-555-0144", "utter_ask_report_details"),
    ):
        assert conversation.send(text) == [expected_text(next_key, "es")], text
    assert conversation.send("saltar") == [expected_text("utter_ask_report_contact", "es")]
    done = conversation.send("no")
    report = last_report()
    assert done == [expected_text("utter_report_done", "es", values={"reference": report.reference})]
    assert report.language == "es" and not report.wants_callback and report.callback_number is None
    assert report.masks_identification == "no traian placa, mi tel [phone]"


@pytest.mark.parametrize(("stop", "key"), [("cancel", "utter_report_cancelled"), ("menu", "utter_menu")])
def test_cancel_or_menu_stops_the_report_at_any_step(
    conversation: Any, expected_text: Any, reports_db: str, stop: str, key: str
) -> None:
    before = len(reports.list_reports())
    assert conversation.send("report immigration activity")[-1] == expected_text(
        "utter_ask_report_location", "en"
    )
    # The form really is open: the place was taken as the answer.
    assert conversation.send("Echo Park lake") == [expected_text("utter_ask_report_when", "en")]
    assert conversation.send(stop) == [expected_text(key, "en")]
    assert len(reports.list_reports()) == before
    # The dialogue goes on normally afterwards.
    assert conversation.send("ICE is at my door")[0].startswith(expected_text("utter_kyr_door", "en"))


def test_an_unreadable_callback_number_is_asked_again(
    conversation: Any, expected_text: Any, reports_db: str
) -> None:
    conversation.send("report immigration activity")
    for text in ("city hall", "now", "2 cars", "no masks", "skip"):
        conversation.send(text)
    assert conversation.send("si") == [expected_text("utter_ask_report_callback", "en")]
    assert conversation.send("the blue house") == [
        expected_text("utter_report_callback_invalid", "en"),
        expected_text("utter_ask_report_callback", "en"),
    ]
