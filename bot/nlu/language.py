"""NLU pipeline component: language detection and the intents that need no model.

Runs last in the pipeline (config.yml). For each message it:
* records the language detection in the parse data (`language_detection`),
  which bot.policies.language uses to keep the conversation's language;
* overrides the classifier where a rule is more reliable than a model:
  - a bare menu number ("2", "opcion 2") is `menu_choice`;
  - a message that is nothing but one of the report form's control words
    (data/report_form.yml: "cancel", "menu", "operador"...) is that word's
    intent, so the form's rules answer it whatever the classifier thinks;
  - an explicit language request ("español") is `language_selected`;
  - a message in a language we don't serve is `unsupported_language`: certain
    for other scripts; for Latin-script languages only when the classifier
    agrees or is unsure, because the detector alone misreads some Spanish;
  - a message with no words (empty, emoji only) is `nlu_fallback`;
  - a supported language typed in Latin letters (romanized Korean, Farsi...),
    or a sentence whose language and intent are both unsure, is `language`:
    the language menu, in every language, rather than a guess.
"""

from __future__ import annotations

from dataclasses import replace

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.conversation_keys import CONVERSATION_LANGUAGE_METADATA, LANGUAGE_DETECTION_KEY
from bot.language.detection import EXPLICIT, WEAK, LanguageDetection, message_language_detector
from bot.nlu.base import StatelessComponent
from bot.report_form import CONTROL_INTENTS, control_kind
from bot.text import has_letters, menu_number

MENU_CHOICE_INTENT = "menu_choice"
LANGUAGE_SELECTED_INTENT = "language_selected"
UNSUPPORTED_LANGUAGE_INTENT = "unsupported_language"
LANGUAGE_MENU_INTENT = "language"
FALLBACK_INTENT = "nlu_fallback"


# A message with digits that is no menu number takes the model's next guess
# only if it is at least this sure; otherwise it is asked to rephrase.
MIN_CONFIDENCE_INSTEAD_OF_MENU_CHOICE = 0.3
# Below this classifier confidence, a Latin-script unsupported-language
# candidate is believed over the classifier.
UNSURE_CLASSIFIER_CONFIDENCE = 0.5


def is_unsupported(detection: LanguageDetection, model_intent: dict | None) -> bool:
    if not detection.unsupported:
        return False
    if detection.unsupported_certain:
        return True
    model_intent = model_intent or {}
    return (
        model_intent.get("name") == UNSUPPORTED_LANGUAGE_INTENT
        or (model_intent.get("confidence") or 0.0) < UNSURE_CLASSIFIER_CONFIDENCE
    )


def rule_based_intent(
    text: str, detection: LanguageDetection, model_intent: dict | None = None
) -> str | None:
    """The intent a rule decides for this message, or None to keep the model's."""
    if menu_number(text):
        return MENU_CHOICE_INTENT
    control = control_kind(text)
    if control in CONTROL_INTENTS:
        return CONTROL_INTENTS[control]
    if detection.strength == EXPLICIT:
        return LANGUAGE_SELECTED_INTENT
    if is_unsupported(detection, model_intent):
        return UNSUPPORTED_LANGUAGE_INTENT
    if detection.romanized or (
        detection.uncertain and ((model_intent or {}).get("confidence") or 0.0) < UNSURE_CLASSIFIER_CONFIDENCE
    ):
        return LANGUAGE_MENU_INTENT
    if not has_letters(text):
        return FALLBACK_INTENT
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageAndRulesClassifier(StatelessComponent):
    def __init__(self) -> None:
        # Built here, at model load, so no user waits for the detector models.
        self.detector = message_language_detector()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            # "/greet" and the like are channel commands, not words in a language.
            detection = LanguageDetection() if text.startswith("/") else self.detector.detect(text)
            conversation = (message.get(METADATA) or {}).get(CONVERSATION_LANGUAGE_METADATA)
            if detection.romanized and detection.romanized == conversation:
                # Typed in Latin letters in the language the person already chose:
                # understood like any message of theirs, answered in that language.
                detection = LanguageDetection(language=conversation, strength=WEAK)
            intent = rule_based_intent(text, detection, message.get(INTENT))
            if intent == UNSUPPORTED_LANGUAGE_INTENT:
                # Not English or Spanish after all: it must not change the language.
                detection = LanguageDetection(unsupported=detection.unsupported, unsupported_certain=True)
            elif detection.unsupported:
                detection = replace(detection, unsupported=None)
            message.set(LANGUAGE_DETECTION_KEY, detection.as_dict(), add_to_output=True)
            if intent:
                ranking = [{"name": intent, "confidence": 1.0}]
                message.set(INTENT, ranking[0], add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            elif (message.get(INTENT) or {}).get("name") == MENU_CHOICE_INTENT:
                self._not_a_menu_choice(message)
        return messages

    @staticmethod
    def _not_a_menu_choice(message: Message) -> None:
        """Digits in a sentence ("call me at 213...") are not a menu number: take
        the model's next guess, or ask to rephrase."""
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r["name"] != MENU_CHOICE_INTENT]
        best = ranking[0] if ranking else None
        if best is None or best["confidence"] < MIN_CONFIDENCE_INSTEAD_OF_MENU_CHOICE:
            best = {"name": FALLBACK_INTENT, "confidence": 1.0}
        message.set(INTENT, best, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking or [best], add_to_output=True)
