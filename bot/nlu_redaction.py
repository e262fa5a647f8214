"""NLU pipeline component, first in config.yml: contact details out of the text.

Phone numbers, e-mails and house numbers (bot.redaction) become placeholders
before tokenizing. The classifier then is not swayed by digits ("call me at
213...": not a menu number), and the parse data Rasa stores holds no contact
details. The training data has none, so training is unchanged.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.redaction import redact


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class ContactRedactor(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ContactRedactor:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text and any(ch.isdigit() or ch == "@" for ch in text):
                message.set(TEXT, redact(text))
        return messages
