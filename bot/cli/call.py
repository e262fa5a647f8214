"""`python -m bot call` (make call): a phone call to the IVR, in the terminal.

Posts signed requests to POST /webhooks/twilio_voice/webhook exactly as Twilio
would and prints what would be spoken, with its language and voice. Type
digits (0-9, *, #) to press keys, any other text to say it, an empty line for
silence, and "hangup" to hang up. Start the server first (`make run`).

Options: --url BASE, --from NUMBER (the caller), --to NUMBER (the number dialed).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ElementTree

from bot.cli.twilio_client import client_from_command_line

VOICE_PATH = "/webhooks/twilio_voice/webhook"
STATUS_PATH = "/webhooks/twilio_voice/status"
KEYS = set("0123456789*#")


def show(twiml: str) -> bool:
    """Print the turn; False when the call has ended (hang-up or transfer)."""
    root = ElementTree.fromstring(twiml)
    for verb in root:
        if verb.tag == "Gather":
            listening = verb.get("input", "dtmf")
            language = verb.get("language")
            for say in verb.iter("Say"):
                print(f"  [{say.get('language')}, {say.get('voice')}] {say.text}")
            print(f"  (listening for {listening}{' in ' + language if language else ''})")
        elif verb.tag == "Say":
            print(f"  [{verb.get('language')}, {verb.get('voice')}] {verb.text}")
        elif verb.tag == "Dial":
            print(f"  (transferring the call to {verb.text})")
            return False
        elif verb.tag == "Hangup":
            print("  (the bot hangs up)")
            return False
    return True


def main(args: list[str]) -> int:
    client = client_from_command_line("python -m bot call", __doc__.split("\n\n")[0], args)
    if client is None:
        return 2
    base = {
        "CallSid": "CA" + uuid.uuid4().hex,
        "From": client.caller,
        "To": client.dialed,
        "AccountSid": "AC" + "0" * 32,
        "CallStatus": "in-progress",
    }

    def send(path: str, extra: dict[str, str]) -> tuple[int, str]:
        return client.post(path, {**base, **extra})

    print("Calling... (digits to press keys, text to speak, empty line for silence, 'hangup' to end)")
    status, body = send(VOICE_PATH, {"CallStatus": "ringing"})
    while True:
        if status != 200:
            print(f"[HTTP {status}] {body}")
            return 1
        if not show(body):
            send(STATUS_PATH, {"CallStatus": "completed"})
            return 0
        try:
            line = input("caller> ").strip()
        except (EOFError, KeyboardInterrupt):
            line = "hangup"
        if line.lower() == "hangup":
            send(STATUS_PATH, {"CallStatus": "completed"})
            print("  (you hung up)")
            return 0
        if line and set(line) <= KEYS:
            status, body = send(VOICE_PATH, {"Digits": line})
        elif line:
            status, body = send(VOICE_PATH, {"SpeechResult": line, "Confidence": "0.9"})
        else:
            status, body = send(VOICE_PATH, {})
