"""`python -m benchmarks <name> [options]` (`make bench` runs them all).

core    training, start-up, memory and in-process latency (--baseline: the stock `rasa init` bot too)
sms     the SMS webhook under concurrent conversations
voice   the voice webhook under concurrent calls
scale   SQLite vs the stock bot; a 208-turn conversation; 10 calls; nginx + 1 or 2 servers (PostgreSQL, Redis)
analytics  what the anonymous counts cost per turn (counting on and off, in one run)
burst   five texts from one phone at once: wait per message, order (--redis: Redis locks too)
fuzz    hostile requests against every channel (make fuzz)
"""

import importlib
import sys

NAMES = ("core", "sms", "voice", "scale", "burst", "fuzz", "nlu_languages", "analytics")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in NAMES:
        print(__doc__)
        return 0 if argv[:1] in ([], ["help"], ["-h"], ["--help"]) else 2
    return importlib.import_module(f"benchmarks.{argv[0]}").main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
