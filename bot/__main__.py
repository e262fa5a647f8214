"""Operator command line: `python -m bot <command>` (also wrapped by the Makefile).

i18n-report   catalog coverage, and per key: reading level, SMS segments, voice checks, fuzzy status
i18n-sources  check | mark | stamp <lang> <key>...: stale translations (English changed) become fuzzy
shell         action server in the background + `rasa shell` (stops both on exit)
run           action server + Rasa server with the channels of credentials.yml
bench         performance measurements reported in the README
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "i18n-report":
        from bot.i18n_report import main as run
    elif command == "i18n-sources":
        from bot.catalog_sources import main as run
    elif command in ("shell", "run"):
        from bot.serve import main as serve

        return serve(command, args)
    elif command == "sms":
        from bot.sms_repl import main as run
    elif command == "reports":
        from bot.reports_cli import main as run
    elif command == "purge":
        from bot.purge import main as run
    elif command == "call":
        from bot.call_repl import main as run
    elif command == "bench-scale":
        from bot.bench_scale import main as run
    elif command == "bench-voice":
        from bot.bench_voice import main as run
    elif command == "bench-sms":
        from bot.bench_sms import main as run
    elif command == "bench":
        from bot.bench import main as run
    else:
        print(__doc__)
        return 0 if command in ("help", "-h", "--help") else 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
