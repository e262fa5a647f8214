"""What a person receives, per key, language and channel, and whether it is fit to send.

The checks here are shared by `python -m bot i18n-report` and the tests
(tests/test_content_quality.py), so the report shows exactly what the tests
enforce:
* reading level (bot/quality/readability.py);
* SMS segments of the SMS text and of the full text MORE sends, counted by
  bot/channels/sms_segments.py after the SMS channel's own folding;
* speakability of the voice text: no web address, no abbreviation such as
  "Mon-Fri" or "7am", no digit run that text-to-speech reads as a large number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.channels.sms_segments import SegmentCount, count_segments
from bot.channels.sms_text import to_sms_text
from bot.channels.speech_text import speakable
from bot.quality.readability import Reading, reading
from bot.rendering.catalogs import FALLBACK_LANGUAGE, catalogs
from bot.rendering.renderer import renderer

VARIANTS: tuple[str | None, ...] = (None, "sms", "voice")
SMS_MAX_SEGMENTS = 4
SMS_MEDIAN_SEGMENTS = 2
# MORE sends the whole answer on request, with every caveat. It must fit one
# Twilio message (1,600 characters: 10 GSM-7 segments, 24 in UCS-2, where
# Korean, Russian or Armenian hold 67 characters a segment). Caveats are not
# cut to save segments; the SMS reply itself keeps to SMS_MAX_SEGMENTS.
SMS_MAX_FULL_SEGMENTS = {"GSM-7": 10, "UCS-2": 24}

# Values that actions and the voice channel pass for their own placeholders.
SAMPLE_VALUES = {"number": "1", "reference": "R-7K3Q9M"}

_URL = re.compile(
    r"https?://|www\.|\b[\w-]+\.(?:org|gov|com|net|us|edu|io|la)\b|\b[\w-]+\.[\w.-]+/\S*", re.IGNORECASE
)
# Day and time abbreviations, English and Spanish, and other written-only forms.
_ABBREVIATIONS = re.compile(
    r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b\.?"
    r"|\b(?:lun|mar|mi[eé]|jue|vie|s[aá]b|dom)\s*[-–/]\s*(?:lun|mar|mi[eé]|jue|vie|s[aá]b|dom)\b"
    r"|\b(?:lun|jue|vie)\b\.?"
    r"|\d\s*(?:am|pm|a\.\s?m\.|p\.\s?m\.|hrs?|h|min)\b"
    r"|\b(?:a\.m|p\.m|e\.g|i\.e|etc|approx|aprox|tel|dept|ave|blvd|p[aá]g)\.(?=\s|$)|\bN[oº]\.\s?\d"
    r"|\bU\.\s?S\.|\bEE\.\s?UU\.",
    re.IGNORECASE,
)
# Three or more digits in a row, or digits grouped with a comma, are read as one
# large number ("eight hundred eighty-eight") instead of digit by digit.
_LARGE_NUMBER = re.compile(r"\d{3,}|\d,\d{3}")


def message_keys() -> list[str]:
    """Every whole message: the responses and the phone's own texts (not fragments)."""
    english = catalogs().messages[FALLBACK_LANGUAGE]
    return sorted(k for k in english if "." not in k and (k.startswith("utter_") or k.startswith("voice_")))


def sms_keys() -> list[str]:
    return [k for k in message_keys() if k.startswith("utter_")]


def voice_keys() -> list[str]:
    """Keys spoken on the phone: those with a voice text, and the phone's own texts."""
    english = catalogs().messages[FALLBACK_LANGUAGE]
    return [k for k in message_keys() if k.startswith("voice_") or f"{k}.voice" in english]


def received(key: str, language: str, variant: str | None) -> str:
    """The text as the channel sends it (no one-time legal notice)."""
    text = renderer().render(key, language, variant, values=SAMPLE_VALUES).text
    if variant == "sms":
        return to_sms_text(text, language)
    if variant == "voice":
        return speakable(text)
    return text


def sms_segments(key: str, language: str) -> tuple[SegmentCount, SegmentCount]:
    """(the SMS reply, the full text MORE sends), as the SMS channel folds them."""
    short = count_segments(received(key, language, "sms"))
    full = count_segments(to_sms_text(renderer().render(key, language, values=SAMPLE_VALUES).text, language))
    return short, full


def voice_problems(text: str) -> list[str]:
    """What a caller could not use in a spoken text."""
    problems = []
    for pattern, what in ((_URL, "web address"), (_ABBREVIATIONS, "abbreviation"), (_LARGE_NUMBER, "number")):
        problems += [f"{what} {match.group(0)!r}" for match in pattern.finditer(text)]
    return problems


@dataclass(frozen=True)
class KeyQuality:
    key: str
    language: str
    readings: dict[str | None, Reading | None]  # by variant (None: the default text)
    sms: SegmentCount | None
    sms_full: SegmentCount | None
    voice: list[str] | None  # problems; None when the key is not spoken


def quality(key: str, language: str) -> KeyQuality:
    english = catalogs().messages[FALLBACK_LANGUAGE]
    readings: dict[str | None, Reading | None] = {}
    for variant in VARIANTS:
        if variant is None or f"{key}.{variant}" in english:
            readings[variant] = reading(received(key, language, variant), language, key, variant)
    sms = sms_full = None
    if key.startswith("utter_"):
        sms, sms_full = sms_segments(key, language)
    spoken = voice_problems(received(key, language, "voice")) if key in voice_keys() else None
    return KeyQuality(key, language, readings, sms, sms_full, spoken)
