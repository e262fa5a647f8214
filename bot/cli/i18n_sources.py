"""`python -m bot i18n-sources check | mark | stamp <lang> <key>...`: stale translations.

See bot/rendering/catalog_sources.py: a translation whose English source
changed is flagged fuzzy (and served in English) until a translator updates
and stamps it.
"""

from __future__ import annotations

import sys

from bot.rendering.catalog_sources import mark_stale, stamp, status


def main(args: list[str]) -> int:
    command = args[0] if args else "check"
    if command == "mark":
        for language, keys in mark_stale().items():
            for key in keys:
                print(f"{language}: {key} marked fuzzy: its English text changed")
        return 0
    if command == "stamp" and len(args) >= 3:
        for key in stamp(args[1], args[2:]):
            print(f"{args[1]}: {key} recorded as translated from the current English")
        return 0
    if command == "check":
        problems = 0
        for language, found in status().items():
            for key in found["stale"]:
                problems += 1
                print(f"{language}: {key} is stale (English changed): run `make i18n-update`")
            for key in found["fuzzy"]:
                print(f"{language}: {key} is fuzzy: served in English until a translator updates it")
        return 1 if problems else 0
    usage = "usage: python -m bot i18n-sources check | mark | stamp <lang> <key>... | stamp <lang> --all"
    print(usage, file=sys.stderr)
    return 2
