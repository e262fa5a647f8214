"""`python -m bot.cli.quiet rasa|sdk ARGS`: Rasa's and rasa-sdk's own command lines, quietly.

Operators read the server's output for what matters (a channel refusing
requests, a store it could not reach). Third-party deprecation warnings bury
that, and PYTHONWARNINGS=ignore alone does not hold: importing Sanic turns
DeprecationWarnings back on ("once", sanic/app.py). So this entry point
imports Sanic first, then ignores deprecation warnings, then hands over to the
real command line with the same arguments. Some libraries (pyparsing, for
matplotlib) re-enable their own deprecation warnings on import, so the
warnings module's documented display hook, `warnings.showwarning`, drops
deprecation categories too and shows every other warning as before.
Nothing of Rasa is changed.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import TextIO

# SQLAlchemy's "2.0 migration" notice about Rasa's own tracker store code.
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

import sanic  # noqa: E402, F401  - imported first on purpose: see the docstring

DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
_show = warnings.showwarning


def _show_unless_deprecation(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    if not issubclass(category, DEPRECATIONS):
        _show(message, category, filename, lineno, file, line)


warnings.showwarning = _show_unless_deprecation

COMMANDS = ("rasa", "sdk")


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: python -m bot.cli.quiet {'|'.join(COMMANDS)} ARGS")
    command = sys.argv.pop(1)
    sys.argv[0] = command  # what each command line shows in its usage text
    if command == "rasa":
        from rasa.__main__ import main as run
    else:
        from rasa_sdk.__main__ import main as run
    run()


if __name__ == "__main__":
    main()
