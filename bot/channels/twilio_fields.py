"""Every field Twilio sends, validated: a bad value is treated as absent, never trusted.

Signed requests can still carry values we did not expect (a new Twilio
feature, a proxy, a test tool, a compromised token), so nothing here raises:
each function returns the value in the form the channels use, or None.
Confidence (speech recognition's own score) is not read at all: what was
heard goes through NLU, whose confidence decides.
"""

from __future__ import annotations

import re

_SID = re.compile(r"[A-Za-z0-9]{2,64}")
# E.164 numbers, short codes, alphanumeric sender ids, "client:alice",
# "whatsapp:+1...", "sip:..." addresses: printable ASCII, no spaces, bounded.
_ADDRESS = re.compile(r"[!-~]{1,128}")
_KEYPAD = re.compile(r"[0-9*#]{1,32}")
MAX_MEDIA = 10  # Twilio's own limit per message


def sid(value: str | None) -> str | None:
    """A MessageSid or CallSid ("SM" / "CA" + 32 hex digits), or None."""
    return value if value is not None and _SID.fullmatch(value) else None


def address(value: str | None) -> str | None:
    """A From or To address, or None."""
    value = (value or "").strip()
    return value if _ADDRESS.fullmatch(value) else None


def media_count(value: str | None) -> int:
    """NumMedia as a number from 0 to MAX_MEDIA; anything else counts as 0."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 3):
        return 0
    return min(int(value), MAX_MEDIA)


def keypad(value: str | None) -> str | None:
    """Digits the caller pressed: 0-9, * and #, at most 32 keys; "" for none; None if invalid.

    "²", "①" or "٣" are digits to Python's str.isdigit(), but int() rejects
    some of them, and a phone keypad has none of them.
    """
    value = (value or "").strip()
    if not value:
        return ""
    return value if _KEYPAD.fullmatch(value) else None
