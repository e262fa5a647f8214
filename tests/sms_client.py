"""Post to the SMS webhook exactly as Twilio would: form-encoded and signed."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from bot.channels.twilio_signing import FORM_CONTENT_TYPE, SIGNATURE_HEADER
from bot.channels.twilio_signing import signature as twilio_signature

WEBHOOK_PATH = "/webhooks/twilio/webhook"


@dataclass
class SmsReply:
    status: int
    content_type: str
    body: str

    @property
    def text(self) -> str | None:
        """The <Message> text of the TwiML reply; None when there is no message."""
        root = ElementTree.fromstring(self.body)
        assert root.tag == "Response"
        messages = root.findall("Message")
        assert len(messages) <= 1, "one reply per inbound message"
        return messages[0].text if messages else None


def sign(url: str, params: dict[str, str], auth_token: str) -> str:
    return twilio_signature(auth_token, url, params)


def post(
    url: str,
    params: dict[str, str],
    signature: str | None,
    headers: dict[str, str] | None = None,
    raw_body: bytes | None = None,
    timeout: float = 30,
) -> SmsReply:
    body = raw_body if raw_body is not None else urllib.parse.urlencode(params).encode()
    request_headers = {"Content-Type": FORM_CONTENT_TYPE, **(headers or {})}
    if signature is not None:
        request_headers[SIGNATURE_HEADER] = signature
    request = urllib.request.Request(url, data=body, headers=request_headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return SmsReply(
                response.status, response.headers.get("Content-Type", ""), response.read().decode()
            )
    except urllib.error.HTTPError as error:
        return SmsReply(error.code, error.headers.get("Content-Type", ""), error.read().decode())


class SmsSender:
    """One phone texting the webhook; each text gets a new MessageSid."""

    counter = 0

    def __init__(
        self,
        base_url: str,
        auth_token: str,
        phone: str,
        to: str = "+12135550000",
        signed_base_url: str | None = None,
    ) -> None:
        self.base_url = base_url
        # The URL Twilio calls, which it signs (a proxy's), when it is not base_url.
        self.signed_base_url = signed_base_url or base_url
        self.auth_token = auth_token
        self.phone = phone
        self.to = to

    def params(self, body: str, **extra: str) -> dict[str, str]:
        SmsSender.counter += 1
        return {
            "From": self.phone,
            "To": self.to,
            "Body": body,
            "NumMedia": "0",
            "MessageSid": f"SM{SmsSender.counter:032d}",
            "AccountSid": "AC" + "0" * 32,
            **extra,
        }

    def send(self, body: str, **extra: str) -> SmsReply:
        params = self.params(body, **extra)
        return self.send_params(params)

    def send_params(self, params: dict[str, str]) -> SmsReply:
        signed = sign(self.signed_base_url + WEBHOOK_PATH, params, self.auth_token)
        return post(self.base_url + WEBHOOK_PATH, params, signed)
