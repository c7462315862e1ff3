"""``client.quotes``: market data as async iterators (tickers, depth and trades, 24 h statistics) and
K-line queries, over the market-data socket."""

from __future__ import annotations

import functools
from collections.abc import Hashable, Sequence
from decimal import Decimal

from .._streams.quote_feed import MARKET, ROLLING, TICKER, MarketParams
from .._streams.subscription import Subscription
from .._ws import ConnectionInfo
from ..errors import InvalidArgumentError
from ..models.market import DepthBook, Kline, KlineType, Rolling24h, SymbolKey, Tick, Trade
from ..models.stream import ConnectionEvent
from ..protocol import quote
from ._core import ClientCore
from ._lookup import Lookup, SymbolLike

__all__ = ["Quotes"]

TickerEvent = Tick | ConnectionEvent
MarketEvent = DepthBook | Trade | ConnectionEvent
RollingEvent = Rolling24h | ConnectionEvent


class Quotes:
    """Market data. Every subscription is an async context manager and an async iterator:

        async with client.quotes.tickers(["EURUSD"]) as ticks:
            async for tick in ticks:
                print(tick.symbol_id, tick.bid, tick.ask)

    Subscriptions share the client's quote connections; leaving one unsubscribes. A slow consumer
    sees the latest tick or book per product (what was replaced is counted in ``stats.replaced``).
    """

    def __init__(self, core: ClientCore, lookup: Lookup) -> None:
        self._core = core
        self._lookup = lookup
        self._feed = lookup.quote_feed

    @property
    def connections(self) -> list[ConnectionInfo]:
        """The quote connection managers, for their ``state`` and ``stats`` (reconnects, latency)."""
        return [connection.manager for connection in self._feed.connections]

    def tickers(
        self,
        symbols: Sequence[SymbolLike],
        *,
        trade_type: int | None = None,
        connection_events: bool = False,
        maxsize: int | None = None,
    ) -> Subscription[TickerEvent]:
        """Stream best bid/ask and last price (14000 and ``p(`` pushes), starting with a snapshot.

        Args:
            symbols: ``SymbolKey`` values or product names (``symbolCode``).
            trade_type: chooses among products listed under several tradeTypes, for names.
            connection_events: also yield ``ConnectionEvent`` when the socket drops and recovers.
            maxsize: events held for a slow consumer beyond the latest per product (default
                ``StreamSettings.market_buffer``).
        """

        async def enter(subscription: Subscription[object]) -> None:
            keys = await self._lookup.keys(symbols, trade_type=trade_type)
            await self._feed.subscribe(TICKER, subscription, keys, connection_events=connection_events)

        return self._feed.subscription("tickers", enter, maxsize)  # type: ignore[return-value]

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
    ) -> Subscription[MarketEvent]:
        """Stream order-book snapshots and trades (14010, ``pd(`` and ``pt(`` pushes).

        Args:
            symbols: ``SymbolKey`` values or product names.
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
            keys = await self._lookup.keys(symbols, trade_type=trade_type)
            accuracy = merge_accuracy
            if accuracy is None:
                digits = await self._lookup.digits(keys[0]) if self._core.tasks.running else None
                accuracy = format(Decimal(1).scaleb(-(digits if digits is not None else 8)), "f")
            params = MarketParams(depth_level, str(accuracy), trade_info_count)
            await self._feed.subscribe(
                MARKET, subscription, keys, market=params, connection_events=connection_events
            )

        return self._feed.subscription("market", enter, maxsize)  # type: ignore[return-value]

    def rolling_24h(
        self,
        symbols: Sequence[SymbolLike],
        *,
        update_speed: int = 1000,
        trade_type: int | None = None,
        connection_events: bool = False,
        maxsize: int | None = None,
    ) -> Subscription[RollingEvent]:
        """Stream rolling 24-hour statistics (14016 and ``pr(`` pushes).

        Args:
            symbols: ``SymbolKey`` values or product names.
            update_speed: push interval in ms, as the vendor's client sends it.
            trade_type: chooses among products listed under several tradeTypes, for names.
            connection_events: also yield ``ConnectionEvent`` on drops and recoveries.
            maxsize: events held for a slow consumer.
        """

        async def enter(subscription: Subscription[object]) -> None:
            keys = await self._lookup.keys(symbols, trade_type=trade_type)
            await self._feed.subscribe(
                ROLLING, subscription, keys, rolling_speed=update_speed, connection_events=connection_events
            )

        return self._feed.subscription("rolling_24h", enter, maxsize)  # type: ignore[return-value]

    async def latest(
        self, symbol: SymbolLike, *, trade_type: int | None = None, timeout: float = 10.0
    ) -> Tick:
        """The current tick of one product.

        Uses the latest tick of a live ticker subscription when there is one; otherwise subscribes,
        takes the snapshot and unsubscribes.

        Raises:
            RequestTimeoutError: no tick arrived within ``timeout`` seconds.
        """
        (key,) = await self._lookup.keys([symbol], trade_type=trade_type)
        return await self._lookup.latest_tick(key, timeout=timeout)

    async def klines(
        self,
        symbol: SymbolLike,
        *,
        kline_type: KlineType | int = KlineType.MIN_1,
        count: int = 100,
        end: int | None = None,
        trade_type: int | None = None,
    ) -> list[Kline]:
        """Historical bars of one product (14012), oldest first, the still-open bar included when ``end``
        is ``None``.

        Args:
            symbol: a ``SymbolKey`` or a product name.
            kline_type: bar size.
            count: number of bars, 1..1000.
            end: epoch seconds of the last bar wanted; ``None`` for the latest.
            trade_type: chooses among products listed under several tradeTypes, for names.

        Raises:
            ProtocolError: the reply holds more than ``count`` bars, or inflates past its size bound.
        """
        (key,) = await self._lookup.keys([symbol], trade_type=trade_type)
        query = quote.KlineQuery(key, int(kline_type), count, end)
        frame = await self._feed.request(
            functools.partial(_encode_kline, query), timeout=self._core.streams.request_timeout, bars=count
        )
        return [event for event in frame.events if isinstance(event, Kline)]

    async def batch_klines(
        self,
        symbols: Sequence[SymbolLike],
        *,
        kline_type: KlineType | int = KlineType.MIN_1,
        count: int = 100,
        end: int | None = None,
        trade_type: int | None = None,
    ) -> dict[SymbolKey, list[Kline]]:
        """Historical bars of up to 100 products in one request (14014)."""
        keys = await self._lookup.keys(symbols, trade_type=trade_type)
        queries = [quote.KlineQuery(key, int(kline_type), count, end) for key in keys]
        frame = await self._feed.request(
            functools.partial(_encode_batch, queries),
            timeout=self._core.streams.request_timeout,
            bars=count,
            products=len(queries),
        )
        bars: dict[SymbolKey, list[Kline]] = {key: [] for key in keys}
        for event in frame.events:
            if isinstance(event, Kline):
                bars.setdefault(event.key, []).append(event)
        return bars

    def close(self) -> None:
        """End every quote subscription (the client is closing)."""
        self._feed.close()


def _encode_kline(query: quote.KlineQuery, seq: int) -> tuple[str, Hashable]:
    return quote.encode_kline_request(query, seq, f"kline-{seq}"), seq


def _encode_batch(queries: list[quote.KlineQuery], seq: int) -> tuple[str, Hashable]:
    return quote.encode_batch_kline_request(queries, seq, f"batch-kline-{seq}"), seq
