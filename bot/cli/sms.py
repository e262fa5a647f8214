"""`python -m bot sms` (make sms): text the running server as Twilio would.

Each line you type is posted to POST /webhooks/twilio/webhook, form-encoded
and signed with TWILIO_AUTH_TOKEN, exactly like Twilio. The reply is printed
with its segment count and encoding. This is how staff test SMS
conversations without a phone. Start the server first (`make run`).

Options: --url BASE (default http://127.0.0.1:$RASA_PORT), --from NUMBER
(the simulated sender), --to NUMBER (the number texted).
"""

from __future__ import annotations

import itertools
import os
import xml.etree.ElementTree as ElementTree

from bot.channels.sms_segments import count_segments
from bot.cli.twilio_client import client_from_command_line

WEBHOOK_PATH = "/webhooks/twilio/webhook"


def message_text(twiml: str) -> str | None:
    message = ElementTree.fromstring(twiml).find("Message")
    return None if message is None else (message.text or "")


def main(args: list[str]) -> int:
    client = client_from_command_line("python -m bot sms", __doc__.split("\n\n")[0], args)
    if client is None:
        return 2
    print(f"Texting {client.url}{WEBHOOK_PATH} as {client.caller}. Ctrl-D to quit.")
    for number in itertools.count(1):
        try:
            line = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        params = {
            "From": client.caller,
            "To": client.dialed,
            "Body": line,
            "NumMedia": "0",
            "MessageSid": f"SMrepl{os.getpid()}{number:08d}",
        }
        status, body = client.post(WEBHOOK_PATH, params)
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
