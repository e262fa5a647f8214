"""`make run`: never opens Rasa's HTTP API without a token, and starts quietly."""

from __future__ import annotations

from pathlib import Path

from bot.cli.serve import rasa_command
from tests.conftest import running_server


def test_api_is_off_without_a_token() -> None:
    for env in ({}, {"RASA_API_TOKEN": ""}, {"RASA_API_TOKEN": "   "}):
        command = rasa_command("run", env)
        assert "--enable-api" not in command
        assert "--auth-token" not in command


def test_api_uses_the_token_when_set() -> None:
    command = rasa_command("run", {"RASA_API_TOKEN": "s3cret-token"})
    assert "--enable-api" in command
    assert command[command.index("--auth-token") + 1] == "s3cret-token"
    assert command[command.index("--credentials") + 1].endswith("credentials.yml")


def test_shell_never_enables_the_api() -> None:
    assert "--enable-api" not in rasa_command("shell", {"RASA_API_TOKEN": "s3cret-token"})


def test_the_server_starts_without_warnings_or_tracebacks(tmp_path: Path, action_server_url: str) -> None:
    """What an operator reads at start-up: our own messages, no third-party noise."""
    with running_server(tmp_path, action_server_url) as server:
        log = server.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Starting Rasa server" in log
    assert "Traceback" not in log
    noise = [line for line in log.splitlines() if "Warning:" in line or "warnings.warn" in line]
    assert noise == []
