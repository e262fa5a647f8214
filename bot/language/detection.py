"""Which language is a message written in? Offline, restricted, conservative.

We use lingua (lingua-language-detector): it runs offline with its models
inside the wheel, is built for short texts such as chat messages, and can be
restricted to a set of languages, which is what makes it reliable here. Two
detectors are kept:

* a *supported* detector that only knows the languages we answer in; it
  decides between them (English vs Spanish);
* a *broad* detector that also knows the languages we merely recognise, so a
  clear Portuguese or Korean message is not misread as English or Spanish.

A detection carries a strength, because a one-word "gracias" or "ok" must not
flip an ongoing conversation's language (see bot.language.choice).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from bot.caches import LoadOnce
from bot.language.registry import LanguageSettings, language_settings
from bot.text import fold, words

logger = logging.getLogger(__name__)

NONE = "none"  # no usable signal: digits, emoji, "ok"
WEAK = "weak"  # one or two words: may set a language, never switches one
STRONG = "strong"  # a clear sentence: switches the conversation's language
EXPLICIT = "explicit"  # the person asked for a language ("español", "english")

# Thresholds, tuned on the held-out messages in tests/data/nlu_heldout.yml.
MIN_WORDS_STRONG = 3
MIN_CONFIDENCE_STRONG = 0.75
MIN_CONFIDENCE_WEAK = 0.6
# Another script (Hangul, Cyrillic, Han...) is near-certain evidence.
MIN_CONFIDENCE_UNSUPPORTED_SCRIPT = 0.7
# Latin-script languages share words with English and Spanish, and the broad
# detector (low-accuracy mode, to save memory) misreads ~2% of our own
# messages as Portuguese or Tagalog at lower confidence: it is only a
# candidate, which the NLU component confirms with the intent classifier.
MIN_CONFIDENCE_UNSUPPORTED_LATIN = 0.9
MAX_WORDS_EXPLICIT = 4
# Detection only needs the start of a message; this bounds the cost of huge ones.
MAX_CHARS = 600


@dataclass(frozen=True)
class LanguageDetection:
    language: str | None = None
    strength: str = NONE
    # A language we recognise but do not serve, and whether that is certain
    # (another script) or only a candidate (Latin script).
    unsupported: str | None = None
    unsupported_certain: bool = False

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> LanguageDetection:
        if not data:
            return cls()
        return cls(
            language=data.get("language"),
            strength=data.get("strength", NONE),
            unsupported=data.get("unsupported"),
            unsupported_certain=bool(data.get("unsupported_certain")),
        )


def _lingua_language(code: str) -> Language | None:
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except (AttributeError, ValueError):
        logger.warning("Language %r is unknown to the lingua detector; ignored.", code)
        return None


def _build(codes: tuple[str, ...], low_accuracy: bool = False) -> LanguageDetector:
    languages = [lang for lang in map(_lingua_language, codes) if lang is not None]
    # Preloading keeps the first message as fast as the others.
    builder = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models()
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.build()


def _is_latin(text_words: list[str]) -> bool:
    return all(ord(ch) < 0x250 for word in text_words for ch in word)


class MessageLanguageDetector:
    def __init__(self, settings: LanguageSettings) -> None:
        self.settings = settings
        self._supported = _build(settings.supported)
        self._broad = (
            _build(settings.supported + settings.recognised_unsupported, low_accuracy=True)
            if settings.recognised_unsupported
            else None
        )

    def detect(self, text: str) -> LanguageDetection:
        text = (text or "")[:MAX_CHARS]
        folded = fold(text)
        text_words = words(text)

        requested = self._requested_language(folded)
        if requested:
            return LanguageDetection(language=requested, strength=EXPLICIT)
        if not text_words or all(fold(w) in self.settings.neutral_words for w in text_words):
            return LanguageDetection()

        unsupported, certain = self._unsupported_language(text, text_words)
        if unsupported and certain:
            return LanguageDetection(unsupported=unsupported, unsupported_certain=True)

        best = self._supported.compute_language_confidence_values(text)[0]
        code = best.language.iso_code_639_1.name.lower()
        strength = NONE
        if len(text_words) >= MIN_WORDS_STRONG and best.value >= MIN_CONFIDENCE_STRONG:
            strength = STRONG
        elif best.value >= MIN_CONFIDENCE_WEAK:
            strength = WEAK
        return LanguageDetection(
            language=code if strength != NONE else None, strength=strength, unsupported=unsupported
        )

    def _requested_language(self, folded: str) -> str | None:
        """'español', 'en espanol por favor', 'english please' -> that language."""
        folded_words = folded.split()
        if not folded or len(folded_words) > MAX_WORDS_EXPLICIT:
            return None
        if any(word in self.settings.negation_words for word in folded_words):
            return None
        padded = f" {folded} "
        for phrase, code in self.settings.switch_phrases.items():
            if f" {phrase} " in padded:
                return code
        return None

    def _unsupported_language(self, text: str, text_words: list[str]) -> tuple[str | None, bool]:
        """(language code, certain) of a language we don't serve, or (None, False)."""
        if self._broad is None:
            return None, False
        latin = _is_latin(text_words)
        # Latin-script languages share many short words with English and
        # Spanish, so they need a real sentence; other scripts are unambiguous.
        if latin and len(text_words) < MIN_WORDS_STRONG:
            return None, False
        best = self._broad.compute_language_confidence_values(text)[0]
        code = best.language.iso_code_639_1.name.lower()
        threshold = MIN_CONFIDENCE_UNSUPPORTED_LATIN if latin else MIN_CONFIDENCE_UNSUPPORTED_SCRIPT
        if code in self.settings.supported or best.value < threshold:
            return None, False
        return code, not latin


def _load_message_language_detector() -> MessageLanguageDetector:
    return MessageLanguageDetector(language_settings())


_message_language_detector = LoadOnce("message_language_detector", _load_message_language_detector)


def message_language_detector() -> MessageLanguageDetector:
    return _message_language_detector.get()
