"""Dialogue policy that keeps the conversation's `language` slot up to date.

Why a policy: it is the one place in Rasa 3.6 that runs in the Rasa server
after every user message *with the whole tracker*, before any response is
rendered. (An NLU component sees only the message; a custom action would make
the language depend on the action server being up.) The policy never picks an
action: it predicts nothing and only adds a SlotSet event, which Rasa's
ensemble applies whichever policy wins (mandatory policy events).
"""

from __future__ import annotations

from typing import Any

from rasa.core.constants import POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation_keys import DEFAULT_LANGUAGE_METADATA, LANGUAGE_DETECTION_KEY, LANGUAGE_SLOT
from bot.language.choice import next_language
from bot.language.detection import EXPLICIT, LanguageDetection
from bot.language.registry import language_settings

# UserMessage metadata key a channel sets to start a conversation in a language.


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class LanguagePolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Its predictions are all zero, so its priority never decides a tie
        # that matters; the lowest keeps it out of the way regardless.
        return {POLICY_PRIORITY: 0}

    @staticmethod
    def supported_data() -> SupportedData:
        return SupportedData.ML_AND_RULE_DATA

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        # Nothing to learn: the language rule is fixed (bot.language.choice).
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        return self._prediction(self._default_predictions(domain), events=self.language_events(tracker))

    @staticmethod
    def language_events(tracker: DialogueStateTracker) -> list[SlotSet]:
        # Only the first prediction after a user message looks at that message.
        if tracker.latest_action_name != ACTION_LISTEN_NAME or not tracker.latest_message:
            return []
        detection = LanguageDetection.from_dict(tracker.latest_message.parse_data.get(LANGUAGE_DETECTION_KEY))
        current = tracker.get_slot(LANGUAGE_SLOT)
        if tracker.active_loop_name and current and detection.strength != EXPLICIT:
            # Inside the report form a message is an answer: "Echo Park lake" or
            # "Home Depot on Sunset" in a Spanish conversation is a place, not a
            # wish for English. Only "english"/"español" switches there.
            return []
        # A channel may say which language a conversation starts in (e.g. the
        # City's Spanish-language SMS number); what the person writes still wins.
        start = (tracker.latest_message.metadata or {}).get(DEFAULT_LANGUAGE_METADATA)
        starting = current is None and language_settings().is_supported(start)
        new = next_language(start if starting else current, detection)
        return [SlotSet(LANGUAGE_SLOT, new)] if new != current else []
