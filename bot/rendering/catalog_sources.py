"""Stale translations: mark them fuzzy when the English text they came from changes.

Catalogs are keyed (the msgid is the key), so a change to the English text
does not change any msgid, and babel alone would never notice that a
translation is out of date. So each translation records, in a translator
comment, a short hash of the English text it was translated from:

    # en-source: 3f1a9c0b7d2e
    msgid "utter_kyr_work"
    msgstr "En el trabajo..."

`make i18n-update` (after `pybabel update`) runs `python -m bot i18n-sources
mark`: every translation whose recorded hash differs from the current English
text's (or that records none) is flagged fuzzy. Fuzzy entries are not compiled
and not loaded (bot/rendering/catalogs.py), so the person gets the English text with the
visible fallback note until a translator updates the text and runs
`python -m bot i18n-sources stamp <lang> <key>...`, which records the new hash
and clears the flag. `python -m bot i18n-sources check` (and the tests) fail
while a translation is stale but not flagged.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.rendering.catalogs import DOMAIN, FALLBACK_LANGUAGE, catalog_folder, language_of_folder
from bot.settings import locales_dir

COMMENT_PREFIX = "en-source:"
PO_WIDTH = 100  # how this project's catalogs are wrapped


def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _po_path(root: Path, language: str) -> Path:
    return root / catalog_folder(language) / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(root: Path, language: str) -> Catalog:
    with _po_path(root, language).open("rb") as handle:
        return read_po(handle)


def write_catalog(root: Path, language: str, catalog: Catalog) -> None:
    with _po_path(root, language).open("wb") as handle:
        write_po(handle, catalog, width=PO_WIDTH)


def translated_languages(root: Path) -> list[str]:
    return sorted(
        language_of_folder(p.parent.parent.name)
        for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
        if p.parent.parent.name != FALLBACK_LANGUAGE
    )


def english_hashes(root: Path) -> dict[str, str]:
    return {
        str(m.id): source_hash(str(m.string))
        for m in read_catalog(root, FALLBACK_LANGUAGE)
        if m.id and m.string
    }


def recorded_hash(message: object) -> str | None:
    for comment in getattr(message, "user_comments", []):
        if comment.strip().startswith(COMMENT_PREFIX):
            return comment.strip().removeprefix(COMMENT_PREFIX).strip()
    return None


def _set_hash(message: object, value: str) -> None:
    comments = [c for c in message.user_comments if not c.strip().startswith(COMMENT_PREFIX)]  # type: ignore[attr-defined]
    message.user_comments = [*comments, f"{COMMENT_PREFIX} {value}"]  # type: ignore[attr-defined]


def status(root: Path | None = None) -> dict[str, dict[str, list[str]]]:
    """language -> {"fuzzy": keys flagged fuzzy, "stale": keys out of date but still served}."""
    root = root or locales_dir()
    english = english_hashes(root)
    result = {}
    for language in translated_languages(root):
        fuzzy, stale = [], []
        for message in read_catalog(root, language):
            key = str(message.id)
            if not message.id or not message.string or key not in english:
                continue
            if message.fuzzy:
                fuzzy.append(key)
            elif recorded_hash(message) != english[key]:
                stale.append(key)
        result[language] = {"fuzzy": sorted(fuzzy), "stale": sorted(stale)}
    return result


def mark_stale(root: Path | None = None) -> dict[str, list[str]]:
    """Flag fuzzy every translation whose English source changed; returns what was flagged."""
    root = root or locales_dir()
    english = english_hashes(root)
    flagged: dict[str, list[str]] = {}
    for language in translated_languages(root):
        catalog = read_catalog(root, language)
        keys = []
        for message in catalog:
            key = str(message.id)
            current = message.id and message.string and key in english and not message.fuzzy
            if current and recorded_hash(message) != english[key]:
                message.flags.add("fuzzy")
                keys.append(key)
        if keys:
            write_catalog(root, language, catalog)
        flagged[language] = keys
    return flagged


def stamp(language: str, keys: list[str], root: Path | None = None) -> list[str]:
    """A translator has checked these keys against the current English: record it."""
    root = root or locales_dir()
    english = english_hashes(root)
    catalog = read_catalog(root, language)
    done = []
    for message in catalog:
        key = str(message.id)
        if message.id and message.string and key in english and (key in keys or "--all" in keys):
            _set_hash(message, english[key])
            message.flags.discard("fuzzy")
            done.append(key)
    write_catalog(root, language, catalog)
    return done
