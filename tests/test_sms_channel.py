"""The Twilio SMS channel over real HTTP against a running `rasa run` on loopback."""

from __future__ import annotations

import os
import re
import sqlite3
import statistics
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.catalogs import catalogs
from bot.channels.sms_segments import count_segments
from bot.channels.sms_text import to_sms_text
from bot.paths import PROJECT_ROOT
from bot.privacy import conversation_id
from bot.rendering import renderer
from tests.conftest import MODEL_PATH, free_port, wait_for_port
from tests.sms_client import WEBHOOK_PATH, SmsSender, post, sign

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
SECRET = "test-conversation-secret-0123456789"
PHONE = "+12135550123"
SPANISH_LINE = "+12135550199"


class SmsServer:
    def __init__(self, base_url: str, db_path: Path, log_path: Path) -> None:
        self.base_url = base_url
        self.db_path = db_path
        self.log_path = log_path

    def sender(self, phone: str = PHONE, to: str = "+12135550000") -> SmsSender:
        return SmsSender(self.base_url, AUTH_TOKEN, phone, to)

    def events(self, sender_id: str) -> list[tuple[str, str]]:
        with sqlite3.connect(self.db_path) as db:
            return db.execute(
                "SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender_id,)
            ).fetchall()


@pytest.fixture(scope="module")
def sms_server(tmp_path_factory: pytest.TempPathFactory, action_server_url: str) -> Iterator[SmsServer]:
    if not MODEL_PATH.exists():
        pytest.fail("No trained model: run `make train`.")
    folder = tmp_path_factory.mktemp("sms")
    db_path = folder / "trackers.db"
    endpoints = folder / "endpoints.yml"
    endpoints.write_text(
        f"nlg:\n  type: bot.nlg.CatalogNLG\naction_endpoint:\n  url: {action_server_url}\n"
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {db_path}\n",
        encoding="utf-8",
    )
    channels = folder / "channels.yml"
    data_channels = (PROJECT_ROOT / "data" / "channels.yml").read_text(encoding="utf-8")
    channels.write_text(
        data_channels.replace(
            "dialed_number_languages: {}", f'dialed_number_languages: {{"{SPANISH_LINE}": es}}'
        ),
        encoding="utf-8",
    )
    data_dir = folder / "data"
    subprocess.run(["cp", "-r", str(PROJECT_ROOT / "data"), str(data_dir)], check=True)
    (data_dir / "channels.yml").write_text(channels.read_text(encoding="utf-8"), encoding="utf-8")
    port = free_port()
    log_path = folder / "rasa.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "CONVERSATION_ID_SECRET": SECRET,
        "KYR_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "INFO",
        "RASA_TELEMETRY_ENABLED": "false",
        "PUBLIC_BASE_URL": "",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rasa",
                "run",
                "--model",
                str(MODEL_PATH),
                "--port",
                str(port),
                "--endpoints",
                str(endpoints),
                "--credentials",
                "credentials.yml",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, process, timeout_s=120)
            yield SmsServer(f"http://127.0.0.1:{port}", db_path, log_path)
        finally:
            process.terminate()
            process.wait(timeout=30)


def sms_text(key: str, language: str, **kwargs: Any) -> str:
    return to_sms_text(renderer().render(key, language, "sms", **kwargs).text, language)


# --- authenticity --------------------------------------------------------------------------


def test_signed_request_gets_a_twiml_reply(sms_server: SmsServer) -> None:
    reply = sms_server.sender("+13105550001").send("ICE is at my door")
    assert reply.status == 200
    assert reply.content_type.startswith("text/xml")
    assert reply.text == sms_text("utter_kyr_door", "en", legal_notice=True)


def test_unsigned_request_is_forbidden_and_reaches_no_tracker(sms_server: SmsServer) -> None:
    phone = "+13105550002"
    params = sms_server.sender(phone).params("ICE is at my door")
    reply = post(sms_server.base_url + WEBHOOK_PATH, params, signature=None)
    assert reply.status == 403
    assert sms_server.events(conversation_id(phone, SECRET.encode(), "sms")) == []


def test_tampered_request_is_forbidden(sms_server: SmsServer) -> None:
    url = sms_server.base_url + WEBHOOK_PATH
    params = sms_server.sender("+13105550003").params("hello")
    signature = sign(url, params, AUTH_TOKEN)
    params["Body"] = "something else"
    assert post(url, params, signature).status == 403
    assert post(url, params, sign(url, params, "wrong-token")).status == 403


