"""Real PostgreSQL and Redis servers on loopback, for scale-out tests and benches.

The same topology as docker-compose.yml, without Docker: Debian's packages
(scripts/install-services), each server in a throwaway directory.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the process for port {port} exited with code {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port}")


@contextlib.contextmanager
def _serving(server: subprocess.Popen, folder: Path, port: int, timeout_s: float) -> Iterator[None]:
    """Wait until `server` listens on `port`; stop it and remove its folder afterwards."""
    try:
        wait_for_port(port, server, timeout_s=timeout_s)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


INSTALL_ADVICE = "run `sudo make services` (Debian packages postgresql, redis-server, nginx, chromium)"


def missing_services() -> list[str]:
    """The local servers this machine lacks for the scale-out tests and benches."""
    missing = []
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        missing.append("PostgreSQL")
    if not shutil.which("redis-server"):
        missing.append("Redis")
    return missing


def _as_postgres_user() -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    assert binaries, f"PostgreSQL is not installed: {INSTALL_ADVICE}"
    folder = Path(tempfile.mkdtemp(prefix="kyr-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    subprocess.run(
        [
            *_as_postgres_user(),
            f"{binaries[-1]}/initdb",
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    with (folder / "postgres.log").open("wb") as log:
        server = subprocess.Popen(
            [
                *_as_postgres_user(),
                f"{binaries[-1]}/postgres",
                "-D",
                str(data),
                "-p",
                str(port),
                "-k",
                str(folder),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=200",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        with _serving(server, folder, port, timeout_s=60):
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    assert shutil.which("redis-server"), f"Redis is not installed: {INSTALL_ADVICE}"
    folder = Path(tempfile.mkdtemp(prefix="kyr-redis-"))
    port = free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with _serving(server, folder, port, timeout_s=30):
        yield f"redis://127.0.0.1:{port}/1"
