"""The conversation's language, given its current one and a new message.

Kept apart from Rasa so the rule is easy to read and to test:
* an explicit request ("español") or a clear sentence switches the language;
* a short or ambiguous message ("ok", "1", "gracias") only sets the language
  when none is set yet, so it can never flip an ongoing conversation;
* a message in a language we don't support changes nothing.
"""

from __future__ import annotations

from bot.language.detection import EXPLICIT, STRONG, WEAK, LanguageDetection


def next_language(current: str | None, detection: LanguageDetection) -> str | None:
    if detection.language is None:
        return current
    if detection.strength in (EXPLICIT, STRONG):
        return detection.language
    if detection.strength == WEAK and current is None:
        return detection.language
    return current
