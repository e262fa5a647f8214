"""`python -m bot <command>`: see bot/cli/__init__.py."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
