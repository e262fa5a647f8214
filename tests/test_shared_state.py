"""Request de-duplication and shared call state (bot.storage.shared_state), in one process.

Across processes, on Redis, the same is tested through nginx in tests/test_topology.py.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.storage import shared_state
from bot.storage.shared_state import InProcessState, answer_once


def test_concurrent_requests_for_one_key_are_handled_once() -> None:
    state = InProcessState()
    handled: list[int] = []

    async def handle(taking_over: bool) -> str:
        handled.append(1)
        await asyncio.sleep(0.2)
        return "<Response>first</Response>"

    async def run() -> list[str]:
        first = answer_once(state, "sms:SM1", handle)
        retries = [answer_once(state, "sms:SM1", handle) for _ in range(3)]
        return list(await asyncio.gather(first, *retries))

    answers = asyncio.run(run())
    assert answers == ["<Response>first</Response>"] * 4
    assert handled == [1]
    # ...and a later retry gets the same answer without handling it again.
    assert asyncio.run(answer_once(state, "sms:SM1", handle)) == "<Response>first</Response>"
    assert handled == [1]


def test_a_failed_handling_frees_the_key_for_a_retry() -> None:
    state = InProcessState()

    async def fail(taking_over: bool) -> str:
        raise RuntimeError("the dialogue broke")

    async def work(taking_over: bool) -> str:
        return "answer"

    with pytest.raises(RuntimeError):
        asyncio.run(answer_once(state, "k", fail))
    assert asyncio.run(answer_once(state, "k", work)) == "answer"


def test_the_handling_goes_on_when_the_asking_request_is_cancelled() -> None:
    state = InProcessState()

    async def slow(taking_over: bool) -> str:
        await asyncio.sleep(0.2)
        return "done"

    async def run() -> str:
        asker = asyncio.ensure_future(answer_once(state, "k", slow))
        await asyncio.sleep(0.05)
        asker.cancel()  # Twilio hung up on the first request
        return await answer_once(state, "k", slow)  # its retry

    assert asyncio.run(run()) == "done"


def test_a_claim_left_by_a_dead_process_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_state, "CLAIM_TTL_S", 0.3)
    state = InProcessState()

    async def run() -> str:
        await state.claim("k", shared_state._PENDING, 0.3)  # a process that died while handling it

        async def work(taking_over: bool) -> str:
            return f"answered by the retry, taking over: {taking_over}"

        return await answer_once(state, "k", work)

    assert asyncio.run(run()) == "answered by the retry, taking over: True"


def test_values_expire_and_the_oldest_go_past_the_limit() -> None:
    state = InProcessState(max_keys=2)

    async def run() -> tuple[str | None, str | None, str | None]:
        await state.put("gone", "x", 0.01)
        await asyncio.sleep(0.03)
        expired = await state.get("gone")
        for key in ("a", "b", "c"):
            await state.put(key, key, 60)
        return expired, await state.get("a"), await state.get("c")

    assert asyncio.run(run()) == (None, None, "c")
