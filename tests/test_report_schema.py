"""One schema for the report (bot/report_form.py): domain.yml, the table and the export follow it.

Rasa reads slots and forms from domain.yml, so they stay written out there,
where Rasa's tooling (rasa data validate, train, interactive) sees them. This
test fails when domain.yml drifts from the schema, and says what to write.
"""

from __future__ import annotations

import re

import yaml

from bot.channels.twilio_sms import sms_keywords
from bot.rendering.renderer import renderer
from bot.report_form import FIELDS, FORM_NAME, answer_kind, control_kind
from bot.settings import PROJECT_ROOT
from bot.storage import reports
from bot.text import fold

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def test_the_form_asks_the_schema_fields_in_order() -> None:
    assert DOMAIN["forms"][FORM_NAME]["required_slots"] == [f.slot for f in FIELDS]


def test_each_field_slot_takes_the_whole_message_whatever_its_intent() -> None:
    for field in FIELDS:
        expected = [
            {
                "type": "from_text",
                "conditions": [{"active_loop": FORM_NAME, "requested_slot": field.slot}],
            }
        ]
        slot = DOMAIN["slots"].get(field.slot)
        assert slot is not None, f"domain.yml: add slot {field.slot}"
        assert slot["mappings"] == expected, f"domain.yml slot {field.slot}: mappings should be {expected}"
        assert slot["type"] == "text" and slot["influence_conversation"] is False


def test_each_field_has_its_question_and_column() -> None:
    columns = {c.name for c in reports.reports_table.columns}
    for field in FIELDS:
        assert field.question in DOMAIN["responses"], f"domain.yml: add response {field.question}"
        assert field.column in columns
    assert list(reports.FIELD_COLUMNS[: len(FIELDS)]) != []  # the export follows the table
    header = reports.export([], "csv").strip().split(",")
    assert header == ["reference", "created_at", "channel", "language", *reports.FIELD_COLUMNS]


def test_place_names_are_no_control_words_but_bare_words_are() -> None:
    for place in ("Menu Ranch Market", "the Help Center", "parada del camion", "Stop N Go", "Cancel St"):
        assert control_kind(place) is None, place
    kinds = {w: control_kind(w) for w in ("MENU", "Menú", "cancelar", "Cancel report", "help", "Operador")}
    assert kinds == {
        "MENU": "menu",
        "Menú": "menu",
        "cancelar": "cancel",
        "Cancel report": "cancel",
        "help": "help",
        "Operador": "operator",
    }
    assert [answer_kind(w) for w in ("Sí.", "nope", "No sé", "I don't know", "saltar", "-")] == [
        "yes",
        "no",
        "dont_know",
        "dont_know",
        "skip",
        "skip",
    ]


def test_every_word_the_form_tells_people_on_sms_gets_through_the_carrier() -> None:
    """STOP, CANCEL, END, QUIT are carrier opt-out words: Twilio acts on them and the
    form never sees them. What the form tells people to reply must be something else."""
    opt_out = {fold(w) for w in sms_keywords()["opt_out_words"]}
    for language in ("en", "es"):
        for key in (
            "utter_report_activity",
            "utter_report_help",
            "utter_report_resume",
            "utter_report_cancelled",
        ):
            text = renderer().render(key, language, "sms").text
            told = {fold(w) for w in re.findall(r"\b[A-ZÁÉÍÓÚ]{2,}\b", text)}  # MENU, SALTAR...
            assert told and not told & opt_out, f"{language}/{key} tells people to reply {told & opt_out}"
