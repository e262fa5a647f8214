"""The resource directory (data/resources/*.yml): who to send people to.

Phone numbers, addresses and web addresses come only from here. Catalog text
names a resource field ("{hotline.phone}"); the renderer fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.caches import LoadOnce
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
    known |= {"unverified_fields", "confirm"}
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


def resources_for_topic(topic: str, language: str) -> list[Resource]:
    """Resources listed for `topic`, those serving `language` first.

    Within each group the directory's own order is kept, so answers are stable:
    the same question always lists the same resources in the same order.
    """
    matching = [r for r in resource_directory().values() if topic in r.topics]
    return sorted(matching, key=lambda r: language not in r.languages)
