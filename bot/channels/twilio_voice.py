"""Call 311: our Twilio Voice IVR, at POST /webhooks/twilio_voice/webhook.

Replaces Rasa's built-in `twilio_voice` channel, which gathers speech with no
language (Spanish is transcribed as English), takes no keypad digits, has one
voice per deployment, crashes on custom payloads, never checks signatures and
keys conversations by the caller's number.

This module is the HTTP side: signed requests in, TwiML out, and the
dialogue's questions. The IVR itself is bot/channels/voice_flow.py, and the
TwiML it speaks is built by bot/channels/voice_twiml.py. A status callback at
/webhooks/twilio_voice/status closes the conversation.

Where a call is lives in the shared state (bot.storage.shared_state), so any
server process can take its next turn. Every TwiML we send names the turn its
answer will be (`?turn=N` in the URL Twilio posts to next): a request for a
turn already handled, a retry by Twilio or by the proxy on another process,
gets the first answer and moves the call on only once.
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

from bot.channels import twilio_fields
from bot.channels.handled_turns import replay_handled_turn
from bot.channels.http_limits import DIALOGUE_DEADLINE_S, guard_requests
from bot.channels.inbound_text import person_text
from bot.channels.twilio_auth import (
    AUTH_TOKEN_SETTING,
    TwilioCollectingOutput,
    TwilioRequestAuthenticator,
    authentic_form,
    channel_security,
)
from bot.channels.twilio_sms import CHANNEL_NAME as SMS_CHANNEL_NAME
from bot.channels.twilio_sms import CONVERSATION_PREFIX as SMS_CONVERSATION_PREFIX
from bot.channels.twilio_sms import WELCOME_TEXT as SMS_WELCOME_TEXT
from bot.channels.twilio_sms import TwilioSmsOutput, reply_text
from bot.channels.twilio_texter import TwilioTexter
from bot.channels.voice_flow import CallFlow, Texter
from bot.channels.voice_twiml import TURN_PARAMETER
from bot.conversation_keys import DEFAULT_LANGUAGE_METADATA
from bot.privacy.ids import conversation_id
from bot.privacy.log_filter import keep_out_of_logs
from bot.settings import channel_setting
from bot.storage.shared_state import SharedState, answer_once, shared_state

logger = logging.getLogger(__name__)

CHANNEL_NAME = "twilio_voice"
OPERATOR_NUMBER_SETTING = "VOICE_OPERATOR_NUMBER"
RESTART_TEXT = "/restart"  # Rasa's restart intent: wipes the conversation state
MAX_TURN_DIGITS = 6
FINAL_CALL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}


class TwilioVoiceOutput(TwilioCollectingOutput):
    """Named so that the renderer picks the catalogs' voice variant."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME


class TwilioVoiceInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        operator = channel_setting(credentials, "operator_number", OPERATOR_NUMBER_SETTING)
        authenticator, secret = channel_security("Voice channel", credentials)
        texter = TwilioTexter.from_settings(
            credentials, channel_setting(credentials, "auth_token", AUTH_TOKEN_SETTING)
        )
        return cls(authenticator, secret, operator, texter, shared_state())

    def __init__(
        self,
        authenticator: TwilioRequestAuthenticator,
        secret: bytes | None,
        operator_number: str | None,
        texter: Texter | None = None,
        state: SharedState | None = None,
    ) -> None:
        self.authenticator = authenticator
        self.secret = secret
        self.flow = CallFlow(operator_number, texter, state)

    def get_output_channel(self) -> TwilioVoiceOutput:
        return TwilioVoiceOutput()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        voice = Blueprint("kyr_twilio_voice", __name__)
        guard_requests(voice)

        async def ask(
            request: Request,
            call_id: str,
            text: str,
            language: str | None,
            turn: int | None,
            taking_over: bool,
        ) -> TwilioCollectingOutput:
            """One message to the dialogue, as this call's `turn`; returns what the bot said.

            Nothing, if the dialogue did not answer within DIALOGUE_DEADLINE_S:
            Twilio gives up on a webhook after 15 s, and the caller hears silence.
            """
            collector = TwilioVoiceOutput()
            message_id = f"turn-{turn}" if turn is not None else None
            agent = getattr(request.app.ctx, "agent", None)
            if (
                taking_over
                and message_id
                and agent is not None
                and await replay_handled_turn(agent.tracker_store, call_id, message_id, collector)
            ):
                return collector
            metadata = {DEFAULT_LANGUAGE_METADATA: language} if language else None
            message = UserMessage(
                text, collector, call_id, input_channel=CHANNEL_NAME, metadata=metadata, message_id=message_id
            )
            try:
                await asyncio.wait_for(on_new_message(message), DIALOGUE_DEADLINE_S)
            except asyncio.TimeoutError:
                logger.warning("Voice channel: no reply from the dialogue within %s s.", DIALOGUE_DEADLINE_S)
                return TwilioVoiceOutput()
            return collector

        async def ask_sms(caller: str, language: str) -> str:
            """Start the caller's SMS conversation (keyed as the SMS channel keys it) in `language`."""
            collector = TwilioSmsOutput()
            sms_id = conversation_id(caller, self.secret or b"", prefix=SMS_CONVERSATION_PREFIX)
            await on_new_message(
                UserMessage(
                    SMS_WELCOME_TEXT,
                    collector,
                    sms_id,
                    input_channel=SMS_CHANNEL_NAME,
                    metadata={DEFAULT_LANGUAGE_METADATA: language},
                )
            )
            return reply_text(collector.messages, language)

        @voice.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @voice.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            params = await self._authentic_params(request)
            if isinstance(params, HTTPResponse):
                return params
            # Whatever is logged during this turn must not show the caller's
            # number or words (bot.privacy.log_filter).
            keep_out_of_logs(
                params.get("From"), params.get("SpeechResult"), person_text(params.get("SpeechResult", ""))
            )
            call_id = conversation_id(params["CallSid"], self.secret or b"", prefix="call")
            number = request.args.get(TURN_PARAMETER, "")
            turn = int(number) if number.isdigit() and len(number) <= MAX_TURN_DIGITS else None

            async def handle(taking_over: bool) -> str:
                async def ask_dialogue(call: str, text: str, language: str | None) -> TwilioCollectingOutput:
                    return await ask(request, call, text, language, turn, taking_over)

                return await self.flow.turn(call_id, params, ask_dialogue, ask_sms, turn)

            try:
                if turn is not None:
                    twiml = await answer_once(self.flow.calls, f"voice:{call_id}:{turn}", handle)
                else:  # a call's first request (Twilio's own URL), or a hand-made one
                    twiml = await handle(False)
            except Exception:  # noqa: BLE001 - a caller must never hear an application error
                logger.exception("Voice channel: a turn failed.")
                twiml = self.flow.fallback()
            return response.text(twiml, content_type="text/xml")

        @voice.route("/status", methods=["POST"], stream=True)
        async def status(request: Request) -> HTTPResponse:
            params = await self._authentic_params(request)
            if isinstance(params, HTTPResponse):
                return params
            keep_out_of_logs(params.get("From"))
            if params.get("CallStatus", "") in FINAL_CALL_STATUSES:
                call_id = conversation_id(params["CallSid"], self.secret or b"", prefix="call")
                # The call is over: forget where it was and wipe the conversation state.
                # Our own restart intent, never a caller's text.
                await self.flow.forget(call_id)
                try:
                    await asyncio.wait_for(
                        on_new_message(
                            UserMessage(
                                RESTART_TEXT, TwilioVoiceOutput(), call_id, input_channel=CHANNEL_NAME
                            )
                        ),
                        DIALOGUE_DEADLINE_S,
                    )
                except Exception:  # noqa: BLE001 - Twilio only needs to know we got it
                    logger.exception("Voice channel: closing a finished call's conversation failed.")
            return response.text("", status=204)

        return voice

    async def _authentic_params(self, request: Request) -> dict[str, str] | HTTPResponse:
        return await authentic_form(
            request, self.authenticator, self.secret, required="CallSid", validate=twilio_fields.sid
        )
