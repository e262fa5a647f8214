"""`python -m bot shell|run`: start the action server, then Rasa; stop both together.

Settings come from .env (python-dotenv); see .env.example.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from dotenv import load_dotenv

from bot.paths import PROJECT_ROOT

ACTION_SERVER_PORT = 5055  # endpoints.yml points here
MODEL = PROJECT_ROOT / "models" / "kyr.tar.gz"
STARTUP_TIMEOUT_S = 60


def _wait_for_port(port: int, process: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The action server exited with code {process.returncode}.")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"The action server did not open port {port} in {timeout_s:.0f} s.")


def rasa_server_command(model: Path, port: int, endpoints: Path | str) -> list[str]:
    """`rasa run` with our channels: for benches and tests that start their own server."""
    return [
        sys.executable,
        "-m",
        "rasa",
        "run",
        "--model",
        str(model),
        "--port",
        str(port),
        "--endpoints",
        str(endpoints),
        "--credentials",
        "credentials.yml",
    ]


def rasa_command(mode: str, env: dict[str, str]) -> list[str]:
    command = [sys.executable, "-m", "rasa", mode, "--model", str(MODEL), "--endpoints", "endpoints.yml"]
    if mode == "run":
        command += ["--credentials", "credentials.yml", "--port", env.get("RASA_PORT", "5005")]
        token = env.get("RASA_API_TOKEN", "").strip()
        # The HTTP API can read and change any conversation: never open it without a token.
        if token:
            command += ["--enable-api", "--auth-token", token]
    return command


def main(mode: str, args: list[str]) -> int:
    load_dotenv(PROJECT_ROOT / ".env")
    env = dict(os.environ)
    log_path = PROJECT_ROOT / "logs" / "action-server.log"
    log_path.parent.mkdir(exist_ok=True)
    with Path(log_path).open("ab") as log:
        actions = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(ACTION_SERVER_PORT)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_port(ACTION_SERVER_PORT, actions, STARTUP_TIMEOUT_S)
            print(f"Action server on :{ACTION_SERVER_PORT} (log: {log_path.relative_to(PROJECT_ROOT)})")
            return subprocess.call(rasa_command(mode, env) + args, cwd=PROJECT_ROOT, env=env)
        except KeyboardInterrupt:
            return 130
        finally:
            actions.terminate()
            try:
                actions.wait(timeout=10)
            except subprocess.TimeoutExpired:
                actions.kill()
