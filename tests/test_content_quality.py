"""What people receive is right, plain and usable: issue 12.

* the seven misleading points stay fixed, in every language and channel;
* honest verification in the resource directory, and notes that say how to confirm;
* reading level, SMS length and speakable voice text, for every language in locales/;
* every topic names the FACTS.md sections it rests on;
* a translation whose English changed is flagged fuzzy and never served.
"""

from __future__ import annotations

import datetime
import re
import shutil
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from bot.content import hours as opening_hours
from bot.content.hours import CITY_TIME
from bot.content.resources import CONTACT_FIELDS, resource_directory, resources_for_topic
from bot.content.topics import topics
from bot.quality.checks import (
    SMS_MAX_FULL_SEGMENTS,
    SMS_MAX_SEGMENTS,
    SMS_MEDIAN_SEGMENTS,
    VARIANTS,
    message_keys,
    received,
    sms_keys,
    sms_segments,
    voice_keys,
    voice_problems,
)
from bot.quality.readability import exceptions, limits, reading, score
from bot.rendering.catalog_sources import (
    mark_stale,
    read_catalog,
    recorded_hash,
    source_hash,
    stamp,
    status,
    write_catalog,
)
from bot.rendering.catalogs import Catalogs, catalogs
from bot.rendering.renderer import Renderer, renderer
from bot.settings import PROJECT_ROOT
from bot.text import strip_accents

# The longest a line's status gets: closed, with the next opening day and time
# (bot.content.hours). Every length and reading-level check below holds then.
CLOSED_MOMENT = datetime.datetime(2026, 12, 2, 21, 0, tzinfo=CITY_TIME)


