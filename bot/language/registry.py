"""The supported languages, as declared in data/languages.yml: one entry each, no code per language."""

from __future__ import annotations

from dataclasses import dataclass

from bot.caches import LoadOnce
from bot.data_files import load_data_file
from bot.text import fold

DRAFT, REVIEWED, SOURCE = "draft", "reviewed", "source"


@dataclass(frozen=True)
class Language:
    """One supported language: how to recognise it and how to write to it."""

    code: str  # our code, also the catalog folder: en, es, ko, zh-Hant...
    native_name: str
    english_name: str
    # Writing systems its letters are in (data/scripts.yml), most typical first.
    scripts: tuple[str, ...]
    # Its code for the lingua detector (ISO 639-1), or None where lingua has none.
    detector: str | None
    rtl: bool
    review_status: str  # source (the original), draft, reviewed
    reviewed_by: str | None
    reviewed_on: str | None
    # Letters of this script in this message decide this language among the
    # script's languages (Urdu's own letters against Farsi).
    decisive_letters: frozenset[str]
    # Chosen only by its decisive letters, never by the detector's guess among
    # the script's languages: Urdu without Urdu's own letters is read as Farsi,
    # since lingua confuses the two on short texts.
    decisive_only: bool
    # Any letter of these scripts decides this language (kana: Japanese, not Chinese).
    decisive_scripts: tuple[str, ...]
    # Han script only: "traditional" or "simplified".
    han_variant: str | None
    # Words of this language typed in Latin letters (folded), for languages
    # written in another script: such a message gets the language menu.
    romanized_words: frozenset[str]
    # Latin-script languages: common words of this language and no other we
    # serve (folded), which decide it where the detector cannot (Vietnamese
    # typed without its marks reads like Tagalog to it).
    marker_words: frozenset[str]
    # Latin-script languages with marker words: short common words, any of
    # which also makes the language a candidate for the detector.
    hint_words: frozenset[str]

    @property
    def is_draft(self) -> bool:
        return self.review_status == DRAFT


@dataclass(frozen=True)
class LanguageSettings:
    default: str
    supported: tuple[str, ...]
    languages: dict[str, Language]
    native_names: dict[str, str]
    # folded switch phrase -> language code ("espanol" -> "es")
    switch_phrases: dict[str, str]
    unsupported_reply_languages: tuple[str, ...]
    # lingua codes of languages we only recognise (to offer interpreters)
    recognised_unsupported: tuple[str, ...]
    neutral_words: frozenset[str]
    negation_words: frozenset[str]
    sms_gsm7_folding: frozenset[str]
    # Words of languages we do not serve, typed in Latin letters -> language code.
    recognised_romanized: dict[str, str]
    # Han text that is the same in both scripts goes to this variant, unless
    # the conversation already has one.
    han_default: str | None

    def is_supported(self, code: str | None) -> bool:
        return code in self.supported

    def or_default(self, code: str | None) -> str:
        """`code` if we answer in it, else the default language."""
        return code if code is not None and self.is_supported(code) else self.default

    def written_in(self, script: str) -> tuple[str, ...]:
        """Supported languages whose letters are in `script`, in declaration order."""
        return tuple(code for code, lang in self.languages.items() if script in lang.scripts)


def _language(code: str, entry: dict) -> Language:
    review = entry.get("review") or {}
    status = str(review.get("status", DRAFT))
    if status not in (DRAFT, REVIEWED, SOURCE):
        raise ValueError(f"data/languages.yml: {code}: review status {status!r} is not draft/reviewed/source")
    if status == REVIEWED and not (review.get("by") and review.get("on")):
        raise ValueError(f"data/languages.yml: {code}: a reviewed language names who reviewed it and when")
    scripts = tuple(entry.get("scripts") or ["Latin"])
    return Language(
        code=code,
        native_name=str(entry["native_name"]),
        english_name=str(entry.get("english_name", entry["native_name"])),
        scripts=scripts,
        detector=entry.get("detector"),
        rtl=bool(entry.get("rtl")),
        review_status=status,
        reviewed_by=review.get("by"),
        reviewed_on=None if review.get("on") is None else str(review.get("on")),
        decisive_letters=frozenset(str(entry.get("decisive_letters", ""))),
        decisive_only=bool(entry.get("decisive_only")),
        decisive_scripts=tuple(entry.get("decisive_scripts") or []),
        han_variant=entry.get("han_variant"),
        romanized_words=frozenset(
            fold(str(w))
            for w in [
                *(entry.get("romanized_words") or []),
                *(entry.get("romanized_words_from_examples") or []),
            ]
        ),
        marker_words=frozenset(fold(str(w)) for w in entry.get("marker_words") or []),
        hint_words=frozenset(fold(str(w)) for w in entry.get("hint_words") or []),
    )


def _load_language_settings() -> LanguageSettings:
    raw = load_data_file("languages.yml")
    supported = raw["supported"]
    languages = {code: _language(code, entry) for code, entry in supported.items()}
    claimed: dict[str, set[str]] = {}
    for code, entry in supported.items():
        for phrase in [entry.get("native_name", ""), *entry.get("switch_words", [])]:
            if phrase and fold(str(phrase)):
                claimed.setdefault(fold(str(phrase)), set()).add(code)
    # A word two languages claim ("中文": Traditional or Simplified?) names
    # neither: detection decides, and the language menu offers both.
    switch_phrases = {phrase: codes.pop() for phrase, codes in claimed.items() if len(codes) == 1}
    # A served language is never "recognised but unsupported" (by its detector code, or its own).
    served_detector_codes = {lang.detector or lang.code.split("-")[0] for lang in languages.values()}
    return LanguageSettings(
        default=raw.get("default", "en"),
        supported=tuple(supported),
        languages=languages,
        native_names={code: lang.native_name for code, lang in languages.items()},
        switch_phrases=switch_phrases,
        unsupported_reply_languages=tuple(raw.get("unsupported_reply_languages", [])),
        recognised_unsupported=tuple(
            code for code in raw.get("recognised_unsupported", []) if code not in served_detector_codes
        ),
        neutral_words=frozenset(fold(word) for word in raw.get("neutral_words", [])),
        negation_words=frozenset(fold(str(word)) for word in raw.get("negation_words", [])),
        sms_gsm7_folding=frozenset(
            code for code, entry in supported.items() if entry.get("sms_gsm7_folding")
        ),
        han_default=raw.get("han_default"),
        recognised_romanized={
            fold(str(word)): code
            for code, words in (raw.get("recognised_romanized") or {}).items()
            if code not in supported
            for word in words
        },
    )


_language_settings = LoadOnce("language_settings", _load_language_settings)


def language_settings() -> LanguageSettings:
    return _language_settings.get()
