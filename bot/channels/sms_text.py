"""Prepare rendered text for SMS: keep it in GSM-7 where the language allows.

One character outside GSM-7 makes the whole message UCS-2, which more than
doubles the segments billed (FACTS.md section 6). For languages written in
Latin script, data/languages.yml can ask to fold the accented letters that
GSM-7 lacks (á í ó ú...) to plain ones, as Twilio's "smart encoding" does;
é, ñ, ü, ¿ and ¡ are GSM-7 and stay.
"""

from __future__ import annotations

import unicodedata

from bot.channels.sms_segments import is_gsm7
from bot.language.registry import language_settings

# Punctuation that phones and catalogs produce but GSM-7 lacks.
_PUNCTUATION = str.maketrans(
    {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "\u00a0": " "}
)


def _fold_char(ch: str) -> str:
    if is_gsm7(ch):
        return ch
    base = unicodedata.normalize("NFD", ch)[0]
    return base if is_gsm7(base) else ch


def to_sms_text(text: str, language: str) -> str:
    text = text.translate(_PUNCTUATION)
    if language in language_settings().sms_gsm7_folding:
        text = "".join(_fold_char(ch) for ch in text)
    return text
