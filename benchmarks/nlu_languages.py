"""`python -m benchmarks nlu_languages [--model PATH]`: held-out accuracy per language.

For each tests/data/heldout/<code>.yml: the share of messages whose intent the
model gets right, and whose language detection names the right language (or,
when it names none, leaves the conversation to that language's menu). Used
to choose the tokenizer per script (README, Languages); never to tune the
training data on these messages.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import yaml

from bot import launch
from bot.conversation_keys import LANGUAGE_DETECTION_KEY
from bot.settings import PROJECT_ROOT

HELDOUT = PROJECT_ROOT / "tests" / "data" / "heldout"


def evaluate(model: Path) -> dict[str, tuple[int, float, float]]:
    from rasa.core.agent import Agent

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    agent = Agent.load(str(model))
    results = {}
    for path in sorted(HELDOUT.glob("*.yml")):
        if path.stem == "romanized":
            continue
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
        intents = languages = 0
        for case in cases:
            parsed = loop.run_until_complete(agent.parse_message(case["text"]))
            intents += parsed["intent"]["name"] == case["intent"]
            languages += (parsed.get(LANGUAGE_DETECTION_KEY) or {}).get("language") == path.stem
        results[path.stem] = (len(cases), intents / len(cases), languages / len(cases))
    loop.close()
    return results


def main(args: list[str]) -> int:
    model = Path(args[args.index("--model") + 1]) if "--model" in args else launch.MODEL
    print("| language | messages | intent | language detected |\n|---|---|---|---|")
    for code, (count, intent, language) in evaluate(model).items():
        print(f"| {code} | {count} | {intent:.0%} | {language:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
