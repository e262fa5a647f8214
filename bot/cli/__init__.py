"""Operator command line: `python -m bot <command>` (also wrapped by the Makefile).

shell         action server in the background + `rasa shell` (stops both on exit)
run           action server (restarted if it dies) + Rasa server with the channels of credentials.yml
actions       the action server alone (rasa-sdk, with private logs and error replies)
sms           text the running server as Twilio would (signed)
call          call the running server's IVR as Twilio would (signed)
reports       list or export reports of enforcement activity
purge         delete conversations and reports past the retention period
i18n-report   per language and key: coverage, reading level, SMS segments, voice checks, fuzzy status
i18n-sources  check | mark | stamp <lang> <key>...: translations whose English changed become fuzzy
analytics     the City's report from the anonymous counts: HTML, CSV or JSON (--demo: simulated traffic)
topology      nginx, two Rasa servers, the action server, PostgreSQL and Redis on loopback (Ctrl-C stops)

Performance measurements are not part of the runtime: `python -m benchmarks`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

# Command -> module whose `main(args) -> int` runs it. Imported on demand, so
# `python -m bot sms` does not load Rasa.
COMMANDS = {
    "actions": "bot.cli.actions",
    "analytics": "bot.cli.analytics",
    "i18n-report": "bot.cli.i18n_report",
    "i18n-sources": "bot.cli.i18n_sources",
    "sms": "bot.cli.sms",
    "call": "bot.cli.call",
    "reports": "bot.cli.reports",
    "purge": "bot.cli.purge",
    "topology": "bot.local_topology",
}
SERVER_COMMANDS = ("shell", "run")


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("help", [])
    if command in SERVER_COMMANDS:
        from bot.cli.serve import main as serve

        return serve(command, args)
    if command not in COMMANDS:
        print(__doc__)
        return 0 if command in ("help", "-h", "--help") else 2
    run: Callable[[list[str]], int] = importlib.import_module(COMMANDS[command]).main
    return run(args)
