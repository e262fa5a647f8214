"""Sending one text message through Twilio's REST API (the phone line's "text me" offer).

Used where a caller chose a language that no text-to-speech voice reads: with
their key press as consent, the IVR texts them the start of an SMS
conversation in their language. The caller's number is used for this one
request and is not kept.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from bot.settings import channel_setting

logger = logging.getLogger(__name__)

ACCOUNT_SID_SETTING = "TWILIO_ACCOUNT_SID"
SMS_FROM_SETTING = "TWILIO_SMS_FROM"  # the City's SMS number (E.164) texts come from
SEND_TIMEOUT_S = 10


class TwilioTexter:
    def __init__(self, account_sid: str, auth_token: str, from_number: str) -> None:
        self._client = Client(account_sid, auth_token)
        self.from_number = from_number

    @classmethod
    def from_settings(cls, credentials: dict[str, Any] | None, auth_token: str | None) -> TwilioTexter | None:
        """A texter when the account, token and sending number are all configured; else None."""
        account = channel_setting(credentials, "account_sid", ACCOUNT_SID_SETTING)
        sender = channel_setting(credentials, "sms_from_number", SMS_FROM_SETTING)
        if not (account and auth_token and sender):
            logger.info(
                "Voice channel: no %s/%s, so callers are not offered a text message.",
                ACCOUNT_SID_SETTING,
                SMS_FROM_SETTING,
            )
            return None
        return cls(account, auth_token, sender)

    async def send(self, to: str, body: str) -> bool:
        def create() -> None:
            self._client.messages.create(to=to, from_=self.from_number, body=body)

        try:
            await asyncio.wait_for(asyncio.to_thread(create), SEND_TIMEOUT_S)
            return True
        except (TwilioException, OSError, asyncio.TimeoutError) as error:
            # Never the number or the text in the log: only what went wrong.
            logger.error("Voice channel: a text message could not be sent (%s).", type(error).__name__)
            return False
