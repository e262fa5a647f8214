"""The resource directory (data/resources/*.yml): who to send people to.

Phone numbers, addresses and web addresses come only from here. Catalog text
names a resource field ("{hotline.phone}"); the renderer fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.caches import LoadOnce
from bot.content import hours as opening_hours
from bot.content.hours import OpeningHours, Status, parse_hours, status_at
from bot.data_files import load_data_file
from bot.settings import data_dir

CONTACT_FIELDS = ("phone", "phone_outside", "web", "address")
# How a person can confirm an unverified detail: the catalog note said after it.
# A resource's `confirm` overrides it per field; "self" marks the line that the
# notes send people to (dialing it is the check, so it carries no note).
DEFAULT_CONFIRM_NOTE = "confirm_detail"
NO_NOTE = "self"


@dataclass(frozen=True)
class Resource:
    id: str
    names: dict[str, str]
    languages: tuple[str, ...]
    topics: tuple[str, ...]
    source: str
    verified: bool
    verified_on: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    unverified_fields: frozenset[str] = frozenset()
    confirm: dict[str, str] = field(default_factory=dict)
    source_date: str | None = None
    hours: OpeningHours | None = None  # None: no known hours
    # How it serves people whose language it does not list: "interpreters", or None.
    language_help: str | None = None

    def status(self, now: datetime | None = None) -> Status | None:
        """Open or closed now (None: hours not known)."""
        return None if self.hours is None else status_at(self.hours, now or opening_hours.city_now())

    def serves(self, language: str) -> bool:
        return language in self.languages

    def name(self, language: str, fallback_language: str = "en") -> str:
        return self.names.get(language) or self.names[fallback_language]

    def value(self, field_name: str, language: str, variant: str | None = None) -> str | None:
        """A field's text; fields may be plain, per language, or per language and variant ("en.voice")."""
        if field_name == "name":
            return self.name(language)
        value = self.fields.get(field_name)
        if isinstance(value, dict):
            # This language's text for the channel, then its plain text, then
            # English's for the channel (spoken hours stay speakable), then English.
            candidates = [language, "en"]
            if variant:
                candidates = [f"{language}.{variant}", language, f"en.{variant}", "en"]
            value = next((value[key] for key in candidates if value.get(key)), None)
        return None if value is None else str(value)

    def is_verified(self, field_name: str) -> bool:
        return self.verified and field_name not in self.unverified_fields

    def confirm_note(self, field_name: str) -> str | None:
        """The catalog key of the note that says how to confirm this unverified field."""
        if self.is_verified(field_name) or field_name == "name":
            return None
        note = self.confirm.get(field_name, DEFAULT_CONFIRM_NOTE)
        return None if note == NO_NOTE else note

    def contact_fields(self) -> list[str]:
        return [name for name in CONTACT_FIELDS if self.fields.get(name)]


def _parse(resource_id: str, raw: dict[str, Any]) -> Resource:
    known = {"name", "languages", "topics", "source", "source_date", "verified", "verified_on"}
    known |= {"unverified_fields", "confirm", "opening_hours", "language_help"}
    names = raw["name"] if isinstance(raw["name"], dict) else {"en": str(raw["name"])}
    return Resource(
        id=resource_id,
        names={lang: str(text) for lang, text in names.items()},
        languages=tuple(raw.get("languages", [])),
        topics=tuple(raw.get("topics", [])),
        source=str(raw["source"]),
        verified=bool(raw["verified"]),
        verified_on=None if raw.get("verified_on") is None else str(raw["verified_on"]),
        fields={key: value for key, value in raw.items() if key not in known},
        unverified_fields=frozenset(raw.get("unverified_fields", [])),
        confirm={str(k): str(v) for k, v in (raw.get("confirm") or {}).items()},
        source_date=None if raw.get("source_date") is None else str(raw["source_date"]),
        hours=parse_hours(resource_id, raw.get("opening_hours")),
        language_help=raw.get("language_help"),
    )


def _load_resource_directory() -> dict[str, Resource]:
    resources: dict[str, Resource] = {}
    for path in sorted((data_dir() / "resources").glob("*.yml")):
        for resource_id, raw in load_data_file(f"resources/{path.name}")["resources"].items():
            if resource_id in resources:
                raise ValueError(f"Resource {resource_id!r} is defined twice ({path.name}).")
            resources[resource_id] = _parse(resource_id, raw)
    return resources


_resource_directory = LoadOnce("resource_directory", _load_resource_directory)


def resource_directory() -> dict[str, Resource]:
    return _resource_directory.get()


def resources_for_topic(topic: str, language: str, now: datetime | None = None) -> list[Resource]:
    """Resources listed for `topic`: those open now that serve `language` first, then
    those serving it, then those open now, then the rest.

    Within each group the directory's own order is kept, so answers are stable:
    the same question at the same hour lists the same resources in the same order.
    """
    now = now or opening_hours.city_now()

    def open_now(resource: Resource) -> bool:
        status = resource.status(now)
        return status is not None and status.open

    matching = [r for r in resource_directory().values() if topic in r.topics]
    return sorted(
        matching,
        key=lambda r: (not (r.serves(language) and open_now(r)), not r.serves(language), not open_now(r)),
    )
