"""Prepare rendered text for text-to-speech on the phone.

Phone numbers are spoken in digit groups ("8 8 8, 6 2 4, 4 7 5 2"), so a
caller can write them down; "3-1-1" and "911" digit by digit.
"""

from __future__ import annotations

import re

_PHONE = re.compile(r"(?:\+?1[\s.-])?\(?(\d{3})\)?[\s.-]?(\d{3})[\s.-](\d{4})\b")
_SHORT_CODE = re.compile(r"\b(\d)-(\d)-(\d)\b|\b(911|311)\b")


def _digits(group: str) -> str:
    return " ".join(group)


def _phone(match: re.Match) -> str:
    return ", ".join(_digits(g) for g in match.groups())


def _short_code(match: re.Match) -> str:
    digits = match.group(4) or "".join(match.group(1, 2, 3))
    return _digits(digits)


_PARENTHESES = re.compile(r"\s*\(([^()]*)\)")
# A comma before another stop, in any script (Armenian ։, Devanagari ।, Urdu ۔, Chinese 。...).
_REPEATED_COMMAS = re.compile(r",\s*([,.:;։।۔،。、])")
# Speaking rates used to estimate how long a turn lasts (Polly at its default rate).
WORDS_PER_SECOND = 2.5
DIGITS_PER_SECOND = 4.0


def speakable(text: str) -> str:
    # Directional marks only order what is read on a screen.
    text = text.translate(_DIRECTIONAL_MARKS)
    text = _PHONE.sub(_phone, text)
    text = _SHORT_CODE.sub(_short_code, text)
    # "Network (CHIRLA hotline): ..." is read as "Network, CHIRLA hotline: ...".
    text = _PARENTHESES.sub(r", \1,", text)
    text = _REPEATED_COMMAS.sub(r"\1", text)
    return " ".join(text.split())


_DIRECTIONAL_MARKS = {code: None for code in (0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def speech_seconds(text: str) -> float:
    """Rough speaking time: words at a conversational pace, digits faster."""
    tokens = text.split()
    digits = sum(1 for token in tokens if token.strip(",.").isdigit() and len(token.strip(",.")) == 1)
    return (len(tokens) - digits) / WORDS_PER_SECOND + digits / DIGITS_PER_SECOND
