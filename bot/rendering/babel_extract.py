"""Babel extractor: the catalog keys of this project (see babel.cfg).

Keys come from data, not from Python source: every response in domain.yml
(its `metadata.facts` becomes the translators' comment), the menu labels of
data/menus.yml and the fragments listed in data/catalog_keys.yml.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

from bot.content.topics import menus

# Babel's extractor protocol: (line number, function name, message, comments).
Extracted = tuple[int, str | None, str, list[str]]


def extract_domain(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[Extracted]:
    domain = yaml.safe_load(fileobj) or {}
    for key, variations in (domain.get("responses") or {}).items():
        metadata = (variations[0] or {}).get("metadata") or {}
        comments = [str(metadata["facts"])] if metadata.get("facts") else []
        yield 0, None, key, comments
        for variant in metadata.get("variants", []):
            yield 0, None, f"{key}.{variant}", [f"{variant} variant of {key}", *comments]


def extract_catalog_keys(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[Extracted]:
    data = yaml.safe_load(fileobj) or {}
    comments = {key: str(comment) for key, comment in data.get("keys", {}).items()}
    for menu in menus().values():
        for entry in menu.entries:
            if entry.kind != "language":
                comments.setdefault(entry.label_key, f"Menu label in the {menu.name} menu.")
    for key, comment in comments.items():
        yield 0, None, key, [comment]
    labels = [key for key in comments if key.startswith("label_")]
    for variant, keys in (data.get("variants") or {}).items():
        for key in keys:
            for each in labels if key == "labels" else [key]:
                yield 0, None, f"{each}.{variant}", [f"{variant} variant of {each}", comments.get(each, "")]
