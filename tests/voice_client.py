"""Drive the voice webhook as Twilio would: signed posts, TwiML parsed as XML.

As Twilio does, a call posts a key press or speech to the last <Gather>'s
action URL, and silence to the <Redirect> URL; its first request goes to the
voice webhook itself.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field

from tests.sms_client import post, sign

VOICE_PATH = "/webhooks/twilio_voice/webhook"
STATUS_PATH = "/webhooks/twilio_voice/status"
_call_numbers = itertools.count(1)


@dataclass
class Spoken:
    text: str
    voice: str | None
    language: str | None


@dataclass
class Turn:
    status: int
    root: ElementTree.Element | None
    says: list[Spoken] = field(default_factory=list)

    @property
    def gather(self) -> ElementTree.Element | None:
        return None if self.root is None else self.root.find("Gather")

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.says)

    def verbs(self) -> list[str]:
        return [] if self.root is None else [child.tag for child in self.root]


def parse_turn(status: int, body: str) -> Turn:
    if status != 200:
        return Turn(status, None)
    root = ElementTree.fromstring(body)
    assert root.tag == "Response"
    says = [Spoken(e.text or "", e.get("voice"), e.get("language")) for e in root.iter("Say")]
    return Turn(status, root, says)


class Call:
    def __init__(
        self,
        base_url: str,
        auth_token: str,
        to: str = "+12135550000",
        caller: str = "+13105550100",
        signed_base_url: str | None = None,
    ) -> None:
        # base_url may change between turns (a call moving between servers);
        # Twilio signs the URL it calls (a proxy's): signed_base_url when given.
        self.base_url = base_url
        self.signed_base_url = signed_base_url
        self.auth_token = auth_token
        self.call_sid = f"CA{next(_call_numbers):032d}"
        self.to = to
        self.caller = caller
        self.action_path = VOICE_PATH  # where the last TwiML said to post input
        self.redirect_path = VOICE_PATH  # ...and silence

    def _post(self, path: str, extra: dict[str, str], signed: bool = True) -> Turn:
        params = {
            "CallSid": self.call_sid,
            "From": self.caller,
            "To": self.to,
            "AccountSid": "AC" + "0" * 32,
            "CallStatus": "in-progress",
            **extra,
        }
        url = self.base_url + path
        self.last_request = (path, extra, signed)
        signed_url = (self.signed_base_url or self.base_url) + path
        reply = post(url, params, sign(signed_url, params, self.auth_token) if signed else None)
        turn = parse_turn(reply.status, reply.body)
        if turn.root is not None and path != STATUS_PATH:
            gather, redirect = turn.root.find("Gather"), turn.root.find("Redirect")
            self.action_path = gather.get("action", VOICE_PATH) if gather is not None else VOICE_PATH
            self.redirect_path = (redirect.text or VOICE_PATH) if redirect is not None else VOICE_PATH
        return turn

    def start(self) -> Turn:
        return self._post(VOICE_PATH, {"CallStatus": "ringing"})

    def again(self) -> Turn:
        """The last request once more, as a Twilio or proxy retry sends it."""
        path, extra, signed = self.last_request
        return self._post(path, extra, signed)

    def press(self, digits: str) -> Turn:
        return self._post(self.action_path, {"Digits": digits})

    def say(self, speech: str) -> Turn:
        return self._post(self.action_path, {"SpeechResult": speech, "Confidence": "0.9"})

    def silence(self) -> Turn:
        """What Twilio posts after a <Gather> times out and the <Redirect> runs."""
        return self._post(self.redirect_path, {})

    def hang_up(self) -> Turn:
        return self._post(STATUS_PATH, {"CallStatus": "completed"})

    def unsigned(self) -> Turn:
        return self._post(VOICE_PATH, {"CallStatus": "ringing"}, signed=False)
