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

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from bot.analytics import counters
from bot.channels import twilio_fields
from bot.channels.inbound_text import person_text
from bot.channels.sms_text import to_sms_text
from bot.channels.twilio_auth import TwilioCollectingOutput
from bot.channels.voice_twiml import VOICE_VARIANT, Speaker, voice_config, voice_settings
from bot.content.resources import resource_directory
from bot.content.routing import can_connect, dialable_number, phone_resources
from bot.content.topics import Menu, menu_shown_by, menus, topic_for_response
from bot.language.registry import language_settings
from bot.rendering.renderer import SMS_VARIANT, renderer
from bot.report_form import FIELDS
from bot.storage.routes import CONNECTED, NOT_ANSWERED, SENT_BY_SMS, record_route
from bot.storage.shared_state import InProcessState, SharedState
from bot.text import fold

REPEAT_DIGIT, MENU_DIGIT, OPERATOR_DIGIT = "9", "*", "0"
MAX_NO_INPUT_REPROMPTS = 2  # then the operator is offered once, then goodbye
CHANNEL = "voice"  # as routes are counted (bot.storage.routes)
DIAL, TEXT = "dial:", "text:"  # the two kinds of offer after an answer
# Keys for the offers: the main menu's topic keys give way to them after an
# answer that lists a resource (9, star and 0 keep their meaning).
OFFER_KEYS = ("1", "2", "3", "4")
DIAL_TIMEOUT_S = 20  # rings before Twilio gives up and we go to 311
CALL_STATE_TTL_S = 4 * 3600  # Twilio ends every call after 4 hours
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

MORE_LANGUAGES_DIGIT = "9"  # on the first page of the language menu
FIRST_PAGE_KEYS = tuple("12345678")  # a first page of up to 9 languages needs no "more"
INTERPRETER_DIGIT, TEXT_ME_DIGIT = "1", "2"  # the no-voice offer

# Asks the dialogue: (call id, text, the call's language or None) -> what it said.
Dialogue = Callable[[str, str, "str | None"], Awaitable[TwilioCollectingOutput]]
# Starts the caller's SMS conversation in a language: (caller's number, language) -> the first text.
SmsDialogue = Callable[[str, str], Awaitable[str]]


class Texter(Protocol):
    """Sends one text message (Twilio's REST API in production, a fake in tests)."""

    async def send(self, to: str, body: str) -> bool: ...


async def _no_sms(caller: str, language: str) -> str:
    return ""


def language_pages() -> list[list[tuple[str, str]]]:
    """The voice language menu as pages of (digit, language code), from data/voice.yml.

    The first page lists `language_menu.first` (digits 1-8, then 9 for more);
    the second, every other supported language (1-9, then 0).
    """
    supported = language_settings().supported
    first = [
        code for code in voice_config().get("language_menu", {}).get("first", supported) if code in supported
    ]
    rest = [code for code in supported if code not in first]
    if not rest and len(first) <= len(FIRST_PAGE_KEYS) + 1:
        return [[(str(i), code) for i, code in enumerate(first, 1)]]
    digits = [*"123456789", "0"]
    second = rest + first[len(FIRST_PAGE_KEYS) :]
    if len(second) > len(digits):
        raise ValueError("data/voice.yml: more languages than two menus of keys can reach")
    return [
        list(zip(FIRST_PAGE_KEYS, first, strict=False)),
        list(zip(digits, second, strict=False)),
    ]


def language_option(code: str, digit: str) -> str:
    """ "Para español, oprima 2." in the language itself, or in English where no voice reads it."""
    if voice_settings(code).can_say:
        return renderer().text("voice_language_option", code, VOICE_VARIANT).format(number=digit)
    english = renderer().text("voice_language_option_english", language_settings().default, VOICE_VARIANT)
    return english.format(language=language_settings().languages[code].english_name, number=digit)


@dataclass
class CallState:
    """Where a call is, kept in the shared state while the call lasts (bot.storage.shared_state)."""

    turn: int = 0  # how many turns the call has had: the next request names it (voice_twiml)
    language: str | None = None
    stage: str = "language"  # "language" | "menu" | "answered"
    menu: str = "main"
    misses: int = 0
    language_page: int = 0  # which page of the language menu was read
    last_answer: list[str] = field(default_factory=list)
    in_form: bool = False  # the dialogue asked a question (the report form)
    awaiting_number: bool = False  # ...and that question asks for a phone number
    last_twiml: str = ""  # what the call was last told (for a retry of that turn)
    # After an answer that lists resources: key -> "dial:<resource id>" or "text:<response key>".
    offers: dict[str, str] = field(default_factory=dict)
    dialing: str = ""  # the resource being dialed, until Twilio reports how the call went


