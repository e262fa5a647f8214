"""Twilio webhook authenticity and plumbing shared by the SMS and voice channels.

Twilio signs every webhook with the account's auth token over the exact
public URL it called plus the POST parameters (X-Twilio-Signature). We check
that with the twilio package's RequestValidator, against the public URL:
PUBLIC_BASE_URL when set, else the scheme and host the proxy forwarded
(X-Forwarded-Proto / X-Forwarded-Host), else the request's own.

Fail closed: with no auth token configured every request is rejected. Turning
the check off takes TWILIO_SKIP_SIGNATURE_CHECK_DEV_ONLY=true, and each
request then logs a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from dotenv import load_dotenv
from rasa.core.channels.channel import CollectingOutputChannel
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.http_limits import read_body
from bot.channels.twilio_signing import SIGNATURE_HEADER, SignatureChecker
from bot.conversation_keys import MESSAGE_LANGUAGE, UTTER_ACTION
from bot.privacy.ids import SECRET_SETTING, MissingSecretError, conversation_secret
from bot.settings import PROJECT_ROOT, channel_setting

logger = logging.getLogger(__name__)

AUTH_TOKEN_SETTING = "TWILIO_AUTH_TOKEN"
PUBLIC_BASE_URL_SETTING = "PUBLIC_BASE_URL"
SKIP_CHECK_SETTING = "TWILIO_SKIP_SIGNATURE_CHECK_DEV_ONLY"
# Twilio sends about 20 fields for a message and about 30 for a call.
MAX_FORM_FIELDS = 200


def public_url(request: Request, base_url: str | None) -> str:
    """The URL Twilio called, as Twilio saw it (it signs that, not our local one)."""
    path_and_query = request.path + (f"?{request.query_string}" if request.query_string else "")
    if base_url:
        return base_url.rstrip("/") + path_and_query
    scheme = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
    host = (
        request.headers.get("X-Forwarded-Host", request.headers.get("Host", request.host))
        .split(",")[0]
        .strip()
    )
    return f"{scheme}://{host}{path_and_query}"


class TwilioRequestAuthenticator:
    def __init__(self, auth_token: str | None, base_url: str | None, skip_check: bool, channel: str) -> None:
        self.checker = SignatureChecker(auth_token) if auth_token else None
        self.base_url = base_url
        self.skip_check = skip_check
        self.channel = channel
        if skip_check:
            logger.warning("%s: Twilio signature check is OFF (development only).", channel)
        elif not auth_token:
            logger.error(
                "%s: %s is not set, so every webhook request will be rejected (fail closed).",
                channel,
                AUTH_TOKEN_SETTING,
            )

    @classmethod
    def from_settings(cls, credentials: dict[str, Any] | None, channel: str) -> TwilioRequestAuthenticator:
        """From the channel's entry in credentials.yml, each value overridden by the environment."""
        skip = channel_setting(credentials, "skip_signature_check_dev_only", SKIP_CHECK_SETTING, "false")
        return cls(
            auth_token=channel_setting(credentials, "auth_token", AUTH_TOKEN_SETTING),
            base_url=channel_setting(credentials, "public_base_url", PUBLIC_BASE_URL_SETTING),
            skip_check=(skip or "").lower() == "true",
            channel=channel,
        )

    def is_authentic(self, request: Request, params: Mapping[str, str]) -> bool:
        if self.skip_check:
            logger.warning("%s: accepting a request WITHOUT checking its Twilio signature.", self.channel)
            return True
        signature = request.headers.get(SIGNATURE_HEADER)
        if self.checker is None or not signature:
            return False
        return self.checker.is_valid(public_url(request, self.base_url), params, signature)


def channel_security(
    channel: str, credentials: dict[str, Any] | None = None
) -> tuple[TwilioRequestAuthenticator, bytes | None]:
    """The authenticator and conversation-id secret of a Twilio channel.

    Settings come from the channel's entry in credentials.yml, overridden by
    the environment (and .env).

    A missing secret is logged and returned as None: the channel then refuses
    every request rather than key conversations some other way.
    """
    load_dotenv(PROJECT_ROOT / ".env")
    try:
        secret: bytes | None = conversation_secret(
            channel_setting(credentials, "conversation_id_secret", SECRET_SETTING)
        )
    except MissingSecretError as error:
        logger.error("%s: %s Every request will be rejected.", channel, error)
        secret = None
    return TwilioRequestAuthenticator.from_settings(credentials, channel), secret


async def authentic_form(
    request: Request,
    authenticator: TwilioRequestAuthenticator,
    secret: bytes | None,
    required: str,
    validate: Callable[[str | None], str | None],
) -> dict[str, str] | HTTPResponse:
    """The request's form fields if it is well-formed and signed by Twilio, else a 4xx response.

    The route must be `stream=True`: the body is read here, within the
    channel's read timeout (bot.channels.http_limits). `required` names the
    field the conversation is keyed by; `validate` checks its value.
    """
    params = parse_form(await read_body(request))
    if params is None:
        return response.text("Malformed request body.", status=400)
    if secret is None or not authenticator.is_authentic(request, params):
        return response.text("Forbidden.", status=403)
    if validate(params.get(required)) is None:
        return response.text(f"Missing or invalid {required}.", status=400)
    return params


def parse_form(body: bytes) -> dict[str, str] | None:
    """Twilio's form fields (first value of each), or None if the body is not valid UTF-8 form data."""
    try:
        fields = parse_qs(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        return None
    return {key: values[0] for key, values in fields.items()}


class TwilioCollectingOutput(CollectingOutputChannel):
    """Collects a turn's bot messages for the TwiML reply, with what the renderer
    reported of each (bot.rendering.nlg): its language and its response key."""

    def __init__(self) -> None:
        super().__init__()
        self.languages: list[str] = []
        self.response_keys: list[str] = []

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        if message.get(MESSAGE_LANGUAGE):
            self.languages.append(message[MESSAGE_LANGUAGE])
        if message.get(UTTER_ACTION):
            self.response_keys.append(message[UTTER_ACTION])
        await super().send_response(recipient_id, message)
