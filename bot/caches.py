"""What a process loads once and keeps: named cache objects with a size, and one way to clear them.

Data files, catalogs, the resource directory and the language detector are
read on first use and kept for the life of the process; operators change
content by editing data and restarting (see the README). Every such cache is
one of these objects, so what is cached, and how much, can be read here and
in the module that creates it. Tests that point the bot at other data call
`clear_all()`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

_all: list[LoadOnce | KeyedCache] = []


class LoadOnce(Generic[T]):
    """One value, loaded by `load` on first use (size: 1)."""

    def __init__(self, name: str, load: Callable[[], T]) -> None:
        self.name = name
        self._load = load
        self._value: T | None = None
        self._loaded = False
        _all.append(self)

    def get(self) -> T:
        if not self._loaded:
            self._value = self._load()
            self._loaded = True
        return self._value  # type: ignore[return-value]

    def clear(self) -> None:
        self._value, self._loaded = None, False


class KeyedCache(Generic[K, T]):
    """Values by key, loaded by `load(key)`, the least recently used dropped past `max_size`."""

    def __init__(self, name: str, load: Callable[[K], T], max_size: int) -> None:
        self.name = name
        self._load = load
        self.max_size = max_size
        self._values: OrderedDict[K, T] = OrderedDict()
        _all.append(self)

    def get(self, key: K) -> T:
        if key in self._values:
            self._values.move_to_end(key)
            return self._values[key]
        value = self._load(key)
        self._values[key] = value
        while len(self._values) > self.max_size:
            self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        self._values.clear()


def clear_all() -> None:
    """Forget everything cached (tests that switch data or catalog directories)."""
    for cache in _all:
        cache.clear()
