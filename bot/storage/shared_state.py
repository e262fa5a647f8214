"""Short-lived state the channels share between server processes: Redis, or this process.

Two things live here, each with an expiry:
* where a phone call is in the IVR (bot.channels.voice_flow), for as long as
  a call can last, so that any replica can take a call's next turn;
* the answer to each Twilio request already handled (by MessageSid, or by call
  and turn), for a few minutes, so that a retry, on whichever replica it lands,
  gets the first answer and is never handled twice.

With LOCK_STORE_URL set (several server processes) this is that Redis; unset
(one process), a dictionary in this process. Keys hold conversation ids
(keyed hashes) and Twilio's ids, never a phone number; values hold IVR state
and the bot's own replies.
"""

from __future__ import annotations

import asyncio
import os
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from bot.channels.http_limits import DIALOGUE_DEADLINE_S
from bot.storage.stores import LOCK_STORE_URL_SETTING

KEY_PREFIX = "kyr:"
# A request being handled holds its key this long at most: a turn never
# outlasts DIALOGUE_DEADLINE_S, and a replica that died mid-turn frees it then.
CLAIM_TTL_S = DIALOGUE_DEADLINE_S
ANSWER_TTL_S = 300.0  # Twilio retries within seconds; nginx within the same request
POLL_S = 0.05
MAX_IN_PROCESS_KEYS = 50_000
_PENDING = "\x00pending"
_DONE = "="


class SharedState(ABC):
    """String values by key, each with an expiry."""

    @abstractmethod
    async def get(self, key: str) -> str | None: ...

    @abstractmethod
    async def put(self, key: str, value: str, ttl_s: float) -> None: ...

    @abstractmethod
    async def claim(self, key: str, value: str, ttl_s: float) -> bool:
        """Set `key` only if it has no value; whether this call set it."""

    @abstractmethod
    async def delete(self, key: str) -> None: ...


class InProcessState(SharedState):
    """For one server process. The oldest keys go first past MAX_IN_PROCESS_KEYS."""

    def __init__(self, max_keys: int = MAX_IN_PROCESS_KEYS) -> None:
        self.max_keys = max_keys
        self._values: OrderedDict[str, tuple[str, float]] = OrderedDict()

    async def get(self, key: str) -> str | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        if entry[1] <= time.monotonic():
            del self._values[key]
            return None
        return entry[0]

    async def put(self, key: str, value: str, ttl_s: float) -> None:
        self._values[key] = (value, time.monotonic() + ttl_s)
        self._values.move_to_end(key)
        while len(self._values) > self.max_keys:
            self._values.popitem(last=False)

    async def claim(self, key: str, value: str, ttl_s: float) -> bool:
        if await self.get(key) is not None:
            return False
        await self.put(key, value, ttl_s)
        return True

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)


class RedisState(SharedState):
    """For several server processes: the lock store's Redis."""

    def __init__(self, url: str) -> None:
        from redis import asyncio as redis_asyncio  # type: ignore[import-untyped]

        self.redis = redis_asyncio.from_url(url, decode_responses=True)

    async def get(self, key: str) -> str | None:
        value = await self.redis.get(KEY_PREFIX + key)
        return None if value is None else str(value)

    async def put(self, key: str, value: str, ttl_s: float) -> None:
        await self.redis.set(KEY_PREFIX + key, value, px=int(ttl_s * 1000))

    async def claim(self, key: str, value: str, ttl_s: float) -> bool:
        return bool(await self.redis.set(KEY_PREFIX + key, value, px=int(ttl_s * 1000), nx=True))

    async def delete(self, key: str) -> None:
        await self.redis.delete(KEY_PREFIX + key)


def shared_state() -> SharedState:
    """Redis when LOCK_STORE_URL is set (several processes), else this process's own."""
    url = os.environ.get(LOCK_STORE_URL_SETTING, "").strip()
    return RedisState(url) if url else InProcessState()


# Handles a request: handle(taking_over) -> the answer. `taking_over` is True when
# an earlier handler of the same request vanished (its process died) and may
# have got part of the way (bot.channels.handled_turns).
Handler = Callable[[bool], Awaitable[str]]


async def answer_once(
    state: SharedState, key: str, handle: Handler, wait_s: float = DIALOGUE_DEADLINE_S
) -> str:
    """`handle`'s answer to the request `key`, handling it only once whichever process asks.

    The first to claim the key handles the request; a retry meanwhile waits for
    that answer, and a later one gets it from the store. Should the handler's
    process die, its claim expires after CLAIM_TTL_S and a retry takes the
    request over. The handling runs to its end even if the asking request is
    cancelled (Twilio hung up on it): the retry will want the answer.
    """
    deadline = time.monotonic() + wait_s + CLAIM_TTL_S
    someone_had_it = False
    while True:
        if await state.claim(key, _PENDING, CLAIM_TTL_S):
            job = _handle_and_keep(state, key, handle, taking_over=someone_had_it)
            return await asyncio.shield(asyncio.ensure_future(job))
        value = await state.get(key)
        if value is not None and value.startswith(_DONE):
            return value[len(_DONE) :]
        someone_had_it = someone_had_it or value == _PENDING
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer for a repeated request within {wait_s} s")
        await asyncio.sleep(POLL_S)


async def _handle_and_keep(state: SharedState, key: str, handle: Handler, taking_over: bool) -> str:
    try:
        answer = await handle(taking_over)
    except BaseException:
        await state.delete(key)  # a retry may try again
        raise
    await state.put(key, _DONE + answer, ANSWER_TTL_S)
    return answer
