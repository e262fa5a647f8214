"""How carriers split an SMS into billed segments (FACTS.md section 6).

GSM-7: 160 characters in one segment, 153 per segment when split; the
extension characters (^ { } \\ [ ] ~ | €) take two. One character outside
GSM-7 switches the whole message to UCS-2: 70 in one segment, 67 per segment
(counted in UTF-16 code units, so an emoji counts twice).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"
_GSM7_BASIC_SET = frozenset(GSM7_BASIC)
_GSM7_EXTENSION_SET = frozenset(GSM7_EXTENSION)

MAX_BODY_CHARS = 1600  # Twilio's limit on one message body


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM7_BASIC_SET or ch in _GSM7_EXTENSION_SET for ch in text)


def count_segments(text: str) -> SegmentCount:
    if is_gsm7(text):
        units = sum(2 if ch in _GSM7_EXTENSION_SET else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    segments = 1 if units <= single else math.ceil(units / multi)
    return SegmentCount(encoding=encoding, units=units, segments=segments)
