"""Request limits at the edge of every channel we serve: checked before a body is read.

Sanic 21.12 (the newest Sanic that rasa 3.6.21 allows: `sanic>=21.12,<21.13`)
trusts `Content-Length`. A negative value makes its body reader loop forever
without yielding, so one request freezes the whole server at 100% CPU; a
value that is not a number is a 500; and it reads up to 100 MB into memory.
Twilio's webhooks are a few KB. So, for every request the server gets (the
check is registered by each of our channels; Sanic runs blueprint signals
for every request of the app, whatever its path):

* `Content-Length` must be one plain decimal number, else 400;
* on our webhook paths (/webhooks/...), a body needs a `Content-Length`
  (no chunked upload: 411) of at most MAX_BODY_BYTES (else 413);
* our channels read the body themselves (`stream=True` routes) within
  BODY_READ_TIMEOUT_S, so a false `Content-Length` (a body shorter than it
  says) gets 408 rather than a connection held open until Sanic's
  inactivity timeout, which answers 503.

The check runs on Sanic's `http.lifecycle.request` signal: after the headers
are parsed and before Sanic looks at the body, the one point where the
freeze can still be prevented.
"""

from __future__ import annotations

import asyncio

from sanic import Blueprint
from sanic.exceptions import InvalidUsage, PayloadTooLarge, SanicException
from sanic.request import Request

MAX_BODY_BYTES = 64 * 1024  # Twilio's requests are a few KB
BODY_READ_TIMEOUT_S = 10.0
# Twilio waits 15 s for a webhook's answer. Each channel gives the dialogue 12
# of them (one action gets 10, bot.rasa_adapters), then sends its fallback.
DIALOGUE_DEADLINE_S = 12.0
WEBHOOK_PATH_PREFIX = "/webhooks/"
_CHECKED = "kyr_http_limits_checked"


class LengthRequired(SanicException):
    status_code = 411
    quiet = True


class BodyReadTimeout(SanicException):
    status_code = 408
    quiet = True


def check_request_head(request: Request) -> None:
    """Raise a 4xx for a request whose head could freeze, crash or flood the server."""
    lengths = request.headers.getall("content-length", [])
    if len(lengths) > 1:
        raise InvalidUsage("More than one Content-Length.")
    length = lengths[0].strip() if lengths else None
    if length is not None and not (length.isascii() and length.isdigit()):
        # Also "-5", "+5", "1e3", "5, 5": only a plain decimal number is a length.
        raise InvalidUsage("Bad Content-Length.")
    if not request.path.startswith(WEBHOOK_PATH_PREFIX):
        return  # Rasa's own routes (e.g. the token-protected HTTP API) keep Sanic's limits
    if request.headers.get("transfer-encoding") is not None:
        raise LengthRequired("Send a Content-Length, not a chunked body.")
    if length is None:
        if request.method.upper() == "POST":
            raise LengthRequired("Content-Length required.")
        return
    if int(length) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"Request body over {MAX_BODY_BYTES} bytes.")


def guard_requests(blueprint: Blueprint) -> None:
    """Check every request's head before its body is read (see the module docstring)."""

    @blueprint.signal("http.lifecycle.request")
    async def check(request: Request, **_: object) -> None:
        # Each of our channels registers this check; one run per request is enough.
        if getattr(request.ctx, _CHECKED, False):
            return
        setattr(request.ctx, _CHECKED, True)
        check_request_head(request)


async def read_body(request: Request) -> bytes:
    """The request body of a `stream=True` route, read within BODY_READ_TIMEOUT_S (else 408)."""
    try:
        await asyncio.wait_for(request.receive_body(), BODY_READ_TIMEOUT_S)
    except asyncio.TimeoutError:
        raise BodyReadTimeout("The request body did not arrive in time.") from None
    return request.body or b""
