"""What resources look up for each other, in one place: catalogue rows and keys of products, the
customer's profile and accounts, and the latest price.

One ``Lookup`` per client, shared by its namespaces: ``client.symbols`` and ``client.account`` show
its catalogue and profile (the same caches), ``client.quotes`` shares its quote connections, and
``client.orders`` and ``client.positions`` build order bodies from it without holding those namespaces.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping

import anyio

from .._streams.quote_feed import TICKER, QuoteFeed
from .._streams.subscription import Subscription
from .._types import NOT_GIVEN, NotGivenOr
from ..errors import InvalidArgumentError, ProtocolError, RequestTimeoutError
from ..models._answers import parse_rows
from ..models.customer import Account, CustomerProfile
from ..models.market import SymbolKey, Tick
from ..models.symbols import Symbol
from ..models.trading import Side
from ..protocol.prices import Number
from ._core import ClientCore

__all__ = ["Lookup", "SymbolLike"]

SymbolLike = SymbolKey | Symbol | str
"""A product as users name it: a ``Symbol``, a ``SymbolKey``, or its ``symbolCode``."""

_BASE_LIST = "config.app.AppSymbolDubboService.getSymbolBaseList"
_CUSTOMER_INFO = "customer.app.CustomerWebApiService.findCustomerInfo"


class _Catalogue:
    """The catalogue answer: an array; entries that are not objects are skipped."""

    def parse(self, data: object, what: str) -> list[Symbol]:
        if not isinstance(data, list):
            raise ProtocolError(f"{what} did not answer a list")
        return parse_rows(Symbol, [row for row in data if isinstance(row, dict)])


class Lookup:
    """The product catalogue (per customer group), the customer's profile, and the latest ticks.

    Args:
        core: the client's core.
    """

    def __init__(self, core: ClientCore) -> None:
        self._core = core
        self._catalogue: dict[int, list[Symbol]] = {}
        self._profile: CustomerProfile | None = None
        self.quote_feed = QuoteFeed(core)
        """The client's quote connections (``client.quotes`` subscribes through them too)."""

    # -- products ----------------------------------------------------------------------------------

    async def _group_id(self, timeout: NotGivenOr[float | None]) -> int:
        core = self._core
        if core.customer_group_id is None and (core.api_key is not None or core.http.token):
            info = await core.http.request(_CUSTOMER_INFO, {}, timeout=timeout)
            if isinstance(info, Mapping) and isinstance(info.get("customerGroupId"), int):
                core.customer_group_id = info["customerGroupId"]
        return core.customer_group_id or 1  # guests and customers without a group see group 1

    async def catalogue(
        self,
        *,
        customer_group_id: int | None = None,
        refresh: bool = False,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> list[Symbol]:
        """The products the customer group may see (``getSymbolBaseList``), cached per group."""
        group = customer_group_id if customer_group_id is not None else await self._group_id(timeout)
        if refresh or group not in self._catalogue:
            self._catalogue[group] = await self._core.call(
                _BASE_LIST, {"customerGroupId": group}, _Catalogue(), timeout=timeout
            )
        return self._catalogue[group]

    async def symbol(
        self,
        symbol: SymbolLike,
        *,
        trade_type: int | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Symbol:
        """The catalogue row of ``symbol``.

        Raises:
            InvalidArgumentError: an unknown product, or a name listed under several tradeTypes without
                ``trade_type``.
        """
        if isinstance(symbol, Symbol):
            return symbol
        rows = await self.catalogue(timeout=timeout)
        if isinstance(symbol, SymbolKey):
            found = [r for r in rows if r.symbol_id == symbol.symbol_id and r.trade_type == symbol.trade_type]
            if not found:
                raise InvalidArgumentError(
                    f"product {symbol.symbol_id} is not listed for tradeType {symbol.trade_type}"
                )
            return found[0]
        if not isinstance(symbol, str):
            raise InvalidArgumentError(f"a symbol is a Symbol, a SymbolKey or a name, got {symbol!r}")
        wanted = symbol.strip().lower()
        found = [
            row
            for row in rows
            if wanted in ((row.symbol_code or "").lower(), (row.symbol_name or "").lower())
            and (trade_type is None or row.trade_type == trade_type)
        ]
        if not found:
            suffix = f" for tradeType {trade_type}" if trade_type is not None else ""
            raise InvalidArgumentError(f"unknown symbol {symbol!r}{suffix}")
        if len(found) > 1:
            types = sorted({row.trade_type for row in found})
            raise InvalidArgumentError(
                f"{symbol!r} is listed under tradeTypes {types}; pass trade_type= to choose one"
            )
        return found[0]

    async def keys(
        self,
        symbols: Iterable[SymbolLike],
        *,
        trade_type: int | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> builtins.list[SymbolKey]:
        """Names, rows and keys as ``SymbolKey`` values, in order, without duplicates.

        Raises:
            InvalidArgumentError: an unknown or ambiguous name, a bare string instead of a list, or no symbol.
        """
        if isinstance(symbols, str | SymbolKey | Symbol):
            raise InvalidArgumentError("pass a list of symbols, e.g. ['EURUSD'] rather than 'EURUSD'")
        items = builtins.list(symbols)
        if not items:
            raise InvalidArgumentError("subscribe to at least one symbol")
        keys: dict[SymbolKey, None] = {}
        for item in items:
            key = item if isinstance(item, SymbolKey) else None
            if key is None:
                key = (await self.symbol(item, trade_type=trade_type, timeout=timeout)).key
            keys[key] = None
        return builtins.list(keys)

    async def digits(self, key: SymbolKey, *, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> int | None:
        """The price decimals of ``key``, or ``None`` when the catalogue does not list it."""
        try:
            return (await self.symbol(key, timeout=timeout)).symbol_digits
        except InvalidArgumentError:
            return None

    # -- the customer ------------------------------------------------------------------------------

    async def profile(
        self, *, refresh: bool = False, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> CustomerProfile:
        """The customer's profile with its account list (``findCustomerInfo``): the copy fetched last
        (its balances as of then), or a fresh one with ``refresh`` or when none was fetched yet."""
        if self._profile is None or refresh:
            core = self._core
            self._profile = await core.call(_CUSTOMER_INFO, {}, CustomerProfile, timeout=timeout)
            core.customer_group_id = self._profile.customer_group_id or core.customer_group_id
        return self._profile

    async def account(
        self, trade_type: int, currency: str | None = None, *, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> Account:
        """The account that trades ``trade_type`` (in ``currency`` when the customer has several), from
        the cached profile: use it for ids and digits, not balances.

        Raises:
            InvalidArgumentError: the customer has no such account.
        """
        profile = await self.profile(timeout=timeout)
        try:
            return profile.account(trade_type, currency)
        except LookupError:
            profile = await self.profile(refresh=True, timeout=timeout)
            try:
                return profile.account(trade_type, currency)
            except LookupError as exc:
                raise InvalidArgumentError(f"the customer has no account for tradeType {trade_type}") from exc

    # -- prices --------------------------------------------------------------------------------------

    async def latest_tick(self, key: SymbolKey, *, timeout: float | None) -> Tick:
        """The current tick of ``key``: a live ticker subscription's latest, else a fresh snapshot.

        Raises:
            RequestTimeoutError: no tick arrived within ``timeout`` seconds (``None``: wait as long as
                it takes).
        """
        feed = self.quote_feed
        cached = feed.latest(key)
        if cached is not None:
            return cached

        async def enter(subscription: Subscription[object]) -> None:
            await feed.subscribe(TICKER, subscription, [key], connection_events=False)

        with anyio.move_on_after(timeout):
            async with feed.subscription("tickers", enter, None) as ticks:
                async for tick in ticks:
                    if isinstance(tick, Tick):
                        return tick
        raise RequestTimeoutError(f"no tick for {key} within {timeout:g} s")

    async def seen_price(self, row: Symbol, side: Side, *, timeout: float | None = 10.0) -> Number:
        """The price a ``side`` order of ``row`` would see now: the ask to buy, the bid to sell.

        Raises:
            RequestTimeoutError: no tick arrived within ``timeout`` seconds.
        """
        tick = await self.latest_tick(row.key, timeout=timeout)
        return tick.ask if side is Side.BUY else tick.bid
