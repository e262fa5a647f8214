"""Where a call is and where it goes next: the IVR's menus, states and transitions.

A call goes: language menu (skipped when the dialed number presets one) →
main menu, by digit or by speech → answers from the catalogs' `voice`
variant, then "9 repeat, star menu, 0 operator". Silence or no match
reprompts twice, then offers the operator, then says goodbye and hangs up.

Each transition returns the TwiML to send (built by bot/channels/voice_twiml.py).
Questions for the dialogue go through `Dialogue`, a callable the channel gives:
the flow knows nothing of HTTP or Twilio's request format.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.channels import twilio_fields
from bot.channels.inbound_text import person_text
from bot.channels.twilio_auth import TwilioCollectingOutput
from bot.channels.voice_twiml import VOICE_VARIANT, Speaker, voice_config
from bot.content.topics import Menu, menu_shown_by, menus
from bot.language.registry import language_settings
from bot.rendering.renderer import renderer
from bot.report_form import FIELDS
from bot.text import fold

REPEAT_DIGIT, MENU_DIGIT, OPERATOR_DIGIT = "9", "*", "0"
MAX_NO_INPUT_REPROMPTS = 2  # then the operator is offered once, then goodbye
REMEMBERED_CALLS = 10_000
FALLBACK_RESPONSE = "utter_rephrase"  # the dialogue did not understand
TECHNICAL_PROBLEM_RESPONSE = "utter_technical_problem"  # the dialogue did not answer
LANGUAGE_MENU_RESPONSE = "utter_language"
FORM_QUESTION_PREFIX = "utter_ask_"  # Rasa's naming of a form's questions
FORM_REPROMPTS = {"utter_report_callback_invalid"}
FORM_EXIT_TEXT = "menu"  # the dialogue's own way out of a form
# While the form asks for a phone number, the keypad takes a whole number
# (E.164 allows 15 digits), ended by # or a pause.
NUMBER_QUESTIONS = {field.question for field in FIELDS if field.kind == "phone"}
MAX_NUMBER_DIGITS = 15

# Asks the dialogue: (call id, text, the call's language or None) -> what it said.
Dialogue = Callable[[str, str, "str | None"], Awaitable[TwilioCollectingOutput]]


@dataclass
class CallState:
    """Where a call is. Kept in this process while the call lasts (see README)."""

    language: str | None = None
    stage: str = "language"  # "language" | "menu" | "answered"
    menu: str = "main"
    misses: int = 0
    last_answer: list[str] = field(default_factory=list)
    in_form: bool = False  # the dialogue asked a question (the report form)
    awaiting_number: bool = False  # ...and that question asks for a phone number


class CallFlow:
    """The IVR of every call in progress, kept in this process while each call lasts."""

    def __init__(self, operator_number: str | None) -> None:
        self.operator_number = operator_number
        self.calls: OrderedDict[str, CallState] = OrderedDict()

    def forget(self, call_id: str) -> None:
        self.calls.pop(call_id, None)

    def fallback(self) -> str:
        """What a caller hears when a turn failed: the operator, or 311 and goodbye."""
        return self._operator_or_goodbye(Speaker(language_settings().default))

    async def turn(self, call_id: str, params: dict[str, str], ask: Dialogue) -> str:
        state = self.calls.get(call_id)
        if state is None:
            return self._answer_call(call_id, params)
        # Twilio's fields are checked, never trusted: keys that no keypad has
        # ("²", "①", 5,000 digits) are a no-match, and what was heard is text,
        # never an intent (bot.channels.inbound_text).
        digits = twilio_fields.keypad(params.get("Digits"))
        speech = person_text(params.get("SpeechResult", ""))
        if digits is None:
            return self._no_match(state, Speaker(state.language or language_settings().default))
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
            return await self._ask_dialogue(call_id, state, speaker, answer, ask)
        if digits == MENU_DIGIT:
            return self._main_menu(state, speaker)
        if digits == REPEAT_DIGIT and state.stage == "answered" and state.last_answer:
            return self._speak_answer(state, speaker, state.last_answer)
        if digits:
            return await self._menu_digit(call_id, state, speaker, digits, ask)
        return await self._ask_dialogue(call_id, state, speaker, speech, ask)

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
        ask: Dialogue,
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
        return await self._ask_dialogue(call_id, state, speaker, f"/{entry.value}", ask)

    async def _ask_dialogue(
        self,
        call_id: str,
        state: CallState,
        speaker: Speaker,
        text: str,
        ask: Dialogue,
    ) -> str:
        collector = await ask(call_id, text, state.language)
        texts = [m.get("text") or "" for m in collector.messages if m.get("text")]
        if not texts:
            # The dialogue said nothing (an action failed or was too slow): say
            # so, with 311, and offer the menu, whose topics need no action.
            return self._technical_problem(state, speaker)
        if collector.response_keys[-1:] == [FALLBACK_RESPONSE]:
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
        state.awaiting_number = last_key in NUMBER_QUESTIONS
        return self._speak_answer(state, speaker, texts)

    def _technical_problem(self, state: CallState, speaker: Speaker) -> str:
        state.in_form = False
        return self._main_menu(state, speaker, lead_key=TECHNICAL_PROBLEM_RESPONSE)

    def _speak_answer(self, state: CallState, speaker: Speaker, texts: list[str]) -> str:
        state.stage, state.misses, state.last_answer = "answered", 0, texts
        gather = speaker.gather(
            num_digits=MAX_NUMBER_DIGITS if state.in_form and state.awaiting_number else 1
        )
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
