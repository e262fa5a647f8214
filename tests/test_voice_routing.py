"""Putting a caller through to a resource (bot/channels/voice_flow.py, bot/content/routing.py).

Unit-level, with a fake dialogue: after an answer that lists a resource, a
verified number that is open now is one key press away (<Dial> with a
timeout, then 311 if nobody answers); an unverified or closed number is
never dialed, and the caller may get the numbers by text instead. Every
route is counted anonymously (bot.storage.routes).
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ElementTree
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from bot.channels.twilio_auth import TwilioCollectingOutput
from bot.channels.voice_flow import CallFlow
from bot.content import hours as opening_hours
from bot.content.hours import CITY_TIME
from bot.storage import routes
from tests.conftest import reset_caches
from tests.test_voice_languages import CALLER, OPERATOR, FakeTexter

FIND_DETAINED_DIGIT = "5"  # the main menu's "find someone detained" (data/menus.yml)


async def find_detained_answer(call_id: str, text: str, language: str | None) -> TwilioCollectingOutput:
    collector = TwilioCollectingOutput()
    await collector.send_response(
        call_id,
        {"text": "How to find someone.", "language": language or "en", "utter_action": "utter_find_detained"},
    )
    return collector


def run(flow: CallFlow, *requests: dict[str, str]) -> str:
    """A call: its first request, then each of `requests` (keys pressed, or Twilio's dial report)."""

    async def go() -> str:
        base = {"CallSid": "CA1", "From": CALLER}
        twiml = await flow.turn("call-1", base, find_detained_answer)
        for extra in requests:
            twiml = await flow.turn("call-1", {**base, **extra}, find_detained_answer)
        return twiml

    return asyncio.run(go())


def press(*keys: str) -> list[dict[str, str]]:
    return [{"Digits": key} for key in keys]


def dials(twiml: str) -> list[ElementTree.Element]:
    return list(ElementTree.fromstring(twiml).iter("Dial"))


def spoken(twiml: str) -> str:
    return " ".join(say.text or "" for say in ElementTree.fromstring(twiml).iter("Say"))


@pytest.fixture
def verified_hotline(data_dir_copy: Path) -> Path:
    """The directory with the hotline verified and open around the clock (the shipped one is neither)."""
    path = data_dir_copy / "resources" / "directory.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["resources"]["hotline"].update(verified=True, verified_on="2026-12-01", opening_hours="always")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    reset_caches()
    return path


def test_a_verified_open_line_is_one_key_away_and_311_takes_over_if_nobody_answers(
    verified_hotline: Path, reports_db: str
) -> None:
    flow = CallFlow(OPERATOR)
    answer = run(flow, *press("1", FIND_DETAINED_DIGIT))
    from bot.channels.speech_text import speakable
    from bot.content.resources import resource_directory

    hotline = resource_directory()["hotline"].name("en")
    assert speakable(f"To be connected to {hotline} now, press 1.") in spoken(answer)
    connecting = run(CallFlow(OPERATOR), *press("1", FIND_DETAINED_DIGIT, "1"))
    [dial] = dials(connecting)
    assert dial.findtext("Number", default=dial.text or "").strip() == "+18886244752"
    assert dial.get("timeout") == "20" and "turn=" in (dial.get("action") or "")
    # Twilio reports that nobody answered: the caller goes to 311 (the operator line).
    flow = CallFlow(OPERATOR)
    fallback = run(flow, *press("1", FIND_DETAINED_DIGIT, "1"), {"DialCallStatus": "no-answer"})
    assert [d.text for d in dials(fallback)] == [OPERATOR]
    done = run(CallFlow(OPERATOR), *press("1", FIND_DETAINED_DIGIT, "1"), {"DialCallStatus": "completed"})
    assert dials(done) == [] and "Hangup" in done
    counts = {
        (r["resource_id"], r["channel"], r["language"], r["outcome"]): r["count"]
        for r in routes.route_counts()
    }
    assert counts[("hotline", "voice", "en", "not_answered")] == 1
    assert counts[("hotline", "voice", "en", "connected")] == 1


def test_an_unverified_number_is_never_dialed(reports_db: str) -> None:
    twiml = run(CallFlow(OPERATOR), *press("1", FIND_DETAINED_DIGIT, "1"))
    assert dials(twiml) == []  # "1" is the main menu's first topic again


def test_a_closed_line_is_not_dialed_but_its_number_can_come_by_text(
    verified_hotline: Path, reports_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = yaml.safe_load(verified_hotline.read_text(encoding="utf-8"))
    data["resources"]["hotline"]["opening_hours"] = {"mon-fri": "09:00-17:00", "holidays": "closed"}
    verified_hotline.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    reset_caches()
    monkeypatch.setattr(opening_hours, "city_now", lambda: datetime(2026, 12, 2, 21, 0, tzinfo=CITY_TIME))
    texter = FakeTexter()
    answer = run(CallFlow(OPERATOR, texter), *press("1", FIND_DETAINED_DIGIT))
    assert "text message" in spoken(answer) and "connected" not in spoken(answer)
    sent = run(CallFlow(OPERATOR, texter), *press("1", FIND_DETAINED_DIGIT, "1"))
    assert dials(sent) == [] and "Hangup" in sent and "text message" in spoken(sent)
    [(to, body)] = texter.sent
    assert to == CALLER and "888-624-4752" in body
    counts = {(r["resource_id"], r["outcome"]): r["count"] for r in routes.route_counts()}
    assert counts[("hotline", "sent_by_sms")] == 1


def test_the_numbers_by_text_come_in_the_callers_language(reports_db: str) -> None:
    texter = FakeTexter()
    run(CallFlow(OPERATOR, texter), *press("2", FIND_DETAINED_DIGIT, "1"))  # Spanish
    [(_, body)] = texter.sent
    assert "888-624-4752" in body and ("Responda" in body or "MENU" in body)
    assert "detenid" in body.lower()


def test_counting_a_route_never_breaks_a_call(monkeypatch: pytest.MonkeyPatch, reports_db: str) -> None:
    monkeypatch.setattr(routes.reports, "engine", lambda: (_ for _ in ()).throw(RuntimeError("db down")))
    routes._engines.clear()
    routes.record_route("hotline", "voice", "en", routes.CONNECTED)  # logged, not raised


def test_dialable_numbers_exclude_short_codes_and_invalid_ones() -> None:
    from bot.content.resources import resource_directory
    from bot.content.routing import dialable_number

    directory = resource_directory()
    assert dialable_number(directory["emergency_911"]) is None
    assert dialable_number(directory["la311"]) is None  # "3-1-1"
    assert dialable_number(directory["hotline"]) == "+18886244752"
    assert dialable_number(directory["moia"]) is None  # web only


def test_saying_the_resources_name_puts_the_caller_through(verified_hotline: Path, reports_db: str) -> None:
    from bot.content.resources import resource_directory

    name = resource_directory()["hotline"].name("en")
    twiml = run(CallFlow(OPERATOR), *press("1", FIND_DETAINED_DIGIT), {"SpeechResult": name})
    assert [d.text for d in dials(twiml)] == ["+18886244752"]
