"""`make bench`: the performance numbers reported in the README.

Measured on this machine, in one run, for this bot and (with --baseline) for
the stock `rasa init` bot as a same-run baseline:
* training time from scratch;
* time from starting `rasa run` until it answers a message on the REST channel;
* resident memory of that server after answering;
* in-process latency per message (Agent.handle_text), p50 and p95.
Nothing here is asserted: the machines are shared and noisy.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot import launch
from bot.settings import PROJECT_ROOT

MESSAGES_FILE = PROJECT_ROOT / "tests" / "data" / "nlu_heldout.yml"
ENV = launch.process_environment()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def train(project: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "train",
            "--force",
            "--fixed-model-name",
            "bench",
            "--out",
            str(out),
            "--quiet",
        ],
        cwd=project,
        env=ENV,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def post(port: int, text: str) -> list[dict]:
    body = f'{{"sender": "bench", "message": "{text}"}}'.encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return __import__("json").loads(response.read())


def server_start(project: Path, model: Path, port: int, extra: list[str]) -> tuple[float, float]:
    """Seconds until `rasa run` answers a message, and its resident memory then."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(port), *extra],
        cwd=project,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - start < 180:
            try:
                if post(port, "hello") is not None:
                    ready = time.perf_counter() - start
                    for _ in range(20):
                        post(port, "hello")
                    return ready, rss_mb(process.pid)
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("the server never answered")
    finally:
        process.terminate()
        process.wait(timeout=30)


def in_process_latency(model: Path, messages: list[str], generator: Any, rounds: int = 5) -> list[float]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # As in production (`rasa run` at INFO): no per-message debug logging.
    configure_structlog(logging.INFO)
    logging.getLogger().setLevel(logging.INFO)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    agent = Agent.load(str(model), generator=generator)
    timings = []
    for round_number in range(rounds):
        for i, text in enumerate(messages):
            sender = f"bench-{round_number}-{i}"
            start = time.perf_counter()
            loop.run_until_complete(agent.handle_text(text, sender_id=sender))
            timings.append((time.perf_counter() - start) * 1000)
    loop.close()
    return timings[len(messages) :]  # the first round warms caches


def measure(
    label: str, project: Path, extra_run_args: list[str], generator: Any, messages: list[str]
) -> dict:
    out = Path(tempfile.mkdtemp(prefix="bench-models-"))
    try:
        training_s = train(project, out)
        model = out / "bench.tar.gz"
        ready_s, rss = server_start(project, model, 5099, extra_run_args)
        latencies = in_process_latency(model, messages, generator)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {
        "bot": label,
        "train_s": training_s,
        "ready_s": ready_s,
        "rss_mb": rss,
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "msg_per_s": 1000 / statistics.mean(latencies),
        "n": len(latencies),
    }


def baseline_project() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="bench-rasa-init-"))
    subprocess.run(
        [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(folder)],
        env=ENV,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return folder


def main(args: list[str]) -> int:
    from rasa.utils.endpoints import EndpointConfig

    messages = [case["text"] for case in yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))["cases"]]
    rows = [
        measure(
            "this bot (EN+ES)",
            PROJECT_ROOT,
            ["--endpoints", "endpoints.yml"],
            EndpointConfig(type="bot.rendering.nlg.CatalogNLG"),
            messages,
        )
    ]
    if "--baseline" in args:
        rows.append(measure("stock `rasa init` bot", baseline_project(), [], None, messages))
    print(
        f"# {date.today()} on {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"# in-process latency over {rows[0]['n']} messages (held-out test messages, after one warm-up round)"
    )
    print("| bot | train (s) | ready (s) | RSS (MB) | p50 (ms) | p95 (ms) | msg/s (1 process, serial) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['bot']} | {r['train_s']:.0f} | {r['ready_s']:.1f} | {r['rss_mb']:.0f} | "
            f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['msg_per_s']:.0f} |"
        )
    return 0
