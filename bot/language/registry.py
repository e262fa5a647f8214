"""The supported languages, as declared in data/languages.yml."""

from __future__ import annotations

from dataclasses import dataclass

from bot.caches import LoadOnce
from bot.data_files import load_data_file
from bot.text import fold


@dataclass(frozen=True)
class LanguageSettings:
    default: str
    supported: tuple[str, ...]
    native_names: dict[str, str]
    # folded switch phrase -> language code ("espanol" -> "es")
    switch_phrases: dict[str, str]
    unsupported_reply_languages: tuple[str, ...]
    recognised_unsupported: tuple[str, ...]
    neutral_words: frozenset[str]
    negation_words: frozenset[str]
    sms_gsm7_folding: frozenset[str]

    def is_supported(self, code: str | None) -> bool:
        return code in self.supported

    def or_default(self, code: str | None) -> str:
        """`code` if we answer in it, else the default language."""
        return code if code is not None and self.is_supported(code) else self.default


def _load_language_settings() -> LanguageSettings:
    raw = load_data_file("languages.yml")
    supported = raw["supported"]
    switch_phrases: dict[str, str] = {}
    for code, entry in supported.items():
        for phrase in [entry.get("native_name", ""), *entry.get("switch_words", [])]:
            if phrase:
                switch_phrases[fold(phrase)] = code
    return LanguageSettings(
        default=raw.get("default", "en"),
        supported=tuple(supported),
        native_names={code: entry["native_name"] for code, entry in supported.items()},
        switch_phrases=switch_phrases,
        unsupported_reply_languages=tuple(raw.get("unsupported_reply_languages", [])),
        recognised_unsupported=tuple(
            code for code in raw.get("recognised_unsupported", []) if code not in supported
        ),
        neutral_words=frozenset(fold(word) for word in raw.get("neutral_words", [])),
        negation_words=frozenset(fold(str(word)) for word in raw.get("negation_words", [])),
        sms_gsm7_folding=frozenset(
            code for code, entry in supported.items() if entry.get("sms_gsm7_folding")
        ),
    )


_language_settings = LoadOnce("language_settings", _load_language_settings)


def language_settings() -> LanguageSettings:
    return _language_settings.get()
