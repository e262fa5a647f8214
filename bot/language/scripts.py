"""Which writing system a message is in: the first and surest signal of its language.

Ranges come from data/scripts.yml. Only letters count (digits, emoji,
punctuation and spaces carry no script); a combining mark belongs to the
letter before it.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections import Counter
from dataclasses import dataclass

from bot.caches import LoadOnce
from bot.data_files import load_data_file

OTHER = "other"  # a letter in no listed script


@dataclass(frozen=True)
class ScriptTable:
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    names: tuple[str, ...]

    def script_of(self, char: str) -> str:
        code = ord(char)
        index = bisect.bisect_right(self.starts, code) - 1
        if index >= 0 and code <= self.ends[index]:
            return self.names[index]
        return OTHER

    def letter_scripts(self, text: str) -> Counter[str]:
        """How many letters of `text` are in each script.

        Vowel signs of Indic scripts are marks, not letters, to Unicode ("ਚਾਹੀਦਾ"
        is 3 letters and 3 marks): marks count for their script too, so a short
        Punjabi word outweighs an English one as it should. Marks in no listed
        script (combining accents) are not counted.
        """
        counts: Counter[str] = Counter()
        for ch in text:
            category = unicodedata.category(ch)
            if category.startswith("L"):
                counts[self.script_of(ch)] += 1
            elif category.startswith("M") and (script := self.script_of(ch)) != OTHER:
                counts[script] += 1
        return counts


def _load_script_table() -> ScriptTable:
    ranges = sorted(
        (int(start), int(end), name)
        for name, spans in load_data_file("scripts.yml")["scripts"].items()
        for start, end in spans
    )
    for (_, end, name), (start, _, other) in zip(ranges, ranges[1:], strict=False):
        if start <= end:
            raise ValueError(f"data/scripts.yml: {name} and {other} overlap at {start:#x}")
    return ScriptTable(
        starts=tuple(r[0] for r in ranges),
        ends=tuple(r[1] for r in ranges),
        names=tuple(r[2] for r in ranges),
    )


_script_table = LoadOnce("script table", _load_script_table)


def script_table() -> ScriptTable:
    return _script_table.get()
