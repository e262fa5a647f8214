"""How our processes start: ports, model, endpoints and environment, in one place.

`python -m bot run|shell`, the benchmarks and the tests all start the action
server and `rasa run` through these functions, so they run what production runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dotenv import load_dotenv

from bot.settings import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "kyr.tar.gz"
CREDENTIALS = PROJECT_ROOT / "credentials.yml"
ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
ACTION_SERVER_PORT = 5055  # endpoints.yml points here
RASA_PORT_SETTING = "RASA_PORT"
DEFAULT_RASA_PORT = 5005
API_TOKEN_SETTING = "RASA_API_TOKEN"
STARTUP_TIMEOUT_S = 60
REQUEST_HEAD_TIMEOUT_S = 10

# Our NLG and stores: what endpoints.yml names, for servers started with
# another action server (tests, benches).
NLG_TYPE = "bot.rendering.nlg.CatalogNLG"
TRACKER_STORE_TYPE = "bot.storage.stores.ConfiguredTrackerStore"
LOCK_STORE_TYPE = "bot.storage.stores.ConfiguredLockStore"


def load_settings() -> None:
    """Read .env into the environment (values already set win)."""
    load_dotenv(PROJECT_ROOT / ".env")


def process_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment our child processes run in: .env, our code importable, no telemetry."""
    load_settings()
    return {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        # Third-party deprecation noise would bury what operators need to read.
        "PYTHONWARNINGS": "ignore",
        # Sanic reads SANIC_* settings: a request's head must arrive within this
        # (its default is 60 s). Bodies and sizes are limited by our channels
        # (bot/channels/http_limits.py), whatever starts the server.
        "SANIC_REQUEST_TIMEOUT": str(REQUEST_HEAD_TIMEOUT_S),
        **(extra or {}),
    }


def rasa_port(env: dict[str, str] | None = None) -> int:
    return int((env if env is not None else os.environ).get(RASA_PORT_SETTING) or DEFAULT_RASA_PORT)


# Rasa and rasa-sdk run through bot/cli/quiet.py: their own command lines,
# without third-party deprecation noise.
QUIET = [sys.executable, "-m", "bot.cli.quiet"]


def action_server_command(port: int = ACTION_SERVER_PORT) -> list[str]:
    """rasa-sdk's action server, with private logs and error replies (bot/cli/actions.py)."""
    return [sys.executable, "-m", "bot", "actions", "--actions", "actions", "--port", str(port)]


def rasa_server_command(
    model: Path = MODEL,
    port: int = DEFAULT_RASA_PORT,
    endpoints: Path | str = ENDPOINTS,
    api_token: str | None = None,
    credentials: Path | str = CREDENTIALS,
) -> list[str]:
    """`rasa run` with our channels. The HTTP API, which can read and change any
    conversation, is opened only with a token."""
    command = [
        *QUIET,
        "rasa",
        "run",
        "--model",
        str(model),
        "--port",
        str(port),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
    ]
    if api_token and api_token.strip():
        command += ["--enable-api", "--auth-token", api_token.strip()]
    return command


def rasa_shell_command(model: Path = MODEL) -> list[str]:
    return [*QUIET, "rasa", "shell", "--model", str(model), "--endpoints", str(ENDPOINTS)]


def write_endpoints(path: Path, action_server_url: str, configured_stores: bool = True) -> Path:
    """An endpoints.yml like the shipped one, pointing at another action server.

    Without configured_stores, Rasa's in-memory tracker and lock stores.
    """
    text = f"nlg:\n  type: {NLG_TYPE}\naction_endpoint:\n  url: {action_server_url}\n"
    if configured_stores:
        text += f"tracker_store:\n  type: {TRACKER_STORE_TYPE}\nlock_store:\n  type: {LOCK_STORE_TYPE}\n"
    path.write_text(text, encoding="utf-8")
    return path
