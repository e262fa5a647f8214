"""Small text helpers shared by language detection, menus and the NLU components."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)


def strip_accents(text: str) -> str:
    """'está' -> 'esta'. People often text without accents; treat both alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free, single-spaced form of `text`."""
    without_punctuation = _PUNCTUATION.sub(" ", strip_accents(text).casefold())
    return " ".join(without_punctuation.split())


def words(text: str) -> list[str]:
    """The alphabetic words of `text` (digits and emoji are not words)."""
    return _WORD.findall(text)


def has_letters(text: str) -> bool:
    return bool(_WORD.search(text))


_MENU_NUMBER = re.compile(
    r"^\s*(?:#|no\.?|n[uú]mero|numero|number|num|opci[oó]n|option)?\s*(\d{1,2})\s*[.)!]?\s*$",
    re.IGNORECASE,
)


def menu_number(text: str) -> str | None:
    """'2', '#2', 'opcion 2', 'option 2.' -> '2'; anything else -> None."""
    match = _MENU_NUMBER.match(text or "")
    return match.group(1) if match else None
