"""`make fuzz`: 10,000+ hostile requests per channel against a real server on loopback (issue 10).

Starts `rasa run` (our channels, SQLite conversations, INFO logs) and the
action server on free ports, sends PER_CHANNEL requests to each of the SMS,
voice and REST channels from tests/fuzz_requests.py, CONCURRENCY at a time,
while sampling the server's resident memory, and checks the issue's pass
criteria: no 5xx, no answer slower than 15 s, memory back under its
start-up figure plus 100 MB, and no message text or number in the log.
"""

from __future__ import annotations

import asyncio
import collections
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.core import rss_mb
from benchmarks.sms import TOKEN, start_servers, wait_ready
from bot.settings import PROJECT_ROOT
from bot.storage.local_services import free_port
from tests import fuzz_requests

PER_CHANNEL = 10_000
CONCURRENCY = 16
TIMEOUT_S = 15.0  # Twilio gives up after 15 s: a slower answer is a hang
MEMORY_ALLOWANCE_MB = 100


def main(args: list[str]) -> int:
    per_channel = int(args[0]) if args else PER_CHANNEL
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    port = free_port()
    env = {"TRACKER_STORE_URL": f"sqlite:///{folder / 'trackers.db'}", "LOG_LEVEL": "INFO"}
    processes = start_servers(
        port, PROJECT_ROOT / "models" / "kyr.tar.gz", env, action_port=free_port(), logs=folder
    )
    server = processes[-1]
    try:
        asyncio.run(wait_ready(f"http://127.0.0.1:{port}"))
        time.sleep(2)
        start_rss = rss_mb(server.pid)
        peak = [start_rss]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.5):
                peak[0] = max(peak[0], rss_mb(server.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        began = time.monotonic()
        outcomes = asyncio.run(
            fuzz_requests.run(
                "127.0.0.1",
                port,
                TOKEN,
                per_channel,
                seed=2026,
                concurrency=CONCURRENCY,
                timeout_s=TIMEOUT_S + 5,
            )
        )
        elapsed = time.monotonic() - began
        time.sleep(3)
        done.set()
        end_rss = rss_mb(server.pid)
        leaks = fuzz_requests.canaries_in(
            (folder / "rasa.log").read_bytes() + (folder / "actions.log").read_bytes()
        )
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)

    print(f"{per_channel} requests per channel, {CONCURRENCY} at a time, {elapsed:.0f} s; logs in {folder}")
    print("| channel | requests | 2xx | 4xx | 5xx | no answer in 15 s | slowest (s) | slowest non-408 (s) |")
    print("|---|---|---|---|---|---|---|---|")
    failures = 0
    for channel in fuzz_requests.CHANNELS:
        mine = [o for o in outcomes if o.channel == channel]
        counts = collections.Counter(o.status // 100 for o in mine if o.status > 0)
        hangs = sum(1 for o in mine if o.status <= 0 or o.seconds > TIMEOUT_S)
        slowest = max(o.seconds for o in mine)
        slowest_answer = max((o.seconds for o in mine if o.status != 408), default=0.0)
        failures += counts[5] + hangs
        print(
            f"| {channel} | {len(mine)} | {counts[2]} | {counts[4]} | {counts[5]} | {hangs} | "
            f"{slowest:.2f} | {slowest_answer:.2f} |"
        )
    statuses = collections.Counter(o.status for o in outcomes)
    print(f"statuses: {dict(sorted(statuses.items()))}")
    print(f"server RSS: {start_rss:.0f} MB at start, {peak[0]:.0f} MB peak, {end_rss:.0f} MB at the end")
    print(f"texts or numbers found in the logs: {len(leaks)} {leaks[:5]}")
    memory_ok = end_rss <= start_rss + MEMORY_ALLOWANCE_MB
    ok = failures == 0 and memory_ok and not leaks
    print("PASS" if ok else "FAIL", file=sys.stderr)
    return 0 if ok else 1
