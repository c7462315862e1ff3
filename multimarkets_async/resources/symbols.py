"""``client.symbols``: the product catalogue, and resolving symbol names to :class:`SymbolKey`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import ProtocolError, ValidationError
from ..models.market import SymbolKey
from ._core import ClientCore

__all__ = ["SymbolLike", "Symbols"]

SymbolLike = SymbolKey | str
"""A product as users name it: a :class:`SymbolKey`, or its ``symbolCode``/``symbolName``."""

_BASE_LIST = "config.app.AppSymbolDubboService.getSymbolBaseList"
_CUSTOMER_INFO = "customer.app.CustomerWebApiService.findCustomerInfo"


class Symbols:
    """The product catalogue (``getSymbolBaseList``), cached per customer group."""

    def __init__(self, core: ClientCore) -> None:
        self._core = core
        self._cache: dict[int, list[dict[str, Any]]] = {}

    async def _group_id(self) -> int:
        core = self._core
        if core.customer_group_id is None and (core.api_key is not None or core.http.token):
            info = await core.http.request(_CUSTOMER_INFO, {})
            if isinstance(info, Mapping) and isinstance(info.get("customerGroupId"), int):
                core.customer_group_id = info["customerGroupId"]
        return core.customer_group_id or 1  # 1 is the default group (README §5)

    async def base_list(
        self, *, customer_group_id: int | None = None, refresh: bool = False
    ) -> list[dict[str, Any]]:
        """The products the customer group may trade, with ``symbolDigits`` and ``dealMode``.

        Args:
            customer_group_id: the group; by default the logged-in customer's (1 for guests).
            refresh: fetch again instead of using the cached list.
        """
        group = customer_group_id if customer_group_id is not None else await self._group_id()
        if refresh or group not in self._cache:
            rows = await self._core.http.request(_BASE_LIST, {"customerGroupId": group})
            if not isinstance(rows, list):
                raise ProtocolError("getSymbolBaseList did not answer a list")
            self._cache[group] = [row for row in rows if isinstance(row, dict)]
        return self._cache[group]

    async def resolve(
        self, symbols: Iterable[SymbolLike], *, trade_type: int | None = None
    ) -> list[SymbolKey]:
        """Turn names and keys into :class:`SymbolKey` values, in order, without duplicates.

        A name matches ``symbolCode`` or ``symbolName`` (case-insensitive). When a product is listed
        under several tradeTypes, pass ``trade_type`` to choose.

        Raises:
            ValidationError: an unknown name, an ambiguous one, or an empty list.
        """
        items = list(symbols)
        if isinstance(symbols, str | SymbolKey):
            raise ValidationError("pass a list of symbols, e.g. ['EURUSD'] rather than 'EURUSD'")
        if not items:
            raise ValidationError("subscribe to at least one symbol")
        keys: dict[SymbolKey, None] = {}
        rows: list[dict[str, Any]] | None = None
        for item in items:
            if isinstance(item, SymbolKey):
                keys[item] = None
                continue
            if not isinstance(item, str):
                raise ValidationError(f"a symbol is a SymbolKey or a name, got {item!r}")
            if rows is None:
                rows = await self.base_list()
            keys[self._match(rows, item, trade_type)] = None
        return list(keys)

    @staticmethod
    def _match(rows: list[dict[str, Any]], name: str, trade_type: int | None) -> SymbolKey:
        wanted = name.strip().lower()
        found = [
            row
            for row in rows
            if wanted in (str(row.get("symbolCode", "")).lower(), str(row.get("symbolName", "")).lower())
            and (trade_type is None or row.get("tradeType") == trade_type)
        ]
        if not found:
            raise ValidationError(
                f"unknown symbol {name!r}" + (f" for tradeType {trade_type}" if trade_type else "")
            )
        if len(found) > 1:
            types = sorted({int(row["tradeType"]) for row in found})
            raise ValidationError(
                f"{name!r} is listed under tradeTypes {types}; pass trade_type= to choose one"
            )
        row = found[0]
        try:
            return SymbolKey(int(row["symbolId"]), int(row["tradeType"]), int(row.get("dealMode") or 0))
        except (KeyError, TypeError, ValueError) as exc:
            raise ProtocolError(f"getSymbolBaseList row for {name!r} lacks symbolId/tradeType") from exc

    async def digits(self, key: SymbolKey) -> int | None:
        """The price decimals of ``key`` from the catalogue, or ``None`` when it is not listed."""
        for row in await self.base_list():
            if row.get("symbolId") == key.symbol_id and row.get("tradeType") == key.trade_type:
                value = row.get("symbolDigits")
                return value if isinstance(value, int) else None
        return None
