"""The Twilio Voice IVR over real HTTP against a running `rasa run` on loopback."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest
import yaml

from bot.channels.speech_text import speakable, speech_seconds
from bot.channels.voice_twiml import voice_config, voice_settings
from bot.content.topics import menus
from bot.language.registry import language_settings
from bot.rendering.catalogs import catalogs
from bot.rendering.renderer import renderer
from bot.settings import PROJECT_ROOT
from tests.conftest import AUTH_TOKEN, OPERATOR_NUMBER, SPANISH_LINE, LiveServer
from tests.voice_client import Call

VOICE = yaml.safe_load((PROJECT_ROOT / "data" / "voice.yml").read_text(encoding="utf-8"))["languages"]


def spoken(key: str, language: str, **kwargs: Any) -> str:
    return speakable(renderer().render(key, language, "voice", **kwargs).text)


def call(server: LiveServer, **kwargs: str) -> Call:
    return Call(server.base_url, AUTH_TOKEN, **kwargs)


def test_answer_offers_each_language_in_its_own_voice(live_server: LiveServer) -> None:
    turn = call(live_server).start()
    assert turn.status == 200
    assert turn.says[0].text == spoken("voice_welcome", "en")
    gather = turn.gather
    assert gather is not None and gather.get("input") == "dtmf"
    options = [(s.get("language"), s.get("voice"), s.text) for s in gather.findall("Say")]
    from bot.channels.voice_flow import language_option, language_pages
    from bot.channels.voice_twiml import voice_settings

    def voice_of(code: str) -> tuple[str | None, str | None]:
        # A language no voice reads is offered in English (voice_language_option_english).
        settings = voice_settings(code if voice_settings(code).can_say else "en")
        return settings.say_language, settings.say_voice

    expected = [(*voice_of(code), language_option(code, digit)) for digit, code in language_pages()[0]]
    assert options[: len(expected)] == expected
    assert options[0] == ("en-US", VOICE["en"]["say_voice"], "For English, press 1.")
    assert options[1][:2] == ("es-US", VOICE["es"]["say_voice"])
    if len(language_pages()) > 1:  # the first page ends with "more languages"
        more = renderer().text("voice_more_languages", "en", "voice").format(number="9")
        assert options[-1][2] == speakable(more)
    assert turn.verbs()[-1] == "Redirect"


def test_a_retried_request_gets_the_first_answer_and_moves_the_call_once(live_server: LiveServer) -> None:
    caller = call(live_server)
    caller.start()
    more = caller.press("9")  # the second page of languages
    assert "?turn=" in caller.action_path and caller.last_request[0] != "/webhooks/twilio_voice/webhook"
    retry = caller.again()
    assert ElementTree.tostring(retry.root) == ElementTree.tostring(more.root)
    # Still on the second page: its "1" is its first language, not English.
    from bot.channels.voice_flow import language_pages

    first_on_page_two = language_pages()[1][0][1]
    chosen = caller.press("1")
    assert chosen.says[-1].language == voice_settings(first_on_page_two).say_language or (
        not voice_settings(first_on_page_two).can_say
    )
    assert chosen.text != more.text


@pytest.mark.parametrize(("digit", "language"), [("1", "en"), ("2", "es")])
def test_language_choice_then_main_menu_with_speech(
    live_server: LiveServer, digit: str, language: str
) -> None:
    phone = call(live_server)
    phone.start()
    turn = phone.press(digit)
    gather = turn.gather
    assert gather.get("input") == "speech dtmf"
    assert gather.get("language") == VOICE[language]["gather_language"]
    assert gather.get("speechTimeout") == "auto"
    assert all(s.language == VOICE[language]["say_language"] for s in turn.says)
    assert all(s.voice == VOICE[language]["say_voice"] for s in turn.says)
    menu_text = speakable(renderer().menu_text(menus()["main"], language, "voice"))
    assert turn.text == f"{spoken('voice_main_prompt', language)} {menu_text}"


def test_dialed_number_presets_the_language(live_server: LiveServer) -> None:
    turn = call(live_server, to=SPANISH_LINE).start()
    assert turn.gather.get("language") == "es-US"
    assert turn.says[0].text == spoken("voice_welcome", "es")


@pytest.mark.parametrize(
    ("digit", "language", "key"), [("2", "en", "utter_kyr_door"), ("5", "es", "utter_find_detained")]
)
def test_menu_digits_map_to_the_sms_menu_topics(
    live_server: LiveServer, digit: str, language: str, key: str
) -> None:
    assert menus()["main"].entry(digit).value == key.removeprefix("utter_")
    phone = call(live_server)
    phone.start()
    phone.press("1" if language == "en" else "2")
    turn = phone.press(digit)
    answer = spoken(key, language, legal_notice=True)
    if language_settings().languages[language].is_draft:  # the first answer in a draft language says so
        answer = f"{answer} {spoken('draft_notice', language)}"
    assert turn.text == f"{answer} {spoken('voice_after_answer', language)}"
    assert turn.gather.get("language") == VOICE[language]["gather_language"]


def test_speech_question_repeat_menu_and_operator(live_server: LiveServer) -> None:
    phone = call(live_server)
    phone.start()
    phone.press("2")
    answer = phone.say("la migra esta en mi puerta que hago")
    assert answer.text.startswith(spoken("utter_kyr_door", "es", legal_notice=True))
    assert phone.press("9").text == answer.text  # repeat
    menu = phone.press("*")
    assert menu.text.startswith(spoken("voice_main_prompt", "es"))
    operator = phone.press("0")
    assert operator.verbs() == ["Say", "Dial"]
    assert operator.root.find("Dial").text == OPERATOR_NUMBER
    assert operator.says[0].text == spoken("voice_transfer", "es")


@pytest.mark.parametrize("words", ["operator", "una persona", "I want a real person"])
def test_operator_by_voice(live_server: LiveServer, words: str) -> None:
    phone = call(live_server)
    phone.start()
    phone.press("1")
    turn = phone.say(words)
    if words == "I want a real person":  # not an operator word: the dialogue answers (human topic)
        assert turn.text.startswith(spoken("utter_human", "en"))
    else:
        assert turn.root.find("Dial").text == OPERATOR_NUMBER


def test_silence_reprompts_twice_then_offers_operator_then_hangs_up(live_server: LiveServer) -> None:
    phone = call(live_server)
    phone.start()
    phone.press("1")
    first, second = phone.silence(), phone.silence()
    for turn in (first, second):
        assert turn.says[0].text == spoken("voice_no_input", "en")
        assert turn.gather is not None
    offer = phone.silence()
    assert offer.says[-1].text == spoken("voice_offer_operator", "en")
    goodbye = phone.silence()
    assert goodbye.verbs() == ["Say", "Hangup"]
    assert goodbye.says[0].text == spoken("voice_goodbye", "en")


def test_no_match_counts_like_silence(live_server: LiveServer) -> None:
    phone = call(live_server)
    phone.start()
    phone.press("1")
    turn = phone.say("🙏")
    assert turn.says[0].text == spoken("voice_no_match", "en")


def test_hang_up_closes_the_conversation(live_server: LiveServer) -> None:
    phone = call(live_server)
    phone.start()
    phone.press("2")
    assert phone.hang_up().status == 204
    # The call's state is gone: a new post is a new call (language menu again).
    assert phone.start().gather.get("input") == "dtmf"


def test_unsigned_or_forged_requests_are_forbidden(live_server: LiveServer) -> None:
    assert call(live_server).unsigned().status == 403
    forged = Call(live_server.base_url, "not-the-token")
    assert forged.start().status == 403
    assert forged.hang_up().status == 403


def test_without_operator_number_the_bot_reads_311_and_hangs_up() -> None:
    from bot.channels.voice_flow import CallFlow
    from bot.channels.voice_twiml import Speaker

    twiml = CallFlow(operator_number=None)._operator_or_goodbye(Speaker("en"))
    assert "<Hangup" in twiml and "<Dial" not in twiml
    assert speakable(renderer().render("voice_no_operator", "en", "voice").text) in twiml


MAX_TURN_SECONDS = 32  # "about 30 seconds at most per turn"
UNSPOKEN = re.compile(r"https?://|www\.|\b[\w-]+\.(?:org|gov|com|net)\b|[/\\()\[\]#&@*+=<>_|~`%$]")


def voice_keys() -> list[str]:
    """Every key spoken on the phone: the voice variants and the phone-only texts.

    Screen menus (utter_menu...) have no voice variant: the channel speaks its
    own menus from menu_line and the labels, both checked here.
    """
    keys = {k.removesuffix(".voice") for k in catalogs().messages["en"] if k.endswith(".voice")}
    keys |= {k for k in catalogs().messages["en"] if k.startswith("voice_")}
    return sorted(keys)


@pytest.mark.parametrize("key", voice_keys())
@pytest.mark.parametrize("language", ["en", "es"])
def test_voice_text_has_no_url_and_no_unspoken_symbols(key: str, language: str) -> None:
    text = speakable(renderer().render(key, language, "voice").text)
    assert not UNSPOKEN.search(text), f"{language}/{key}: {text}"
    assert speech_seconds(text) <= MAX_TURN_SECONDS, f"{language}/{key}: {speech_seconds(text):.0f} s"


@pytest.mark.parametrize("language", language_settings().supported)
def test_every_supported_language_has_its_own_voice_entry(language: str) -> None:
    """Read from the data, not through voice_settings(), whose keypad-only fallback
    would hide a missing entry. A language Twilio has no voice for names none."""
    entry = voice_config()["languages"].get(language)
    assert entry, f"data/voice.yml has no entry for {language}"
    assert entry["gather_language"]
    assert bool(entry.get("say_voice")) == bool(entry.get("say_language")), "a voice needs its language"
    assert voice_settings(language).say_voice == entry.get("say_voice")


def test_a_language_without_speech_recognition_is_served_by_keypad(data_dir_copy: Any) -> None:
    """Voice settings are data: a supported language with no entry gets keypad only, and says so."""
    from bot.channels.voice_flow import CallFlow, CallState
    from bot.channels.voice_twiml import Speaker
    from tests.conftest import reset_caches

    languages = data_dir_copy / "languages.yml"
    settings = yaml.safe_load(languages.read_text(encoding="utf-8"))
    settings["supported"]["pt"] = {"native_name": "Português", "review": {"status": "draft"}}
    languages.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    reset_caches()
    assert voice_settings("pt").speech is False
    twiml = CallFlow(operator_number=None)._main_menu(CallState(language="pt", stage="menu"), Speaker("pt"))
    assert speakable(renderer().render("voice_keypad_only", "pt", "voice").text) in twiml
    assert 'input="dtmf"' in twiml and "speechTimeout" not in twiml


def test_reporting_by_phone(live_server: LiveServer) -> None:
    phone = call(live_server)
    phone.start()
    phone.press("1")
    assert (
        phone.press("7").text
        == f"{spoken('utter_report_activity', 'en')} {spoken('utter_ask_report_location', 'en')}"
    )
    for answer in (
        "Lincoln Park by the lake",
        "right now",
        "five agents, two trucks",
        "they wore masks",
        "skip",
    ):
        turn = phone.say(answer)
        assert spoken("voice_after_answer", "en") not in turn.text  # questions wait for answers
    # Keys answer the form's questions rather than picking menu topics.
    done = phone.press("2")
    reference = re.search(r"R-[0-9A-Z]{6}", done.text).group(0)
    values = {"reference": reference, "retention_days": "30"}
    assert done.text.startswith(spoken("utter_report_done", "en", values=values))
    assert spoken("voice_after_answer", "en") in done.text
