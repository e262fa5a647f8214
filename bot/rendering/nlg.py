"""Rasa's hook into our renderer: `nlg: type: bot.rendering.nlg.CatalogNLG` in endpoints.yml.

Rasa calls `generate` for every response it sends, with the tracker and the
output channel's name. We pick the language from the `language` slot and the
variant from the channel, and add the one-time legal notice.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_adapters
from bot.analytics import counters
from bot.content.resources import resource_directory
from bot.content.topics import offline_topics, topic_for_response
from bot.conversation_keys import (
    DRAFT_NOTICE,
    FULL_TEXT_VARIANT,
    LANGUAGE_SLOT,
    LEGAL_NOTICE,
    MESSAGE_LANGUAGE,
    NUMBERED_RESOURCES,
)
from bot.language.registry import language_settings
from bot.privacy import log_filter
from bot.rendering.renderer import channel_variant, renderer

logger = logging.getLogger(__name__)

TOPIC_OFFLINE_RESPONSE = "utter_topic_offline"
CHAT = "chat"  # the channel of counts from the terminal and the REST channel
DRAFT_NOTICE_KEY = "draft_notice"


def conversation_language(tracker: DialogueStateTracker) -> str:
    return language_settings().or_default(tracker.get_slot(LANGUAGE_SLOT))


def legal_notice_shown(tracker: DialogueStateTracker) -> bool:
    return any(isinstance(event, BotUttered) and event.metadata.get(LEGAL_NOTICE) for event in tracker.events)


def draft_notice_shown(tracker: DialogueStateTracker, language: str) -> bool:
    return any(
        isinstance(event, BotUttered) and event.metadata.get(DRAFT_NOTICE) == language
        for event in tracker.events
    )


class CatalogNLG(NaturalLanguageGenerator):
    def __init__(self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None) -> None:
        self.renderer = renderer()
        # Rasa creates the NLG once per loaded model, in every server process,
        # after it has set up logging: the hook for what each process needs once.
        rasa_adapters.install()
        log_filter.install()
        # The resource directory is checked here, at start-up: a bad or ambiguous
        # entry (its opening hours) stops the server with an error naming it.
        resource_directory()

    async def generate(
        self, utter_action: str, tracker: DialogueStateTracker, output_channel: str, **kwargs: Any
    ) -> dict[str, Any] | None:
        topic = topic_for_response(utter_action)
        if topic and topic.id in offline_topics():
            # Taken offline by an operator: no answer that may be out of date.
            utter_action, topic = TOPIC_OFFLINE_RESPONSE, None
        rendered = self.renderer.render(
            utter_action,
            # An action may name the language, e.g. right as it switches it.
            kwargs.get("language") or conversation_language(tracker),
            # MORE asks for the full text even on a channel with a short variant.
            None if kwargs.get("variant") == FULL_TEXT_VARIANT else channel_variant(output_channel),
            legal_notice=bool(topic and topic.legal_notice) and not legal_notice_shown(tracker),
            resource_ids=kwargs.get("resource_ids"),
            # Values an action passes for a placeholder, e.g. reference=...
            values={name: value for name, value in kwargs.items() if isinstance(value, str)},
        )
        text, draft_notice = rendered.text, None
        language = language_settings().languages.get(rendered.language)
        if language and language.is_draft and not draft_notice_shown(tracker, language.code):
            # Once per conversation and language: this text is a translation
            # still being checked, and 311 has interpreters.
            variant = channel_variant(output_channel)
            notice = self.renderer.render(DRAFT_NOTICE_KEY, language.code, variant).text
            text, draft_notice = f"{text}\n{notice}", language.code
        if kwargs.get("variant") != FULL_TEXT_VARIANT:  # MORE is the same answer again
            counters.count_response(utter_action, rendered.language, channel_variant(output_channel) or CHAT)
        # Extra keys end up in the BotUttered event's metadata, never in the text.
        return {
            "text": text,
            MESSAGE_LANGUAGE: rendered.language,
            LEGAL_NOTICE: rendered.legal_notice,
            DRAFT_NOTICE: draft_notice,
            # Only a numbered list's message carries its order (a reply picks by number).
            **({NUMBERED_RESOURCES: list(rendered.numbered)} if rendered.numbered else {}),
        }