@pytest.fixture(autouse=True)
def at_the_longest_status(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(opening_hours, "city_now", lambda: CLOSED_MOMENT)


LANGUAGES = ["en", "es"]
FACTS = PROJECT_ROOT.parent / "shared" / "content" / "FACTS.md"


def catalog_languages() -> list[str]:
    """Every language with a catalog in locales/: new languages inherit every rule here."""
    return sorted(catalogs().messages)


def texts(key: str, language: str) -> dict[str | None, str]:
    """The text of `key` on each channel, as sent, accents folded for matching."""
    return {variant: strip_accents(received(key, language, variant)).lower() for variant in VARIANTS}


# --- the seven points ------------------------------------------------------------------------


PAPERS_CAVEAT = {
    "en": re.compile(r"not a citizen.*carry immigration papers.*must show them"),
    "es": re.compile(r"no es ciudadano.*lleva papeles de inmigracion.*debe mostrarlos"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_work_never_says_employers_are_forbidden_to_let_agents_in_or_hand_over_records(language: str) -> None:
    """AB 450's limits on private employers are enjoined (FACTS 1 'At work')."""
    forbidden = {
        "en": re.compile(r"employers? (?:may|must|can) not|may not freely|hand over|records"),
        "es": re.compile(r"no puede\b.*dejar entrar|no puede.*entregar|expedientes"),
    }[language]
    consent = {"en": "employer may choose to let them in", "es": "empleador puede decidir dejarlos entrar"}
    for variant, text in texts("utter_kyr_work", language).items():
        assert not forbidden.search(text), f"{language}/{variant}: {text}"
        assert consent[language] in text, f"{language}/{variant}: the employer may consent"
        assert "72" in text, f"{language}/{variant}: the 72-hour I-9 notice still stands"
        if variant != "sms":  # the SMS text sends the papers caveat with MORE
            assert PAPERS_CAVEAT[language].search(text), f"{language}/{variant} lacks the papers caveat"


@pytest.mark.parametrize("language", LANGUAGES)
def test_door_keeps_the_warrant_and_contested_caveats_on_every_channel(language: str) -> None:
    judge, ice_forms, contested = {
        "en": ("signed by a judge", "ice forms", "contested"),
        "es": ("la firma un juez", "formularios", "en disputa"),
    }[language]
    for variant, text in texts("utter_kyr_door", language).items():
        assert judge in text, f"{language}/{variant}: what makes a warrant judicial"
        assert ice_forms in text and (
            "officers" in text or "agentes, no jueces" in text or "agentes." in text
        )
        assert contested in text, f"{language}/{variant}: the home-entry point is contested"
        assert "never enter" not in text and "nunca pueden entrar" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_silence_carries_the_papers_caveat_on_every_channel(language: str) -> None:
    for variant, text in texts("utter_kyr_silent", language).items():
        assert PAPERS_CAVEAT[language].search(text), f"{language}/{variant}: {text}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_city_policy_says_city_rules_do_not_bind_federal_agents(language: str) -> None:
    not_federal, public_areas = {
        "en": ("not to federal agents", "may still enter public areas"),
        "es": ("no para agentes federales", "aun pueden entrar a areas publicas"),
    }[language]
    for variant, text in texts("utter_city_policy", language).items():
        text = text.replace("los agentes federales", "agentes federales").replace("a las areas", "a areas")
        assert not_federal in text, f"{language}/{variant}: {text}"
        assert public_areas in text, f"{language}/{variant}: {text}"


@pytest.mark.parametrize("key", ["utter_family_plan", "utter_legal_help"])
def test_spanish_says_a_notario_publico_is_not_a_lawyer(key: str) -> None:
    for variant, text in texts(key, "es").items():
        assert "notario publico no es abogado" in text, f"{key}/{variant}: {text}"
        if key == "utter_family_plan" or variant is None:
            assert "no puede darle consejos legales" in text, f"{key}/{variant}: cannot give legal advice"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_state_bar_is_where_to_check_a_licence_not_free_legal_help(language: str) -> None:
    state_bar = resource_directory()["state_bar"]
    assert "legal_help" not in state_bar.topics
    assert "state_bar" not in [r.id for r in resources_for_topic("legal_help", language)]
    name = strip_accents(state_bar.name(language)).lower()
    licence = {"en": "licens", "es": "licencia"}[language]
    for variant, text in texts("utter_legal_help", language).items():
        lines = text.splitlines() if variant != "voice" else re.split(r"(?<=\.)\s", text)
        mentions = [line for line in lines if name in line]
        assert mentions, f"{language}/{variant}: the State Bar is named"
        for line in mentions:
            assert licence in line, f"{language}/{variant}: {line!r} is not about checking a licence"
            assert not line.startswith("- "), f"{language}/{variant}: listed as legal help: {line!r}"
    for resource in resource_directory().values():
        if "State Bar" in resource.name("en"):
            assert "legal_help" not in resource.topics


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def test_verified_means_checked_at_a_named_source_on_a_date() -> None:
    for resource in resource_directory().values():
        if resource.verified:
            assert resource.source.strip(), f"{resource.id}: verified, but where?"
            assert resource.verified_on and ISO_DATE.match(resource.verified_on), (
                f"{resource.id}: verified_on must be the day it was checked, not {resource.verified_on!r}"
            )
            assert datetime.date.fromisoformat(resource.verified_on) <= datetime.date.today()
        else:
            assert resource.verified_on is None, f"{resource.id}: a date without verification misleads"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_unverified_detail_says_how_to_confirm_it(language: str) -> None:
    how = strip_accents(resource_directory()["la311"].value("phone", language) or "")
    assert how == "3-1-1"
    note_keys = set()
    for resource in resource_directory().values():
        for field in [*CONTACT_FIELDS, "hours"]:
            if not resource.fields.get(field) or resource.is_verified(field):
                continue
            note_key = resource.confirm_note(field)
            if note_key is None:
                assert resource.confirm.get(field) == "self" and resource.id == "la311", (
                    f"{resource.id}.{field}: only 311's own lines may go without a note"
                )
                continue
            note_keys.add(note_key)
            for variant in VARIANTS:
                shown = renderer().with_confirm_note("X", resource, field, language, variant)
                assert how in strip_accents(shown) and shown != "X", (
                    f"{resource.id}.{field}/{variant}: {shown}"
                )
    assert note_keys, "no unverified detail found: the test would prove nothing"
    # The old note only said "(please confirm)": it never said how.
    for key in message_keys():
        for variant in VARIANTS:
            text = received(key, language, variant).lower()
            assert "please confirm" not in text and "confirme el dato" not in text, f"{key}/{variant}"


def test_details_seen_only_on_dated_pages_are_unverified() -> None:
    """The issue's list: a source date is not verification."""
    for resource_id in ("la311", "hotline", "representla", "moia"):
        assert not resource_directory()[resource_id].verified, resource_id


# --- reading level ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", sorted(limits()))
def test_every_answer_is_plain_enough(language: str) -> None:
    failures = []
    for key in message_keys():
        for variant in VARIANTS:
            if variant is not None and f"{key}.{variant}" not in catalogs().messages["en"]:
                continue
            result = reading(received(key, language, variant), language, key, variant)
            if result is not None and not result.passes:
                failures.append(f"{key}/{variant}: {result.describe()}")
    assert failures == [], "\n".join(failures)


def test_reading_exceptions_are_reviewed_and_still_needed() -> None:
    for (key, language, variant), exception in exceptions().items():
        assert len(exception.reason) >= 20, f"{key}/{language}/{variant}: say why it cannot be simpler"
        assert key in catalogs().messages["en"], f"exception for an unknown key {key}"
        limit = limits()[language]
        value = score(received(key, language, variant), language)
        assert value is not None and not limit.passes(value), f"{key}/{language}/{variant} no longer needs it"


def test_the_reading_score_tells_plain_from_hard_text() -> None:
    plain = "Do not open the door. Ask to see a warrant. Stay calm."
    hard = (
        "Notwithstanding administrative authorization, constitutional jurisprudence "
        "conditionally necessitates judicial authorization prior to residential entry."
    )
    assert limits()["en"].passes(score(plain, "en"))
    assert not limits()["en"].passes(score(hard, "en"))
    assert not limits()["es"].passes(
        score("La jurisprudencia constitucional condiciona administrativamente la autorización.", "es")
    )


def test_textstat_counts_syllables_offline() -> None:
    """The pinned textstat needs no download: scores work with the network cut."""
    code = textwrap.dedent(
        """
        import socket
        def refuse(*args, **kwargs):
            raise OSError("network is off for this test")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        import textstat
        from importlib.metadata import version
        assert version("textstat") == "0.7.4", version("textstat")
        meter = textstat.textstat
        assert meter.flesch_kincaid_grade("Do not open the door. Stay calm.") < 3
        meter.set_lang("es")
        assert meter.fernandez_huerta("No abra la puerta. Mantenga la calma.") > 90
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


# --- SMS and voice ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", catalog_languages())
def test_every_sms_fits_four_segments_and_the_median_two(language: str) -> None:
    segments = {}
    for key in sms_keys():
        short, full = sms_segments(key, language)
        assert short.segments <= SMS_MAX_SEGMENTS, f"{language}/{key}: {short}"
        assert full.segments <= SMS_MAX_FULL_SEGMENTS[full.encoding], f"{language}/{key} (MORE): {full}"
        segments[key] = short.segments
    assert statistics.median(segments.values()) <= SMS_MEDIAN_SEGMENTS, segments


@pytest.mark.parametrize("language", catalog_languages())
def test_every_voice_text_is_speakable(language: str) -> None:
    problems = {key: voice_problems(received(key, language, "voice")) for key in voice_keys()}
    assert {key: found for key, found in problems.items() if found} == {}


def test_the_voice_check_finds_what_a_caller_cannot_use() -> None:
    assert voice_problems("Hours: Mon-Fri 7am-7pm") != []
    assert voice_problems("de lun-vie, de 7am a 7pm") != []
    assert voice_problems("Go to representla.org") != []
    assert voice_problems("See mayor.lacity.gov/KYR") != []
    assert voice_problems("Ordinance 188441 says") != []
    assert voice_problems("The U.S. has sued") != []
    assert voice_problems("Call 8 8 8, 6 2 4, 4 7 5 2. Monday to Friday, 7 in the morning.") == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_web_only_resources_are_named_on_the_phone_with_a_way_to_get_the_address(language: str) -> None:
    text = received("utter_legal_help", language, "voice")
    line = next(s for s in re.split(r"(?<=\.)\s", text) if "RepresentLA" in s)
    follow = text[text.index(line) : text.index(line) + len(line) + 60]
    assert "3 1 1" in follow, follow
    assert "representla.org" not in text.lower()


@pytest.mark.parametrize("language", LANGUAGES)
def test_hours_are_spelled_out_on_the_phone(language: str) -> None:
    text = received("utter_human", language, "voice")
    day = {"en": "Monday to Friday", "es": "lunes a viernes"}[language]
    morning = {"en": "in the morning", "es": "de la mañana"}[language]
    assert day in text and morning in text, text


# --- sources as data --------------------------------------------------------------------------


def _topic_settings() -> dict[str, dict]:
    return yaml.safe_load((PROJECT_ROOT / "data" / "topics.yml").read_text(encoding="utf-8"))["topics"]


def test_every_topic_names_its_facts_sections_and_when_it_was_checked() -> None:
    assert set(_topic_settings()) == set(topics())
    for topic_id, settings in _topic_settings().items():
        assert settings.get("facts"), f"{topic_id}: which FACTS.md sections does it rest on?"
        checked = settings.get("checked")
        assert isinstance(checked, datetime.date), f"{topic_id}: checked must be a date, not {checked!r}"
        assert checked <= datetime.date.today()


@pytest.mark.skipif(not FACTS.exists(), reason="shared/content/FACTS.md is not beside the clone")
def test_every_named_facts_section_exists() -> None:
    headings = {
        line.lstrip("#").strip()
        for line in FACTS.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }
    for topic_id, settings in _topic_settings().items():
        for section in settings["facts"]:
            assert section in headings, f"{topic_id}: FACTS.md has no section {section!r}"


# --- stale translations ----------------------------------------------------------------------


def test_the_catalogs_have_no_stale_translation() -> None:
    """An English change must go through `make i18n-update`, which flags its translations."""
    assert {lang: found["stale"] for lang, found in status().items() if found["stale"]} == {}


def _locales_copy(tmp_path: Path) -> Path:
    root = tmp_path / "locales"
    shutil.copytree(PROJECT_ROOT / "locales", root, ignore=shutil.ignore_patterns("*.mo"))
    return root


def test_a_changed_english_text_makes_its_translation_fuzzy_and_english_is_served(tmp_path: Path) -> None:
    root = _locales_copy(tmp_path)
    english = read_catalog(root, "en")
    english["utter_kyr_car"].string = "Stopped in a car: pull over safely. " + english["utter_kyr_car"].string
    write_catalog(root, "en", english)
    spanish_before = read_catalog(root, "es")["utter_kyr_car"].string

    assert "utter_kyr_car" in status(root)["es"]["stale"]
    assert mark_stale(root)["es"] == ["utter_kyr_car"]
    assert status(root)["es"] == {"fuzzy": ["utter_kyr_car"], "stale": []}
    assert read_catalog(root, "es")["utter_kyr_car"].string == spanish_before  # kept for the translator

    served = Renderer(Catalogs(root)).render("utter_kyr_car", "es")
    assert served.language == "en"
    note = catalogs().messages["es"]["fallback_note"]
    assert served.text.startswith(note), served.text
    assert "Stopped in a car: pull over safely." in served.text
    # Other Spanish answers are untouched.
    assert Renderer(Catalogs(root)).render("utter_kyr_door", "es").language == "es"

    # The translator updates the text and records it: Spanish is served again.
    spanish = read_catalog(root, "es")
    spanish["utter_kyr_car"].string = "Si lo paran en el carro: oríllese con cuidado. " + spanish_before
    write_catalog(root, "es", spanish)
    assert stamp("es", ["utter_kyr_car"], root) == ["utter_kyr_car"]
    assert status(root)["es"] == {"fuzzy": [], "stale": []}
    assert recorded_hash(read_catalog(root, "es")["utter_kyr_car"]) == source_hash(
        english["utter_kyr_car"].string
    )
    assert Renderer(Catalogs(root)).render("utter_kyr_car", "es").language == "es"


def test_make_i18n_update_flags_stale_translations(tmp_path: Path) -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ni18n-update:", 1)[1].split("\n\n", 1)[0]
    assert "pybabel update" in recipe and "i18n-sources mark" in recipe


def test_i18n_report_lists_fuzzy_translations_and_the_checks(tmp_path: Path) -> None:
    root = _locales_copy(tmp_path)
    english = read_catalog(root, "en")
    english["utter_thanks"].string = "You are welcome. " + english["utter_thanks"].string
    write_catalog(root, "en", english)
    mark_stale(root)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "i18n-report"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
        env={**__import__("os").environ, "KYR_LOCALES_DIR": str(root), "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert "es: utter_thanks is fuzzy" in done.stdout
    spanish = done.stdout.split("\n[es]\n", 1)[1].split("\n[", 1)[0]
    row = next(
        line for line in spanish.splitlines() if line.strip().startswith("utter_thanks") and "FUZZY" in line
    )
    assert "default" in row and "GSM-7" in row
    assert re.search(r"utter_kyr_work\s+default \d", done.stdout)
