"""The Twilio SMS channel over real HTTP against a running `rasa run` on loopback."""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path
from typing import Any

import pytest

from bot.channels.sms_segments import count_segments
from bot.channels.sms_text import to_sms_text
from bot.language.registry import language_settings
from bot.privacy.ids import conversation_id
from bot.rendering.catalogs import catalogs
from bot.rendering.renderer import renderer
from tests.conftest import AUTH_TOKEN, SECRET, SPANISH_LINE, LiveServer
from tests.sms_client import WEBHOOK_PATH, post, sign


def sms_text(key: str, language: str, draft_notice: bool = False, **kwargs: Any) -> str:
    """The SMS text of `key`; `draft_notice`: the first message in a draft language carries it."""
    text = renderer().render(key, language, "sms", **kwargs).text
    if draft_notice and language_settings().languages[language].is_draft:
        text = f"{text}\n{renderer().render('draft_notice', language, 'sms').text}"
    return to_sms_text(text, language)


# --- authenticity --------------------------------------------------------------------------


def test_signed_request_gets_a_twiml_reply(live_server: LiveServer) -> None:
    reply = live_server.sender("+13105550001").send("ICE is at my door")
    assert reply.status == 200
    assert reply.content_type.startswith("text/xml")
    assert reply.text == sms_text("utter_kyr_door", "en", legal_notice=True)


def test_unsigned_request_is_forbidden_and_reaches_no_tracker(live_server: LiveServer) -> None:
    phone = "+13105550002"
    params = live_server.sender(phone).params("ICE is at my door")
    reply = post(live_server.base_url + WEBHOOK_PATH, params, signature=None)
    assert reply.status == 403
    assert live_server.events(conversation_id(phone, SECRET.encode(), "sms")) == []


def test_tampered_request_is_forbidden(live_server: LiveServer) -> None:
    url = live_server.base_url + WEBHOOK_PATH
    params = live_server.sender("+13105550003").params("hello")
    signature = sign(url, params, AUTH_TOKEN)
    params["Body"] = "something else"
    assert post(url, params, signature).status == 403
    assert post(url, params, sign(url, params, "wrong-token")).status == 403


def test_signature_over_the_public_url_behind_a_proxy(live_server: LiveServer) -> None:
    params = live_server.sender("+13105550004").params("hello")
    public = "https://sms.example.org" + WEBHOOK_PATH
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sms.example.org"}
    local = live_server.base_url + WEBHOOK_PATH
    assert post(local, params, sign(public, params, AUTH_TOKEN), headers).status == 200
    # Signed for the local URL, but the proxy says Twilio called the public one.
    params = live_server.sender("+13105550004").params("hello")
    assert post(local, params, sign(local, params, AUTH_TOKEN), headers).status == 403


# --- conversations ---------------------------------------------------------------------------


def test_spanish_conversation_and_menu_numbers(live_server: LiveServer) -> None:
    phone = live_server.sender("+13105550005")
    assert phone.send("hola").text == (
        sms_text("utter_greet", "es", draft_notice=True) + "\n\n" + sms_text("utter_menu", "es")
    )
    assert phone.send("2").text == sms_text("utter_kyr_door", "es", legal_notice=True)
    assert phone.send("mas").text == to_sms_text(renderer().render("utter_kyr_door", "es").text, "es")


def test_readiness_on_the_sms_path(live_server: LiveServer) -> None:
    """The probe production uses, where the REST channel is off (deploy/credentials.production.yml)."""
    import json
    import urllib.request

    with urllib.request.urlopen(live_server.base_url + "/webhooks/twilio/ready", timeout=10) as reply:
        assert reply.status == 200
        assert json.loads(reply.read()) == {"status": "ready", "model": "loaded", "action_server": "up"}


def test_keywords(live_server: LiveServer) -> None:
    phone = live_server.sender("+13105550006")
    assert phone.send("HELP").text == sms_text("utter_sms_help", "en")
    assert phone.send("Ayuda").text == sms_text("utter_sms_help", "es")
    phone.send("la migra esta en mi puerta que hago")
    sender_id = conversation_id("+13105550006", SECRET.encode(), "sms")
    assert live_server.events(sender_id) != []
    stop = phone.send("STOP")
    assert stop.status == 200 and stop.text is None
    # Nothing of the conversation is stored any more, not even its restart.
    assert live_server.events(sender_id) == []
    # The conversation state is gone: the next message with no language is answered in the default.
    assert phone.send("menu").text == sms_text("utter_menu", "en")
    start = phone.send("START")
    assert start.text == sms_text("utter_greet", "en") + "\n\n" + sms_text("utter_menu", "en")


def test_dialed_number_sets_the_starting_language(live_server: LiveServer) -> None:
    phone = live_server.sender("+13105550007", to=SPANISH_LINE)
    assert phone.send("menu").text == sms_text("utter_menu", "es", draft_notice=True)
    # A clear English sentence still switches.
    assert phone.send("ICE is at my door").text == sms_text("utter_kyr_door", "en", legal_notice=True)