def test_signature_over_the_public_url_behind_a_proxy(sms_server: SmsServer) -> None:
    params = sms_server.sender("+13105550004").params("hello")
    public = "https://sms.example.org" + WEBHOOK_PATH
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sms.example.org"}
    local = sms_server.base_url + WEBHOOK_PATH
    assert post(local, params, sign(public, params, AUTH_TOKEN), headers).status == 200
    # Signed for the local URL, but the proxy says Twilio called the public one.
    params = sms_server.sender("+13105550004").params("hello")
    assert post(local, params, sign(local, params, AUTH_TOKEN), headers).status == 403


# --- conversations ---------------------------------------------------------------------------


def test_spanish_conversation_and_menu_numbers(sms_server: SmsServer) -> None:
    phone = sms_server.sender("+13105550005")
    assert phone.send("hola").text == sms_text("utter_greet", "es") + "\n\n" + sms_text("utter_menu", "es")
    assert phone.send("2").text == sms_text("utter_kyr_door", "es", legal_notice=True)
    assert phone.send("mas").text == to_sms_text(renderer().render("utter_kyr_door", "es").text, "es")


def test_keywords(sms_server: SmsServer) -> None:
    phone = sms_server.sender("+13105550006")
    assert phone.send("HELP").text == sms_text("utter_sms_help", "en")
    assert phone.send("Ayuda").text == sms_text("utter_sms_help", "es")
    phone.send("la migra esta en mi puerta que hago")
    stop = phone.send("STOP")
    assert stop.status == 200 and stop.text is None
    # The conversation state is gone: the next short message is in the default language.
    assert phone.send("ok").text == sms_text("utter_rephrase", "en")
    start = phone.send("START")
    assert start.text == sms_text("utter_greet", "en") + "\n\n" + sms_text("utter_menu", "en")


def test_dialed_number_sets_the_starting_language(sms_server: SmsServer) -> None:
    phone = sms_server.sender("+13105550007", to=SPANISH_LINE)
    assert phone.send("ok").text == sms_text("utter_rephrase", "es")
    # A clear English sentence still switches.
    assert phone.send("ICE is at my door").text == sms_text("utter_kyr_door", "en", legal_notice=True)


def test_a_twilio_retry_is_answered_once(sms_server: SmsServer) -> None:
    phone_number = "+13105550008"
    phone = sms_server.sender(phone_number)
    params = phone.params("ICE is at my door")
    first = phone.send_params(params)
    retry = phone.send_params(params)
    assert first.text == retry.text
    events = sms_server.events(conversation_id(phone_number, SECRET.encode(), "sms"))
    assert [name for name, _ in events].count("user") == 1


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"Body": ""}, "utter_rephrase"),
        ({"Body": "", "NumMedia": "1", "MediaUrl0": "https://api.twilio.com/x.jpg"}, "utter_media_only"),
        ({"Body": "😀😀"}, "utter_rephrase"),
    ],
)
def test_bad_input_gets_a_clear_reply(sms_server: SmsServer, params: dict, key: str) -> None:
    phone = sms_server.sender(f"+1310555{len(params):04d}{len(key) % 10}")
    reply = phone.send_params({**phone.params(""), **params})
    assert reply.status == 200
    assert reply.text == sms_text(key, "en")


def test_huge_body_gets_a_reply(sms_server: SmsServer) -> None:
    reply = sms_server.sender("+13105550011").send("la migra esta en mi puerta " * 400)
    assert reply.status == 200 and reply.text


def test_malformed_requests_get_4xx(sms_server: SmsServer) -> None:
    url = sms_server.base_url + WEBHOOK_PATH
    invalid_utf8 = b"From=%2B13105550012&Body=%ff%fe&MessageSid=SMx"
    assert post(url, {}, "sig", raw_body=invalid_utf8).status == 400
    params = {"Body": "hello", "MessageSid": "SMnofrom"}
    assert post(url, params, sign(url, params, AUTH_TOKEN)).status == 400


# --- privacy -----------------------------------------------------------------------------------


def test_no_phone_number_in_tracker_store_or_logs(sms_server: SmsServer) -> None:
    phone_number = "+13105559876"
    phone = sms_server.sender(phone_number)
    for text in ("hola", "2", "necesito un abogado", "gracias"):
        assert phone.send(text).status == 200
    sender_id = conversation_id(phone_number, SECRET.encode(), "sms")
    assert len(sms_server.events(sender_id)) > 4
    digits = re.sub(r"\D", "", phone_number)
    stored = sms_server.db_path.read_bytes() + sms_server.log_path.read_bytes()
    for needle in (phone_number, digits, digits[1:], "555-9876", "(310) 555"):
        assert needle.encode() not in stored, f"{needle} found in the tracker store or logs"
    # ...and the message text is not logged at INFO either.
    assert b"necesito un abogado" not in sms_server.log_path.read_bytes()


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
