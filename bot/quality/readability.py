"""How hard an answer is to read, measured on the text a person receives.

Scores come from `textstat` 0.7.4, the last release that counts syllables with
pyphen's bundled hyphenation dictionaries. Later releases look words up in the
CMU pronouncing dictionary, which they download at run time; that cannot work
offline (requirements.txt explains the pin).

Limits and the reviewed exceptions are data (data/readability.yml): per
language a metric and a limit, e.g. English Flesch-Kincaid grade <= 6 and
Spanish Fernandez-Huerta >= 70. A language with no entry is reported, not
enforced, until someone chooses its metric.

What is measured: the rendered text (placeholders filled) after the channel's
own changes (SMS folding, speech preparation), with two adjustments: a line
break ends a sentence (a list item is read on its own, not as one long
sentence), and a phone number or web address counts as one short word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from bot.data_files import load_data_file

SETTINGS_FILE = "readability.yml"
_LINE_END = re.compile(r"(?<![.!?:;])\s*\n+\s*")
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d+\))\s*", re.MULTILINE)
# A phone number or web address is copied or dialed, not read as prose: it
# counts as one short word, whether written ("(213) 473-3231") or spoken digit
# by digit ("2 1 3, 4 7 3, 3 2 3 1").
_CONTACT = re.compile(
    r"(?:\+?1[\s.-])?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}\b"
    r"|\b\d(?:,?\s\d){2,}\b"
    r"|\b\d-\d-\d\b"
    r"|\b(?:[\w-]+\.)+(?:org|gov|com|net|us|edu)\b(?:/\S*)?|\b(?:[\w-]+\.)+[\w-]+/\S*"
)


@dataclass(frozen=True)
class Limit:
    metric: str  # a textstat function name
    label: str  # how the report names it
    bound: float
    higher_is_easier: bool

    def passes(self, score: float, bound: float | None = None) -> bool:
        limit = self.bound if bound is None else bound
        return score >= limit if self.higher_is_easier else score <= limit


@dataclass(frozen=True)
class ReviewedException:
    key: str
    language: str
    variant: str | None  # None: the default text
    bound: float
    reason: str


@dataclass(frozen=True)
class Reading:
    score: float
    limit: Limit
    bound: float  # the limit for this text (an exception may relax it)
    exception: ReviewedException | None

    @property
    def passes(self) -> bool:
        return self.limit.passes(self.score, self.bound)

    def describe(self) -> str:
        sign = ">=" if self.limit.higher_is_easier else "<="
        mark = "ok" if self.passes else "FAIL"
        note = " (exception)" if self.exception else ""
        return f"{self.limit.label} {self.score:.1f} {sign} {self.bound:g} {mark}{note}"


def _settings() -> dict[str, Any]:
    return load_data_file(SETTINGS_FILE)


@cache
def limits() -> dict[str, Limit]:
    result = {}
    for language, raw in (_settings().get("limits") or {}).items():
        higher = "min" in raw
        result[language] = Limit(
            metric=str(raw["metric"]),
            label=str(raw.get("label", raw["metric"])),
            bound=float(raw["min"] if higher else raw["max"]),
            higher_is_easier=higher,
        )
    return result


@cache
def exceptions() -> dict[tuple[str, str, str | None], ReviewedException]:
    result = {}
    for raw in _settings().get("exceptions") or []:
        entry = ReviewedException(
            key=str(raw["key"]),
            language=str(raw["language"]),
            variant=raw.get("variant"),
            bound=float(raw["limit"]),
            reason=str(raw.get("reason") or "").strip(),
        )
        result[(entry.key, entry.language, entry.variant)] = entry
    return result


def measurable(text: str) -> str:
    """The text as the score should see it: each line a sentence, no list marks."""
    text = _CONTACT.sub("0", _LIST_MARK.sub("", text))
    return _LINE_END.sub(". ", text.strip())


@lru_cache(maxsize=4096)
def score(text: str, language: str) -> float | None:
    """The language's metric for `text`, or None when the language has no limit."""
    limit = limits().get(language)
    if limit is None or not text.strip():
        return None
    import textstat  # imported here: only reports and tests need it

    meter = textstat.textstat
    meter.set_lang(language)
    try:
        return float(getattr(meter, limit.metric)(measurable(text)))
    finally:
        meter.set_lang("en_US")


def reading(text: str, language: str, key: str, variant: str | None) -> Reading | None:
    value = score(text, language)
    if value is None:
        return None
    limit = limits()[language]
    exception = exceptions().get((key, language, variant))
    return Reading(value, limit, exception.bound if exception else limit.bound, exception)
