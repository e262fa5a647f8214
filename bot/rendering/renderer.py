"""Turn a response key into the text a person reads, in their language.

Catalog text may hold these placeholders, filled in at render time:
* {<resource id>.<field>}: a field of the resource directory, e.g.
  {hotline.phone}; an unverified field is followed by the catalog note that
  says how to confirm it (confirm_phone, confirm_web...);
* {resources}: the resources for the response's topic, in a list, those that
  serve the conversation's language first;
* {menu}: the numbered menu the response shows (data/menus.yml).

A resource's phone number, in a list or in the text, is followed by whether
it is open now ("open now, until 7:00 PM"; "closed now, opens Monday at
8:00 AM"; nothing when its hours are not known), with the time and day written by babel in the
person's language, and by how it serves a language it does not list
("has interpreters", "in English and Spanish only"). Not after the 3-1-1 line
in text (the notes that send people there) nor after a 24-hour line.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.lists import format_list

from bot.caches import LoadOnce
from bot.content import hours
from bot.content.hours import CITY_TIME
from bot.content.resources import NO_NOTE, Resource, resource_directory, resources_for_topic
from bot.content.topics import Menu, menu_shown_by, topic_for_response
from bot.data_files import load_data_file
from bot.language.registry import language_settings
from bot.rendering.catalogs import Catalogs, catalogs

logger = logging.getLogger(__name__)

UNSUPPORTED_LANGUAGE_RESPONSE = "utter_unsupported_language"
LEGAL_NOTICE_KEY = "legal_notice"
GENERIC_ERROR_KEY = "utter_rephrase"
MENU_LINE_KEY = "menu_line"
FALLBACK_NOTE_KEY = "fallback_note"
ONLINE_ONLY_LINE_KEY = "resource_line_online"
DEFAULT_MENU_LINE = "{number}) {label}"
STATUS_LINE_KEY = "resource_line_status"
BULLETS = "-•*· "  # what a resource_line template may start with
VOICE_VARIANT = "voice"  # the catalogs' variant written for speech
SMS_VARIANT = "sms"  # ...and the one written for text messages
INTERPRETERS = "interpreters"  # a resource's language_help


@dataclass(frozen=True)
class Rendered:
    text: str
    language: str  # the language the text is in (English on a catalog gap)
    legal_notice: bool = False
    # A text message's numbered resource list: the resource ids, in the order numbered.
    numbered: tuple[str, ...] = ()


# Unicode directional isolates (FSI ... PDI): a phone number, code or web
# address inside right-to-left text keeps its own left-to-right order.
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"
# Channel variants that carry one "how to confirm" note per message: under a
# resource list instead of on every line, and not again after it. The note.
NOTE_ONCE_VARIANTS = frozenset({"sms"})
DEFAULT_LIST_NOTE = "confirm_detail"
# Resource fields that are numbers, codes or addresses (names are words).
ISOLATED_FIELDS = frozenset({"phone", "phone_outside", "web", "address"})


def isolated(value: str, language: str) -> str:
    """`value` wrapped in directional isolates when `language` is written right to left."""
    entry = language_settings().languages.get(language)
    if not value or entry is None or not entry.rtl:
        return value
    return f"{FIRST_STRONG_ISOLATE}{value}{POP_DIRECTIONAL_ISOLATE}"


def channel_variant(output_channel: str | None) -> str | None:
    """The catalog variant ("sms", "voice") a Rasa output channel reads."""
    variants = load_data_file("channels.yml").get("variants", {})
    return variants.get(output_channel or "")


class _Fields(string.Formatter):
    """A formatter whose fields are resources, menus and resource lists."""

    def __init__(
        self,
        renderer: Renderer,
        key: str,
        language: str,
        variant: str | None,
        resource_ids: list[str] | None,
        values: dict[str, str] | None = None,
        numbered: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.numbered = numbered if numbered is not None else []
        self.renderer = renderer
        self.key = key
        self.language = language
        self.variant = variant
        self.resource_ids = resource_ids
        self.values = values or {}
        # SMS: a "how to confirm" note already given in this message is not repeated.
        self.noted = False

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[str, str]:
        if field_name in self.values:  # e.g. {reference}, given by an action
            return isolated(self.values[field_name], self.language), field_name
        if field_name == "menu":
            return self.renderer.menu_text(menu_shown_by(self.key), self.language, self.variant), field_name
        if field_name == "resources":
            return self._resource_list(), field_name
        resource_id, _, attribute = field_name.partition(".")
        resource = resource_directory().get(resource_id)
        value = resource.value(attribute, self.language, self.variant) if resource and attribute else None
        if value is None or resource is None:
            logger.error("Placeholder {%s} in %r names no resource field.", field_name, self.key)
            return "", field_name
        value = isolated(value, self.language) if attribute in ISOLATED_FIELDS else value
        if attribute == "phone" and self.renderer.says_status_inline(resource):
            # In running text a number gets its hours; the languages a line
            # serves are said in lists (texts and calls have a length budget).
            status = self.renderer.resource_status(resource, self.language, self.variant, languages=False)
            value = self.renderer.with_status(value, status, self.language, self.variant)
        if not (self.variant in NOTE_ONCE_VARIANTS and self.noted):
            noted = self.renderer.with_confirm_note(value, resource, attribute, self.language, self.variant)
            self.noted = self.noted or noted != value
            value = noted
        return value, field_name

    def _resource_list(self) -> str:
        directory = resource_directory()
        if self.resource_ids is not None:
            chosen = [directory[i] for i in self.resource_ids if i in directory]
        else:
            topic = topic_for_response(self.key)
            chosen = resources_for_topic(topic.id, self.language) if topic else []
        limit = load_data_file("channels.yml").get("max_resources", {}).get(self.variant or "")
        chosen = chosen[:limit] if limit else chosen
        if self.variant not in NOTE_ONCE_VARIANTS:
            return "\n".join(self.renderer.resource_line(r, self.language, self.variant) for r in chosen)
        # SMS: one "how to confirm" note under the list, not one per line (the
        # same note on every line cost a Russian answer a whole segment). The
        # lines are numbered instead of bulleted: a reply of the number sends
        # that resource's details again (actions/menu_choice.py).
        # A list of several: hours only (the languages a line serves would push
        # answers past four segments, measured: up to 73 UCS-2 units over; MORE
        # and a reply of the line's number say them). One resource: both.
        several = len(chosen) > 1
        lines = [
            self.renderer.resource_line(r, self.language, self.variant, notes=False, languages=not several)
            for r in chosen
        ]
        if several:
            lines = [f"{number}) {line.lstrip(BULLETS)}" for number, line in enumerate(lines, 1)]
            self.numbered.extend(r.id for r in chosen)
        if any(r.confirm_note(f) for r in chosen for f in r.contact_fields()):
            lines.append(self.renderer.note(DEFAULT_LIST_NOTE, self.language, self.variant))
            self.noted = True
        return "\n".join(lines)


class Renderer:
    def __init__(self, catalog: Catalogs) -> None:
        self.catalogs = catalog

    def text(self, key: str, language: str, variant: str | None = None) -> str:
        """Catalog text without placeholders filled (labels, notes)."""
        found = self.catalogs.lookup(key, language, variant)
        return found.text if found else ""

    def render(
        self,
        key: str,
        language: str,
        variant: str | None = None,
        *,
        legal_notice: bool = False,
        resource_ids: list[str] | None = None,
        values: dict[str, str] | None = None,
    ) -> Rendered:
        if key == UNSUPPORTED_LANGUAGE_RESPONSE:
            return self._render_in_each(key, language_settings().unsupported_reply_languages, variant)
        return self._render_one(key, language, variant, legal_notice, resource_ids, values)

    def _render_one(
        self,
        key: str,
        language: str,
        variant: str | None,
        legal_notice: bool = False,
        resource_ids: list[str] | None = None,
        values: dict[str, str] | None = None,
    ) -> Rendered:
        found = self.catalogs.lookup(key, language, variant)
        if found is None:
            found = self.catalogs.lookup(GENERIC_ERROR_KEY, language, variant)
            key = GENERIC_ERROR_KEY
        if found is None:
            raise LookupError(f"Neither {key!r} nor {GENERIC_ERROR_KEY!r} is in any catalog.")
        numbered: list[str] = []
        text = self._fill(found.text, key, found.language, variant, resource_ids, values, numbered)
        if found.language != language and language in self.catalogs.messages:
            # A translation is missing or out of date (fuzzy): say so, in the person's language.
            text = f"{self.text(FALLBACK_NOTE_KEY, language, variant)}\n{text}"
        if legal_notice:
            text = f"{text}\n{self.text(LEGAL_NOTICE_KEY, found.language, variant)}"
        return Rendered(
            text=text.strip(), language=found.language, legal_notice=legal_notice, numbered=tuple(numbered)
        )

    def _render_in_each(self, key: str, languages: Iterable[str], variant: str | None) -> Rendered:
        parts = [self._render_one(key, language, variant) for language in languages]
        unique_texts = list(dict.fromkeys(part.text for part in parts))
        return Rendered(text="\n\n".join(unique_texts), language=parts[0].language)

    def _fill(
        self,
        text: str,
        key: str,
        language: str,
        variant: str | None,
        resource_ids: list[str] | None,
        values: dict[str, str] | None = None,
        numbered: list[str] | None = None,
    ) -> str:
        try:
            return _Fields(self, key, language, variant, resource_ids, values, numbered).format(text)
        except (ValueError, IndexError, KeyError) as error:
            # A malformed catalog string must not silence the bot.
            logger.error("Could not fill placeholders of %r (%s): %s", key, language, error)
            return text

    def menu_text(self, menu: Menu | None, language: str, variant: str | None) -> str:
        if menu is None:
            return ""
        # "1) Agents at your door" on screens; "..., press 1." on the phone.
        template = self.text(MENU_LINE_KEY, language, variant) or DEFAULT_MENU_LINE
        lines = []
        for entry in menu.entries:
            if entry.kind == "language":
                label = language_settings().native_names[entry.value]
            else:
                label = self.text(entry.label_key, language, variant)
            lines.append(template.format(number=entry.number, label=label))
        return "\n".join(lines)

    def resource_line(
        self,
        resource: Resource,
        language: str,
        variant: str | None,
        notes: bool = True,
        languages: bool = True,
    ) -> str:
        contacts = []
        spoken_fields = load_data_file("channels.yml").get("contact_fields", {}).get(variant or "")
        for field_name in resource.contact_fields():
            if spoken_fields is not None and field_name not in spoken_fields:
                continue
            value = isolated(resource.value(field_name, language, variant) or "", language)
            if notes:
                value = self.with_confirm_note(value, resource, field_name, language, variant)
            contacts.append(value)
        template = self.text("resource_line", language, variant) or "{name}: {contact}"
        if not contacts:  # a web-only resource on the phone: its name, and how to get the address
            online = self.text(ONLINE_ONLY_LINE_KEY, language, variant) or "{name}."
            name = {"name": resource.name(language)}
            return self._fill(online, ONLINE_ONLY_LINE_KEY, language, variant, None, name)
        line = template.format(name=resource.name(language), contact=", ".join(contacts))
        status = self.resource_status(resource, language, variant, languages=languages)
        return self.with_status(line, status, language, variant)

    @staticmethod
    def says_status_inline(resource: Resource) -> bool:
        """In running text: not the 3-1-1 line the notes send people to, nor a 24-hour line."""
        return resource.confirm.get("phone") != NO_NOTE and not (resource.hours and resource.hours.always)

    def with_status(self, text: str, status: str, language: str, variant: str | None) -> str:
        if not status:
            return text
        template = self.text(STATUS_LINE_KEY, language, variant) or "{line} ({status})"
        return template.format(line=text, status=status)

    def resource_status(
        self,
        resource: Resource,
        language: str,
        variant: str | None,
        now: datetime | None = None,
        languages: bool = True,
    ) -> str:
        """Whether a resource one calls is open now, and how it serves `language`; "" for web-only ones."""
        if not resource.fields.get("phone"):
            return ""
        locale = Locale.parse(language.replace("-", "_"))
        status = resource.status(now or hours.city_now())
        if status is None:
            # Unknown hours: nothing said about them (the directory is silent, so is the bot).
            parts = []
        elif status.always:
            parts = [self.text("hours_always", language, variant)]
        elif status.open and status.until:
            until = time_of_day(status.until, locale, variant)
            parts = [self.text("hours_open_until", language, variant).format(time=until)]
        elif status.opens:
            day = format_date(status.opens, "EEEE", locale=locale)
            at = time_of_day(status.opens, locale, variant)
            parts = [self.text("hours_closed_opens", language, variant).format(day=day, time=at)]
        else:
            parts = [self.text("hours_closed", language, variant)]
        if languages and not resource.serves(language):
            if resource.language_help == INTERPRETERS:
                parts.append(self.text("resource_interpreters", language, variant))
            else:
                names = [locale.languages.get(code.replace("-", "_"), code) for code in resource.languages]
                listed = format_list(names, locale=locale)
                parts.append(self.text("resource_only_languages", language, variant).format(languages=listed))
        return ", ".join(part for part in parts if part)

    def with_confirm_note(
        self, value: str, resource: Resource, field_name: str, language: str, variant: str | None
    ) -> str:
        """An unverified detail is followed by how to confirm it ("call 3-1-1 to check this number")."""
        note_key = resource.confirm_note(field_name)
        if note_key is None:
            return value
        note = self.note(note_key, language, variant)
        return f"{value} {note}" if note else value

    def note(self, key: str, language: str, variant: str | None) -> str:
        """A note's text with its placeholders filled (e.g. how to confirm: {la311.phone})."""
        return self._fill(self.text(key, language, variant), key, language, variant, None)


def time_of_day(moment: datetime, locale: Locale, variant: str | None) -> str:
    """A time as the language writes it ("7:00 PM", "19:00"), or, on the phone, as it
    says it (CLDR's day periods: "7 in the evening", "저녁 7시", "7 de la tarde")."""
    if variant == VOICE_VARIANT:
        text = format_skeleton("Bhm" if moment.minute else "Bh", moment, tzinfo=CITY_TIME, locale=locale)
    else:
        text = format_time(moment, "short", tzinfo=CITY_TIME, locale=locale)
    # CLDR writes "7:00\u202fPM" with a narrow no-break space, which no SMS
    # alphabet has (it would make an English text UCS-2) and no voice needs.
    return text.replace("\u202f", " ").replace("\xa0", " ")


_renderer = LoadOnce("renderer", lambda: Renderer(catalogs()))


def renderer() -> Renderer:
    return _renderer.get()
