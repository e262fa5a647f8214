"""Remove contact details people type into free text, before anything stores it.

Phone numbers are found with `phonenumbers` (Google's libphonenumber), which
knows real numbering plans; e-mail addresses and exact house numbers ("1234
Main St") with patterns. Each becomes a placeholder that says what was there.
"""

from __future__ import annotations

import re

import phonenumbers

DEFAULT_REGION = "US"
PHONE_PLACEHOLDER = "[phone]"
EMAIL_PLACEHOLDER = "[email]"
HOUSE_NUMBER_PLACEHOLDER = "[number]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A house number: digits right before a street name and a street type. Cross
# streets ("5th and Main") and City facility names carry none and stay.
_STREET_TYPES = (
    r"st|street|ave|avenue|blvd|boulevard|rd|road|dr|drive|way|pl|place|ln|lane|ct|court|hwy|highway|"
    r"calle|avenida|av|bulevar"
)
_HOUSE_NUMBER = re.compile(
    rf"\b\d{{1,6}}[a-z]?(?=\s+(?:[nsew]\.?\s+)?(?:\w+\s+){{0,3}}(?:{_STREET_TYPES})\b\.?)", re.IGNORECASE
)
# Spanish order: "calle Olvera 125", "avenida César Chávez 2300".
_SPANISH_HOUSE_NUMBER = re.compile(
    r"\b((?:calle|avenida|av\.?|bulevar|blvd\.?)\s+(?:[^\W\d_]+\s+){1,3})(\d{1,6})\b", re.IGNORECASE
)


def phone_numbers(text: str, region: str = DEFAULT_REGION) -> list[str]:
    """The phone numbers in `text`, as written."""
    return [
        m.raw_string
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)
    ]


def normalised_phone_number(text: str, region: str = DEFAULT_REGION) -> str | None:
    """The first valid phone number in `text` in E.164 form, or None."""
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
        return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    return None


def redact(text: str, region: str = DEFAULT_REGION) -> str:
    for raw in sorted(set(phone_numbers(text, region)), key=len, reverse=True):
        text = text.replace(raw, PHONE_PLACEHOLDER)
    text = _EMAIL.sub(EMAIL_PLACEHOLDER, text)
    text = _HOUSE_NUMBER.sub(HOUSE_NUMBER_PLACEHOLDER, text)
    return _SPANISH_HOUSE_NUMBER.sub(lambda m: m.group(1) + HOUSE_NUMBER_PLACEHOLDER, text)
