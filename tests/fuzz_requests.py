"""Hostile requests for every channel we serve, generated from a seed (issue 10).

Used by tests/test_fuzz.py (a few hundred per channel, in `make test`) and by
`make fuzz` (benchmarks/fuzz.py: 10,000+ per channel). Each request is raw
bytes for one HTTP/1.1 connection, so that heads Sanic would never build
(negative or false Content-Length, chunked, bad methods) are sent as well.

Kinds of hostility, mixed at random:
* field values: empty, huge, wrong types (NumMedia "abc", Digits "²①"),
  Unicode edge cases (NUL, controls, lone surrogates escaped in JSON, RTL
  overrides, zero-width joiners, combining floods, emoji), "/intent" injection;
* encodings: invalid UTF-8, Latin-1, overlong sequences, random bytes, bad
  percent-escapes, JSON that is not an object or is deeply nested;
* signatures: valid (so the content is what is tested), missing, forged,
  signed for another URL, replayed (same MessageSid);
* HTTP: wrong methods, negative / false / missing / duplicated
  Content-Length, chunked bodies, oversized bodies.

Every text a request carries holds a canary (CANARY + hex), and every sender
number comes from CANARY_NUMBERS, so a grep of the server's log afterwards
shows whether any of it was written there.
"""

from __future__ import annotations

import json
import random
import urllib.parse
from dataclasses import dataclass

from bot.channels.twilio_signing import FORM_CONTENT_TYPE, signature

CANARY = "zqxcanary"
SMS_PATH = "/webhooks/twilio/webhook"
VOICE_PATH = "/webhooks/twilio_voice/webhook"
STATUS_PATH = "/webhooks/twilio_voice/status"
REST_PATH = "/webhooks/rest/webhook"
CHANNELS = ("sms", "voice", "rest")
# 555 numbers, as in fiction; each one is a canary. Many senders, so that
# conversations stay the length of real ones.
CANARY_NUMBERS = [f"+1213555{n:04d}" for n in range(1000, 2000)]

UNICODE_EDGES = [
    "\x00",
    "\x07\x1b[31m",
    "\u202e",  # right-to-left override
    "\u200d\u200b\ufeff",
    "e\u0301" * 3,
    "\u0301" * 400,  # combining flood
    "👩‍👩‍👧‍👦🏳️‍🌈",
    "\U0010ffff",
    "\ufffd",
    "ｆｕｌｌｗｉｄｔｈ",
    "²①٣५",
    "𝒮𝓅𝒶𝒸𝑒",
    "\r\n\r\n",
    "<Response><Say>x</Say></Response>",
    "]]>&amp;<!--",
    "%00%ff",
    "' OR 1=1 --",
    "{{7*7}} ${jndi:ldap://x}",
    "Ω" * 2000,
]
INJECTIONS = [
    "/restart",
    "/report_activity",
    "/stop",
    '/report_activity{"report_location": "x"}',
    "  /greet",
    "//emergency@0.99",
    "/nlu_fallback",
    "/session_start",
]
WORDS = ["ICE", "migra", "puerta", "abogado", "help", "menu", "2", "MORE", "STOP", "ayuda", "report", "hola"]


@dataclass
class HostileRequest:
    channel: str
    kind: str
    raw: bytes  # the whole request, head and body
    wait_for_answer: bool = True  # False: the request is deliberately incomplete


