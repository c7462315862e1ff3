"""``client.quotes``: market data as async iterators (tickers, depth and trades, 24 h statistics) and
K-line queries, over the market-data socket (the queries, ``klines``/``batch_klines``, in ``_klines``;
the paged ``history`` in ``_history``).

Each stream yields its market events (``Tick``, ``DepthBook | Trade``, ``Rolling24h``); with
``connection_events=True`` it also yields ``ConnectionEvent``, and its type says so (overloads), so
code that did not ask for connection events reads ``tick.ask`` without narrowing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal, overload

from .._logging import CLIENT_LOGGER
from .._streams.quote_feed import MARKET, ROLLING, TICKER, MarketParams
from .._streams.subscription import Subscription
from .._types import NOT_GIVEN, NotGivenOr
from .._ws import ConnectionInfo
from ..errors import InvalidArgumentError, MultiMarketsError
from ..models.market import DepthBook, Rolling24h, SymbolKey, Tick, Trade
from ..models.stream import ConnectionEvent
from ..models.symbols import Symbol
from ._core import ClientCore
from ._history import History
from ._klines import KlineEnd, KlineQueries
from ._klines import kline_end_seconds as kline_end_seconds  # noqa: PLC0414 (kept importable from here)
from ._lookup import Lookup, SymbolLike

__all__ = ["KlineEnd", "Quotes"]  # KlineEnd (and kline_end_seconds) now live in _klines

logger = logging.getLogger(CLIENT_LOGGER)


class Quotes(KlineQueries, History):
    """Market data. Every subscription is an async context manager and an async iterator:

        async with client.quotes.tickers(["EURUSD"], trade_type=2) as ticks:
            async for tick in ticks:
                print(tick.symbol, tick.bid, tick.ask)

    Subscriptions share the client's quote connections; leaving one unsubscribes. A slow consumer
    sees the latest tick or book per product (what was replaced is counted in ``stats.replaced``).
    Stock products (tradeType 6) are served on their own socket, ``/quote_stock``, which needs a login
    token (``client.login``); the others on ``/quote`` (logged in) or ``/quote_guest``.
    """

    def __init__(self, core: ClientCore, lookup: Lookup) -> None:
        self._core = core
        self._lookup = lookup
        self._feed = lookup.quote_feed

    @property
    def connections(self) -> list[ConnectionInfo]:
        """The quote connection managers, for their ``state`` and ``stats`` (reconnects, latency)."""
        return [connection.manager for connection in self._feed.connections]

    async def _keys(
        self,
        symbols: Sequence[SymbolLike],
        trade_type: int | None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> tuple[list[SymbolKey], dict[SymbolKey, str | None]]:
        """The keys of ``symbols`` and their names (``symbolCode``), resolved once per subscription.

        A name or ``Symbol`` carries its row; a ``SymbolKey`` is looked up in the catalogue when the
        client is authenticated (API key or login), else its events' ``symbol`` is ``None``. A
        catalogue that cannot be fetched leaves the keys unnamed after one try, not one try per key.
        """
        keys = await self._lookup.keys(symbols, trade_type=trade_type, timeout=timeout)
        names: dict[SymbolKey, str | None] = dict.fromkeys(keys)
        core = self._core
        catalogue = core.api_key is not None or bool(core.http.token)
        for item in symbols:
            if isinstance(item, SymbolKey) and not catalogue:
                continue
            try:
                row = (
                    item
                    if isinstance(item, Symbol)
                    else await self._lookup.symbol(item, trade_type=trade_type, timeout=timeout)
                )
            except InvalidArgumentError as exc:  # a key the catalogue does not list: its events go unnamed
                logger.debug("no name for %r (%s)", item, exc)
                continue
            except MultiMarketsError as exc:  # no catalogue now: every key goes unnamed, the stream starts
                logger.warning("product names unavailable, events of %r go unnamed (%s)", item, exc)
                catalogue = False
                continue
            if row.key in names:
                names[row.key] = row.symbol_code or row.symbol_name
        return keys, names

    @overload
    def tickers(
        self,
        symbols: Sequence[SymbolLike],
        *,
        trade_type: int | None = None,
        connection_events: Literal[False] = False,
        maxsize: int | None = None,
    ) -> Subscription[Tick]: ...
    @overload
    def tickers(
        self,
        symbols: Sequence[SymbolLike],
        *,
        trade_type: int | None = None,
        connection_events: bool,
        maxsize: int | None = None,
    ) -> Subscription[Tick | ConnectionEvent]: ...
    def tickers(
        self,
        symbols: Sequence[SymbolLike],
        *,
        trade_type: int | None = None,
        connection_events: bool = False,
        maxsize: int | None = None,
    ) -> Subscription[Tick] | Subscription[Tick | ConnectionEvent]:
        """Stream best bid/ask and last price (14000 and ``p(`` pushes), starting with a snapshot.

        Args:
            symbols: ``SymbolKey`` values, ``Symbol`` rows or product names (``symbolCode``).
            trade_type: chooses among products listed under several tradeTypes, for names.
            connection_events: also yield ``ConnectionEvent`` when the socket drops and recovers (the
                subscription is then typed ``Subscription[Tick | ConnectionEvent]``).
            maxsize: events held for a slow consumer beyond the latest per product (default
                ``StreamSettings.market_buffer``).
        """

        async def enter(subscription: Subscription[object]) -> None:
            keys, names = await self._keys(symbols, trade_type)
            await self._feed.subscribe(
                TICKER, subscription, keys, names=names, connection_events=connection_events
            )

        return self._feed.subscription("tickers", enter, maxsize)  # type: ignore[return-value]

    @overload
    def market(
        self,
        symbols: Sequence[SymbolLike],
        *,
        depth_level: int = 10,
        merge_accuracy: str | Decimal | None = None,
        trade_info_count: int = 20,
        trade_type: int | None = None,
        connection_events: Literal[False] = False,
        maxsize: int | None = None,
    ) -> Subscription[DepthBook | Trade]: ...
    @overload
    def market(
        self,
        symbols: Sequence[SymbolLike],
        *,
        depth_level: int = 10,
        merge_accuracy: str | Decimal | None = None,
        trade_info_count: int = 20,
        trade_type: int | None = None,
        connection_events: bool,
        maxsize: int | None = None,
    ) -> Subscription[DepthBook | Trade | ConnectionEvent]: ...
    def market(
        self,
        symbols: Sequence[SymbolLike],
        *,
        depth_level: int = 10,
        merge_accuracy: str | Decimal | None = None,
        trade_info_count: int = 20,
        trade_type: int | None = None,
        connection_events: bool = False,
        maxsize: int | None = None,
    ) -> Subscription[DepthBook | Trade] | Subscription[DepthBook | Trade | ConnectionEvent]:
        """Stream order-book snapshots and trades (14010, ``pd(`` and ``pt(`` pushes).

        Args:
            symbols: ``SymbolKey`` values, ``Symbol`` rows or product names.
            depth_level: book levels per side (1-10 as the vendor's client uses them).
            merge_accuracy: price bucket for merging levels (``"0.001"``); by default the product's tick
                size from its ``symbolDigits``.
            trade_info_count: recent trades in the first snapshot.
            trade_type: chooses among products listed under several tradeTypes, for names.
            connection_events: also yield ``ConnectionEvent`` on drops and recoveries.
            maxsize: events held for a slow consumer.
        """
        if not 1 <= depth_level <= 100 or trade_info_count < 0:
            raise InvalidArgumentError("depth_level must be 1..100 and trade_info_count >= 0")

        async def enter(subscription: Subscription[object]) -> None:
            keys, names = await self._keys(symbols, trade_type)
            accuracy = merge_accuracy
            if accuracy is None:
                digits = await self._lookup.digits(keys[0]) if self._core.tasks.running else None
                accuracy = format(Decimal(1).scaleb(-(digits if digits is not None else 8)), "f")
            params = MarketParams(depth_level, str(accuracy), trade_info_count)
            await self._feed.subscribe(
                MARKET, subscription, keys, names=names, market=params, connection_events=connection_events
            )

        return self._feed.subscription("market", enter, maxsize)  # type: ignore[return-value]

    @overload
    def rolling_24h(
        self,
        symbols: Sequence[SymbolLike],
        *,
        update_speed: int = 1000,
        trade_type: int | None = None,
        connection_events: Literal[False] = False,
        maxsize: int | None = None,
    ) -> Subscription[Rolling24h]: ...
    @overload
    def rolling_24h(
        self,
        symbols: Sequence[SymbolLike],
        *,
        update_speed: int = 1000,
        trade_type: int | None = None,
        connection_events: bool,
        maxsize: int | None = None,
    ) -> Subscription[Rolling24h | ConnectionEvent]: ...
    def rolling_24h(
        self,
        symbols: Sequence[SymbolLike],
        *,
        update_speed: int = 1000,
        trade_type: int | None = None,
        connection_events: bool = False,
        maxsize: int | None = None,
    ) -> Subscription[Rolling24h] | Subscription[Rolling24h | ConnectionEvent]:
        """Stream rolling 24-hour statistics (14016 and ``pr(`` pushes).

        Args:
            symbols: ``SymbolKey`` values, ``Symbol`` rows or product names.
            update_speed: push interval in ms, as the vendor's client sends it.
            trade_type: chooses among products listed under several tradeTypes, for names.
            connection_events: also yield ``ConnectionEvent`` on drops and recoveries.
            maxsize: events held for a slow consumer.
        """

        async def enter(subscription: Subscription[object]) -> None:
            keys, names = await self._keys(symbols, trade_type)
            await self._feed.subscribe(
                ROLLING,
                subscription,
                keys,
                names=names,
                rolling_speed=update_speed,
                connection_events=connection_events,
            )

        return self._feed.subscription("rolling_24h", enter, maxsize)  # type: ignore[return-value]

    async def latest(
        self, symbol: SymbolLike, *, trade_type: int | None = None, timeout: float | None = 10.0
    ) -> Tick:
        """The current tick of one product.

        Uses the latest tick of a live ticker subscription when there is one; otherwise subscribes,
        takes the snapshot and unsubscribes.

        Raises:
            RequestTimeoutError: no tick arrived within ``timeout`` seconds (``None`` waits as long
                as it takes).
        """
        (key,), names = await self._keys([symbol], trade_type)
        self._feed.remember(names)
        return await self._lookup.latest_tick(key, timeout=timeout)

    async def _follow_login(self) -> None:
        """Move the open quote connections whose path no longer fits the login state (a guest
        connection to ``/quote`` after a login, a ``/quote`` one back to ``/quote_guest`` after a
        logout), reconnecting them; ``MultiMarkets`` calls this whenever its token comes or goes."""
        await self._feed.realign()

    def close(self) -> None:
        """End every quote subscription (the client is closing)."""
        self._feed.close()
