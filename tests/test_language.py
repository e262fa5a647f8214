"""Language detection, the switching rule, and the policy that applies it."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation_keys import LANGUAGE_DETECTION_KEY
from bot.language.choice import next_language
from bot.language.detection import EXPLICIT, NONE, STRONG, WEAK, LanguageDetection, message_language_detector
from bot.nlu.language import rule_based_intent
from bot.policies.language import LanguagePolicy


def detect(text: str) -> LanguageDetection:
    return message_language_detector().detect(text)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ICE is at my door", "en"),
        ("la migra está en mi puerta", "es"),
        ("la migra esta en mi puerta", "es"),
        ("q hago si me para la policia", "es"),
        ("my husband was detained this morning", "en"),
        ("donde esta mi esposo detenido", "es"),
    ],
)
def test_clear_sentences_are_detected_strongly(text: str, language: str) -> None:
    assert detect(text) == LanguageDetection(language=language, strength=STRONG)


@pytest.mark.parametrize("text", ["ok", "1", "", "   ", "😀😀😀", "si", "no", "ICE", "311"])
def test_ambiguous_messages_carry_no_language(text: str) -> None:
    assert detect(text).language is None


@pytest.mark.parametrize(("text", "language"), [("gracias", "es"), ("thanks", "en"), ("hola", "es")])
def test_short_messages_are_weak(text: str, language: str) -> None:
    assert detect(text) == LanguageDetection(language=language, strength=WEAK)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("español", "es"),
        ("espanol", "es"),
        ("en español por favor", "es"),
        ("English", "en"),
        ("english please", "en"),
    ],
)
def test_explicit_requests(text: str, language: str) -> None:
    assert detect(text) == LanguageDetection(language=language, strength=EXPLICIT)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Olá, preciso de ajuda com a imigração", "pt"),
        ("Bonjour, j'ai besoin d'aide avec l'immigration", "fr"),
        ("أحتاج محامي هجرة مجاني من فضلك", "ar"),
        ("Preciso de um advogado de imigração gratuito", "pt"),
        ("Мені потрібна допомога адвоката", "uk"),  # Cyrillic, but not Russian
        ("Χρειάζομαι βοήθεια με τη μετανάστευση", "el"),  # a script nobody we serve writes
    ],
)
def test_unsupported_languages_are_recognised(text: str, code: str) -> None:
    result = detect(text)
    assert result.unsupported == code
    unsure_model = {"name": "kyr_door", "confidence": 0.3}
    assert rule_based_intent(text, result, unsure_model) == "unsupported_language"


def test_spanish_misread_as_portuguese_is_kept_when_the_classifier_is_sure() -> None:
    # The low-accuracy broad detector reads this Spanish message as Portuguese.
    text = "me preguntan si tengo papeles tengo q responder?"
    result = detect(text)
    assert result.unsupported == "pt" and not result.unsupported_certain
    assert rule_based_intent(text, result, {"name": "kyr_silent", "confidence": 0.9}) is None
    assert rule_based_intent(text, result, {"name": "unsupported_language", "confidence": 0.9}) == (
        "unsupported_language"
    )


def test_huge_message_is_detected_quickly_and_safely() -> None:
    assert detect("la migra esta en mi puerta " * 500).language == "es"


@pytest.mark.parametrize(
    ("current", "detection", "expected"),
    [
        (None, LanguageDetection("es", WEAK), "es"),  # "gracias" as a first message sets Spanish
        ("en", LanguageDetection("es", WEAK), "en"),  # ...but never flips an English conversation
        ("es", LanguageDetection("en", WEAK), "es"),  # "ok thanks" never flips Spanish either
        ("en", LanguageDetection("es", STRONG), "es"),  # a clear Spanish sentence switches
        ("es", LanguageDetection("en", EXPLICIT), "en"),  # "english" switches
        ("es", LanguageDetection(None, NONE, unsupported="pt"), "es"),  # unsupported changes nothing
        (None, LanguageDetection(), None),
    ],
)
def test_next_language(current: str | None, detection: LanguageDetection, expected: str | None) -> None:
    assert next_language(current, detection) == expected


def tracker_after(text: str, language: str | None) -> DialogueStateTracker:
    events = [SlotSet("language", language)] if language else []
    events += [
        ActionExecuted("action_listen"),
        UserUttered(
            text, parse_data={"intent": {"name": "x"}, LANGUAGE_DETECTION_KEY: detect(text).as_dict()}
        ),
    ]
    return DialogueStateTracker.from_events("policy-test", events)


def test_policy_sets_the_slot_after_a_user_message() -> None:
    assert LanguagePolicy.language_events(tracker_after("la migra esta en mi puerta", "en")) == [
        SlotSet("language", "es")
    ]
    assert LanguagePolicy.language_events(tracker_after("gracias", "en")) == []
    assert LanguagePolicy.language_events(tracker_after("ok", None)) == []


def test_policy_acts_only_on_the_first_prediction_of_a_turn() -> None:
    tracker = tracker_after("la migra esta en mi puerta", "en")
    tracker.update(ActionExecuted("utter_kyr_door"))
    assert LanguagePolicy.language_events(tracker) == []


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("2", "menu_choice"),
        ("#3", "menu_choice"),
        ("opcion 4", "menu_choice"),
        ("español", "language_selected"),
        ("", "nlu_fallback"),
        ("🙏🙏", "nlu_fallback"),
        ("Olá, preciso de ajuda com a imigração", "unsupported_language"),
        ("ICE is at my door", None),
    ],
)
def test_rule_based_intents(text: str, intent: str | None) -> None:
    assert rule_based_intent(text, detect(text)) == intent


@pytest.mark.parametrize("unspaced", ["keep", "characters"])
def test_the_tokenizer_never_leaves_a_message_without_tokens(unspaced: str) -> None:
    """An empty or blank message still gets a token (else the classifier fails the turn)."""
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.tokenizer import ScriptAwareTokenizer

    tokenizer = ScriptAwareTokenizer({**ScriptAwareTokenizer.get_default_config(), "unspaced": unspaced})
    for text in ("", "   ", "😀"):
        assert tokenizer.tokenize(Message(data={TEXT: text}), TEXT), repr(text)
    tokens = tokenizer.tokenize(Message(data={TEXT: "ICE來了 ի՞նչ անեմ"}), TEXT)
    words = [t.text for t in tokens]
    assert "ինչ" in words  # the Armenian question mark inside a word is not a break
    if unspaced == "characters":
        assert words[:3] == ["ICE", "來", "了"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("지금 ICE 왔어요", ["지금", "ICE", "왔어요"]),
        ("ICE 在 我家", ["ICE", "在", "我", "家"]),
        ("ICE が 来た", ["ICE", "が", "来", "た"]),
        ("help 😀", ["help"]),
    ],
)
def test_the_tokenizer_keeps_words_of_every_script_but_drops_emoji(text: str, expected: list[str]) -> None:
    """Rasa's own emoji filter takes Hangul, Han and kana words for emoji."""
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.tokenizer import ScriptAwareTokenizer

    tokenizer = ScriptAwareTokenizer({**ScriptAwareTokenizer.get_default_config(), "unspaced": "characters"})
    assert [t.text for t in tokenizer.tokenize(Message(data={TEXT: text}), TEXT)] == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("今ICEがいる", "ja"),  # one kana among Latin letters decides Japanese
        ("ICEが家の前にいます", "ja"),
        ("移民局的人在我家门口", "zh-Hans"),
        ("移民局的人在我家門口", "zh-Hant"),
        ("मुझे वकील चाहिए", "hi"),
        ("ਮੈਨੂੰ ਵਕੀਲ ਚਾਹੀਦਾ ਹੈ", "pa"),
        ("ตม.มาที่บ้านค่ะ", "th"),
        ("ខ្ញុំត្រូវការមេធាវី", "km"),
        ("እርዳታ እፈልጋለሁ", "am"),
        ("אני צריך עורך דין", "he"),
        ("مجھے وکیل چاہیے", "ur"),  # Urdu's own letters
        ("من وکیل میخوام", "fa"),  # none of them: Farsi
    ],
)
def test_script_decides_the_language(text: str, language: str) -> None:
    detection = detect(text)
    assert detection.language == language and detection.strength == STRONG, detection


@pytest.mark.parametrize("text", ["ICE而家喺度", "救命 ICE喺出面", "係咪要開門"])
def test_chinese_without_a_telling_character_is_chinese_not_japanese(text: str) -> None:
    """Characters hanzidentifier cannot place (Cantonese 喺, 係) are still Chinese:
    Japanese shares the Han script but is decided by kana only."""
    assert detect(text).language == "zh-Hant"
