"""`python -m bot sms` (make sms): text the running server as Twilio would.

Each line you type is posted to POST /webhooks/twilio/webhook, form-encoded
and signed with TWILIO_AUTH_TOKEN, exactly like Twilio. The reply is printed
with its segment count and encoding. This is how staff test SMS
conversations without a phone. Start the server first (`make run`).

Options: --url BASE (default http://127.0.0.1:$RASA_PORT), --from NUMBER
(the simulated sender, default +15555550100), --to NUMBER (the number texted).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree

from dotenv import load_dotenv
from twilio.request_validator import RequestValidator

from bot.channels.sms_segments import count_segments
from bot.paths import PROJECT_ROOT

WEBHOOK_PATH = "/webhooks/twilio/webhook"


def post_signed(
    base_url: str, public_base: str, token: str, params: dict[str, str], path: str = WEBHOOK_PATH
) -> tuple[int, str]:
    """POST form `params` to `path`, signed as Twilio signs: over the public URL."""
    signature = RequestValidator(token).compute_signature(public_base + path, params)
    request = urllib.request.Request(
        base_url + path,
        data=urllib.parse.urlencode(params).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def message_text(twiml: str) -> str | None:
    message = ElementTree.fromstring(twiml).find("Message")
    return None if message is None else (message.text or "")


def main(args: list[str]) -> int:
    load_dotenv(PROJECT_ROOT / ".env")
    parser = argparse.ArgumentParser(prog="python -m bot sms", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}")
    parser.add_argument("--from", dest="sender", default="+15555550100")
    parser.add_argument("--to", default="+15555550111")
    options = parser.parse_args(args)
    token = os.environ.get("TWILIO_AUTH_TOKEN", "")
    if not token:
        print("Set TWILIO_AUTH_TOKEN (in .env) to the value the server uses.", file=sys.stderr)
        return 2
    public_base = os.environ.get("PUBLIC_BASE_URL") or options.url
    print(f"Texting {options.url}{WEBHOOK_PATH} as {options.sender}. Ctrl-D to quit.")
    for number in itertools.count(1):
        try:
            line = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        params = {
            "From": options.sender,
            "To": options.to,
            "Body": line,
            "NumMedia": "0",
            "MessageSid": f"SMrepl{os.getpid()}{number:08d}",
        }
        status, body = post_signed(options.url, public_base, token, params)
        if status != 200:
            print(f"[HTTP {status}] {body}")
            continue
        text = message_text(body)
        if text is None:
            print("[no reply]")
            continue
        count = count_segments(text)
        print(f"{text}\n[{count.segments} segment(s), {count.encoding}, {len(text)} characters]")
    return 0
