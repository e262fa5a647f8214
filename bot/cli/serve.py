"""`python -m bot shell|run`: start the action server, then Rasa; stop both together.

Settings come from .env (python-dotenv); see .env.example and bot/launch.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot import launch
from bot.settings import PROJECT_ROOT
from bot.storage.local_services import wait_for_port


def rasa_command(mode: str, env: dict[str, str]) -> list[str]:
    if mode == "shell":  # the shell never opens the HTTP API
        return launch.rasa_shell_command()
    return launch.rasa_server_command(port=launch.rasa_port(env), api_token=env.get(launch.API_TOKEN_SETTING))


def main(mode: str, args: list[str]) -> int:
    env = launch.process_environment()
    log_path = PROJECT_ROOT / "logs" / "action-server.log"
    log_path.parent.mkdir(exist_ok=True)
    with Path(log_path).open("ab") as log:
        actions = subprocess.Popen(
            launch.action_server_command(),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(launch.ACTION_SERVER_PORT, actions, launch.STARTUP_TIMEOUT_S)
            print(
                f"Action server on :{launch.ACTION_SERVER_PORT} (log: {log_path.relative_to(PROJECT_ROOT)})"
            )
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
