"""The catalogs: complete in English and Spanish, consistent, and free of contact details."""

from __future__ import annotations

import re
import string

import pytest
import yaml

from bot.content.resources import resource_directory
from bot.rendering.catalogs import catalogs
from bot.rendering.renderer import renderer
from bot.settings import PROJECT_ROOT

# Every language with a catalog: a new language inherits every rule here.
LANGUAGES = sorted(catalogs().messages)
PHONE = re.compile(r"\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}|\b1-\d{3}-\d{3}-\d{4}\b|\b\d{7,}\b")
URL = re.compile(r"https?://|www\.|\b[\w-]+\.(?:org|gov|com|net|us)\b", re.IGNORECASE)
EMERGENCY_NUMBERS = re.compile(r"\b(?:911|3-1-1)\b")


def domain_responses() -> list[str]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return list(domain["responses"])


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def all_keys() -> list[str]:
    return sorted(catalogs().messages["en"])


def test_every_domain_response_has_english_and_spanish_text() -> None:
    for language in LANGUAGES:
        missing = [key for key in domain_responses() if key not in catalogs().messages[language]]
        assert missing == [], f"{language} catalog lacks {missing}"


def rasa_default_response_keys() -> list[str]:
    """The responses Rasa's own default actions send (utter_restart, utter_default, ...)."""
    from rasa.core.actions.action import ActionBotResponse, default_actions

    return sorted(a.utter_action for a in default_actions() if isinstance(a, ActionBotResponse))


def test_rasa_emits_no_response_without_catalog_text() -> None:
    keys = rasa_default_response_keys()
    assert "utter_restart" in keys and "utter_default" in keys
    for language in LANGUAGES:
        missing = [key for key in keys if key not in catalogs().messages[language]]
        assert missing == [], f"{language} catalog lacks Rasa's default responses {missing}"
    assert set(keys) <= set(domain_responses()), "declare them in domain.yml so they are extracted"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_every_english_key(language: str) -> None:
    assert set(catalogs().messages[language]) == set(catalogs().messages["en"])


@pytest.mark.parametrize("key", all_keys())
def test_placeholders_match_across_languages(key: str) -> None:
    english = placeholders(catalogs().messages["en"][key])
    for language in LANGUAGES:
        assert placeholders(catalogs().messages[language][key]) == english, (language, key)


@pytest.mark.parametrize("key", all_keys())
def test_no_phone_number_or_url_in_catalog_text(key: str) -> None:
    for language in LANGUAGES:
        text = catalogs().messages[language][key]
        assert not PHONE.search(text), f"{language}/{key} holds a phone number"
        assert not URL.search(text), f"{language}/{key} holds a web address"
        assert not EMERGENCY_NUMBERS.search(text), (
            f"{language}/{key}: 911/311 numbers come from the directory"
        )


@pytest.mark.parametrize("key", all_keys())
def test_every_resource_placeholder_names_a_directory_field(key: str) -> None:
    for field in placeholders(catalogs().messages["en"][key]) - {
        "menu",
        "resources",
        "name",
        "contact",
        "label",
        "number",
        "reference",
        "language",
        "retention_days",
        # Filled by the renderer: a resource line and its status, a time, a weekday, language names.
        "line",
        "status",
        "time",
        "day",
        "languages",
    }:
        resource_id, _, attribute = field.partition(".")
        assert resource_id in resource_directory(), f"{key}: unknown resource {resource_id!r}"
        assert resource_directory()[resource_id].value(attribute, "en"), f"{key}: {field} is empty"


def answers() -> list[str]:
    """Responses that end a turn. A form question (utter_ask_*) is itself the
    next step, and so are the report form's replies that come before a question
    (a re-asked number or yes/no, the way back after an emergency); the greeting
    is followed by the menu."""
    return [
        k
        for k in domain_responses()
        if not k.startswith("utter_ask_")
        and k
        not in (
            "utter_greet",
            "utter_report_callback_invalid",
            "utter_report_contact_unclear",
            "utter_report_resume",
        )
    ]


@pytest.mark.parametrize("key", answers())
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_answer_leaves_a_next_step(key: str, language: str) -> None:
    """A number to call, a menu to pick from, or 'reply MENU'."""
    text = renderer().render(key, language).text
    phone_numbers = [
        r.value("phone", language) for r in resource_directory().values() if r.value("phone", language)
    ]
    has_number = any(number in text for number in phone_numbers)
    has_menu = re.search(r"^1\) ", text, re.MULTILINE) is not None
    assert has_number or has_menu or "MENU" in text, f"{language}/{key} leaves no next step:\n{text}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_unverified_contacts_say_how_to_confirm(language: str) -> None:
    text = renderer().render("utter_legal_help", language).text
    carecen = resource_directory()["carecen"]
    note = renderer().with_confirm_note("", carecen, "phone", language, None).strip()
    assert "3-1-1" in note  # how: call 311
    assert note in next(line for line in text.splitlines() if "CARECEN" in line)
    # Nothing in the directory is verified but 911: RepresentLA's address gets the note too.
    assert note in next(line for line in text.splitlines() if "RepresentLA" in line)
