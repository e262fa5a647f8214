"""Scale-out bench for `make bench` (issue: storage and scale-out).

The SMS load of benchmarks.sms at 50 concurrent conversations, against one
Rasa server process and then two, both on PostgreSQL (conversations) and
Redis (locks) started on loopback. Turns alternate between the processes.
Reports throughput, latency and each process's resident memory.
"""

from __future__ import annotations

import asyncio

from benchmarks.core import rss_mb
from benchmarks.sms import load, start_servers, wait_ready
from bot.settings import PROJECT_ROOT
from bot.storage.local_services import free_port, postgres_server, redis_server

CONCURRENCY = 50


def measure(processes: int, stores: dict[str, str]) -> dict:
    model = PROJECT_ROOT / "models" / "kyr.tar.gz"
    ports = [free_port() for _ in range(processes)]
    started = [start_servers(port, model, stores, actions=(i == 0)) for i, port in enumerate(ports)]
    servers = [group[-1] for group in started]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base in bases:
            asyncio.run(wait_ready(base))
        asyncio.run(load(bases, 5))  # warm-up
        result = asyncio.run(load(bases, CONCURRENCY))
        result["rss"] = [rss_mb(server.pid) for server in servers]
        return result
    finally:
        for group in started:
            for process in group:
                process.terminate()
                process.wait(timeout=30)


def main(args: list[str]) -> int:
    with postgres_server() as tracker_url, redis_server() as lock_url:
        stores = {
            "TRACKER_STORE_URL": tracker_url,
            "LOCK_STORE_URL": lock_url,
            "SMS_PARSE_CACHE_SIZE": "10000",
        }
        rows = {n: measure(n, stores) for n in (1, 2)}
    print(
        "| Rasa server processes (PostgreSQL + Redis) | messages | errors | msg/s | p50 (ms) | p95 (ms) "
        "| RSS per process (MB) |"
    )
    print("|---|---|---|---|---|---|---|")
    for n, r in rows.items():
        rss = ", ".join(f"{value:.0f}" for value in r["rss"])
        print(
            f"| {n} | {r['messages']} | {r['errors']} | {r['msg_per_s']:.0f} | {r['p50']:.0f} "
            f"| {r['p95']:.0f} | {rss} |"
        )
    return 0
