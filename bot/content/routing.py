"""Which listed resources a caller may be put through to, and which number to dial.

Only a resource whose phone number is verified (data/resources, `verified`),
that is open now by its opening hours, and whose number is an ordinary
North American number is dialed. 911 and 311 are never dialed for a caller
(Twilio does not place emergency calls from an application, and 311 is where
the call already is); an unverified or closed number is offered by text
message instead.
"""

from __future__ import annotations

from datetime import datetime

import phonenumbers

from bot.content.resources import Resource, resources_for_topic

REGION = "US"


def dialable_number(resource: Resource) -> str | None:
    """The E.164 number to dial, or None (no phone, a short code like 911, or not a valid number)."""
    raw = str(resource.fields.get("phone") or "")
    try:
        number = phonenumbers.parse(raw, REGION)
    except phonenumbers.NumberParseException:
        return None
    if len(str(number.national_number)) < 10 or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def can_connect(resource: Resource, now: datetime | None = None) -> bool:
    status = resource.status(now)
    open_now = status is not None and status.open
    return resource.is_verified("phone") and open_now and dialable_number(resource) is not None


def phone_resources(topic_id: str, language: str, now: datetime | None = None) -> list[Resource]:
    """The resources with a phone number that an answer on `topic_id` lists, best first."""
    return [r for r in resources_for_topic(topic_id, language, now) if r.fields.get("phone")]
