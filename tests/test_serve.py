"""`make run` never opens Rasa's HTTP API without a token."""

from __future__ import annotations

from bot.cli.serve import rasa_command


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
