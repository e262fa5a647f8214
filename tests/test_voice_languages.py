"""The phone line in every language: the paged language menu, and languages no voice reads.

Unit-level: the call flow (bot/channels/voice_flow.py) with a fake dialogue
and a fake text-message sender, so the TwiML a caller would hear is checked
without Twilio.
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ElementTree

from bot.channels.twilio_auth import TwilioCollectingOutput
from bot.channels.voice_flow import INTERPRETER_DIGIT, TEXT_ME_DIGIT, CallFlow, language_pages
from bot.channels.voice_twiml import voice_settings
from bot.language.registry import language_settings

CALLER = "+12135550142"
OPERATOR = "+12135550311"


class FakeTexter:
    def __init__(self, works: bool = True) -> None:
        self.sent: list[tuple[str, str]] = []
        self.works = works

    async def send(self, to: str, body: str) -> bool:
        self.sent.append((to, body))
        return self.works


async def no_dialogue(call_id: str, text: str, language: str | None) -> TwilioCollectingOutput:
    return TwilioCollectingOutput()


def said(twiml: str) -> list[tuple[str, str | None]]:
    return [(say.text or "", say.get("voice")) for say in ElementTree.fromstring(twiml).iter("Say")]


def call(flow: CallFlow, *keys: str, sms_text: str = "Armenian welcome") -> str:
    """Start a call, press `keys` one by one; the TwiML of the last turn."""

    async def ask_sms(caller: str, language: str) -> str:
        return f"{sms_text} ({language})"

    async def run() -> str:
        twiml = await flow.turn("call-1", {"CallSid": "CA1", "From": CALLER}, no_dialogue, ask_sms)
        for key in keys:
            twiml = await flow.turn(
                "call-1", {"CallSid": "CA1", "From": CALLER, "Digits": key}, no_dialogue, ask_sms
            )
        return twiml

    return asyncio.run(run())


def digits_for(code: str) -> list[str]:
    pages = language_pages()
    for number, page in enumerate(pages):
        for digit, language in page:
            if language == code:
                return [digit] if number == 0 else ["9", digit]
    raise AssertionError(f"{code} is not in the voice language menu")


def voiceless_languages() -> list[str]:
    return [code for code in language_settings().supported if not voice_settings(code).can_say]


def test_a_language_with_a_voice_gets_its_main_menu_in_that_voice() -> None:
    for code in language_settings().supported:
        if voice_settings(code).can_say:
            twiml = call(CallFlow(OPERATOR), *digits_for(code))
            voices = {voice for _, voice in said(twiml)}
            assert voices == {voice_settings(code).say_voice}, (code, voices)


def test_no_voice_language_offers_an_interpreter_and_a_text_message_in_english() -> None:
    english_voice = voice_settings(language_settings().default).say_voice
    for code in voiceless_languages():
        twiml = call(CallFlow(OPERATOR, FakeTexter()), *digits_for(code))
        spoken = " ".join(text for text, _ in said(twiml))
        name = language_settings().languages[code].english_name
        assert {voice for _, voice in said(twiml)} == {english_voice}
        assert name in spoken and "interpreter" in spoken and "text message" in spoken, spoken


def test_no_voice_language_interpreter_key_transfers_the_call() -> None:
    for code in voiceless_languages():
        twiml = call(CallFlow(OPERATOR, FakeTexter()), *digits_for(code), INTERPRETER_DIGIT)
        dial = ElementTree.fromstring(twiml).find("Dial")
        assert dial is not None and (dial.text or "").strip() == OPERATOR


def test_no_voice_language_text_me_sends_one_text_in_that_language_and_hangs_up() -> None:
    for code in voiceless_languages():
        texter = FakeTexter()
        twiml = call(CallFlow(OPERATOR, texter), *digits_for(code), TEXT_ME_DIGIT)
        assert texter.sent == [(CALLER, f"Armenian welcome ({code})")]
        assert ElementTree.fromstring(twiml).find("Hangup") is not None


def test_without_a_texter_no_text_message_is_offered_and_the_key_does_nothing() -> None:
    for code in voiceless_languages():
        twiml = call(CallFlow(OPERATOR, None), *digits_for(code))
        assert "text message" not in " ".join(text for text, _ in said(twiml))
        again = call(CallFlow(OPERATOR, None), *digits_for(code), TEXT_ME_DIGIT)
        assert ElementTree.fromstring(again).find("Hangup") is None  # a reprompt, not a dead end


def test_a_failed_text_message_falls_back_to_the_operator() -> None:
    for code in voiceless_languages():
        twiml = call(CallFlow(OPERATOR, FakeTexter(works=False)), *digits_for(code), TEXT_ME_DIGIT)
        dial = ElementTree.fromstring(twiml).find("Dial")
        assert dial is not None and (dial.text or "").strip() == OPERATOR
