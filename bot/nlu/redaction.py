"""NLU pipeline component, first in config.yml: contact details out of the text.

Phone numbers, e-mails and house numbers (bot.privacy.redaction) become placeholders
before tokenizing. The classifier then is not swayed by digits ("call me at
213...": not a menu number), and the parse data Rasa stores holds no contact
details. The training data has none, so training is unchanged.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.base import StatelessComponent
from bot.privacy.redaction import redact


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class ContactRedactor(StatelessComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text and any(ch.isdigit() or ch == "@" for ch in text):
                message.set(TEXT, redact(text))
        return messages
