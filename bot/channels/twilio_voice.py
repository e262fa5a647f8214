"""Call 311: our Twilio Voice IVR, at POST /webhooks/twilio_voice/webhook.

Replaces Rasa's built-in `twilio_voice` channel, which gathers speech with no
language (Spanish is transcribed as English), takes no keypad digits, has one
voice per deployment, crashes on custom payloads, never checks signatures and
keys conversations by the caller's number.

A call goes: language menu (skipped when the dialed number presets one) →
main menu, by digit or by speech → answers from the catalogs' `voice`
variant, then "9 repeat, star menu, 0 operator". Silence or no match
reprompts twice, then offers the operator, then says goodbye and hangs up.
A status callback at /webhooks/twilio_voice/status closes the conversation.

Voices and speech languages come from data/voice.yml. TwiML is built with the
twilio package's VoiceResponse and Gather only.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

from bot.channels.speech_text import speakable
from bot.channels.twilio_auth import (
    TwilioCollectingOutput,
    TwilioRequestAuthenticator,
    authentic_form,
    channel_security,
)
from bot.content.topics import Menu, menu_shown_by, menus
from bot.data_files import load_data_file
from bot.language.registry import language_settings
from bot.policies.language import DEFAULT_LANGUAGE_KEY
from bot.privacy.ids import conversation_id
from bot.rendering.renderer import renderer
from bot.text import fold

logger = logging.getLogger(__name__)

CHANNEL_NAME = "twilio_voice"
VOICE_VARIANT = "voice"
WEBHOOK_PATH = "/webhooks/twilio_voice/webhook"
OPERATOR_NUMBER_SETTING = "VOICE_OPERATOR_NUMBER"
REPEAT_DIGIT, MENU_DIGIT, OPERATOR_DIGIT = "9", "*", "0"
MAX_NO_INPUT_REPROMPTS = 2  # then the operator is offered once, then goodbye
FINAL_CALL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
REMEMBERED_CALLS = 10_000
FALLBACK_RESPONSE = "utter_rephrase"  # the dialogue did not understand
LANGUAGE_MENU_RESPONSE = "utter_language"
FORM_QUESTION_PREFIX = "utter_ask_"  # Rasa's naming of a form's questions
FORM_REPROMPTS = {"utter_report_callback_invalid"}
FORM_EXIT_TEXT = "menu"  # the dialogue's own way out of a form


@dataclass
class CallState:
    """Where a call is. Kept in this process while the call lasts (see README)."""

    language: str | None = None
    stage: str = "language"  # "language" | "menu" | "answered"
    menu: str = "main"
    misses: int = 0
    last_answer: list[str] = field(default_factory=list)
    in_form: bool = False  # the dialogue asked a question (the report form)


@dataclass(frozen=True)
class VoiceSettings:
    say_voice: str
    say_language: str
    gather_language: str
    speech: bool
    hints: str


def voice_config() -> dict[str, Any]:
    return load_data_file("voice.yml")


def voice_settings(language: str) -> VoiceSettings:
    entry = voice_config().get("languages", {}).get(language)
    if entry is None:  # a language without voice settings: keypad only
        default = voice_config()["languages"][language_settings().default]
        return VoiceSettings(
            default["say_voice"], default["say_language"], default["gather_language"], False, ""
        )
    return VoiceSettings(
        entry["say_voice"],
        entry["say_language"],
        entry["gather_language"],
        bool(entry.get("speech")),
        entry.get("hints", ""),
    )


class TwilioVoiceOutput(TwilioCollectingOutput):
    """Named so that the renderer picks the catalogs' voice variant."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME


class Speaker:
    """Builds the TwiML of one turn in one language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.settings = voice_settings(language)
        self.twiml = VoiceResponse()

    def text(self, key: str, **values: str) -> str:
        template = renderer().text(key, self.language, VOICE_VARIANT)
        return speakable(
            template.format(**values) if values else renderer().render(key, self.language, VOICE_VARIANT).text
        )

    def say(self, target: VoiceResponse | Gather, text: str, language: str | None = None) -> None:
        settings = voice_settings(language) if language else self.settings
        if text:
            target.say(speakable(text), voice=settings.say_voice, language=settings.say_language)

    def gather(self, speech: bool = True) -> Gather:
        """Listen for one key, or for speech in the conversation's language."""
        use_speech = speech and self.settings.speech
        options: dict[str, Any] = {}
        if use_speech:
            options = {"language": self.settings.gather_language, "speech_timeout": "auto"}
            if self.settings.hints:
                options["hints"] = self.settings.hints
        gather = Gather(
            input="speech dtmf" if use_speech else "dtmf",
            action=WEBHOOK_PATH,
            method="POST",
            num_digits=1,
            timeout=voice_config().get("gather_timeout_s", 6),
            **options,
        )
        self.twiml.append(gather)
        return gather

    def close_with_redirect(self) -> str:
        # Silence: Twilio moves past the <Gather> to the next verb and posts
        # back with neither Digits nor SpeechResult, which counts as no input.
        self.twiml.redirect(WEBHOOK_PATH, method="POST")
        return str(self.twiml)


class TwilioVoiceInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        operator = os.environ.get(OPERATOR_NUMBER_SETTING, "").strip() or None
        return cls(*channel_security("Voice channel"), operator)

    def __init__(
        self, authenticator: TwilioRequestAuthenticator, secret: bytes | None, operator_number: str | None
    ) -> None:
        self.authenticator = authenticator
        self.secret = secret
        self.operator_number = operator_number
        self.calls: OrderedDict[str, CallState] = OrderedDict()

    def get_output_channel(self) -> TwilioVoiceOutput:
        return TwilioVoiceOutput()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        voice = Blueprint("kyr_twilio_voice", __name__)

        @voice.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @voice.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            params = await self._authentic_params(request)
            if isinstance(params, HTTPResponse):
                return params
            call_id = conversation_id(params["CallSid"], self.secret or b"", prefix="call")
            try:
                twiml = await self._turn(call_id, params, on_new_message)
            except Exception:  # noqa: BLE001 - a caller must never hear an application error
                logger.exception("Voice channel: a turn failed.")
                twiml = self._operator_or_goodbye(Speaker(language_settings().default))
            return response.text(twiml, content_type="text/xml")

        @voice.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            params = await self._authentic_params(request)
            if isinstance(params, HTTPResponse):
                return params
            if params.get("CallStatus", "") in FINAL_CALL_STATUSES:
                call_id = conversation_id(params["CallSid"], self.secret or b"", prefix="call")
                # The call is over: forget where it was and wipe the conversation state.
                self.calls.pop(call_id, None)
                await on_new_message(
                    UserMessage("/restart", TwilioVoiceOutput(), call_id, input_channel=CHANNEL_NAME)
                )
            return response.text("", status=204)

        return voice

    async def _authentic_params(self, request: Request) -> dict[str, str] | HTTPResponse:
        return authentic_form(request, self.authenticator, self.secret, required="CallSid")

    # --- the call flow -----------------------------------------------------------------------

    async def _turn(
        self, call_id: str, params: dict[str, str], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> str:
        state = self.calls.get(call_id)
        if state is None:
            return self._answer_call(call_id, params)
        digits = params.get("Digits", "").strip()
        speech = params.get("SpeechResult", "").strip()
        if not digits and not speech:
            return self._no_input(state, Speaker(state.language or language_settings().default))

        if state.stage == "language":
            return self._choose_language(state, digits)
        speaker = Speaker(state.language or language_settings().default)
        if digits == OPERATOR_DIGIT or (speech and fold(speech) in operator_words()):
            return self._operator_or_goodbye(speaker)
        if state.in_form:
            # Keys answer the dialogue's question ("1" for yes...); star leaves the form.
            answer = FORM_EXIT_TEXT if digits == MENU_DIGIT else (digits or speech)
            return await self._ask_dialogue(call_id, state, speaker, answer, on_new_message)
        if digits == MENU_DIGIT:
            return self._main_menu(state, speaker)
        if digits == REPEAT_DIGIT and state.stage == "answered" and state.last_answer:
            return self._speak_answer(state, speaker, state.last_answer)
        if digits:
            return await self._menu_digit(call_id, state, speaker, digits, on_new_message)
        return await self._ask_dialogue(call_id, state, speaker, speech, on_new_message)

    def _answer_call(self, call_id: str, params: dict[str, str]) -> str:
        state = CallState()
        self._remember(call_id, state)
        preset = voice_config().get("dialed_number_languages", {}).get(params.get("To", ""))
        if language_settings().is_supported(preset):
            state.language = preset
            speaker = Speaker(preset)
            return self._main_menu(state, speaker, lead_key="voice_welcome")
        return self._language_menu(state)

    def _language_menu(self, state: CallState, lead_key: str = "voice_welcome") -> str:
        state.stage = "language"
        settings = language_settings()
        speaker = Speaker(settings.default)
        speaker.say(speaker.twiml, speaker.text(lead_key))
        gather = speaker.gather(speech=False)
        # Each option in its own language and voice.
        for number, code in enumerate(settings.supported, 1):
            option = renderer().text("voice_language_option", code, VOICE_VARIANT)
            speaker.say(gather, option.format(number=number), language=code)
        return speaker.close_with_redirect()

    def _choose_language(self, state: CallState, digits: str) -> str:
        codes = language_settings().supported
        if digits.isdigit() and 1 <= int(digits) <= len(codes):
            state.language = codes[int(digits) - 1]
            state.misses = 0
            return self._main_menu(state, Speaker(state.language))
        return self._no_match(state, Speaker(language_settings().default))

    def _main_menu(
        self, state: CallState, speaker: Speaker, menu_name: str = "main", lead_key: str | None = None
    ) -> str:
        state.stage, state.menu = "menu", menu_name
        if lead_key:
            speaker.say(speaker.twiml, speaker.text(lead_key))
        if not speaker.settings.speech:
            speaker.say(speaker.twiml, speaker.text("voice_keypad_only"))
        gather = speaker.gather()
        speaker.say(gather, speaker.text("voice_main_prompt"))
        speaker.say(gather, renderer().menu_text(menus()[menu_name], speaker.language, VOICE_VARIANT))
        return speaker.close_with_redirect()

    async def _menu_digit(
        self,
        call_id: str,
        state: CallState,
        speaker: Speaker,
        digits: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> str:
        menu: Menu = menus()[state.menu if state.stage == "menu" else "main"]
        entry = menu.entry(digits)
        if entry is None:
            return self._no_match(state, speaker)
        if entry.kind == "menu":
            return self._main_menu(state, speaker, menu_name=entry.value)
        if entry.kind == "language" or entry.value == "language":
            return self._language_menu(state)
        if entry.value == "human":
            return self._operator_or_goodbye(speaker)
        # The same topics the SMS menu uses, asked of the dialogue by intent.
        return await self._ask_dialogue(call_id, state, speaker, f"/{entry.value}", on_new_message)

    async def _ask_dialogue(
        self,
        call_id: str,
        state: CallState,
        speaker: Speaker,
        text: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> str:
        collector = TwilioVoiceOutput()
        metadata = {DEFAULT_LANGUAGE_KEY: state.language} if state.language else None
        await on_new_message(
            UserMessage(text, collector, call_id, input_channel=CHANNEL_NAME, metadata=metadata)
        )
        texts = [m.get("text") or "" for m in collector.messages if m.get("text")]
        if not texts or collector.response_keys[-1:] == [FALLBACK_RESPONSE]:
            return self._no_match(state, speaker)
        # Screen menus ("1) ...") become the spoken menus of this channel.
        last_key = collector.response_keys[-1] if collector.response_keys else ""
        if last_key == LANGUAGE_MENU_RESPONSE:
            return self._language_menu(state)
        menu = menu_shown_by(last_key)
        if menu is not None:
            return self._main_menu(state, speaker, menu_name=menu.name)
        if collector.languages and collector.languages[-1] != speaker.language:
            speaker = Speaker(collector.languages[-1])
            state.language = speaker.language
        state.in_form = last_key.startswith(FORM_QUESTION_PREFIX) or last_key in FORM_REPROMPTS
        return self._speak_answer(state, speaker, texts)

    def _speak_answer(self, state: CallState, speaker: Speaker, texts: list[str]) -> str:
        state.stage, state.misses, state.last_answer = "answered", 0, texts
        gather = speaker.gather()
        for text in texts:
            speaker.say(gather, text)
        if not state.in_form:  # a question waits for its answer, not for "press 9"
            speaker.say(gather, speaker.text("voice_after_answer"))
        return speaker.close_with_redirect()

    def _no_input(self, state: CallState, speaker: Speaker) -> str:
        return self._reprompt(state, speaker, "voice_no_input")

    def _no_match(self, state: CallState, speaker: Speaker) -> str:
        return self._reprompt(state, speaker, "voice_no_match")

    def _reprompt(self, state: CallState, speaker: Speaker, reason_key: str) -> str:
        """Twice a reprompt, then the operator offer, then goodbye: never a loop."""
        misses = state.misses + 1
        if misses > MAX_NO_INPUT_REPROMPTS + 1:
            speaker.say(speaker.twiml, speaker.text("voice_goodbye"))
            speaker.twiml.hangup()
            return str(speaker.twiml)
        if misses > MAX_NO_INPUT_REPROMPTS:
            state.misses = misses
            speaker.say(speaker.twiml, speaker.text(reason_key))
            gather = speaker.gather()
            speaker.say(gather, speaker.text("voice_offer_operator"))
            return speaker.close_with_redirect()
        if state.stage == "language":
            twiml = self._language_menu(state, lead_key=reason_key)
        else:
            twiml = self._main_menu(
                state, speaker, state.menu if state.stage == "menu" else "main", reason_key
            )
        state.misses = misses  # the menus reset nothing: the count goes on
        return twiml

    def _operator_or_goodbye(self, speaker: Speaker) -> str:
        if self.operator_number:
            speaker.say(speaker.twiml, speaker.text("voice_transfer"))
            speaker.twiml.dial(self.operator_number)
        else:
            speaker.say(speaker.twiml, speaker.text("voice_no_operator"))
            speaker.twiml.hangup()
        return str(speaker.twiml)

    def _remember(self, call_id: str, state: CallState) -> None:
        self.calls[call_id] = state
        while len(self.calls) > REMEMBERED_CALLS:
            self.calls.popitem(last=False)


def operator_words() -> set[str]:
    return {fold(str(word)) for word in voice_config().get("operator_words", [])}
