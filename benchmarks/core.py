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


def train(project: Path, out: Path, env: dict[str, str] | None = None) -> float:
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
        env=env or ENV,
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


def server_start(
    project: Path, model: Path, port: int, extra: list[str], env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Seconds until `rasa run` answers a message, and its resident memory then."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(port), *extra],
        cwd=project,
        env=env or ENV,
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


def with_data_of(env: dict[str, str] | None, run: Any) -> Any:
    """Run `run` in this process with the data and catalogs `env` names (and fresh caches)."""
    from bot.caches import clear_all

    names = ("KYR_DATA_DIR", "KYR_LOCALES_DIR")
    saved = {name: os.environ.get(name) for name in names}
    try:
        for name in names:
            if env and env.get(name):
                os.environ[name] = env[name]
        clear_all()
        return run()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        clear_all()


def measure(
    label: str,
    project: Path,
    extra_run_args: list[str],
    generator: Any,
    messages: list[str],
    env: dict[str, str] | None = None,
) -> dict:
    out = Path(tempfile.mkdtemp(prefix="bench-models-"))
    try:
        training_s = train(project, out, env)
        model = out / "bench.tar.gz"
        ready_s, rss = server_start(project, model, 5099, extra_run_args, env)
        latencies = with_data_of(env, lambda: in_process_latency(model, messages, generator))
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


def two_language_project() -> tuple[Path, dict[str, str]]:
    """This bot as it was before the other languages: English and Spanish only.

    A copy of the project's data and catalogs without the other languages'
    NLU folders, catalogs and registry rows; the same code. The same-run
    baseline for the languages' cost in training, start-up, memory and latency.
    """
    folder = Path(tempfile.mkdtemp(prefix="bench-two-languages-"))
    for name in ("data", "locales", "config.yml", "domain.yml", "endpoints.yml", "credentials.yml"):
        source = PROJECT_ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, folder / name)
    keep = {"en", "es"}
    for path in (folder / "data" / "nlu").iterdir():
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path)
    for path in (folder / "locales").iterdir():
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path)
    languages = folder / "data" / "languages.yml"
    settings = yaml.safe_load(languages.read_text(encoding="utf-8"))
    settings["supported"] = {code: settings["supported"][code] for code in ("en", "es")}
    languages.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    env = {**ENV, "KYR_DATA_DIR": str(folder / "data"), "KYR_LOCALES_DIR": str(folder / "locales")}
    return folder, env


def action_server_rss() -> float:
    """Resident memory of the action server once it answers (the other process of a deployment)."""
    from bot.storage.local_services import free_port, wait_for_port

    port = free_port()
    process = subprocess.Popen(
        launch.action_server_command(port),
        cwd=PROJECT_ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process, 60)
        urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10).read()
        return rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


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
    from bot.language.registry import language_settings

    generator = EndpointConfig(type=launch.NLG_TYPE)
    count = len(language_settings().supported)
    rows = [
        measure(
            f"this bot ({count} languages)",
            PROJECT_ROOT,
            ["--endpoints", "endpoints.yml"],
            generator,
            messages,
        )
    ]
    if "--two-languages" in args:
        folder, env = two_language_project()
        try:
            rows.append(
                measure(
                    "this bot, EN+ES only", folder, ["--endpoints", "endpoints.yml"], generator, messages, env
                )
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if "--baseline" in args:
        rows.append(measure("stock `rasa init` bot", baseline_project(), [], None, messages))
    print(
        f"# {date.today()} on {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"# in-process latency over {rows[0]['n']} messages (held-out test messages, after one warm-up round)"
    )
    print(f"# action server RSS: {action_server_rss():.0f} MB (add to the Rasa server's for all processes)")
    print("| bot | train (s) | ready (s) | RSS (MB) | p50 (ms) | p95 (ms) | msg/s (1 process, serial) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['bot']} | {r['train_s']:.0f} | {r['ready_s']:.1f} | {r['rss_mb']:.0f} | "
            f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['msg_per_s']:.0f} |"
        )
    return 0