class Generator:
    def __init__(self, seed: int, auth_token: str, host: str) -> None:
        self.random = random.Random(seed)
        self.auth_token = auth_token
        self.host = host  # "127.0.0.1:port": what the server sees and Twilio would sign
        self.counter = 0
        self.sent_sids: list[tuple[str, dict[str, str], str]] = []

    # --- values -------------------------------------------------------------------------

    def canary(self) -> str:
        self.counter += 1
        return f"{CANARY}{self.counter:x}"

    def text(self) -> str:
        r = self.random
        parts = [self.canary()]
        for _ in range(r.randint(0, 4)):
            choice = r.random()
            if choice < 0.3:
                parts.append(r.choice(UNICODE_EDGES))
            elif choice < 0.5:
                parts.append(r.choice(INJECTIONS))
            elif choice < 0.55:
                parts.append("x" * r.choice([1600, 1601, 5000, 30000]))
            else:
                parts.append(r.choice(WORDS))
        if r.random() < 0.3:
            r.shuffle(parts)  # an injection first
        if r.random() < 0.05:
            parts.append(r.choice(CANARY_NUMBERS))  # a number typed into the text
        return " ".join(parts)

    def odd_value(self) -> str:
        r = self.random
        return r.choice(
            [
                "",
                " ",
                "abc",
                "-1",
                "1e9",
                "NaN",
                "inf",
                "9" * r.choice([5, 50, 5000]),
                "0x10",
                "1.5",
                r.choice(UNICODE_EDGES),
                self.text(),
                "²",
                "①",
                "٣",
                "*#",
                "1" * 33,
            ]
        )

    def sid(self, prefix: str) -> str:
        r = self.random
        if r.random() < 0.9:
            return prefix + "".join(r.choice("0123456789abcdef") for _ in range(32))
        return self.odd_value()

    # --- bodies ---------------------------------------------------------------------------

    def sms_params(self) -> dict[str, str]:
        r = self.random
        params = {
            "From": r.choice(CANARY_NUMBERS),
            "To": r.choice(["+12135550000", "+12135550199", self.odd_value()]),
            "Body": self.text() if r.random() < 0.85 else self.odd_value(),
            "NumMedia": "0" if r.random() < 0.6 else self.odd_value(),
            "MessageSid": self.sid("SM"),
            "AccountSid": "AC" + "0" * 32,
        }
        if r.random() < 0.1:
            params["From"] = self.odd_value()
        if r.random() < 0.1:
            del params[r.choice(list(params))]
        if r.random() < 0.05:
            params.update({f"Extra{i}": self.odd_value() for i in range(r.randint(1, 300))})
        return params

    def voice_params(self) -> dict[str, str]:
        r = self.random
        params = {
            "CallSid": self.sid("CA") if r.random() < 0.3 else "CA" + "f" * 29 + f"{r.randint(0, 500):03d}",
            "From": r.choice(CANARY_NUMBERS),
            "To": r.choice(["+12135550000", "+12135550199", self.odd_value()]),
            "AccountSid": "AC" + "0" * 32,
            "CallStatus": r.choice(["ringing", "in-progress", "completed", self.odd_value()]),
        }
        choice = r.random()
        if choice < 0.4:
            params["Digits"] = (
                r.choice(["1", "2", "9", "*", "0", "#"]) if r.random() < 0.5 else self.odd_value()
            )
        elif choice < 0.8:
            params["SpeechResult"] = self.text()
            params["Confidence"] = r.choice(["0.9", "0", self.odd_value()])
        if r.random() < 0.1:
            del params[r.choice(list(params))]
        return params

    def rest_body(self) -> bytes:
        r = self.random
        choice = r.random()
        message: object = self.text()
        sender: object = f"fuzz-{r.randint(0, 500)}"
        if choice < 0.5:
            payload: object = {"sender": sender, "message": message}
        elif choice < 0.6:
            payload = {"sender": r.choice([None, 5, [], {}, "", "x" * 500, "\x00"]), "message": message}
        elif choice < 0.7:
            payload = {"sender": sender, "message": r.choice([None, 5, [message], {"t": message}, True])}
        elif choice < 0.75:
            payload = {
                "sender": sender,
                "message": message,
                "metadata": r.choice([5, [], {"default_language": [1]}]),
            }
        elif choice < 0.85:
            payload = r.choice([[1, 2], "text", 5, None, [{"sender": sender, "message": message}]])
        else:
            depth = r.choice([100, 1000, 20000])
            return b'{"sender": "x", "message": ' + b"[" * depth + b"]" * depth + b"}"
        body = json.dumps(payload, ensure_ascii=r.random() < 0.5)
        if r.random() < 0.1:
            body = body.replace('"', "'")  # not JSON
        if r.random() < 0.05:
            body = body.replace("zqx", "\\ud800zqx")  # lone surrogate, as JSON allows
        return body.encode("utf-8", "surrogatepass")

    # --- whole requests -----------------------------------------------------------------

    def head(self, method: str, path: str, headers: dict[str, str], length: int | None) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", "Connection: close"]
        if length is not None:
            lines.append(f"Content-Length: {length}")
        lines += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")

    def form_body(self, params: dict[str, str]) -> bytes:
        r = self.random
        body = urllib.parse.urlencode(params).encode()
        choice = r.random()
        if choice < 0.03:
            return bytes(r.getrandbits(8) for _ in range(r.randint(1, 2000)))
        if choice < 0.06:
            return body.replace(b"zqx", b"%ff%fezqx")  # invalid UTF-8 after decoding
        if choice < 0.08:
            return body.replace(b"zqx", b"%C0%AFzqx")  # overlong encoding
        if choice < 0.1:
            return urllib.parse.urlencode(params, encoding="latin-1", errors="replace").encode()
        if choice < 0.12:
            return body + b"&%zz=%g&=&&&"
        return body

    def signed(self, path: str, params: dict[str, str]) -> dict[str, str]:
        r = self.random
        url = f"http://{self.host}{path}"
        choice = r.random()
        if choice < 0.85:
            return {"X-Twilio-Signature": signature(self.auth_token, url, params)}
        if choice < 0.9:
            return {}
        if choice < 0.95:
            return {"X-Twilio-Signature": signature("forged-token", url, params)}
        return {"X-Twilio-Signature": signature(self.auth_token, "https://elsewhere.example" + path, params)}

    def http_oddity(
        self, channel: str, path: str, body: bytes, headers: dict[str, str]
    ) -> HostileRequest | None:
        """About one request in eight has a hostile head instead of a hostile body."""
        r = self.random
        if r.random() > 0.12:
            return None
        kind = r.choice(["method", "negative", "false", "missing", "chunked", "double", "garbage", "huge"])
        if kind == "method":
            method = r.choice(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO"])
            return HostileRequest(channel, kind, self.head(method, path, headers, len(body)) + body)
        if kind == "negative":
            return HostileRequest(channel, kind, self.head("POST", path, headers, -r.randint(1, 99)) + body)
        if kind == "false":
            # A body shorter than it says: the server must give up and answer 408.
            return HostileRequest(channel, kind, self.head("POST", path, headers, len(body) + 100) + body)
        if kind == "missing":
            return HostileRequest(channel, kind, self.head("POST", path, headers, None) + body)
        if kind == "chunked":
            chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
            head = self.head("POST", path, {**headers, "Transfer-Encoding": "chunked"}, None)
            return HostileRequest(channel, kind, head + chunked)
        if kind == "double":
            head = self.head("POST", path, {**headers, "Content-Length": str(len(body) + 1)}, len(body))
            return HostileRequest(channel, kind, head + body)
        if kind == "garbage":
            value = r.choice(["abc", "1e3", "+5", "5, 5", "0x10", "１２"])
            head = self.head("POST", path, {**headers, "Content-Length": value}, None)
            return HostileRequest(channel, kind, head + body)
        big = b"Body=" + b"A" * (70 * 1024)
        return HostileRequest(channel, kind, self.head("POST", path, headers, len(big)) + big)

    def request(self, channel: str) -> HostileRequest:
        r = self.random
        if channel == "rest":
            path, body = REST_PATH, self.rest_body()
            headers = {
                "Content-Type": r.choice(
                    ["application/json", "text/plain", "application/json; charset=latin-1"]
                )
            }
            kind = "rest"
        else:
            if channel == "sms":
                path, params = SMS_PATH, self.sms_params()
            else:
                path = STATUS_PATH if r.random() < 0.1 else VOICE_PATH
                params = self.voice_params()
            kind = channel
            if channel == "sms" and r.random() < 0.05 and self.sent_sids:
                # A replay: the very same signed request again.
                path, params, _ = r.choice(self.sent_sids)
                kind = "replay"
            headers = {"Content-Type": FORM_CONTENT_TYPE, **self.signed(path, params)}
            body = self.form_body(params)
            if channel == "sms" and len(self.sent_sids) < 200:
                self.sent_sids.append((path, params, ""))
        odd = self.http_oddity(channel, path, body, headers)
        if odd is not None:
            return odd
        return HostileRequest(channel, kind, self.head("POST", path, headers, len(body)) + body)


# --- sending ------------------------------------------------------------------------------


@dataclass
class Outcome:
    channel: str
    kind: str
    status: int  # 0: no status line (the server closed the connection)
    seconds: float


async def send(host: str, port: int, request: HostileRequest, timeout_s: float) -> Outcome:
    """Send one raw request on its own connection; the status and how long the answer took."""
    import asyncio
    import time

    start = time.monotonic()
    status = 0
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
        try:
            writer.write(request.raw)
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), timeout_s)
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                status = int(parts[1])
        finally:
            writer.close()
    except asyncio.TimeoutError:
        status = -1  # a hang
    except (ConnectionError, OSError):
        status = 0
    return Outcome(request.channel, request.kind, status, time.monotonic() - start)


async def run(
    host: str, port: int, auth_token: str, per_channel: int, seed: int, concurrency: int, timeout_s: float
) -> list[Outcome]:
    """`per_channel` hostile requests to each channel, `concurrency` at a time, interleaved."""
    import asyncio

    generator = Generator(seed, auth_token, f"{host}:{port}")
    requests = [generator.request(channel) for _ in range(per_channel) for channel in CHANNELS]
    outcomes: list[Outcome] = []
    queue = iter(requests)

    async def worker() -> None:
        for request in queue:
            outcomes.append(await send(host, port, request, timeout_s))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return outcomes


def canaries_in(log: bytes) -> list[str]:
    """Canary texts and sender numbers that reached the log."""
    import re

    found = {m.decode() for m in re.findall(rb"zqxcanary[0-9a-f]+", log)}
    for number in CANARY_NUMBERS:
        area, exchange, line = number[2:5], number[5:8], number[8:]
        forms = [
            number,
            number[2:],
            f"{area}-{exchange}-{line}",
            f"({area}) {exchange}",
            f"{area}.{exchange}.{line}",
        ]
        if any(form.encode() in log for form in forms):
            found.add(number)
    return sorted(found)
