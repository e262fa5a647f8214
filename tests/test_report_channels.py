"""The report form on Text 311 and Call 311: opt-out words, retries and the keypad."""

from __future__ import annotations

import re

import pytest

from bot.channels.sms_text import to_sms_text
from bot.rendering.renderer import renderer
from bot.storage import reports
from tests.conftest import AUTH_TOKEN, LiveServer
from tests.voice_client import Call

REFERENCE = re.compile(r"R-[2-9A-HJKMNP-Z]{6}")
SPANISH_REPORT = [
    "quiero reportar a la migra en el parque",
    "Mercado La Parada",
    "ahorita",
    "3",
    "si",
    "saltar",
]


def sms(key: str, language: str) -> str:
    return to_sms_text(renderer().render(key, language, "sms").text, language)


@pytest.mark.parametrize(
    ("word", "reply_keys"),
    [
        ("CANCELAR", ["utter_report_cancelled"]),
        ("menu", ["utter_report_left", "utter_menu"]),
        ("cancel", None),  # a carrier opt-out: Twilio answers, we send nothing
        ("STOP", None),
    ],
)
def test_stopping_a_report_by_sms(
    live_server: LiveServer, reports_db: str, word: str, reply_keys: list[str] | None
) -> None:
    phone = live_server.sender(
        {"CANCELAR": "+13105550901", "menu": "+13105550902"}.get(word, f"+1310555091{len(word)}")
    )
    before = len(reports.list_reports())
    for text in SPANISH_REPORT[:3]:
        phone.send(text)
    reply = phone.send(word)
    if reply_keys is None:
        assert reply.text is None
        # The conversation was wiped: the next answer is no answer to the form.
        assert phone.send("4 agentes").text != sms("utter_ask_report_masks", "es")
    else:
        assert reply.text == "\n\n".join(sms(key, "es") for key in reply_keys)
    assert len(reports.list_reports()) == before


def test_a_retried_final_sms_stores_one_report(live_server: LiveServer, reports_db: str) -> None:
    phone = live_server.sender("+13105550999")
    before = len(reports.list_reports())
    for text in SPANISH_REPORT:
        phone.send(text)
    last = phone.params("no")
    first, retry = phone.send_params(last), phone.send_params(last)
    reference = REFERENCE.search(first.text or "").group(0)
    assert retry.text == first.text
    assert len(reports.list_reports()) == before + 1
    assert next(r for r in reports.list_reports() if r.reference == reference).location == "Mercado La Parada"


def test_a_call_back_number_typed_on_the_keypad(live_server: LiveServer, reports_db: str) -> None:
    phone = Call(live_server.base_url, AUTH_TOKEN)
    phone.start()
    phone.press("2")  # español
    phone.press("7")
    for answer in ("la biblioteca central", "hace una hora", "cinco agentes", "con mascaras", "saltar"):
        turn = phone.say(answer)
        assert turn.gather is not None and turn.gather.get("numDigits") == "1"
    turn = phone.press("1")  # yes, call me back
    gather = turn.gather
    # Only while the form asks for the number: up to 15 keys, # to finish.
    assert gather is not None and (gather.get("numDigits"), gather.get("finishOnKey")) == ("15", "#")
    done = phone.press("2135550162")
    reference = REFERENCE.search(done.text).group(0)
    report = next(r for r in reports.list_reports() if r.reference == reference)
    assert report.callback_number == "+12135550162" and report.language == "es"
    assert done.gather is not None and done.gather.get("numDigits") == "1"


def test_a_call_back_can_be_skipped_by_voice(live_server: LiveServer, reports_db: str) -> None:
    phone = Call(live_server.base_url, AUTH_TOKEN)
    phone.start()
    phone.press("1")
    phone.press("7")
    for answer in ("Grand Park", "right now", "two", "masks", "skip"):
        phone.say(answer)
    phone.say("yes")
    done = phone.say("skip")
    report = next(r for r in reports.list_reports() if r.reference == REFERENCE.search(done.text).group(0))
    assert report.contact_answer == "yes" and report.callback_number is None
