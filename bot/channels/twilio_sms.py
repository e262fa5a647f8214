"""Text 311: our Twilio SMS channel, at POST /webhooks/twilio/webhook.

Replaces Rasa's built-in `twilio` channel, which never checks the signature,
keys conversations by raw phone number, returns 500 on media-only MMS and
sends replies with a blocking REST call. Here:
* every request is authenticated (bot.channels.twilio_auth), fail closed;
* the conversation id is a keyed hash of the sender's number (bot.privacy.ids);
* the reply goes back in the webhook response as TwiML, in one message;
* Twilio retries (same MessageSid) get the first answer, not a second turn,
  on whichever server process they land (bot.storage.shared_state);
* HELP / STOP / START keywords, media-only and malformed requests are handled
  here, before Rasa, each with a clear reply or a 4xx.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.twiml.messaging_response import MessagingResponse

from bot.analytics import counters
from bot.channels import twilio_fields
from bot.channels.handled_turns import replay_handled_turn
from bot.channels.http_limits import DIALOGUE_DEADLINE_S, guard_requests
from bot.channels.inbound_text import person_text
from bot.channels.parse_cache import DEFAULT_PARSE_CACHE_SIZE, PARSE_CACHE_SIZE_SETTING, ParseCache
from bot.channels.readiness import add_readiness_route
from bot.channels.sms_segments import count_segments
from bot.channels.sms_text import to_sms_text
from bot.channels.twilio_auth import (
    TwilioCollectingOutput,
    TwilioRequestAuthenticator,
    authentic_form,
    channel_security,
)
from bot.conversation_keys import CONVERSATION_LANGUAGE_METADATA, DEFAULT_LANGUAGE_METADATA, LANGUAGE_SLOT
from bot.data_files import load_data_file
from bot.language.detection import message_language_detector
from bot.language.registry import language_settings
from bot.privacy.ids import conversation_id
from bot.privacy.log_filter import keep_out_of_logs
from bot.rendering.renderer import SMS_VARIANT, renderer
from bot.settings import channel_setting
from bot.storage.shared_state import SharedState, answer_once, shared_state
from bot.storage.stores import forget_conversation
from bot.text import fold

logger = logging.getLogger(__name__)

CHANNEL_NAME = "twilio"  # same path as Rasa's built-in channel: /webhooks/twilio/webhook
CONVERSATION_PREFIX = "sms"  # conversation ids: sms-<keyed hash of the number>
MAX_REPLY_CHARS = 1600
WELCOME_TEXT = "/greet"  # START: the greeting and the menu, through Rasa so menu numbers work
HELP_RESPONSE = "utter_sms_help"
MEDIA_ONLY_RESPONSE = "utter_media_only"
PROBLEM_RESPONSE = "utter_technical_problem"


class TwilioSmsOutput(TwilioCollectingOutput):
    """Named so that the renderer picks the catalogs' sms variant."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME


def sms_keywords() -> dict[str, Any]:
    return load_data_file("channels.yml").get("sms", {})


def reply_text(messages: list[dict[str, Any]], language: str) -> str:
    """All bot messages of a turn as one SMS body; buttons become a numbered list."""
    parts = []
    for message in messages:
        text = message.get("text") or ""
        buttons = message.get("buttons") or []
        lines = [f"{i}) {button.get('title', '')}" for i, button in enumerate(buttons, 1)]
        parts.append("\n".join(filter(None, [text, *lines])))
    body = to_sms_text("\n\n".join(p for p in parts if p), language)
    return body if len(body) <= MAX_REPLY_CHARS else body[: MAX_REPLY_CHARS - 3] + "..."


def twiml(body: str | None) -> HTTPResponse:
    twiml_response = MessagingResponse()
    if body:
        twiml_response.message(body)
    return response.text(str(twiml_response), content_type="text/xml")


class TwilioSmsInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        cache_size = channel_setting(credentials, "parse_cache_size", PARSE_CACHE_SIZE_SETTING)
        return cls(
            *channel_security("SMS channel", credentials),
            ParseCache(int(cache_size) if cache_size is not None else DEFAULT_PARSE_CACHE_SIZE),
            shared_state(),
        )

    def __init__(
        self,
        authenticator: TwilioRequestAuthenticator,
        secret: bytes | None,
        parse_cache: ParseCache,
        state: SharedState,
    ) -> None:
        self.authenticator = authenticator
        self.secret = secret
        self.parse_cache = parse_cache
        # The answers to messages already handled, by MessageSid (bot.storage.shared_state).
        self.state = state

    def get_output_channel(self) -> TwilioSmsOutput:
        return TwilioSmsOutput()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sms = Blueprint("kyr_twilio_sms", __name__)
        guard_requests(sms)
        # GET /webhooks/twilio/ready: the probes' readiness where the REST channel is off (production).
        add_readiness_route(sms)

        @sms.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sms.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            params = await authentic_form(
                request, self.authenticator, self.secret, required="From", validate=twilio_fields.address
            )
            if isinstance(params, HTTPResponse):
                return params
            sender = twilio_fields.address(params["From"]) or ""
            # Whatever is logged while this message is handled, by us or by Rasa,
            # must not show the number or the text (bot.privacy.log_filter).
            keep_out_of_logs(sender, params.get("Body"), person_text(params.get("Body", "")))
            message_sid = twilio_fields.sid(params.get("MessageSid"))

            async def handle(taking_over: bool) -> str:
                body = await self._handle(request, params, sender, on_new_message, taking_over) or ""
                if body:  # what the City pays for: segments sent, counted once per message handled
                    counters.count(
                        counters.SMS_SEGMENTS, channel=SMS_VARIANT, amount=count_segments(body).segments
                    )
                return body

            if not message_sid:
                return twiml(await handle(False))

            # A retry with the same MessageSid gets the first answer, whichever process has it.
            try:
                return twiml(await answer_once(self.state, f"sms:{message_sid}", handle))
            except TimeoutError:
                return twiml(self._render(PROBLEM_RESPONSE, language_settings().default))

        return sms

    async def _handle(
        self,
        request: Request,
        params: dict[str, str],
        sender: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        taking_over: bool = False,
    ) -> str | None:
        """The reply's text. `taking_over`: a server that died may have handled it (handled_turns)."""
        sender_id = conversation_id(sender, self.secret or b"", prefix=CONVERSATION_PREFIX)
        text = person_text(params.get("Body", ""))
        folded = fold(text)
        keywords = sms_keywords()

        if folded in keywords.get("opt_out_words", []):
            # Twilio answers opt-outs itself; we delete the conversation's stored history.
            try:
                agent = request.app.ctx.agent
                await asyncio.wait_for(
                    forget_conversation(agent.tracker_store, agent.lock_store, sender_id), DIALOGUE_DEADLINE_S
                )
            except Exception:  # noqa: BLE001 - the opt-out stands; Twilio needs only its answer
                logger.exception("SMS channel: deleting an opted-out conversation failed.")
            return None
        help_language = help_keyword_language(folded)
        if help_language:
            return self._render(HELP_RESPONSE, help_language)
        if not text and twilio_fields.media_count(params.get("NumMedia")) > 0:
            return self._render(MEDIA_ONLY_RESPONSE, await self._conversation_language(request, sender_id))
        if folded in keywords.get("opt_in_words", []):
            text = WELCOME_TEXT
        dialed = twilio_fields.address(params.get("To"))
        start_language = keywords.get("dialed_number_languages", {}).get(dialed) if dialed else None
        try:
            collector = await asyncio.wait_for(
                self._to_rasa(
                    request,
                    on_new_message,
                    text,
                    sender_id,
                    start_language,
                    twilio_fields.sid(params.get("MessageSid")) or None,
                    taking_over,
                ),
                DIALOGUE_DEADLINE_S,
            )
        except asyncio.TimeoutError:
            # Twilio waits 15 s at most; an answer that comes later reaches nobody.
            logger.warning("SMS channel: no reply from the dialogue within %s s.", DIALOGUE_DEADLINE_S)
            collector = TwilioSmsOutput()
        except Exception:  # noqa: BLE001 - the person must get an answer whatever broke
            logger.exception("SMS channel: processing a message failed.")
            collector = TwilioSmsOutput()
        if not collector.messages:
            # E.g. the action server is down: never leave the person in silence.
            logger.warning("SMS channel: no reply from the dialogue; sending the 311 fallback.")
            return self._render(PROBLEM_RESPONSE, await self._conversation_language(request, sender_id))
        # The renderer says which language it answered in, so no tracker read is needed.
        language = collector.languages[-1] if collector.languages else language_settings().default
        return reply_text(collector.messages, language)

    async def _to_rasa(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender_id: str,
        start_language: str | None = None,
        message_sid: str | None = None,
        taking_over: bool = False,
    ) -> TwilioSmsOutput:
        collector = TwilioSmsOutput()
        agent = getattr(request.app.ctx, "agent", None)
        if (
            taking_over
            and message_sid
            and agent is not None
            and await replay_handled_turn(agent.tracker_store, sender_id, message_sid, collector)
        ):
            return collector
        # Only language codes go into the metadata: never the phone numbers.
        metadata = {DEFAULT_LANGUAGE_METADATA: start_language} if start_language else {}
        if message_language_detector().romanized(text):
            # Romanized text depends on the conversation's language (bot.nlu.language):
            # one tracker read for such messages only, and no shared cached parse.
            metadata[CONVERSATION_LANGUAGE_METADATA] = await self._conversation_language(request, sender_id)
            parse_data = None
        else:
            parse_data = await self.parse_cache.parse(text, agent.parse_message) if agent else None
        await on_new_message(
            UserMessage(
                text,
                collector,
                sender_id,
                input_channel=CHANNEL_NAME,
                metadata=metadata or None,
                parse_data=parse_data,
                # Twilio's id of the message (no personal data): a retry of the message
                # that completes a report finds that report (actions/report.py).
                message_id=message_sid,
            )
        )
        return collector

    async def _conversation_language(self, request: Request, sender_id: str) -> str:
        agent = getattr(request.app.ctx, "agent", None)
        try:
            tracker = await agent.tracker_store.retrieve(sender_id) if agent and agent.tracker_store else None
        except Exception:  # noqa: BLE001 - the default language is still an answer
            logger.exception("SMS channel: reading the conversation's language failed.")
            tracker = None
        return language_settings().or_default(tracker.get_slot(LANGUAGE_SLOT) if tracker else None)

    @staticmethod
    def _render(key: str, language: str) -> str:
        return to_sms_text(renderer().render(key, language, SMS_VARIANT).text, language)


def help_keyword_language(folded_text: str) -> str | None:
    for language, words in sms_keywords().get("help_words", {}).items():
        if folded_text in words:
            return language
    return None