def test_a_twilio_retry_is_answered_once(live_server: LiveServer) -> None:
    phone_number = "+13105550008"
    phone = live_server.sender(phone_number)
    params = phone.params("ICE is at my door")
    first = phone.send_params(params)
    retry = phone.send_params(params)
    assert first.text == retry.text
    events = live_server.events(conversation_id(phone_number, SECRET.encode(), "sms"))
    assert [name for name, _ in events].count("user") == 1


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"Body": ""}, "utter_rephrase"),
        ({"Body": "", "NumMedia": "1", "MediaUrl0": "https://api.twilio.com/x.jpg"}, "utter_media_only"),
        ({"Body": "😀😀"}, "utter_rephrase"),
    ],
)
def test_bad_input_gets_a_clear_reply(live_server: LiveServer, params: dict, key: str) -> None:
    phone = live_server.sender(f"+1310555{len(params):04d}{len(key) % 10}")
    reply = phone.send_params({**phone.params(""), **params})
    assert reply.status == 200
    assert reply.text == sms_text(key, "en")


def test_huge_body_gets_a_reply(live_server: LiveServer) -> None:
    reply = live_server.sender("+13105550011").send("la migra esta en mi puerta " * 400)
    assert reply.status == 200 and reply.text


def test_malformed_requests_get_4xx(live_server: LiveServer) -> None:
    url = live_server.base_url + WEBHOOK_PATH
    invalid_utf8 = b"From=%2B13105550012&Body=%ff%fe&MessageSid=SMx"
    assert post(url, {}, "sig", raw_body=invalid_utf8).status == 400
    params = {"Body": "hello", "MessageSid": "SMnofrom"}
    assert post(url, params, sign(url, params, AUTH_TOKEN)).status == 400


# --- privacy -----------------------------------------------------------------------------------


def test_no_phone_number_in_tracker_store_or_logs(live_server: LiveServer) -> None:
    phone_number = "+13105559876"
    phone = live_server.sender(phone_number)
    for text in ("hola", "2", "necesito un abogado", "gracias"):
        assert phone.send(text).status == 200
    sender_id = conversation_id(phone_number, SECRET.encode(), "sms")
    assert len(live_server.events(sender_id)) > 4
    digits = re.sub(r"\D", "", phone_number)
    stored = live_server.stored_bytes() + live_server.log_path.read_bytes()
    assert b"necesito un abogado" in stored  # the conversation itself is in what was read
    for needle in (phone_number, digits, digits[1:], "555-9876", "(310) 555"):
        assert needle.encode() not in stored, f"{needle} found in the tracker store or logs"
    # ...and the message text is not logged at INFO either.
    assert b"necesito un abogado" not in live_server.log_path.read_bytes()


# --- segments --------------------------------------------------------------------------------


def sms_reply_keys() -> list[str]:
    return sorted(k for k in catalogs().messages["en"] if k.startswith("utter_") and "." not in k)


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_sms_reply_fits_the_segment_budget(language: str) -> None:
    """No reply over 4 segments; the median reply at most 2 (FACTS.md section 6)."""
    segments = {}
    for key in sms_reply_keys():
        text = sms_text(key, language, legal_notice=False)
        segments[key] = count_segments(text).segments
        assert segments[key] <= 4, f"{language}/{key}: {count_segments(text)}"
        full = to_sms_text(renderer().render(key, language).text, language)  # what MORE sends
        assert count_segments(full).segments <= 4, f"{language}/{key} full text: {count_segments(full)}"
    assert statistics.median(segments.values()) <= 2, segments


def test_action_server_down_still_gets_a_useful_reply(server_without_actions: LiveServer) -> None:
    phone = server_without_actions.sender("+13105550013")
    # Topic answers never need the action server.
    assert phone.send("ICE is at my door").text == sms_text("utter_kyr_door", "en", legal_notice=True)
    # A menu number does: the person gets 311 instead of silence or a 500,
    # well within the 15 s Twilio waits for a webhook.
    start = time.monotonic()
    reply = phone.send("2")
    assert time.monotonic() - start < 15
    assert reply.status == 200
    assert reply.text == sms_text("utter_technical_problem", "en")


def test_a_report_by_sms_stores_no_phone_number_anywhere(
    live_server: LiveServer, reports_db_url: str
) -> None:
    phone_number = "+13105554321"
    phone = live_server.sender(phone_number)
    typed = "213-555-0177"
    for text in (
        "quiero reportar a la migra",
        f"parque Lincoln, mi cel es {typed}",
        "ahora",
        "unos 6",
        "con mascara",
        "saltar",
        "no",
    ):
        assert phone.send(text).status == 200
    reports_db = Path(reports_db_url.removeprefix("sqlite:///")).read_bytes()
    stored = live_server.stored_bytes() + live_server.log_path.read_bytes() + reports_db
    for needle in (phone_number, phone_number[2:], typed, typed.replace("-", "")):
        assert needle.encode() not in stored, f"{needle} was stored"
    assert b"parque Lincoln, mi cel es [phone]" in reports_db
    assert b"quiero reportar" not in live_server.log_path.read_bytes()
