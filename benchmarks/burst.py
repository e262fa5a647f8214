"""Same-sender bursts (issue 10): five texts from one phone at the same moment.

People on a bad connection resend, or send a question in several texts. Rasa
handles one conversation's messages one at a time, in order, behind a lock;
this measures how long each of a burst's messages waits for the one before.
It starts `rasa run` with our configured stores (SQLite conversations,
in-process locks, or Redis with --redis) on free ports, then sends BURSTS
bursts of 5 signed texts, 5 ms apart, from one number each, and reports each
message's reply time after the previous reply, and the order Rasa stored them in.
Target: every gap under 2 s, stored in the order sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
import time
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, text

from benchmarks.sms import SECRET, TOKEN, WEBHOOK, start_servers, wait_ready
from bot.channels.twilio_signing import signed_form
from bot.privacy.ids import conversation_id
from bot.settings import PROJECT_ROOT
from bot.storage.local_services import free_port, redis_server

BURSTS = 5
BURST_SIZE = 5
# Menu numbers: each needs the action server, so a message waits on the network
# while it holds the lock, and the next ones queue behind it.
TEXTS = ["hola", "2", "3", "4", "5"]


async def burst(session: aiohttp.ClientSession, base: str, phone: str) -> list[tuple[int, float]]:
    """(message number, seconds from the burst's start to its reply) in reply order."""
    start = time.perf_counter()
    finished: list[tuple[int, float]] = []

    async def send(number: int) -> None:
        await asyncio.sleep(number * 0.005)
        params = {
            "From": phone,
            "To": "+15555550111",
            "Body": TEXTS[number],
            "NumMedia": "0",
            "MessageSid": f"SM{phone[1:]}{number:04d}",
        }
        body, headers = signed_form(TOKEN, base + WEBHOOK, params)
        async with session.post(base + WEBHOOK, data=body, headers=headers) as reply:
            await reply.text()
            assert reply.status == 200, reply.status
        finished.append((number, time.perf_counter() - start))

    await asyncio.gather(*(send(n) for n in range(BURST_SIZE)))
    return finished


def stored_order(db_url: str, phone: str) -> list[str]:
    sender = conversation_id(phone, SECRET.encode(), "sms")
    with create_engine(db_url).connect() as db:
        rows = db.execute(
            text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
            {"s": sender},
        )
        return [json.loads(row[0])["text"] for row in rows]


def run(lock_store_url: str | None) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-burst-"))
    db_url = f"sqlite:///{folder / 'trackers.db'}"
    env = {"TRACKER_STORE_URL": db_url, "SMS_PARSE_CACHE_SIZE": "0"}
    if lock_store_url:
        env["LOCK_STORE_URL"] = lock_store_url
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes = start_servers(
        port, PROJECT_ROOT / "models" / "kyr.tar.gz", env, action_port=free_port(), logs=folder
    )
    try:
        asyncio.run(wait_ready(base))

        async def all_bursts() -> list[list[tuple[int, float]]]:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
                await burst(session, base, "+15550009999")  # warm-up
                return [await burst(session, base, f"+1555000{b:04d}") for b in range(BURSTS)]

        results = asyncio.run(all_bursts())
        gaps = []
        in_order = 0
        for b, finished in enumerate(results):
            times = [t for _, t in finished]
            gaps += [times[0]] + [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
            in_order += stored_order(db_url, f"+1555000{b:04d}") == TEXTS
        return {
            "bursts": BURSTS,
            "max_gap_s": max(gaps),
            "last_reply_s": max(max(t for _, t in f) for f in results),
            "stored_in_order": in_order,
        }
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def main(args: list[str]) -> int:
    rows = {"in-process locks": run(None)}
    if "--redis" in args:
        with contextlib.ExitStack() as stack:
            rows["Redis locks"] = run(stack.enter_context(redis_server()))
    print("| locks | bursts of 5 | slowest reply after the previous (s) | last reply (s) | stored in order |")
    print("|---|---|---|---|---|")
    for label, r in rows.items():
        order = f"{r['stored_in_order']}/{r['bursts']}"
        print(f"| {label} | {r['bursts']} | {r['max_gap_s']:.2f} | {r['last_reply_s']:.2f} | {order} |")
    return 0
