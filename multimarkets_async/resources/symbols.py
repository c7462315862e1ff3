"""``client.symbols``: the product catalogue, and resolving product names to ``Symbol`` and
``SymbolKey``."""

from __future__ import annotations

import builtins
from collections.abc import Iterable

from ..models.market import SymbolKey
from ..models.symbols import Symbol, SymbolDetail
from ._core import ClientCore
from ._lookup import Lookup, SymbolLike

__all__ = ["SymbolLike", "Symbols"]

_DETAIL = "config.app.AppSymbolDubboService.getSymbolDetail"


class Symbols:
    """The product catalogue (``getSymbolBaseList``), fetched once per customer group and cached."""

    def __init__(self, core: ClientCore, lookup: Lookup) -> None:
        self._core = core
        self._lookup = lookup

    async def list(self, *, customer_group_id: int | None = None, refresh: bool = False) -> list[Symbol]:
        """The products the customer group may see, one row per (product, tradeType).

        Args:
            customer_group_id: the group; by default the logged-in customer's (1 for guests).
            refresh: fetch again instead of using the cached list.
        """
        return await self._lookup.catalogue(customer_group_id=customer_group_id, refresh=refresh)

    async def get(self, symbol: SymbolLike, *, trade_type: int | None = None) -> Symbol:
        """The catalogue row of ``symbol``.

        Raises:
            InvalidArgumentError: an unknown product, or a name listed under several tradeTypes without
                ``trade_type``.
        """
        return await self._lookup.symbol(symbol, trade_type=trade_type)

    async def resolve(
        self, symbols: Iterable[SymbolLike], *, trade_type: int | None = None
    ) -> builtins.list[SymbolKey]:
        """Turn names, rows and keys into ``SymbolKey`` values, in order, without duplicates.

        Raises:
            InvalidArgumentError: an unknown or ambiguous name, a bare string instead of a list, or no symbol.
        """
        return await self._lookup.keys(symbols, trade_type=trade_type)

    async def digits(self, key: SymbolKey) -> int | None:
        """The price decimals of ``key``, or ``None`` when the catalogue does not list it."""
        return await self._lookup.digits(key)

    async def detail(self, symbol: SymbolLike, *, trade_type: int | None = None) -> SymbolDetail:
        """The product's trading rules: volume limits and step, digits, leverage, hours."""
        row = await self._lookup.symbol(symbol, trade_type=trade_type)
        return await self._core.call(
            _DETAIL, {"tradeType": row.trade_type, "symbolId": row.symbol_id}, SymbolDetail
        )
