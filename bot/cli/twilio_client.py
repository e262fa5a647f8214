"""What the operator tools (`make sms`, `make call`) share: acting as Twilio.

They read the same .env as the server, sign each request with
TWILIO_AUTH_TOKEN over the public URL (PUBLIC_BASE_URL, else --url), and post
it form-encoded, exactly as Twilio does.
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from dotenv import load_dotenv

from bot.channels.twilio_signing import signed_form
from bot.settings import PROJECT_ROOT


@dataclass(frozen=True)
class TwilioClient:
    url: str  # where the server listens
    public_url: str  # what Twilio would have called: signatures are over this
    token: str
    caller: str
    dialed: str

    def post(self, path: str, params: dict[str, str]) -> tuple[int, str]:
        body, headers = signed_form(self.token, self.public_url + path, params)
        request = urllib.request.Request(self.url + path, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except urllib.error.URLError as error:
            return 0, f"Cannot reach {self.url} ({error.reason}). Is the server running (`make run`)?"


def client_from_command_line(prog: str, description: str, args: list[str]) -> TwilioClient | None:
    """Options --url/--from/--to and the token from .env; None (after saying why) if unusable."""
    load_dotenv(PROJECT_ROOT / ".env")
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}")
    parser.add_argument("--from", dest="caller", default="+15555550100", help="the simulated phone")
    parser.add_argument("--to", dest="dialed", default="+15555550111", help="the City number dialed")
    options = parser.parse_args(args)
    token = os.environ.get("TWILIO_AUTH_TOKEN", "")
    if not token:
        print("Set TWILIO_AUTH_TOKEN (in .env) to the value the server uses.", file=sys.stderr)
        return None
    url = options.url.rstrip("/")
    public = (os.environ.get("PUBLIC_BASE_URL") or url).rstrip("/")
    return TwilioClient(url, public, token, options.caller, options.dialed)