class CallFlow:
    """The IVR of every call in progress. Where each call is lives in `calls`, so
    that any server process can take a call's next turn."""

    def __init__(
        self, operator_number: str | None, texter: Texter | None = None, calls: SharedState | None = None
    ) -> None:
        self.operator_number = operator_number
        # Sends a text message to the caller (the no-voice route); None: not offered.
        self.texter = texter
        self.calls = calls or InProcessState()

    async def call_state(self, call_id: str) -> CallState | None:
        stored = await self.calls.get(f"call:{call_id}")
        return CallState(**json.loads(stored)) if stored else None

    async def forget(self, call_id: str) -> None:
        await self.calls.delete(f"call:{call_id}")

    def fallback(self) -> str:
        """What a caller hears when a turn failed: the operator, or 311 and goodbye."""
        return self._operator_or_goodbye(Speaker(language_settings().default))

    async def turn(
        self,
        call_id: str,
        params: dict[str, str],
        ask: Dialogue,
        ask_sms: SmsDialogue | None = None,
        request_turn: int | None = None,
    ) -> str:
        """The TwiML that answers one request of a call; the call's new place is stored.

        `request_turn`: the turn the request says it is (its URL). One the call
        is already past was handled by a process that died before it could
        answer: its answer, kept with the call's place, is sent again.
        """
        state = await self.call_state(call_id)
        if state is not None and request_turn is not None and request_turn < state.turn and state.last_twiml:
            return state.last_twiml
        if state is None:
            state = CallState(turn=1)
            twiml = self._answer_call(state, params)
        else:
            state.turn += 1
            twiml = await self._next(call_id, state, params, ask, ask_sms or _no_sms)
        state.last_twiml = twiml
        await self.calls.put(f"call:{call_id}", json.dumps(asdict(state)), CALL_STATE_TTL_S)
        return twiml

    async def _next(
        self, call_id: str, state: CallState, params: dict[str, str], ask: Dialogue, ask_sms: SmsDialogue
    ) -> str:
        # Twilio's fields are checked, never trusted: keys that no keypad has
        # ("²", "①", 5,000 digits) are a no-match, and what was heard is text,
        # never an intent (bot.channels.inbound_text).
        if state.dialing and params.get("DialCallStatus") is not None:
            return self._after_dial(state, params.get("DialCallStatus", ""))
        digits = twilio_fields.keypad(params.get("Digits"))
        speech = person_text(params.get("SpeechResult", ""))
        if digits is None:
            return self._no_match(state, Speaker(state.language or language_settings().default, state.turn))
        if not digits and not speech:
            return self._no_input(state, Speaker(state.language or language_settings().default, state.turn))

        if state.stage == "language":
            return self._choose_language(state, digits, params.get("From", ""))
        if state.stage == "no_voice":
            return await self._no_voice_choice(state, digits, params.get("From", ""), ask_sms)
        speaker = Speaker(state.language or language_settings().default, state.turn)
        if digits == OPERATOR_DIGIT or (speech and fold(speech) in operator_words()):
            return self._operator_or_goodbye(speaker)
        if state.in_form:
            # Keys answer the dialogue's question ("1" for yes...); star leaves the form.
            answer = FORM_EXIT_TEXT if digits == MENU_DIGIT else (digits or speech)
            return await self._ask_dialogue(call_id, state, speaker, answer, ask)
        if state.stage == "answered" and state.offers:
            offer = state.offers.get(digits) if digits else self._offer_named(state, speech, speaker.language)
            if offer:
                return await self._take_offer(state, speaker, offer, params.get("From", ""))
        if digits == MENU_DIGIT:
            return self._main_menu(state, speaker)
        if digits == REPEAT_DIGIT and state.stage == "answered" and state.last_answer:
            return self._speak_answer(state, speaker, state.last_answer)
        if digits:
            return await self._menu_digit(call_id, state, speaker, digits, ask)
        return await self._ask_dialogue(call_id, state, speaker, speech, ask)

    def _answer_call(self, state: CallState, params: dict[str, str]) -> str:
        preset = voice_config().get("dialed_number_languages", {}).get(params.get("To", ""))
        if language_settings().is_supported(preset):
            state.language = preset
            speaker = Speaker(preset, state.turn)
            return self._main_menu(state, speaker, lead_key="voice_welcome")
        return self._language_menu(state)

    def _language_menu(self, state: CallState, lead_key: str | None = "voice_welcome", page: int = 0) -> str:
        """The languages, each option in its own language and voice, at most two pages."""
        state.stage, state.language_page = "language", page
        speaker = Speaker(language_settings().default, state.turn)
        if lead_key:
            speaker.say(speaker.twiml, speaker.text(lead_key))
        gather = speaker.gather(speech=False)
        pages = language_pages()
        for digit, code in pages[page]:
            speaker.say(gather, language_option(code, digit), language=code)
        if page == 0 and len(pages) > 1:
            speaker.say(gather, speaker.text("voice_more_languages", number=MORE_LANGUAGES_DIGIT))
        return speaker.close_with_redirect()

    def _choose_language(self, state: CallState, digits: str, caller: str) -> str:
        pages = language_pages()
        if state.language_page == 0 and len(pages) > 1 and digits == MORE_LANGUAGES_DIGIT:
            state.misses = 0
            return self._language_menu(state, lead_key=None, page=1)
        code = dict(pages[state.language_page]).get(digits)
        if code is None:
            return self._no_match(state, Speaker(language_settings().default, state.turn))
        state.language, state.misses = code, 0
        if not voice_settings(code).can_say:
            return self._no_voice_offer(state)
        return self._main_menu(state, Speaker(code, state.turn))

    # --- languages without a text-to-speech voice ------------------------------------------------

    def _no_voice_offer(self, state: CallState) -> str:
        """No voice reads this language: in English, the interpreter line or a text message."""
        state.stage = "no_voice"
        speaker = Speaker(language_settings().default, state.turn)
        name = language_settings().languages[state.language or ""].english_name
        gather = speaker.gather(speech=False)
        speaker.say(gather, speaker.text("voice_no_voice", language=name))
        speaker.say(gather, speaker.text("voice_no_voice_interpreter", number=INTERPRETER_DIGIT))
        if self.texter is not None:
            speaker.say(gather, speaker.text("voice_no_voice_sms", language=name, number=TEXT_ME_DIGIT))
        return speaker.close_with_redirect()

    async def _no_voice_choice(self, state: CallState, digits: str, caller: str, ask_sms: SmsDialogue) -> str:
        speaker = Speaker(language_settings().default, state.turn)
        if digits == INTERPRETER_DIGIT:
            return self._operator_or_goodbye(speaker)
        if digits == TEXT_ME_DIGIT and self.texter is not None and caller:
            # The caller's consent is the key press; the number is used for
            # this one message and its conversation id, and never stored.
            body = await ask_sms(caller, state.language or language_settings().default)
            sent = bool(body) and await self.texter.send(caller, body)
            speaker.say(speaker.twiml, speaker.text("voice_sms_sent" if sent else "voice_sms_failed"))
            if not sent:
                return self._operator_or_goodbye(speaker)
            speaker.twiml.hangup()
            return str(speaker.twiml)
        return self._no_match(state, speaker)

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
            speaker = Speaker(collector.languages[-1], state.turn)
            state.language = speaker.language
        state.in_form = last_key.startswith(FORM_QUESTION_PREFIX) or last_key in FORM_REPROMPTS
        state.awaiting_number = last_key in NUMBER_QUESTIONS
        state.offers = {} if state.in_form else self._offers(last_key, speaker.language)
        return self._speak_answer(state, speaker, texts)

    # --- from an answer to a resource: put through, or the numbers by text -----------------------

    def _offers(self, response_key: str, language: str) -> dict[str, str]:
        """The keys an answer offers: one per resource open now that may be dialed
        (bot.content.routing), then one to get the other numbers by text message."""
        topic = topic_for_response(response_key)
        if topic is None:
            return {}
        listed = phone_resources(topic.id, language)
        offers: dict[str, str] = {}
        keys = iter(OFFER_KEYS)
        for resource in listed:
            if can_connect(resource):
                offers[next(keys)] = f"{DIAL}{resource.id}"
        if self.texter is not None and any(not can_connect(r) for r in listed):
            offers[next(keys)] = f"{TEXT}{response_key}"
        return offers

    @staticmethod
    def _offer_named(state: CallState, speech: str, language: str) -> str | None:
        """The put-through offer whose resource the caller named ("CHIRLA", "la línea de CHIRLA")."""
        heard = fold(speech)
        directory = resource_directory()
        for offer in state.offers.values():
            if not offer.startswith(DIAL) or not heard:
                continue
            resource = directory.get(offer.removeprefix(DIAL))
            names = {resource.name(language), resource.name("en")} if resource else set()
            if any(fold(name) in heard or heard in fold(name) for name in names if len(heard) >= 4):
                return offer
        return None

    def _say_offers(self, state: CallState, speaker: Speaker, target: Any) -> None:
        directory = resource_directory()
        for key, offer in state.offers.items():
            if offer.startswith(DIAL):
                name = directory[offer.removeprefix(DIAL)].name(speaker.language)
                speaker.say(target, speaker.text("voice_connect_option", name=name, number=key))
            else:
                speaker.say(target, speaker.text("voice_text_numbers_option", number=key))

    async def _take_offer(self, state: CallState, speaker: Speaker, offer: str, caller: str) -> str:
        language = speaker.language
        if offer.startswith(DIAL):
            resource = resource_directory().get(offer.removeprefix(DIAL))
            number = dialable_number(resource) if resource and can_connect(resource) else None
            if resource is None or number is None:  # it closed (or changed) since the offer
                state.offers = {}
                return self._main_menu(state, speaker, lead_key="voice_cannot_connect")
            state.dialing = resource.id
            speaker.say(speaker.twiml, speaker.text("voice_connecting", name=resource.name(language)))
            # Twilio posts how the call went to the next turn's URL (DialCallStatus).
            speaker.twiml.dial(number, timeout=DIAL_TIMEOUT_S, action=speaker.next_url, method="POST")
            return str(speaker.twiml)
        # The numbers of this answer by text, in the caller's language: the key press is the consent.
        body = to_sms_text(renderer().render(offer.removeprefix(TEXT), language, SMS_VARIANT).text, language)
        sent = bool(caller) and self.texter is not None and await self.texter.send(caller, body)
        topic = topic_for_response(offer.removeprefix(TEXT))
        if sent and topic:
            for resource in phone_resources(topic.id, language):
                if not can_connect(resource):
                    record_route(resource.id, CHANNEL, language, SENT_BY_SMS)
        state.offers = {}
        if not sent:
            return self._main_menu(state, speaker, lead_key="voice_sms_failed")
        speaker.say(speaker.twiml, speaker.text("voice_sms_sent"))
        speaker.twiml.hangup()
        return str(speaker.twiml)

    def _after_dial(self, state: CallState, dial_status: str) -> str:
        """Twilio's report on the call we put through: over, or nobody answered (then 311)."""
        resource_id, state.dialing = state.dialing, ""
        speaker = Speaker(state.language or language_settings().default, state.turn)
        answered = dial_status == "completed"
        record_route(resource_id, CHANNEL, speaker.language, CONNECTED if answered else NOT_ANSWERED)
        if answered:
            speaker.twiml.hangup()
            return str(speaker.twiml)
        speaker.say(speaker.twiml, speaker.text("voice_dial_no_answer"))
        return self._operator_or_goodbye(speaker)

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
            self._say_offers(state, speaker, gather)
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
            twiml = self._language_menu(state, lead_key=reason_key, page=state.language_page)
        else:
            twiml = self._main_menu(
                state, speaker, state.menu if state.stage == "menu" else "main", reason_key
            )
        state.misses = misses  # the menus reset nothing: the count goes on
        return twiml

    def _operator_or_goodbye(self, speaker: Speaker) -> str:
        if self.operator_number:
            counters.count(counters.INTERPRETER_TRANSFER, language=speaker.language, channel=CHANNEL)
            speaker.say(speaker.twiml, speaker.text("voice_transfer"))
            speaker.twiml.dial(self.operator_number)
        else:
            speaker.say(speaker.twiml, speaker.text("voice_no_operator"))
            speaker.twiml.hangup()
        return str(speaker.twiml)


def operator_words() -> set[str]:
    return {fold(str(word)) for word in voice_config().get("operator_words", [])}
