"""`python -m bot shell|run`: start the action server, then Rasa; stop both together.

Settings come from .env (python-dotenv); see .env.example.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dotenv import load_dotenv

from bot.settings import PROJECT_ROOT
from bot.storage.local_services import wait_for_port

ACTION_SERVER_PORT = 5055  # endpoints.yml points here
MODEL = PROJECT_ROOT / "models" / "kyr.tar.gz"
STARTUP_TIMEOUT_S = 60


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
            wait_for_port(ACTION_SERVER_PORT, actions, STARTUP_TIMEOUT_S)
            print(f"Action server on :{ACTION_SERVER_PORT} (log: {log_path.relative_to(PROJECT_ROOT)})")
            return subprocess.call(rasa_command(mode, env) + args, cwd=PROJECT_ROOT, env=env)
        except (RuntimeError, TimeoutError) as error:
            print(f"The action server did not start ({error}); see {log_path}.", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 130
        finally:
            actions.terminate()
            try:
                actions.wait(timeout=10)
            except subprocess.TimeoutExpired:
                actions.kill()
