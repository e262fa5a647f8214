"""Response text from the gettext catalogs under locales/.

Catalogs are keyed: the msgid is the response key ("utter_kyr_door") and the
msgstr is the text in that language. A channel variant is the same key with a
suffix ("utter_kyr_door.sms"); it is optional and falls back to the default.

A key missing in a language falls back to English. That is logged once per
language and key, and `python -m bot i18n-report` lists every such gap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from bot.caches import LoadOnce
from bot.settings import locales_dir

logger = logging.getLogger(__name__)

DOMAIN = "messages"
FALLBACK_LANGUAGE = "en"


def catalog_folder(language: str) -> str:
    """The folder of a language's catalog: gettext and babel spell "zh-Hant" as "zh_Hant"."""
    return language.replace("-", "_")


def language_of_folder(folder: str) -> str:
    """Our language code (BCP-47, as in data/languages.yml) of a catalog folder."""
    return folder.replace("_", "-")


@dataclass(frozen=True)
class CatalogText:
    text: str
    language: str  # the language the text is actually in


def _read_catalog(folder: Path) -> Catalog:
    """Prefer the compiled .mo; read the .po if it was not compiled (and say so)."""
    mo_path = folder / f"{DOMAIN}.mo"
    po_path = folder / f"{DOMAIN}.po"
    if mo_path.exists() and (not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as handle:
            return read_mo(handle)
    logger.warning("No up-to-date compiled catalog in %s; reading the .po (run `make catalogs`).", folder)
    with po_path.open("rb") as handle:
        return read_po(handle)


def _messages(catalog: Catalog) -> dict[str, str]:
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and message.string and not message.fuzzy
    }


class Catalogs:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.messages: dict[str, dict[str, str]] = {}
        for folder in sorted(root.glob("*/LC_MESSAGES")):
            if (folder / f"{DOMAIN}.po").exists() or (folder / f"{DOMAIN}.mo").exists():
                self.messages[language_of_folder(folder.parent.name)] = _messages(_read_catalog(folder))
        if FALLBACK_LANGUAGE not in self.messages:
            raise RuntimeError(f"No {FALLBACK_LANGUAGE} catalog under {root}: nothing to fall back to.")
        self._reported_gaps: set[tuple[str, str]] = set()

    @property
    def languages(self) -> list[str]:
        return list(self.messages)

    def lookup(self, key: str, language: str, variant: str | None = None) -> CatalogText | None:
        """The text for `key` in `language`, falling back to English visibly."""
        keys = [f"{key}.{variant}", key] if variant else [key]
        for candidate in keys:
            text = self.messages.get(language, {}).get(candidate)
            if text is not None:
                return CatalogText(text, language)
        for candidate in keys:
            text = self.messages[FALLBACK_LANGUAGE].get(candidate)
            if text is not None:
                self._report_gap(language, key)
                return CatalogText(text, FALLBACK_LANGUAGE)
        logger.error("Response key %r is in no catalog, not even %s.", key, FALLBACK_LANGUAGE)
        return None

    def _report_gap(self, language: str, key: str) -> None:
        if language != FALLBACK_LANGUAGE and (language, key) not in self._reported_gaps:
            self._reported_gaps.add((language, key))
            logger.warning("Catalog %r has no text for %r; answering in English.", language, key)


def _load_catalogs() -> Catalogs:
    return Catalogs(locales_dir())


_catalogs = LoadOnce("catalogs", _load_catalogs)


def catalogs() -> Catalogs:
    return _catalogs.get()
