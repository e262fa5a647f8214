"""What the anonymous counts cost per turn (`make bench`): the same messages with counting on and off.

In-process (Agent.handle_text, our SQLite tracker store), the held-out test
messages of every language, one round to warm up, then three rounds each way,
alternating so that the machine's noise falls on both alike.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.core import percentile
from benchmarks.scale import heldout_texts
from bot import launch
from bot.analytics import counters

ROUNDS = 3


def main(args: list[str]) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-analytics-"))
    os.environ[counters.URL_SETTING] = f"sqlite:///{folder / 'analytics.db'}"
    os.environ["TRACKER_STORE_URL"] = f"sqlite:///{folder / 'trackers.db'}"
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    from bot.storage.stores import ConfiguredTrackerStore

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    agent = Agent.load(
        str(launch.MODEL),
        generator=EndpointConfig(type=launch.NLG_TYPE),
        tracker_store=ConfiguredTrackerStore(),
    )
    texts = heldout_texts()
    real_count = counters.count

    def turn_times(label: str, counting: bool) -> list[float]:
        counters.count = real_count if counting else (lambda *a, **k: None)  # type: ignore[assignment]
        times = []
        for number, text in enumerate(texts):
            start = time.perf_counter()
            loop.run_until_complete(agent.handle_text(text, sender_id=f"{label}-{number % 60}"))
            times.append((time.perf_counter() - start) * 1000)
        return times

    turn_times("warm", True)
    results: dict[bool, list[float]] = {True: [], False: []}
    for round_number in range(ROUNDS):
        for counting in (True, False):
            results[counting] += turn_times(f"r{round_number}-{counting}", counting)
    counters.count = real_count
    print("| counting | turns | p50 (ms) | p95 (ms) | mean (ms) |")
    print("|---|---|---|---|---|")
    for counting, times in results.items():
        print(
            f"| {'on' if counting else 'off'} | {len(times)} | {statistics.median(times):.2f} "
            f"| {percentile(times, 0.95):.2f} | {statistics.fmean(times):.2f} |"
        )
    cost = statistics.fmean(results[True]) - statistics.fmean(results[False])
    print(f"# counting costs {cost:.2f} ms per turn on average (mean on - mean off)")
    return 0
