"""Small text helpers shared by language detection, menus and the NLU components."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
LATIN_END = "\u0250"  # Basic Latin to Latin Extended-B
LATIN_EXTENDED_ADDITIONAL = ("\u1e00", "\u1eff")  # Vietnamese letters with two marks
# Armenian apostrophe, emphasis, comma-like and question marks (U+055A-U+055F)
# are written inside or on words: "ի՞նչ" is the word "ինչ" asked.
_WORD_INTERNAL_MARKS = {code: None for code in range(0x055A, 0x0560)}
# Spellings people use interchangeably: Russian "е" for "ё"; Vietnamese typed
# without marks writes "d" for "đ" (a letter of its own, not d with an accent);
# Persian typed on an Arabic keyboard gives Arabic "ي"/"ك" for "ی"/"ک", and
# the zero-width non-joiner in "می‌خوام" is as often left out.
_SPELLING_VARIANTS = str.maketrans({"ё": "е", "đ": "d", "ي": "ی", "ك": "ک", "\u200c": None})


def strip_accents(text: str) -> str:
    """'está' -> 'esta', 'tiếng' -> 'tieng'. People often text without accents; treat both alike.

    Only marks on Latin letters go: in other scripts (Devanagari vowel signs,
    Thai and Hebrew marks, Arabic vowels) a mark is part of the spelling.
    """
    kept = []
    on_latin = False
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            if on_latin:
                continue
        else:
            on_latin = ch < LATIN_END or LATIN_EXTENDED_ADDITIONAL[0] <= ch <= LATIN_EXTENDED_ADDITIONAL[1]
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


def without_word_internal_marks(text: str) -> str:
    """'ի՞նչ' -> 'ինչ': Armenian question and emphasis marks sit inside words."""
    return text.translate(_WORD_INTERNAL_MARKS)


def spelling_normalized(text: str) -> str:
    """`text` with the interchangeable spellings made one (see _SPELLING_VARIANTS), case and accents kept."""
    return without_word_internal_marks(text).translate(_SPELLING_VARIANTS)


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free, single-spaced form of `text`."""
    folded = strip_accents(spelling_normalized(text)).casefold().translate(_SPELLING_VARIANTS)
    # Punctuation and symbols become spaces; letters, digits and marks stay
    # (a Devanagari vowel sign is part of its word, not punctuation).
    spaced = "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in folded)
    return " ".join(spaced.split())


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
    # int() reads every script's digits: Persian "۲" is the menu's "2".
    return str(int(match.group(1))) if match else None
