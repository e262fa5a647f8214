"""Conversation ids that do not reveal who is talking.

A conversation id is a keyed HMAC-SHA256 of the sender's phone number (or a
call's CallSid): the same sender keeps the same conversation, but neither the
tracker store nor the logs ever hold the number, and without the secret the
id cannot be turned back into it by hashing candidate numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import os

SECRET_SETTING = "CONVERSATION_ID_SECRET"
MIN_SECRET_LENGTH = 16


class MissingSecretError(RuntimeError):
    pass


def conversation_secret(value: str | None = None) -> bytes:
    """The HMAC key: `value` (a channel's setting) or CONVERSATION_ID_SECRET, checked for length."""
    secret = value if value is not None else os.environ.get(SECRET_SETTING, "")
    if len(secret) < MIN_SECRET_LENGTH:
        raise MissingSecretError(
            f"{SECRET_SETTING} must be set to a random value of at least {MIN_SECRET_LENGTH} characters "
            "(see .env.example); without it conversations cannot be keyed without raw phone numbers."
        )
    return secret.encode()


def conversation_id(value: str, secret: bytes, prefix: str) -> str:
    digest = hmac.new(secret, value.strip().encode(), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:32]}"
