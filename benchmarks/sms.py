"""SMS webhook load test for `make bench` (issue: Text 311).

Starts the Rasa server and the action server, then, from this separate
process, drives POST /webhooks/twilio/webhook with correctly signed requests:
C concurrent conversations, each a scripted 4-6 turn exchange, each turn
waiting for the previous reply as a phone would. Reports p50/p95/p99 latency
and messages per second at each concurrency. Loopback only, bounded in count.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp

from benchmarks.core import percentile
from bot import launch
from bot.channels.twilio_signing import signed_form
from bot.settings import PROJECT_ROOT

TOKEN = "bench-auth-token-0123456789"
SECRET = "bench-conversation-secret-0123456789"
ACTION_PORT = 5056
WEBHOOK = "/webhooks/twilio/webhook"
# Turns people really send: questions, menu numbers, MORE, keywords, thanks.
SCRIPTS = [
    ["hola", "2", "mas", "gracias"],
    ["ICE is at my door", "more", "i need a free lawyer", "thanks", "bye"],
    ["la migra esta en mi puerta", "menu", "6", "gracias", "adios"],
    ["HELP", "what are my rights if im stopped on the street", "MENU", "5", "thanks"],
    ["necesito un abogado", "mi esposo fue detenido donde esta", "5", "mas", "gracias", "adios"],
    ["hi", "9", "3", "more", "ok thanks"],
]
CONVERSATIONS_PER_WORKER = 3


async def conversation(
    session: aiohttp.ClientSession,
    bases: list[str],
    phone: str,
    turns: list[str],
    latencies: list[float],
    errors: list[str],
) -> None:
    for number, text in enumerate(turns):
        base = bases[number % len(bases)]  # with several servers, turns alternate between them
        params = {
            "From": phone,
            "To": "+15555550111",
            "Body": text,
            "NumMedia": "0",
            "MessageSid": f"SM{phone[1:]}{number:04d}{random.getrandbits(32):08x}",
        }
        body, headers = signed_form(TOKEN, base + WEBHOOK, params)
        start = time.perf_counter()
        async with session.post(base + WEBHOOK, data=body, headers=headers) as reply:
            body = await reply.text()
        latencies.append((time.perf_counter() - start) * 1000)
        if reply.status != 200 or ("<Message>" not in body and text.upper() != "STOP"):
            errors.append(f"{reply.status} {text!r}")


async def load(base: str | list[str], concurrency: int) -> dict:
    bases = [base] if isinstance(base, str) else base
    latencies: list[float] = []
    errors: list[str] = []

    async def worker(worker_id: int) -> None:
        for round_number in range(CONVERSATIONS_PER_WORKER):
            phone = f"+1555{concurrency:03d}{worker_id:03d}{round_number:01d}"
            turns = SCRIPTS[(worker_id + round_number) % len(SCRIPTS)]
            await conversation(session, bases, phone, turns, latencies, errors)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - start
    return {
        "concurrency": concurrency,
        "messages": len(latencies),
        "errors": len(errors),
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "msg_per_s": len(latencies) / elapsed,
    }


def start_servers(
    port: int,
    model: Path,
    extra_env: dict[str, str] | None = None,
    actions: bool = True,
    action_port: int = ACTION_PORT,
    logs: Path | None = None,
) -> list[subprocess.Popen]:
    """A Rasa server on `port` (and, unless actions=False, the action server on `action_port`).

    With TRACKER_STORE_URL in extra_env, the server uses our configured stores
    (bot.storage.stores); otherwise Rasa's in-memory ones.
    """
    env = launch.process_environment(
        {
            "TWILIO_AUTH_TOKEN": TOKEN,
            "CONVERSATION_ID_SECRET": SECRET,
            "PUBLIC_BASE_URL": "",
            "LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
    )
    logs = logs or Path(tempfile.mkdtemp(prefix="bench-sms-"))
    processes = []
    if actions:
        processes.append(
            subprocess.Popen(
                launch.action_server_command(action_port),
                cwd=PROJECT_ROOT,
                env=env,
                stdout=(logs / "actions.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
        )
    endpoints = launch.write_endpoints(
        logs / "endpoints.yml",
        f"http://127.0.0.1:{action_port}/webhook",
        configured_stores="TRACKER_STORE_URL" in env,
    )
    processes.append(
        subprocess.Popen(
            launch.rasa_server_command(model, port, endpoints),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=(logs / "rasa.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
    )
    return processes


async def wait_ready(base: str, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(base + "/webhooks/twilio/") as reply:
                    if reply.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.3)
    raise TimeoutError("the server never came up")


def run_levels(port: int, cache_size: str) -> list[dict]:
    base = f"http://127.0.0.1:{port}"
    model = PROJECT_ROOT / "models" / "kyr.tar.gz"
    processes = start_servers(port, model, {"SMS_PARSE_CACHE_SIZE": cache_size})
    try:
        asyncio.run(wait_ready(base))
        asyncio.run(load(base, 5))  # warm-up
        return [asyncio.run(load(base, c)) for c in (1, 20, 50)]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def main(args: list[str]) -> int:
    # The same run with the parse cache off is the baseline for what it buys.
    results = {"parse cache on": run_levels(5098, "10000"), "parse cache off": run_levels(5096, "0")}
    print(
        "| SMS webhook | concurrent conversations | messages | errors "
        "| p50 (ms) | p95 (ms) | p99 (ms) | msg/s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, rows in results.items():
        for r in rows:
            print(
                f"| {label} | {r['concurrency']} | {r['messages']} | {r['errors']} | {r['p50']:.0f} | "
                f"{r['p95']:.0f} | {r['p99']:.0f} | {r['msg_per_s']:.0f} |"
            )
    return 0
