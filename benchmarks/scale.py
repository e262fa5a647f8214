"""Speed on a durable store and a true scale-out, in one run beside the stock bot (`make bench`).

1. One Rasa server on the default SQLite store, the SMS webhook, 20
   concurrent conversations of held-out test messages (every message parsed:
   the parse cache is off), against the stock `rasa init` bot's REST webhook
   with the same messages and concurrency, in the same run.
2. One conversation of 208 turns: the median turn at the start and at the end.
3. The voice webhook: 10 concurrent calls.
4. The shipped topology (bot.local_topology: nginx, PostgreSQL, Redis) with
   one and with two Rasa servers, 20 and 50 concurrent conversations.

Each turn waits for the previous reply, as a phone does. Nothing is asserted.
"""

from __future__ import annotations

import asyncio
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import aiohttp
import yaml

from benchmarks import voice
from benchmarks.core import ENV, baseline_project, percentile
from benchmarks.sms import SECRET, TOKEN, start_servers, wait_ready
from bot.channels.twilio_signing import signed_form
from bot.local_topology import local_topology
from bot.settings import PROJECT_ROOT
from bot.storage.local_services import free_port, wait_for_port

SMS_PATH = "/webhooks/twilio/webhook"
REST_PATH = "/webhooks/rest/webhook"
TURNS_PER_CONVERSATION = 6
ROUNDS = 3
LONG_SCRIPT = ["hola", "2", "mas", "menu", "6", "gracias", "ICE is at my door", "thanks"]
LONG_TURNS = 26 * len(LONG_SCRIPT)  # 208
HELDOUT = PROJECT_ROOT / "tests" / "data"


def heldout_texts() -> list[str]:
    """Every held-out test message, all languages, in a fixed shuffled order."""
    files = [HELDOUT / "nlu_heldout.yml", *sorted((HELDOUT / "heldout").glob("*.yml"))]
    texts = [
        case["text"] for path in files for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    ]
    random.Random(15).shuffle(texts)
    return texts


def summary(latencies: list[float], errors: int, elapsed: float, concurrency: int) -> dict:
    return {
        "concurrency": concurrency,
        "messages": len(latencies),
        "errors": errors,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "msg_per_s": len(latencies) / elapsed,
    }


async def _sms(session: aiohttp.ClientSession, base: str, phone: str, text: str) -> tuple[float, bool]:
    params = {
        "From": phone,
        "To": "+15555550111",
        "Body": text,
        "NumMedia": "0",
        "MessageSid": f"SM{random.getrandbits(128):032x}",
    }
    body, headers = signed_form(TOKEN, base + SMS_PATH, params)
    start = time.perf_counter()
    async with session.post(base + SMS_PATH, data=body, headers=headers) as reply:
        answer = await reply.text()
    return (time.perf_counter() - start) * 1000, reply.status == 200 and "<Message>" in answer


async def _rest(session: aiohttp.ClientSession, base: str, sender: str, text: str) -> tuple[float, bool]:
    start = time.perf_counter()
    async with session.post(base + REST_PATH, json={"sender": sender, "message": text}) as reply:
        answer = await reply.json(content_type=None)
    return (time.perf_counter() - start) * 1000, reply.status == 200 and isinstance(answer, list)


async def conversations(base: str, concurrency: int, texts: list[str], rest: bool = False) -> dict:
    """`concurrency` phones at once, each ROUNDS conversations of TURNS_PER_CONVERSATION texts."""
    latencies: list[float] = []
    errors = 0
    send = _rest if rest else _sms

    async def phone(number: int, session: aiohttp.ClientSession) -> None:
        nonlocal errors
        for round_number in range(ROUNDS):
            sender = f"+1555{concurrency:03d}{number:03d}{round_number}{random.getrandbits(16):05d}"
            for turn in range(TURNS_PER_CONVERSATION):
                index = ((round_number * concurrency + number) * TURNS_PER_CONVERSATION + turn) % len(texts)
                latency, ok = await send(session, base, sender, texts[index])
                latencies.append(latency)
                errors += not ok

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        start = time.perf_counter()
        await asyncio.gather(*(phone(n, session) for n in range(concurrency)))
        elapsed = time.perf_counter() - start
    return summary(latencies, errors, elapsed, concurrency)


