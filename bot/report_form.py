"""The report form's one schema, and the words that answer or steer it.

Every field of a report is defined once, in FIELDS. From it come:
* the form's slots (`report_<name>`) and their order, which domain.yml must
  spell out for Rasa; tests/test_report_schema.py fails when they drift;
* the question each slot asks (`utter_ask_report_<name>`, Rasa's convention);
* the reports table's columns (bot/storage/reports.py) and the export;
* what is redacted and what is masked.

The schema is code, not content: it defines a database table, and a change to
it is a change to the City's data, reviewed as code. The words (control words,
yes/no, time phrases) are content, per language, in data/report_form.yml.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.caches import LoadOnce
from bot.data_files import load_data_file
from bot.text import fold

FORM_NAME = "report_form"
_APOSTROPHES = re.compile(r"['\u2019`]")
SLOT_PREFIX = "report_"
FORM_DATA = "report_form.yml"

# What a field holds, which decides how its answer is read and stored:
#   place: free text, and a place name may hold any word ("Menu Ranch Market");
#   text:  free text;
#   time:  free text, plus a normalized time (bot/language/times.py);
#   yes_no_unknown: one of YES, NO, DONT_KNOW;
#   phone: a call-back number, never in a slot, masked in the export.
Kind = Literal["place", "text", "time", "yes_no_unknown", "phone"]
YES, NO, DONT_KNOW = "yes", "no", "dont_know"
SKIPPED = "-"  # a skipped question's slot value: stored as empty
GIVEN = "given"  # the callback slot's value once a number went to the reports database

# Control words (data/report_form.yml control_words) and what each does in the form.
CANCEL, MENU, OPERATOR, HELP = "cancel", "menu", "operator", "help"
# The intent each leaving control word gets (bot.nlu.language), so that the
# form's rules (data/rules/report_form.yml) answer it. HELP stays in the form.
CONTROL_INTENTS = {CANCEL: "cancel", MENU: "menu", OPERATOR: "human"}


@dataclass(frozen=True)
class Field:
    name: str
    column: str  # its column in the reports table
    kind: Kind
    # Asked only when another field has this answer: (field name, value).
    only_if: tuple[str, str] | None = None

    @property
    def slot(self) -> str:
        return SLOT_PREFIX + self.name

    @property
    def question(self) -> str:
        return f"utter_ask_{self.slot}"

    @property
    def free_text(self) -> bool:
        """Stored as typed, after redaction."""
        return self.kind in ("place", "text", "time")

    @property
    def emergency_interrupts(self) -> bool:
        """Whether a clear emergency message at this question gets the emergency
        answer instead of being taken as the answer. Not where a place is
        asked: a place's name may sound like anything, and the question comes
        right after the 911 and hotline numbers."""
        return self.kind != "place"


FIELDS: tuple[Field, ...] = (
    Field("location", "location", "place"),
    Field("when", "when_seen", "time"),
    Field("agents", "agents_vehicles", "text"),
    Field("masks", "masks_identification", "text"),
    Field("details", "details", "text"),
    Field("contact", "contact_answer", "yes_no_unknown"),
    Field("callback", "callback_number", "phone", only_if=("contact", YES)),
)
# Columns the time field adds: when it was, in America/Los_Angeles, and how
# precisely the person said it (bot/language/times.py).
WHEN_AT_COLUMN, WHEN_PRECISION_COLUMN = "when_at", "when_precision"


def field_by_slot(slot: str | None) -> Field | None:
    return next((f for f in FIELDS if f.slot == slot), None)


def field_named(name: str) -> Field:
    return next(f for f in FIELDS if f.name == name)


def slots() -> list[str]:
    return [f.slot for f in FIELDS]


def required_slots(answers: dict[str, str | None]) -> list[str]:
    """The slots still to ask, in order, given the answers so far (by field name)."""
    return [f.slot for f in FIELDS if f.only_if is None or answers.get(f.only_if[0]) == f.only_if[1]]


def _key(text: str) -> str:
    """How phrases are compared: folded, and "don't" = "dont" (people drop apostrophes)."""
    return fold(_APOSTROPHES.sub("", text))


def _phrases(entry: dict | list | None) -> set[str]:
    """The folded phrases of one entry: a list, or lists per language."""
    if entry is None:
        return set()
    lists: Iterable = entry.values() if isinstance(entry, dict) else [entry]
    # "-" folds to nothing: such a phrase is kept as written.
    return {_key(str(phrase)) or str(phrase).strip() for phrases in lists for phrase in phrases or []}


def form_words() -> dict:
    return load_data_file(FORM_DATA)


def _load_folded_phrases() -> dict[str, dict[str, set[str]]]:
    """Every phrase of the form's data, folded once: {section: {kind: phrases}}.

    Folding the phrases of 10+ languages on every message cost about 9 ms a
    turn (profile, make bench): they are folded once per process instead.
    """
    words = form_words()
    return {
        section: {str(kind): _phrases(entry) for kind, entry in (words.get(section) or {}).items()}
        for section in ("control_words", "answers")
    }


_folded_phrases = LoadOnce("report form phrases", _load_folded_phrases)


def control_kind(text: str) -> str | None:
    """CANCEL, MENU, OPERATOR or HELP when the message is nothing but such a word, else None."""
    folded = _key(text)
    if not folded:
        return None
    for kind, phrases in _folded_phrases.get()["control_words"].items():
        if folded in phrases:
            return kind
    return None


def answer_kind(text: str) -> str | None:
    """'skip', YES, NO or DONT_KNOW when the message is nothing but such an answer."""
    folded = _key(text) or text.strip()  # "-" folds to nothing
    for kind, phrases in _folded_phrases.get()["answers"].items():
        if folded in phrases:
            return kind
    return None


def is_skip(text: str) -> bool:
    return answer_kind(text) == "skip"
