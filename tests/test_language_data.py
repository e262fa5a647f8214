"""Every served language is complete data: NLU, catalog, glossary, review status, voice.

Languages are data (data/languages.yml): these tests hold each one to the same
bar, so a language added later inherits it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.channels.voice_twiml import voice_config
from bot.language.registry import DRAFT, REVIEWED, SOURCE, language_settings
from bot.rendering.catalogs import catalogs
from bot.settings import PROJECT_ROOT
from bot.text import fold

NLU = PROJECT_ROOT / "data" / "nlu"
GLOSSARY = PROJECT_ROOT / "data" / "glossary"
MIN_EXAMPLES_PER_INTENT = 25
# Intents every language teaches; menu numbers and unsupported languages are shared files.
SHARED_INTENTS = {"menu_choice", "unsupported_language"}
SOURCE_LANGUAGE = "en"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# Sent in the languages of unsupported_reply_languages, not the conversation's.
OTHER_LANGUAGES_REPLY = "utter_unsupported_language"
SAMPLE_VALUES = {"reference": "R-ABC234", "retention_days": "30", "language": "English", "number": "1"}
NEW_LANGUAGES = [code for code in language_settings().supported if code not in ("en", "es")]


def domain_intents() -> list[str]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return [i for i in domain["intents"] if i not in SHARED_INTENTS]


def examples(code: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((NLU / code).glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            lines = [line.strip()[2:] for line in block["examples"].splitlines() if line.strip()]
            found.setdefault(block["intent"], []).extend(lines)
    return found


@pytest.mark.parametrize("code", NEW_LANGUAGES)
def test_every_intent_has_enough_examples_in_this_language(code: str) -> None:
    counts = {intent: len(lines) for intent, lines in examples(code).items()}
    short = {i: counts.get(i, 0) for i in domain_intents() if counts.get(i, 0) < MIN_EXAMPLES_PER_INTENT}
    assert short == {}, f"{code}: intents with fewer than {MIN_EXAMPLES_PER_INTENT} examples"


@pytest.mark.parametrize("code", language_settings().supported)
def test_every_language_has_a_catalog_a_glossary_a_review_status_and_a_voice_entry(code: str) -> None:
    language = language_settings().languages[code]
    assert code in catalogs().messages, f"locales/{code}/LC_MESSAGES/messages.po"
    assert language.review_status in (DRAFT, REVIEWED, SOURCE)
    if language.review_status == REVIEWED:
        assert language.reviewed_by and language.reviewed_on
    assert (code == SOURCE_LANGUAGE) == (language.review_status == SOURCE)
    if code not in ("en", "es"):
        assert (GLOSSARY / f"{code}.yml").exists(), f"data/glossary/{code}.yml"
    entry = voice_config()["languages"].get(code)
    assert entry and entry.get("gather_language"), f"data/voice.yml has no entry for {code}"


def glossary_cases() -> list[tuple[str, str, str]]:
    cases = []
    for path in sorted(GLOSSARY.glob("*.yml")):
        code = path.stem
        if code not in catalogs().messages:
            continue
        for term, forms in yaml.safe_load(path.read_text(encoding="utf-8"))["terms"].items():
            cases.append((code, term, forms))
    return [pytest.param(c, t, f, id=f"{c}-{t}") for c, t, f in cases]


@pytest.mark.parametrize(("code", "term", "forms"), glossary_cases())
def test_glossary_terms_are_used_wherever_english_uses_them(code: str, term: str, forms: dict) -> None:
    """Each answer whose English has the term carries one of its glossary forms in this language."""
    english_term = re.compile(rf"\b{re.escape(forms['en'])}", re.IGNORECASE)
    accepted = forms.get(code) or []
    accepted = [accepted] if isinstance(accepted, str) else accepted
    accepted_folded = [fold(form) for form in accepted if form]
    from bot.rendering.renderer import renderer

    english, translated = catalogs().messages["en"], catalogs().messages[code]
    missing = []
    for key, text in english.items():
        words_only = PLACEHOLDER.sub(" ", text)  # "{hotline.phone}" is no use of the word "hotline"
        if (
            key in translated
            and english_term.search(words_only)
            and not key.startswith(OTHER_LANGUAGES_REPLY)
        ):
            # What the person receives: a resource's name may carry the term ({hotline.name}).
            base, _, variant = key.partition(".")
            target = fold(renderer().render(base, code, variant or None, values=SAMPLE_VALUES).text)
            if not any(form in target for form in accepted_folded):
                missing.append(key)
    assert missing == [], f"{code}: {term} ({forms['en']!r}) lacks {accepted} in {missing}"


def latin_training_vocabulary() -> set[str]:
    vocabulary: set[str] = set()
    for code, language in language_settings().languages.items():
        if "Latin" in language.scripts:
            for lines in examples(code).values():
                for line in lines:
                    vocabulary.update(fold(line).split())
    return vocabulary


def test_romanized_words_are_no_word_of_a_latin_language_we_serve() -> None:
    """A romanized word sends a message to the language menu: it must not be an
    English, Spanish, Tagalog or Vietnamese word people write to us."""
    vocabulary = latin_training_vocabulary()
    clashes = {
        code: sorted(language.romanized_words & vocabulary)
        for code, language in language_settings().languages.items()
        if language.romanized_words & vocabulary
    }
    assert clashes == {}
    # Languages we do not serve yet (romanized Hindi, Punjabi, Urdu) likewise.
    unserved = set(language_settings().recognised_romanized)
    assert sorted(unserved & vocabulary) == []


def test_no_switch_word_belongs_to_two_languages_unless_it_names_both() -> None:
    """ "中文" names both Chinese scripts: it is left to detection and the menu, not a guess."""
    settings = language_settings()
    raw = yaml.safe_load((PROJECT_ROOT / "data" / "languages.yml").read_text(encoding="utf-8"))["supported"]
    for code, entry in raw.items():
        for word in entry.get("switch_words", []):
            owner = settings.switch_phrases.get(fold(str(word)))
            assert owner in (code, None), f"{word!r} of {code} switches to {owner}"


def test_romanized_text_shows_the_language_menu() -> None:
    from bot.language.detection import message_language_detector
    from bot.nlu.language import LANGUAGE_MENU_INTENT, rule_based_intent

    detector = message_language_detector()
    for code, language in language_settings().languages.items():
        for word in sorted(language.romanized_words)[:5]:
            detection = detector.detect(f"{word} {word}")
            assert detection.romanized == code, (word, detection)
            assert rule_based_intent(word, detection, {"name": "greet", "confidence": 0.9}) == (
                LANGUAGE_MENU_INTENT
            )


@pytest.mark.parametrize("code", [c for c in NEW_LANGUAGES if language_settings().languages[c].rtl])
def test_right_to_left_text_isolates_numbers_and_codes(code: str) -> None:
    from bot.content.resources import resource_directory
    from bot.rendering.renderer import FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE, renderer

    hotline = resource_directory()["hotline"].value("phone", code)
    text = renderer().render("utter_emergency", code).text
    assert f"{FIRST_STRONG_ISOLATE}{hotline}{POP_DIRECTIONAL_ISOLATE}" in text, text
    done = renderer().render("utter_report_done", code, values={"reference": "R-ABC234"}).text
    assert f"{FIRST_STRONG_ISOLATE}R-ABC234{POP_DIRECTIONAL_ISOLATE}" in done
    # Left-to-right languages are left alone.
    assert FIRST_STRONG_ISOLATE not in renderer().render("utter_emergency", "en").text


def test_every_language_is_reachable_in_two_voice_menus_each_under_45_seconds() -> None:
    from bot.channels.speech_text import speech_seconds
    from bot.channels.voice_flow import MORE_LANGUAGES_DIGIT, language_option, language_pages

    pages = language_pages()
    assert len(pages) <= 2
    reachable = {code for page in pages for _, code in page}
    assert reachable == set(language_settings().supported)
    for number, page in enumerate(pages):
        spoken = [language_option(code, digit) for digit, code in page]
        if number == 0 and len(pages) > 1:
            spoken.append(f"For more languages, press {MORE_LANGUAGES_DIGIT}.")
        seconds = sum(speech_seconds(text) + 0.5 for text in spoken)  # half a second between options
        assert seconds <= 45, f"language menu page {number + 1}: {seconds:.0f} s"


def test_heldout_sets_are_not_training_data() -> None:
    """The held-out messages must never be copied into data/nlu."""
    training = {
        fold(line)
        for code in language_settings().supported
        for lines in examples(code).values()
        for line in lines
    }
    for path in Path(PROJECT_ROOT / "tests" / "data" / "heldout").glob("*.yml"):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            assert fold(case["text"]) not in training, (
                f"{path.name}: {case['text']!r} is in the training data"
            )


def test_romanized_text_in_the_conversations_own_language_is_understood_not_sent_to_the_menu() -> None:
    """Armenian typed in Latin letters: the menu when the conversation is not in
    Armenian; the person's own question once they have chosen Armenian."""
    from rasa.shared.nlu.constants import INTENT, METADATA, TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.conversation_keys import CONVERSATION_LANGUAGE_METADATA, LANGUAGE_DETECTION_KEY
    from bot.nlu.language import LANGUAGE_MENU_INTENT, LanguageAndRulesClassifier

    word = sorted(language_settings().languages["hy"].romanized_words)[0]
    text = f"{word} {word}"
    classifier = LanguageAndRulesClassifier()
    model_guess = {"name": "legal_help", "confidence": 0.8}

    def parsed(conversation: str | None) -> Message:
        message = Message(data={TEXT: text, INTENT: dict(model_guess)})
        if conversation:
            message.set(METADATA, {CONVERSATION_LANGUAGE_METADATA: conversation})
        return classifier.process([message])[0]

    for other in (None, "en", "ru"):
        assert parsed(other).get(INTENT)["name"] == LANGUAGE_MENU_INTENT, other
    own = parsed("hy")
    assert own.get(INTENT)["name"] == "legal_help"
    assert own.get(LANGUAGE_DETECTION_KEY)["language"] == "hy"
