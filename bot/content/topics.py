"""Topic settings (data/topics.yml) and numbered menus (data/menus.yml)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.caches import LoadOnce
from bot.data_files import load_data_file
from bot.language.registry import language_settings


@dataclass(frozen=True)
class Topic:
    id: str
    legal_notice: bool
    lists_resources: bool

    @property
    def response(self) -> str:
        return f"utter_{self.id}"


def _load_topics() -> dict[str, Topic]:
    raw = load_data_file("topics.yml")["topics"]
    return {
        topic_id: Topic(
            id=topic_id,
            legal_notice=bool(settings.get("legal_notice")),
            lists_resources=bool(settings.get("resources")),
        )
        for topic_id, settings in raw.items()
    }


_topics = LoadOnce("topics", _load_topics)


def topics() -> dict[str, Topic]:
    return _topics.get()


def topic_for_response(response_key: str) -> Topic | None:
    return topics().get(response_key.removeprefix("utter_"))


def offline_topics() -> frozenset[str]:
    """Topics an operator has taken offline (data/content_control.yml)."""
    return frozenset(load_data_file("content_control.yml").get("offline_topics") or [])


@dataclass(frozen=True)
class MenuEntry:
    number: str
    target: str  # a topic id, "menu:<name>" or "language:<code>"

    @property
    def kind(self) -> str:
        """ "topic", "menu" or "language"."""
        return self.target.partition(":")[0] if ":" in self.target else "topic"

    @property
    def value(self) -> str:
        """The topic id, menu name or language code."""
        return self.target.partition(":")[2] if ":" in self.target else self.target

    @property
    def label_key(self) -> str:
        return f"label_menu_{self.value}" if self.kind == "menu" else f"label_{self.value}"


@dataclass(frozen=True)
class Menu:
    name: str
    shown_by: tuple[str, ...]
    entries: tuple[MenuEntry, ...]

    def entry(self, number: str) -> MenuEntry | None:
        return next((e for e in self.entries if e.number == number), None)


def _load_menus() -> dict[str, Menu]:
    result = {}
    for name, raw in load_data_file("menus.yml")["menus"].items():
        if raw["entries"] == "languages":
            codes = language_settings().supported
            entries = tuple(MenuEntry(str(i), f"language:{c}") for i, c in enumerate(codes, 1))
        else:
            entries = tuple(MenuEntry(str(n), str(t)) for n, t in raw["entries"].items())
        result[name] = Menu(name=name, shown_by=tuple(raw["shown_by"]), entries=entries)
    return result


_menus = LoadOnce("menus", _load_menus)


def menus() -> dict[str, Menu]:
    return _menus.get()


def menu_shown_by(response_key: str) -> Menu | None:
    """The menu a response displays, if it displays one."""
    return next((m for m in menus().values() if response_key in m.shown_by), None)
