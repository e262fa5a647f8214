"""Voice IVR load test for `make bench` (issue: Call 311).

The same servers as benchmarks.sms; C concurrent calls, each a scripted call
(answer, language, menu digit, a spoken question, repeat, hang-up), each turn
waiting for the previous TwiML as Twilio does. Reports turn latency (webhook
in, TwiML out) p50/p95/p99 and turns per second.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import aiohttp

from benchmarks.core import percentile
from benchmarks.sms import TOKEN, start_servers, wait_ready
from bot.channels.twilio_signing import signed_form
from bot.settings import PROJECT_ROOT

VOICE = "/webhooks/twilio_voice/webhook"
STATUS = "/webhooks/twilio_voice/status"
CALLS_PER_WORKER = 3
SCRIPTS = [
    [{}, {"Digits": "1"}, {"Digits": "2"}, {"SpeechResult": "can they search my car"}, {"Digits": "9"}],
    [{}, {"Digits": "2"}, {"SpeechResult": "la migra esta en mi puerta"}, {"Digits": "*"}, {"Digits": "6"}],
    [{}, {"Digits": "1"}, {"Digits": "5"}, {}, {"Digits": "0"}],
]


async def call(
    session: aiohttp.ClientSession,
    base: str,
    sid: str,
    turns: list[dict[str, str]],
    latencies: list[float],
    errors: list[str],
) -> None:
    async def post(path: str, extra: dict[str, str]) -> tuple[int, str]:
        params = {"CallSid": sid, "From": "+15555550100", "To": "+15555550111", **extra}
        body, headers = signed_form(TOKEN, base + path, params)
        async with session.post(base + path, data=body, headers=headers) as reply:
            return reply.status, await reply.text()

    for extra in turns:
        start = time.perf_counter()
        status, body = await post(VOICE, extra)
        latencies.append((time.perf_counter() - start) * 1000)
        if status != 200 or "<Response>" not in body:
            errors.append(f"{status} {extra}")
    await post(STATUS, {"CallStatus": "completed"})


async def load(base: str, concurrency: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []

    async def worker(worker_id: int) -> None:
        for n in range(CALLS_PER_WORKER):
            sid = f"CA{concurrency:04d}{worker_id:04d}{n:04d}{time.monotonic_ns():020d}"
            await call(session, base, sid, SCRIPTS[(worker_id + n) % len(SCRIPTS)], latencies, errors)

    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=concurrency), timeout=aiohttp.ClientTimeout(total=30)
    ) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - start
    return {
        "concurrency": concurrency,
        "turns": len(latencies),
        "errors": len(errors),
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "per_s": len(latencies) / elapsed,
    }


def main(args: list[str]) -> int:
    port = 5097
    base = f"http://127.0.0.1:{port}"
    processes = start_servers(port, PROJECT_ROOT / "models" / "kyr.tar.gz")
    try:
        asyncio.run(wait_ready(base))
        asyncio.run(load(base, 5))  # warm-up
        rows = [asyncio.run(load(base, c)) for c in (1, 20)]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
    print("| concurrent calls | turns | errors | p50 (ms) | p95 (ms) | p99 (ms) | turns/s |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['concurrency']} | {r['turns']} | {r['errors']} | {r['p50']:.0f} | {r['p95']:.0f} | "
            f"{r['p99']:.0f} | {r['per_s']:.0f} |"
        )
    return 0
