"""Rasa's REST channel, hardened: POST /webhooks/rest/webhook {"sender": "...", "message": "..."}.

Same path, request and reply as Rasa's built-in `rest` channel (a JSON list
of the bot's messages), which is for local use and tests and which the
shipped proxy does not expose. Rasa's own answers 500 to a body that is
empty, not JSON, not an object or too deeply nested, hangs on none of them
only thanks to Sanic, takes any text starting with "/" as an intent, lets
the client choose the input channel's name, and logs the text of a message
whose handling failed. Here:

* the body is read within the edge limits (bot.channels.http_limits) and
  anything but a JSON object with a string `sender` and a string `message`
  gets 400 with a short JSON error;
* the text is a person's text (bot.channels.inbound_text): capped, never an
  intent;
* `metadata` is kept only for the key our channels use (the starting language);
* if the dialogue says nothing (the action server is down or too slow), the
  reply is the 311 fallback in the conversation's language;
* GET /webhooks/rest/ready is the server's readiness (bot.channels.readiness).

`rasa shell` does not use this: it has its own channel, with /restart and /stop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.http_limits import DIALOGUE_DEADLINE_S, guard_requests, read_body
from bot.channels.inbound_text import person_text
from bot.channels.readiness import add_readiness_route
from bot.conversation_keys import DEFAULT_LANGUAGE_METADATA, LANGUAGE_SLOT
from bot.language.registry import language_settings
from bot.privacy.log_filter import keep_out_of_logs
from bot.rendering.renderer import renderer

logger = logging.getLogger(__name__)

CHANNEL_NAME = "rest"  # Rasa's name, and so its path: /webhooks/rest/webhook
MAX_SENDER_CHARS = 128
PROBLEM_RESPONSE = "utter_technical_problem"


def bad_request(reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


def parse_request(body: bytes) -> tuple[str, str, dict[str, Any] | None] | str:
    """(sender, text, metadata) from a request body, or why it is refused."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        return "The body must be a JSON object."
    if not isinstance(payload, dict):
        return "The body must be a JSON object."
    sender, message = payload.get("sender"), payload.get("message")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} characters.'
    if not sender.isprintable():
        return '"sender" must be printable text.'
    if not isinstance(message, str):
        return '"message" must be a string.'
    metadata = payload.get("metadata")
    language = metadata.get(DEFAULT_LANGUAGE_METADATA) if isinstance(metadata, dict) else None
    supported = isinstance(language, str) and language_settings().is_supported(language)
    kept = {DEFAULT_LANGUAGE_METADATA: language} if supported else None
    return sender.strip(), message, kept


class HardenedRestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = Blueprint("kyr_rest", __name__)
        guard_requests(rest)
        add_readiness_route(rest)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            parsed = parse_request(await read_body(request))
            if isinstance(parsed, str):
                return bad_request(parsed)
            sender, raw_text, metadata = parsed
            text = person_text(raw_text)
            keep_out_of_logs(raw_text, text)
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender, input_channel=CHANNEL_NAME, metadata=metadata)
            try:
                await asyncio.wait_for(on_new_message(message), DIALOGUE_DEADLINE_S)
            except asyncio.TimeoutError:
                logger.warning("REST channel: no reply from the dialogue within %s s.", DIALOGUE_DEADLINE_S)
            except Exception:  # noqa: BLE001 - the client gets an answer whatever broke
                logger.exception("REST channel: processing a message failed.")
            if not collector.messages:
                language = await self._conversation_language(request, sender)
                await collector.send_text_message(sender, renderer().render(PROBLEM_RESPONSE, language).text)
            return response.json(collector.messages)

        return rest

    @staticmethod
    async def _conversation_language(request: Request, sender: str) -> str:
        agent = getattr(request.app.ctx, "agent", None)
        try:
            tracker = await agent.tracker_store.retrieve(sender) if agent and agent.tracker_store else None
        except Exception:  # noqa: BLE001 - the default language is still an answer
            logger.exception("REST channel: reading the conversation's language failed.")
            tracker = None
        return language_settings().or_default(tracker.get_slot(LANGUAGE_SLOT) if tracker else None)
