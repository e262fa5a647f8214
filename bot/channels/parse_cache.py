"""Remember the NLU parse of texts people send again and again.

Menu numbers, "hola", "gracias", MENU, MORE: most SMS turns repeat a small set
of texts, and the parse of a text depends only on the text and the loaded
model. A channel passes the remembered parse to Rasa as the UserMessage's
`parse_data`, which makes Rasa skip the NLU pipeline for that message.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

DEFAULT_PARSE_CACHE_SIZE = 10_000
# credentials.yml `parse_cache_size`, overridden by this variable; 0 turns the cache off.
PARSE_CACHE_SIZE_SETTING = "SMS_PARSE_CACHE_SIZE"
MAX_TEXT_CHARS = 160  # long texts rarely repeat; do not keep them


class ParseCache:
    def __init__(self, max_entries: int = DEFAULT_PARSE_CACHE_SIZE) -> None:
        self.max_entries = max_entries
        self._parses: OrderedDict[str, dict[str, Any]] = OrderedDict()

    async def parse(
        self, text: str, parse: Callable[[str], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any] | None:
        """The parse of `text` (a private copy), or None when it is not worth caching.

        Texts starting with "/" are Rasa commands (/greet, /restart): not cached.
        """
        if self.max_entries <= 0 or len(text) > MAX_TEXT_CHARS or text.startswith("/"):
            return None
        cached = self._parses.get(text)
        if cached is None:
            cached = await parse(text)
            self._parses[text] = cached
            while len(self._parses) > self.max_entries:
                self._parses.popitem(last=False)
        else:
            self._parses.move_to_end(text)
        # Rasa stores and may amend the parse it is given.
        return copy.deepcopy(cached)
