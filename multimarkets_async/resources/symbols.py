"""``client.symbols``: the product catalogue, and resolving product names to ``Symbol`` and
``SymbolKey``."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping

from ..errors import ProtocolError, ValidationError
from ..models._answers import parse_answer, parse_rows
from ..models.market import SymbolKey
from ..models.symbols import Symbol, SymbolDetail
from ._core import ClientCore

__all__ = ["SymbolLike", "Symbols"]

SymbolLike = SymbolKey | Symbol | str
"""A product as users name it: a ``Symbol``, a ``SymbolKey``, or its ``symbolCode``."""

_BASE_LIST = "config.app.AppSymbolDubboService.getSymbolBaseList"
_DETAIL = "config.app.AppSymbolDubboService.getSymbolDetail"
_CUSTOMER_INFO = "customer.app.CustomerWebApiService.findCustomerInfo"


class Symbols:
    """The product catalogue (``getSymbolBaseList``), fetched once per customer group and cached."""

    def __init__(self, core: ClientCore) -> None:
        self._core = core
        self._cache: dict[int, list[Symbol]] = {}

    async def _group_id(self) -> int:
        core = self._core
        if core.customer_group_id is None and (core.api_key is not None or core.http.token):
            info = await core.http.request(_CUSTOMER_INFO, {})
            if isinstance(info, Mapping) and isinstance(info.get("customerGroupId"), int):
                core.customer_group_id = info["customerGroupId"]
        return core.customer_group_id or 1  # 1 is the default group (README §5)

    async def list(self, *, customer_group_id: int | None = None, refresh: bool = False) -> list[Symbol]:
        """The products the customer group may see, one row per (product, tradeType).

        Args:
            customer_group_id: the group; by default the logged-in customer's (1 for guests).
            refresh: fetch again instead of using the cached list.
        """
        group = customer_group_id if customer_group_id is not None else await self._group_id()
        if refresh or group not in self._cache:
            rows = await self._core.http.request(_BASE_LIST, {"customerGroupId": group})
            if not isinstance(rows, list):
                raise ProtocolError("getSymbolBaseList did not answer a list")
            self._cache[group] = parse_rows(Symbol, [row for row in rows if isinstance(row, dict)])
        return self._cache[group]

    async def get(self, symbol: SymbolLike, *, trade_type: int | None = None) -> Symbol:
        """The catalogue row of ``symbol``.

        Raises:
            ValidationError: an unknown product, or a name listed under several tradeTypes without
                ``trade_type``.
        """
        if isinstance(symbol, Symbol):
            return symbol
        rows = await self.list()
        if isinstance(symbol, SymbolKey):
            found = [r for r in rows if r.symbol_id == symbol.symbol_id and r.trade_type == symbol.trade_type]
            if not found:
                raise ValidationError(
                    f"product {symbol.symbol_id} is not listed for tradeType {symbol.trade_type}"
                )
            return found[0]
        if not isinstance(symbol, str):
            raise ValidationError(f"a symbol is a Symbol, a SymbolKey or a name, got {symbol!r}")
        wanted = symbol.strip().lower()
        found = [
            row
            for row in rows
            if wanted in ((row.symbol_code or "").lower(), (row.symbol_name or "").lower())
            and (trade_type is None or row.trade_type == trade_type)
        ]
        if not found:
            suffix = f" for tradeType {trade_type}" if trade_type is not None else ""
            raise ValidationError(f"unknown symbol {symbol!r}{suffix}")
        if len(found) > 1:
            types = sorted({row.trade_type for row in found})
            raise ValidationError(
                f"{symbol!r} is listed under tradeTypes {types}; pass trade_type= to choose one"
            )
        return found[0]

    async def resolve(
        self, symbols: Iterable[SymbolLike], *, trade_type: int | None = None
    ) -> builtins.list[SymbolKey]:
        """Turn names, rows and keys into ``SymbolKey`` values, in order, without duplicates.

        Raises:
            ValidationError: an unknown or ambiguous name, a bare string instead of a list, or no symbol.
        """
        if isinstance(symbols, str | SymbolKey | Symbol):
            raise ValidationError("pass a list of symbols, e.g. ['EURUSD'] rather than 'EURUSD'")
        items = builtins.list(symbols)
        if not items:
            raise ValidationError("subscribe to at least one symbol")
        keys: dict[SymbolKey, None] = {}
        for item in items:
            key = item if isinstance(item, SymbolKey) else (await self.get(item, trade_type=trade_type)).key
            keys[key] = None
        return builtins.list(keys)

    async def digits(self, key: SymbolKey) -> int | None:
        """The price decimals of ``key``, or ``None`` when the catalogue does not list it."""
        try:
            return (await self.get(key)).symbol_digits
        except ValidationError:
            return None

    async def detail(self, symbol: SymbolLike, *, trade_type: int | None = None) -> SymbolDetail:
        """The product's trading rules: volume limits and step, digits, leverage, hours."""
        row = await self.get(symbol, trade_type=trade_type)
        data = await self._core.http.request(
            _DETAIL, {"tradeType": row.trade_type, "symbolId": row.symbol_id}
        )
        if not isinstance(data, dict):
            raise ProtocolError("getSymbolDetail did not answer an object")
        return parse_answer(SymbolDetail, data)
