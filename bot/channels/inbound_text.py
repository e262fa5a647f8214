"""What a person sent, made safe to hand to Rasa: the one place every channel does it.

* **Never an intent.** Rasa reads a text that starts with "/" as an intent
  ("/restart", "/report_activity{...}"), skipping NLU: from SMS that would let
  anyone jump into any flow, and Rasa logs such texts in a warning. Leading
  slashes are dropped, so "/restart" is read as the word "restart" by NLU,
  like any other text. Only our channels' own texts (a menu digit's topic, a
  hang-up's restart) are intents, and they never come from here. The shell
  (`rasa shell`, its own channel) keeps /restart and /stop for operators.
* **Capped** at MAX_INBOUND_CHARS, Twilio's SMS maximum, before NLU.
* **Printable.** Control characters become spaces and unpaired surrogates
  (possible in JSON, "\\ud800") are dropped: the tracker store, PostgreSQL
  and the logs must be able to encode what is stored.
"""

from __future__ import annotations

import re
import unicodedata

from rasa.shared.constants import INTENT_MESSAGE_PREFIX

MAX_INBOUND_CHARS = 1600  # Twilio's own SMS body limit; longer text is cut, then answered
_KEPT_CONTROLS = {"\n", "\t"}
_LEADING_PREFIX = re.compile(rf"^[\s{re.escape(INTENT_MESSAGE_PREFIX)}]+")


def _printable(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Cs":
        return ""
    if category == "Cc" and ch not in _KEPT_CONTROLS:
        return " "
    return ch


def person_text(raw: str) -> str:
    """A person's message as Rasa may see it: text, never an intent, at most MAX_INBOUND_CHARS."""
    text = "".join(_printable(ch) for ch in raw[: MAX_INBOUND_CHARS * 2])
    text = _LEADING_PREFIX.sub("", text.strip())
    return text[:MAX_INBOUND_CHARS].strip()
