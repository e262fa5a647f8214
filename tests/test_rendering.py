"""The renderer and Rasa NLG: language, channel variants, fallback, legal notice."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from rasa.shared.core.events import BotUttered, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rendering.catalogs import Catalogs
from bot.rendering.nlg import CatalogNLG
from bot.rendering.renderer import Renderer, channel_variant, renderer
from bot.settings import PROJECT_ROOT


def write_catalog(root: Path, language: str, messages: dict[str, str]) -> None:
    folder = root / language / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    catalog = Catalog(locale=language, domain="messages")
    for key, text in messages.items():
        catalog.add(key, text)
    with (folder / "messages.po").open("wb") as handle:
        write_po(handle, catalog)


def english_messages() -> dict[str, str]:
    with (PROJECT_ROOT / "locales/en/LC_MESSAGES/messages.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def test_missing_translation_falls_back_to_english_and_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    english = english_messages()
    write_catalog(tmp_path, "en", english)
    write_catalog(tmp_path, "es", {"utter_thanks": "De nada."})
    subject = Renderer(Catalogs(tmp_path))

    with caplog.at_level(logging.WARNING):
        first = subject.render("utter_goodbye", "es")
        subject.render("utter_goodbye", "es")
    assert first.language == "en"
    # English, after a visible note (in English here: this catalog lacks the note too).
    assert first.text.startswith(english["fallback_note"])
    assert first.text.endswith(Renderer(Catalogs(tmp_path)).render("utter_goodbye", "en").text)
    gap_logs = [r for r in caplog.records if "utter_goodbye" in r.getMessage()]
    assert len(gap_logs) == 1
    assert subject.render("utter_thanks", "es").text == "De nada."


def test_unknown_language_falls_back_to_english_without_crashing() -> None:
    result = renderer().render("utter_kyr_door", "xx")
    assert result.language == "en" and "door" in result.text


def test_channel_variant_is_used_when_present_and_default_otherwise(tmp_path: Path) -> None:
    english = english_messages()
    english["utter_kyr_door.sms"] = "Short door answer. Call {hotline.phone}."
    write_catalog(tmp_path, "en", english)
    subject = Renderer(Catalogs(tmp_path))

    assert channel_variant("twilio") == "sms"
    assert channel_variant("cmdline") is None
    sms = subject.render("utter_kyr_door", "en", channel_variant("twilio")).text
    # The hotline is unverified: the note says how to confirm it.
    assert sms == "Short door answer. Call 888-624-4752 (call 3-1-1 to confirm)."
    # No sms text for this key: the default text is sent.
    assert subject.render("utter_thanks", "en", "sms").text == subject.render("utter_thanks", "en").text


def test_resource_placeholders_are_filled_from_the_directory() -> None:
    text = renderer().render("utter_report_activity", "en").text
    assert "888-624-4752" in text and "{" not in text


def test_malformed_catalog_text_does_not_crash(tmp_path: Path) -> None:
    english = english_messages()
    english["utter_thanks"] = "Broken {placeholder"
    write_catalog(tmp_path, "en", english)
    assert Renderer(Catalogs(tmp_path)).render("utter_thanks", "en").text == "Broken {placeholder"


def generate(tracker: DialogueStateTracker, key: str, channel: str = "collector", **kwargs: object) -> dict:
    return asyncio.run(CatalogNLG().generate(key, tracker, channel, **kwargs))


def test_nlg_answers_in_the_language_slot() -> None:
    tracker = DialogueStateTracker.from_events("nlg-lang", [SlotSet("language", "es")])
    message = generate(tracker, "utter_thanks")
    assert message["text"].startswith(renderer().render("utter_thanks", "es").text)
    assert message["language"] == "es"


def test_a_draft_translation_says_so_once_per_conversation() -> None:
    """Spanish is a draft until a qualified reviewer signs it off (data/languages.yml)."""
    tracker = DialogueStateTracker.from_events("nlg-draft", [SlotSet("language", "es")])
    notice = renderer().render("draft_notice", "es").text
    first = generate(tracker, "utter_thanks")
    assert first["text"] == f"{renderer().render('utter_thanks', 'es').text}\n{notice}"
    assert first["draft_notice"] == "es"
    tracker.update(BotUttered(first["text"], metadata={"draft_notice": first["draft_notice"]}))
    second = generate(tracker, "utter_goodbye")
    assert notice not in second["text"] and second["draft_notice"] is None
    # The source language never carries it.
    english = DialogueStateTracker.from_events("nlg-source", [SlotSet("language", "en")])
    assert generate(english, "utter_thanks")["draft_notice"] is None


def test_legal_notice_is_added_once_per_conversation() -> None:
    tracker = DialogueStateTracker.from_events("nlg-notice", [])
    notice = renderer().text("legal_notice", "en")

    first = generate(tracker, "utter_kyr_door")
    assert first["text"].endswith(notice)
    tracker.update(BotUttered(first["text"], metadata={"legal_notice": first["legal_notice"]}))

    second = generate(tracker, "utter_kyr_silent")
    assert notice not in second["text"]
    # Answers that are not legal information never carry it.
    assert notice not in generate(DialogueStateTracker.from_events("x", []), "utter_human")["text"]


def test_unsupported_language_reply_is_english_then_spanish() -> None:
    text = renderer().render("utter_unsupported_language", "en").text
    english = renderer()._render_one("utter_unsupported_language", "en", None).text
    spanish = renderer()._render_one("utter_unsupported_language", "es", None).text
    assert text == f"{english}\n\n{spanish}"
    assert english != spanish


def test_adding_a_language_is_data_only(
    tmp_path: Path, data_dir_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new language = an entry in data/languages.yml + a catalog. No code."""
    import yaml

    from bot.language.registry import language_settings
    from tests.conftest import reset_caches

    locales = tmp_path / "locales"
    shutil.copytree(PROJECT_ROOT / "locales", locales)
    write_catalog(locales, "pt", {"utter_thanks": "De nada, estamos aqui."})
    languages_file = data_dir_copy / "languages.yml"
    settings = yaml.safe_load(languages_file.read_text(encoding="utf-8"))
    settings["supported"]["pt"] = {"native_name": "Português", "switch_words": ["portugues"]}
    languages_file.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("KYR_LOCALES_DIR", str(locales))
    reset_caches()

    assert "pt" in language_settings().supported
    assert "pt" not in language_settings().recognised_unsupported
    assert renderer().render("utter_thanks", "pt").text == "De nada, estamos aqui."
    assert renderer().render("utter_goodbye", "pt").language == "en"
    menu = renderer().render("utter_language", "en").text
    assert f"{language_settings().supported.index('pt') + 1}) Português" in menu


def test_an_operator_can_take_a_topic_offline_without_retraining(data_dir_copy: Path) -> None:
    (data_dir_copy / "content_control.yml").write_text("offline_topics: [kyr_door]\n", encoding="utf-8")
    from tests.conftest import reset_caches

    reset_caches()
    tracker = DialogueStateTracker.from_events("offline", [SlotSet("language", "es")])
    for channel, variant in (("collector", None), ("twilio", "sms"), ("twilio_voice", "voice")):
        message = generate(tracker, "utter_kyr_door", channel)
        assert message["text"].startswith(renderer().render("utter_topic_offline", "es", variant).text)
        assert message["legal_notice"] is False
    # Other topics are untouched.
    assert generate(tracker, "utter_kyr_car")["text"].startswith(
        renderer().render("utter_kyr_car", "es").text
    )
