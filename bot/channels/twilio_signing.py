"""Twilio request signing, in one place: the channels check it, our tools act as Twilio with it.

Twilio signs every webhook request with the account's auth token over the
exact public URL it called plus the POST parameters, and sends the result
in X-Twilio-Signature. The twilio package's RequestValidator does the
arithmetic both ways. The operator tools (`make sms`, `make call`), the
benchmarks and the tests build their requests with `signed_form`, so they
send exactly what Twilio sends.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping

from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    return str(RequestValidator(auth_token).compute_signature(url, dict(params)))


def signed_form(auth_token: str, url: str, params: Mapping[str, str]) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a POST to `url` as Twilio would send it (url: the public one)."""
    headers = {"Content-Type": FORM_CONTENT_TYPE, SIGNATURE_HEADER: signature(auth_token, url, params)}
    return urllib.parse.urlencode(params).encode(), headers


class SignatureChecker:
    """Checks X-Twilio-Signature values against one auth token."""

    def __init__(self, auth_token: str) -> None:
        self._validator = RequestValidator(auth_token)

    def is_valid(self, url: str, params: Mapping[str, str], signature_value: str) -> bool:
        try:
            return bool(self._validator.validate(url, dict(params), signature_value))
        except ValueError:
            # A Host with a bad port, or text that is not UTF-8 (Sanic keeps
            # undecodable header bytes as surrogates): no signature can match.
            return False
