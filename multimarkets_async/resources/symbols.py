"""``client.symbols``: the product catalogue, and resolving product names to ``Symbol`` and
``SymbolKey``."""

from __future__ import annotations

import builtins
from collections.abc import Iterable

from .._types import NOT_GIVEN, NotGivenOr
from ..models.market import SymbolKey
from ..models.symbols import Symbol, SymbolDetail
from ._core import ClientCore
from ._lookup import Lookup, SymbolLike

__all__ = ["SymbolLike", "Symbols"]

_DETAIL = "config.app.AppSymbolDubboService.getSymbolDetail"


class Symbols:
    """The product catalogue (``getSymbolBaseList``), fetched once per customer group and cached.

    Every method takes ``timeout``: the read timeout in seconds for each request it sends (``None``
    waits forever; the client's by default). A method answered from the cache sends nothing.
    """

    def __init__(self, core: ClientCore, lookup: Lookup) -> None:
        self._core = core
        self._lookup = lookup

    async def list(
        self,
        *,
        customer_group_id: int | None = None,
        refresh: bool = False,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> list[Symbol]:
        """The products the customer group may see, one row per (product, tradeType).

        Args:
            customer_group_id: the group; by default the logged-in customer's (1 for guests).
            refresh: fetch again instead of using the cached list.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        return await self._lookup.catalogue(
            customer_group_id=customer_group_id, refresh=refresh, timeout=timeout
        )

    async def get(
        self,
        symbol: SymbolLike,
        *,
        trade_type: int | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Symbol:
        """The catalogue row of ``symbol``.

        Args:
            symbol: a name (``"EURUSD"``, any case), a ``SymbolKey`` or a ``Symbol``.
            trade_type: the tradeType, for a name listed under several.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Raises:
            InvalidArgumentError: an unknown product, or a name listed under several tradeTypes without
                ``trade_type``.
        """
        return await self._lookup.symbol(symbol, trade_type=trade_type, timeout=timeout)

    async def resolve(
        self,
        symbols: Iterable[SymbolLike],
        *,
        trade_type: int | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> builtins.list[SymbolKey]:
        """Turn names, rows and keys into ``SymbolKey`` values, in order, without duplicates.

        Args:
            symbols: the products.
            trade_type: the tradeType, for names listed under several.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Raises:
            InvalidArgumentError: an unknown or ambiguous name, a bare string instead of a list, or no symbol.
        """
        return await self._lookup.keys(symbols, trade_type=trade_type, timeout=timeout)

    async def digits(self, key: SymbolKey, *, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> int | None:
        """The price decimals of ``key``, or ``None`` when the catalogue does not list it.

        Args:
            key: the product.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        return await self._lookup.digits(key, timeout=timeout)

    async def detail(
        self,
        symbol: SymbolLike,
        *,
        trade_type: int | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> SymbolDetail:
        """The product's trading rules: volume limits and step, digits, leverage, hours.

        Args:
            symbol: a name, a ``SymbolKey`` or a ``Symbol``.
            trade_type: the tradeType, for a name listed under several.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        row = await self._lookup.symbol(symbol, trade_type=trade_type, timeout=timeout)
        body = {"tradeType": row.trade_type, "symbolId": row.symbol_id}
        return await self._core.call(_DETAIL, body, SymbolDetail, timeout=timeout)
