"""NLU tokenizer: Rasa's WhitespaceTokenizer, taught what it does not know about other scripts.

* Interchangeable spellings become one token (bot.text.spelling_normalized):
  Persian with or without the zero-width non-joiner, Arabic-keyboard ي/ك for
  ی/ک, Armenian question and emphasis marks inside words, Russian ё/е,
  Vietnamese đ/d.
* Scripts written without spaces between words (Han, Kana, Thai, Khmer): a
  run of such letters is one "word" to a whitespace tokenizer. `unspaced:
  keep` leaves it whole (the character n-gram featurizer then sees its
  characters); `unspaced: characters` makes each character a token. Which is
  used is chosen by held-out accuracy (README, Languages).
* `strip_latin_accents`: "está" and "esta" become one token; only marks on
  Latin letters go (bot.text.strip_accents). The featurizers' own
  `strip_accents: unicode` would also strip Devanagari, Gurmukhi, Thai and
  Khmer vowel signs (part of the spelling there) and break Hangul syllables
  into letters (jamo); with this option the featurizers need none.
* `split_scripts`: a word that changes script part-way ("ICE가", "ICE한테",
  "I-9को") is split there. Korean, Japanese, Hindi and other languages attach
  their particles to borrowed English words; split, "ICE" is the same token in
  every language and the particle is a token of its own.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.language.scripts import script_table
from bot.text import spelling_normalized, strip_accents

KEEP, CHARACTERS = "keep", "characters"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ScriptAwareTokenizer(WhitespaceTokenizer):
    @staticmethod
    def not_supported_languages() -> list[str] | None:
        return None  # every script: that is the point

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **WhitespaceTokenizer.get_default_config(),
            "unspaced": KEEP,
            "unspaced_scripts": ["Han", "Kana", "Thai", "Khmer"],
            "split_scripts": False,
            "strip_latin_accents": False,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        if self._config["unspaced"] not in (KEEP, CHARACTERS):
            raise ValueError(f"ScriptAwareTokenizer: unspaced must be {KEEP} or {CHARACTERS}")
        self.unspaced_scripts = frozenset(self._config["unspaced_scripts"])

    def remove_emoji(self, text: str) -> str:
        """Drop a word only if it is made of emoji, never one with a letter or digit.

        Rasa's emoji pattern spans U+24C2-U+1F251, which holds every Hangul,
        Han and kana letter: its WhitespaceTokenizer drops each Korean word,
        and each Chinese or Japanese word next to a space, as an "emoji"
        ("지금 ICE 왔어요" becomes just "ICE").
        """
        if any(ch.isalnum() for ch in text):
            return text
        return super().remove_emoji(text)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute)
        if not isinstance(text, str):
            return super().tokenize(message, attribute)
        normalized_text = spelling_normalized(text)
        if self._config["strip_latin_accents"]:
            normalized_text = strip_accents(normalized_text)
        normalized = Message(data={attribute: normalized_text})
        tokens = super().tokenize(normalized, attribute)
        if self._config["split_scripts"]:
            tokens = [piece for token in tokens for piece in self._script_runs(token)]
        if self._config["unspaced"] == KEEP:
            return tokens
        return [piece for token in tokens for piece in self._characters(token)]

    @staticmethod
    def _script_runs(token: Token) -> list[Token]:
        """A token split where its letters change script; digits and marks join the run they are in."""
        table = script_table()
        pieces: list[Token] = []
        run_start, run_script = 0, None
        for index, char in enumerate(token.text):
            script = table.script_of(char) if char.isalpha() else None
            if script is None:
                continue
            if run_script is not None and script != run_script:
                pieces.append(Token(token.text[run_start:index], token.start + run_start))
                run_start = index
            run_script = script
        pieces.append(Token(token.text[run_start:], token.start + run_start))
        return pieces

    def _characters(self, token: Token) -> list[Token]:
        """Each letter of an unspaced script a token of its own; other runs stay whole."""
        table = script_table()
        pieces: list[Token] = []
        run_start = 0
        for index, char in enumerate(token.text):
            if table.script_of(char) in self.unspaced_scripts:
                if index > run_start:
                    pieces.append(Token(token.text[run_start:index], token.start + run_start))
                pieces.append(Token(char, token.start + index))
                run_start = index + 1
        if run_start < len(token.text):
            pieces.append(Token(token.text[run_start:], token.start + run_start))
        # An empty message is one empty token, as Rasa's own tokenizer makes it:
        # the featurizers need a token to make (empty) features of.
        return pieces or [token]
