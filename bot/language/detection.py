"""Which language is a message written in? Offline, script first, conservative.

1. A named language ("español", "한국어로") is an explicit request.
2. The letters' script: a script that only one supported language uses
   (Hangul, Armenian, Cyrillic...) decides at once. Letters that only one
   language of a shared script uses decide among them (kana: Japanese over
   Chinese; Urdu's own letters over Farsi). Chinese is told Traditional or
   Simplified by its characters (hanzidentifier, MIT). A script no supported
   language uses is an unsupported language, for certain.
3. Within a shared script (Latin: English, Spanish, Tagalog, Vietnamese), the
   lingua detector (lingua-language-detector: offline, models in the wheel,
   built for short texts) chooses among that script's languages only.
4. Latin letters typed for a language of another script ("mujhe vakeel
   chahiye", "pomogite") are romanized: the language menu, never a guess.

A detection carries a strength, because a one-word "gracias" or "ok" must not
flip an ongoing conversation's language (see bot.language.choice). A second,
broad detector (low-accuracy mode, to save memory) knows the languages we only
recognise, so that a Portuguese or Ukrainian message is not misread as one we
serve.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass, replace

import hanzidentifier
from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from bot.caches import LoadOnce
from bot.language.registry import LanguageSettings, language_settings
from bot.language.scripts import script_table
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
# Letters of a script only one supported language uses: this many make it certain.
MIN_LETTERS_SCRIPT_STRONG = 2
# Letters of a script no supported language uses: this many make the message
# a language we do not serve, even among letters of a script we do.
MIN_LETTERS_FOREIGN_SCRIPT = 2
# Below this, a sentence's language is too unsure to answer in: the NLU offers
# the language menu when the classifier is unsure too.
MIN_CONFIDENCE_FLOOR = 0.5
# Romanized words of one language that make a Latin message "romanized".
MIN_ROMANIZED_WORDS = 1
# Marker words of one Latin-script language that decide it over the detector.
MIN_MARKER_WORDS = 2
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
    # A supported language written in Latin letters instead of its script.
    romanized: str | None = None
    # A sentence whose language no detector was sure of.
    uncertain: bool = False

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
            romanized=data.get("romanized"),
            uncertain=bool(data.get("uncertain")),
        )


def _lingua_language(code: str) -> Language | None:
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except (AttributeError, ValueError):
        logger.warning("Language %r is unknown to the lingua detector; ignored.", code)
        return None


def _build(codes: tuple[str, ...], low_accuracy: bool = False) -> LanguageDetector | None:
    languages = [lang for lang in map(_lingua_language, codes) if lang is not None]
    if len(languages) < 2:
        return None  # one language or none: nothing to choose between
    # Preloading keeps the first message as fast as the others.
    builder = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models()
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.build()


def _word_votes(folded: str, words: dict[str, str]) -> Counter[str]:
    """How many words of `folded` each language claims, in a word -> language table."""
    return Counter(words[word] for word in folded.split() if word in words)


def _lingua_code(language: Language) -> str:
    return str(language.iso_code_639_1.name.lower())


class MessageLanguageDetector:
    def __init__(self, settings: LanguageSettings) -> None:
        self.settings = settings
        self.scripts = script_table()
        languages = settings.languages
        # Per shared script, a detector over the languages written in it; and
        # lingua code -> our code for each.
        self._within: dict[str, tuple[LanguageDetector, dict[str, str]]] = {}
        for script in {s for lang in languages.values() for s in lang.scripts}:
            codes = {
                code: c for c in settings.written_in(script) if (code := languages[c].detector) is not None
            }
            detector = _build(tuple(codes))
            if detector is not None:
                self._within[script] = (detector, codes)
        served = tuple(lang.detector for lang in languages.values() if lang.detector)
        self._served_detector_codes = frozenset(served)
        self._broad = (
            _build(served + settings.recognised_unsupported, low_accuracy=True)
            if settings.recognised_unsupported
            else None
        )
        self._romanized = {
            word: code for code, lang in languages.items() for word in lang.romanized_words if word
        }
        self._markers = {word: code for code, lang in languages.items() for word in lang.marker_words if word}

    def detect(self, text: str) -> LanguageDetection:
        text = (text or "")[:MAX_CHARS]
        folded = fold(text)
        text_words = words(text)

        requested = self._requested_language(folded)
        if requested:
            return LanguageDetection(language=requested, strength=EXPLICIT)
        if not text_words or all(fold(w) in self.settings.neutral_words for w in text_words):
            return LanguageDetection()

        counts = self.scripts.letter_scripts(text)
        script, letters = counts.most_common(1)[0]
        decided = self._decisive(text, counts, len(text_words))
        if decided:
            return decided
        if script == "Latin":
            return self._latin(text, folded, text_words)
        return self._other_script(text, script, letters, counts, text_words)

    def _decisive(self, text: str, counts: Counter[str], word_count: int) -> LanguageDetection | None:
        """Letters only one served language uses decide it, wherever they are in the message:
        kana among Chinese characters or English words is Japanese; Urdu's own letters are
        Urdu; Vietnamese tone letters are Vietnamese."""
        folded_case = text.casefold()
        for code, language in self.settings.languages.items():
            letters = sum(counts.get(script, 0) for script in language.decisive_scripts)
            letters += sum(folded_case.count(ch) for ch in language.decisive_letters)
            if letters:
                strong = letters >= MIN_LETTERS_SCRIPT_STRONG or word_count >= MIN_WORDS_STRONG
                return LanguageDetection(language=code, strength=STRONG if strong else WEAK)
        return None

    # --- scripts that are not Latin --------------------------------------------------------------

    def _other_script(
        self, text: str, script: str, letters: int, counts: Counter[str], text_words: list[str]
    ) -> LanguageDetection:
        languages = self.settings.languages
        candidates = self.settings.written_in(script)
        foreign = [
            s
            for s, n in counts.items()
            if n >= MIN_LETTERS_FOREIGN_SCRIPT and not self.settings.written_in(s)
        ]
        if not candidates or foreign:
            # A script nobody we serve writes (Japanese kana among Chinese
            # characters, Greek...): certainly a language we do not serve.
            return LanguageDetection(
                unsupported=self._broad_guess(text) or script.lower(), unsupported_certain=True
            )
        unsupported = self._unsupported_in_script(text, text_words)
        if unsupported:
            return LanguageDetection(unsupported=unsupported, unsupported_certain=True)
        if any(languages[c].han_variant for c in candidates):
            return self._han(text, candidates, letters)
        if len(candidates) == 1:
            return LanguageDetection(language=candidates[0], strength=self._script_strength(letters))
        return self._within_script(script, text, text_words, fold(text))

    @staticmethod
    def _script_strength(letters: int) -> str:
        # A script only this language uses is near-certain, even in one word.
        return STRONG if letters >= MIN_LETTERS_SCRIPT_STRONG else WEAK

    def _han(self, text: str, candidates: tuple[str, ...], letters: int) -> LanguageDetection:
        """Chinese: Traditional or Simplified by the characters used."""
        # Only the Chinese rows: Japanese also writes Han but has no variant.
        by_variant = {
            variant: c for c in candidates if (variant := self.settings.languages[c].han_variant) is not None
        }
        found = hanzidentifier.identify(text)
        variant = {hanzidentifier.TRADITIONAL: "traditional", hanzidentifier.SIMPLIFIED: "simplified"}.get(
            found
        )
        if variant in by_variant:
            return LanguageDetection(language=by_variant[variant], strength=self._script_strength(letters))
        # Characters common to both (or mixed): set a language only where none
        # is set yet; never switch an ongoing conversation's script.
        fallback = self.settings.han_default if self.settings.han_default in candidates else candidates[0]
        return LanguageDetection(language=fallback, strength=WEAK)

    def _unsupported_in_script(self, text: str, text_words: list[str]) -> str | None:
        """A language we only recognise that shares a script we serve (Ukrainian in Cyrillic)."""
        return self._confident_unserved(text, text_words, MIN_CONFIDENCE_UNSUPPORTED_SCRIPT)

    def _confident_unserved(self, text: str, text_words: list[str], floor: float) -> str | None:
        """The broad detector's best language for a real sentence, if we do not serve it and it is sure."""
        if self._broad is None or len(text_words) < MIN_WORDS_STRONG:
            return None
        best = self._broad.compute_language_confidence_values(text)[0]
        code = _lingua_code(best.language)
        if code in self._served_detector_codes or best.value < floor:
            return None
        return code

    def _broad_guess(self, text: str) -> str | None:
        if self._broad is None:
            return None
        code = _lingua_code(self._broad.compute_language_confidence_values(text)[0].language)
        return None if code in self._served_detector_codes else code

    # --- Latin script ------------------------------------------------------------------------------

    def _latin(self, text: str, folded: str, text_words: list[str]) -> LanguageDetection:
        romanized = self._romanized_language(folded)
        if romanized:
            return LanguageDetection(romanized=romanized)
        unserved = _word_votes(folded, self.settings.recognised_romanized).most_common(1)
        if unserved:
            # A language we do not serve yet, in Latin letters: the interpreter reply.
            return LanguageDetection(unsupported=unserved[0][0], unsupported_certain=True)
        # Only a candidate: the NLU component confirms it with the classifier.
        unsupported = self._unsupported_latin(text, text_words)
        marked = self._marked_language(folded)
        if marked:
            strength = STRONG if len(text_words) >= MIN_WORDS_STRONG else WEAK
            return LanguageDetection(language=marked, strength=strength)
        detection = self._within_script("Latin", text, text_words, folded)
        return replace(detection, unsupported=unsupported)

    def _marked_language(self, folded: str) -> str | None:
        """The Latin-script language whose own marker words this message has most of, if clear."""
        ranked = _word_votes(folded, self._markers).most_common(2)
        if not ranked or ranked[0][1] < MIN_MARKER_WORDS:
            return None
        if len(ranked) > 1 and ranked[1][1] * 2 > ranked[0][1]:
            return None  # words of two languages: let the detector decide
        return ranked[0][0]

    def romanized(self, text: str) -> str | None:
        """The language of another script this Latin text is typed in, if any (word lists only: cheap)."""
        return self._romanized_language(fold((text or "")[:MAX_CHARS]))

    def _romanized_language(self, folded: str) -> str | None:
        """A language of another script typed in Latin letters: the language with most of its words here."""
        best = _word_votes(folded, self._romanized).most_common(1)
        return best[0][0] if best and best[0][1] >= MIN_ROMANIZED_WORDS else None

    def _unsupported_latin(self, text: str, text_words: list[str]) -> str | None:
        """A Latin-script language we don't serve that this message may be in (a candidate only)."""
        # Latin-script languages share many short words with English and
        # Spanish, so they need a real sentence and a higher confidence.
        return self._confident_unserved(text, text_words, MIN_CONFIDENCE_UNSUPPORTED_LATIN)

    def _within_script(
        self, script: str, text: str, text_words: list[str], folded: str = ""
    ) -> LanguageDetection:
        """Choose among the supported languages written in `script`.

        A language chosen only by its decisive letters is no candidate here
        (_decisive found none of them). A language with marker words is only
        a candidate when at least one of them is in the message: lingua alone
        reads many short English and Spanish messages as Tagalog, and
        unaccented Vietnamese as Tagalog too.
        The confidences of the remaining candidates are scaled to sum to one,
        which is what a detector built for just them would say.
        """
        candidates = self.settings.written_in(script)
        if script not in self._within:
            only = candidates[0] if candidates else None
            return LanguageDetection(language=only, strength=WEAK if only else NONE)
        detector, codes = self._within[script]
        present = set(folded.split())
        languages = self.settings.languages
        allowed = {
            code
            for code in candidates
            if not languages[code].decisive_only
            and (
                not languages[code].marker_words
                or present & (languages[code].marker_words | languages[code].hint_words)
            )
        }
        ranked = [
            (codes[_lingua_code(c.language)], c.value)
            for c in detector.compute_language_confidence_values(text)
            if codes.get(_lingua_code(c.language)) in allowed
        ]
        total = sum(value for _, value in ranked)
        if not ranked or total <= 0:
            return LanguageDetection()
        code, confidence = ranked[0][0], ranked[0][1] / total
        strength = NONE
        if len(text_words) >= MIN_WORDS_STRONG and confidence >= MIN_CONFIDENCE_STRONG:
            strength = STRONG
        elif confidence >= MIN_CONFIDENCE_WEAK:
            strength = WEAK
        uncertain = len(text_words) >= MIN_WORDS_STRONG and confidence < MIN_CONFIDENCE_FLOOR
        return LanguageDetection(
            language=code if strength != NONE else None, strength=strength, uncertain=uncertain
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


def _load_message_language_detector() -> MessageLanguageDetector:
    return MessageLanguageDetector(language_settings())


_message_language_detector = LoadOnce("message_language_detector", _load_message_language_detector)


def message_language_detector() -> MessageLanguageDetector:
    return _message_language_detector.get()
