"""`python -m bot shell|run`: start the action server, then Rasa; stop both together.

With `run`, the action server is supervised: if it dies, it is started again
(after RESTART_DELAY_S, longer while it keeps dying at once), so a crash
costs the turns of a few seconds (they get the 311 fallback) and not every
form until someone notices. GET /webhooks/rest/ready shows it as down
meanwhile. In the container, the same command runs, and the orchestrator
restarts the whole container if Rasa itself exits.

Settings come from .env (python-dotenv); see .env.example and bot/launch.py.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

from bot import launch
from bot.settings import PROJECT_ROOT
from bot.storage.local_services import wait_for_port

RESTART_DELAY_S = 1.0
MAX_RESTART_DELAY_S = 30.0
STABLE_AFTER_S = 30.0  # a process that ran this long was not crash-looping
WATCH_INTERVAL_S = 0.5


class SupervisedProcess:
    """A child process that is started again whenever it exits, until `stop()`."""

    def __init__(self, command: list[str], env: dict[str, str], log: IO[bytes], name: str) -> None:
        self.command, self.env, self.log, self.name = command, env, log, name
        self.restarts = 0
        self._stopping = threading.Event()
        self.process = self._start()
        self._watcher = threading.Thread(target=self._watch, name=f"supervise {name}", daemon=True)
        self._watcher.start()

    def _start(self) -> subprocess.Popen:
        self._started_at = time.monotonic()
        return subprocess.Popen(
            self.command, cwd=PROJECT_ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def _watch(self) -> None:
        delay = RESTART_DELAY_S
        while not self._stopping.wait(WATCH_INTERVAL_S):
            code = self.process.poll()
            if code is None:
                continue
            ran_for = time.monotonic() - self._started_at
            delay = RESTART_DELAY_S if ran_for > STABLE_AFTER_S else min(delay * 2, MAX_RESTART_DELAY_S)
            print(f"The {self.name} exited (code {code}); starting it again in {delay:g} s.", file=sys.stderr)
            if self._stopping.wait(delay):
                return
            self.process = self._start()
            self.restarts += 1

    def stop(self, timeout_s: float = 10) -> None:
        self._stopping.set()
        self._watcher.join(timeout=WATCH_INTERVAL_S * 4)
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()


def rasa_command(mode: str, env: dict[str, str]) -> list[str]:
    if mode == "shell":  # the shell never opens the HTTP API
        return launch.rasa_shell_command()
    return launch.rasa_server_command(port=launch.rasa_port(env), api_token=env.get(launch.API_TOKEN_SETTING))


def main(mode: str, args: list[str]) -> int:
    env = launch.process_environment()
    log_path = PROJECT_ROOT / "logs" / "action-server.log"
    log_path.parent.mkdir(exist_ok=True)
    with Path(log_path).open("ab") as log:
        actions = SupervisedProcess(launch.action_server_command(), env, log, "action server")
        try:
            wait_for_port(launch.ACTION_SERVER_PORT, actions.process, launch.STARTUP_TIMEOUT_S)
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
            actions.stop()
