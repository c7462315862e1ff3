"""The product names of one quote connection, and the record-head caches that carry them to the
push parsers (``_quote_push``) at no cost per message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, TypeAlias

from ._quote_frame import Malformed

__all__ = ["CACHE_LIMIT", "NO_NAMES", "Head", "Key", "ProductNames"]

CACHE_LIMIT: Final = 4096
"""Entries after which a parser cache (heads, numbers) is emptied: bounded memory whatever the feed sends."""
Key: TypeAlias = tuple[int, int, int]
Head: TypeAlias = tuple[int, int, int, "str | None"]
"""``(symbol_id, trade_type, trade_mode, name)`` of a record head."""


class ProductNames:
    """Product key ``(symbol_id, trade_type, trade_mode)`` -> name, for the events of one quote connection.

    The feed calls ``update`` when it subscribes (once per product, not per message); the parsers read
    the name with the ids from the record-head caches kept here, so a name costs nothing per message.
    A change of name empties those caches.
    """

    __slots__ = ("_names", "heads", "p_get")

    def __init__(self) -> None:
        self._names: dict[Key, str] = {}
        self.heads: Final[dict[str, dict[str, Head]]] = {"p(": {}, "pt(": {}, "pd(": {}, "pr(": {}}
        """Per tag: exact record head (``p(1001,1,1``) -> ids and name."""
        self.p_get = self.heads["p("].get
        """The ticker heads' ``get`` (bound once: the cache is emptied in place, never replaced)."""

    def update(self, names: Mapping[Key, str | None]) -> None:
        """Name these products (``None`` forgets a name)."""
        changed = False
        for key, name in names.items():
            if self._names.get(key) != name:
                changed = True
                if name is None:
                    del self._names[key]
                else:
                    self._names[key] = name
        if changed:
            for cache in self.heads.values():
                cache.clear()

    def get(self, key: Key) -> str | None:
        """The name of ``key``, or ``None``."""
        return self._names.get(key)

    def head(self, text: str, tag: str) -> Head:
        """The ids and name of a record head ``tag(symbol_id,trade_type,trade_mode``, cached; a
        ``ValueError`` otherwise."""
        size = len(tag)
        if text[:size] != tag:
            raise Malformed("unexpected record tag")
        sym, tt, tm = text[size:].split(",")
        ids = (int(sym), int(tt), int(tm))
        entry = (*ids, self._names.get(ids))
        cache = self.heads[tag]
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[text] = entry
        return entry


NO_NAMES: Final = ProductNames()
"""The names of a decoder that was given none: every event's ``symbol`` is ``None``."""