async def long_conversation(base: str) -> tuple[float, float]:
    """The median turn of the first and of the last two rounds of LONG_SCRIPT, in one conversation."""
    latencies = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        phone = f"+1555777{random.getrandbits(16):05d}"
        for turn in range(LONG_TURNS):
            latency, _ = await _sms(session, base, phone, LONG_SCRIPT[turn % len(LONG_SCRIPT)])
            latencies.append(latency)
    span = 2 * len(LONG_SCRIPT)
    return statistics.median(latencies[:span]), statistics.median(latencies[-span:])


def stock_bot(texts: list[str]) -> dict:
    project = baseline_project()  # `rasa init` trains its model
    model = next((project / "models").glob("*.tar.gz"))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(port)],
        cwd=project,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port, server, timeout_s=300)
        asyncio.run(conversations(base, 5, texts[-60:], rest=True))  # warm-up
        return asyncio.run(conversations(base, 20, texts, rest=True))
    finally:
        server.terminate()
        server.wait(timeout=30)


def one_process(texts: list[str]) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    settings = {"TRACKER_STORE_URL": f"sqlite:///{folder / 'trackers.db'}", "SMS_PARSE_CACHE_SIZE": "0"}
    processes = start_servers(port, PROJECT_ROOT / "models" / "kyr.tar.gz", settings, action_port=free_port())
    try:
        asyncio.run(wait_ready(base))
        asyncio.run(conversations(base, 5, texts[-60:]))  # warm-up
        results = {"sms": asyncio.run(conversations(base, 20, texts))}
        results["long"] = asyncio.run(long_conversation(base))
        asyncio.run(voice.load(base, 2))  # warm-up
        results["voice"] = asyncio.run(voice.load(base, 10))
        return results
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def topology(replicas: int, texts: list[str]) -> list[dict]:
    settings = {"TWILIO_AUTH_TOKEN": TOKEN, "CONVERSATION_ID_SECRET": SECRET, "SMS_PARSE_CACHE_SIZE": "0"}
    with local_topology(replicas=replicas, settings=settings) as running:
        asyncio.run(conversations(running.url, 5, texts[-60:]))  # warm-up
        return [asyncio.run(conversations(running.url, c, texts)) for c in (20, 50)]


def main(args: list[str]) -> int:
    texts = heldout_texts()
    ours = one_process(texts)
    stock = stock_bot(texts)
    scaled = {n: topology(n, texts) for n in (1, 2)}
    print(
        f"# {date.today()} on {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"# {len(texts)} held-out test messages of every language; the parse cache off")
    print("| run | concurrent | messages | errors | p50 (ms) | p95 (ms) | msg/s | x stock |")
    print("|---|---|---|---|---|---|---|---|")

    def row(label: str, r: dict) -> None:
        ratio = r["msg_per_s"] / stock["msg_per_s"]
        print(
            f"| {label} | {r['concurrency']} | {r['messages']} | {r['errors']} | {r['p50']:.0f} "
            f"| {r['p95']:.0f} | {r['msg_per_s']:.0f} | {ratio:.1f} |"
        )

    row("stock `rasa init` bot, REST webhook, in-memory store", stock)
    row("this bot, SMS webhook, SQLite, 1 process", ours["sms"])
    for n, rows in scaled.items():
        for r in rows:
            row(f"nginx + {n} Rasa server(s), PostgreSQL + Redis", r)
    for r20, r2 in zip(scaled[1], scaled[2], strict=True):
        print(
            f"# two servers / one at {r20['concurrency']} concurrent: "
            f"{r2['msg_per_s'] / r20['msg_per_s']:.2f}x throughput"
        )
    first, last = ours["long"]
    print(
        f"# one conversation of {LONG_TURNS} turns: median turn {first:.0f} ms at the start, "
        f"{last:.0f} ms at the end"
    )
    v = ours["voice"]
    print(
        f"# voice, {v['concurrency']} concurrent calls: {v['turns']} turns, {v['errors']} errors, "
        f"p50 {v['p50']:.0f} ms, p95 {v['p95']:.0f} ms, {v['per_s']:.0f} turns/s"
    )
    return 0
