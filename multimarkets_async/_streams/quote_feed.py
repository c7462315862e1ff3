"""The market-data feed: quote-socket connections shared by every ticker, market and 24 h subscriber.

Each subscribe command (14000, 14010, 14016) *replaces* the previous one on its connection, so the
feed keeps the merged, desired key list per channel and connection, and re-sends it whenever a
subscriber joins or leaves, and after every reconnect. A connection carries at most
``max_products_per_connection`` products per command; past that the feed opens another connection.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Final

from anyio import TASK_STATUS_IGNORED
from anyio.abc import TaskStatus

from .._ws import ConnectionManager
from ..errors import APIError, ProtocolError, TransportError
from ..models.market import DepthBook, Rolling24h, SymbolKey, Tick, Trade
from ..protocol import quote
from ..protocol.dialects import QuoteDialect
from .subscription import OverflowPolicy, Subscription, SubscriptionRegistry
from .supervise import ConnectionEventRelay, FeedHost, supervise

__all__ = ["MARKET", "ROLLING", "TICKER", "MarketParams", "QuoteFeed"]

logger = logging.getLogger("multimarkets_async.quotes")

TICKER: Final = "ticker"
MARKET: Final = "market"
ROLLING: Final = "rolling"
_ROUTE: Final[dict[type, tuple[str, bool, bool]]] = {
    Tick: (TICKER, True, True),
    DepthBook: (MARKET, True, False),
    Trade: (MARKET, False, False),
    Rolling24h: (ROLLING, True, False),
}
"""Event type -> (channel, whether a newer one replaces a waiting one for a slow consumer, whether
``last_ticks`` keeps it)."""
_CANCEL_OF: Final = {
    TICKER: quote.CancelType.TICKER,
    MARKET: quote.CancelType.MARKET,
    ROLLING: quote.CancelType.ROLLING,
}

Key = tuple[int, int, int]
Encoder = Callable[[int], tuple[str, Hashable]]


def _coalesce_key(event: object) -> Hashable | None:
    """Keep-latest key: one waiting tick/book/24 h record per product; trades and connection events queue.

    The key is the product's ``(symbol_id, trade_type, trade_mode)``: a subscription is on one channel,
    whose replaceable events are of one type (ticks, books or 24 h records), so the product alone tells
    them apart. ``_on_events`` passes the same key without calling this.
    """
    if isinstance(event, Tick | DepthBook | Rolling24h):
        return (event.symbol_id, event.trade_type, event.trade_mode)
    return None


@dataclass(frozen=True, slots=True)
class MarketParams:
    """Per-product parameters of a market (depth and trades) subscription."""

    depth_level: int
    merge_accuracy: str
    trade_info_count: int


class _QuoteConnection:
    """One quote socket, its desired subscriptions, and the subscribers it feeds."""

    def __init__(self, feed: QuoteFeed, index: int) -> None:
        core = feed.core
        self.feed = feed
        self.registry: SubscriptionRegistry[Key] = SubscriptionRegistry()
        self.last_ticks: dict[Key, Tick] = {}
        """The latest tick per product with a ticker subscriber (for ``client.quotes.latest``); pushes
        for anything else are not kept, and a product's entry goes when its last subscriber leaves."""
        self.market_params: dict[Key, MarketParams] = {}
        self.rolling_speed = 1000
        self.started = False
        self.versions = dict.fromkeys((TICKER, MARKET, ROLLING), 0)
        """Changes to each channel's list; a replay that raced a change re-sends it."""
        self.relay = ConnectionEventRelay(
            self.registry.all_subscriptions, lambda s: s in feed.wants_connection_events
        )
        self.dialect = QuoteDialect(
            new_ext=lambda: f"{uuid.uuid4()}-{core.http.now_ms()}",
            ping_interval=core.streams.quote_ping_interval,
            dead_after=core.streams.quote_dead_after,
        )
        self.manager = ConnectionManager(
            name=f"quote#{index}",
            dialect=self.dialect,
            target=feed.target,
            on_open=self._on_open,
            on_events=self._on_events,
            on_state=self.relay.on_state,
            policy=core.reconnect,
            backend=core.backend,
            calls_per_second=core.streams.quote_calls_per_second,
        )
        self.relay.manager = self.manager

    # -- the reader's hot path ---------------------------------------------------------------------

    def _on_events(self, events: Sequence[object]) -> None:
        # Once per frame: the product key is the event's first three fields (one slice), used for the
        # registry, ``last_ticks`` and the keep-latest buffer alike (``_coalesce_key``).
        indexes = self.registry.indexes
        for event in events:
            route = _ROUTE.get(type(event))
            if route is None:
                continue
            channel, coalesce, remember = route
            index = indexes.get(channel)
            key: Key = event[:3]  # type: ignore[index]
            targets = index.get(key) if index is not None else None
            if not targets:
                continue  # unsolicited, or just unsubscribed: nobody to feed, nothing to remember
            if remember:
                self.last_ticks[key] = event  # type: ignore[assignment]
            keep = key if coalesce else None
            for subscription in targets:
                subscription.push_keyed(event, keep)

    # -- connection life -----------------------------------------------------------------------------

    async def _on_open(self, manager: ConnectionManager, reconnect: bool) -> None:
        if reconnect:  # before the replay, so the fresh snapshots follow the event
            self.relay.reconnected()
        # Replay until nothing changed meanwhile: a subscriber joining while we wait for a reply
        # is not open yet to send its own update, so its list goes out here.
        sent: dict[str, int] = {}
        while todo := [
            channel
            for channel in (TICKER, MARKET, ROLLING)
            if sent.get(channel) != self.versions[channel]
            and (self.registry.count(channel) or channel in sent)
        ]:
            for channel in todo:
                version = self.versions[channel]
                await self.send(channel)
                sent[channel] = version

    async def run(self, *, task_status: TaskStatus[None] = TASK_STATUS_IGNORED) -> None:
        """Run the connection; when it stops for good, the feed forgets it (a new one is opened next)."""
        try:
            await supervise(self.manager, self.registry.all_subscriptions, task_status=task_status)
        finally:
            self.started = False
            if self in self.feed.connections:
                self.feed.connections.remove(self)

    # -- sending the merged lists ----------------------------------------------------------------------

    def _frame(self, channel: str, seq: int) -> str:
        keys = self.registry.merged(channel)
        ext = f"{uuid.uuid4()}-{self.feed.core.http.now_ms()}"
        if not keys:
            return quote.encode_cancel(_CANCEL_OF[channel], seq, ext)
        symbols = [SymbolKey(*key) for key in keys]
        if channel == TICKER:
            return quote.encode_ticker_subscribe(symbols, seq, ext)
        if channel == ROLLING:
            return quote.encode_rolling_subscribe(symbols, seq, ext, update_speed=self.rolling_speed)
        params = [self.market_params[key] for key in keys]
        return quote.encode_market_subscribe(
            symbols,
            seq_id=seq,
            ext=ext,
            depth_level=max(p.depth_level for p in params),
            merge_accuracy=params[0].merge_accuracy,
            trade_info_count=max(p.trade_info_count for p in params),
        )

    async def send(self, channel: str) -> None:
        """Send ``channel``'s merged list (or its cancel when empty) and wait for the reply."""
        timeout = self.feed.core.streams.request_timeout
        await self.manager.request(lambda seq: (self._frame(channel, seq), seq), timeout=timeout)

    async def update(self, channel: str) -> None:
        """Re-send ``channel``'s list now if connected; otherwise the (re)connect replays it.

        Raises:
            APIError: the server refused the list (``ret`` 201/202, or 5xx); it kept the previous one.
        """
        self.versions[channel] += 1
        if self.manager.is_open:
            try:
                await self.send(channel)
            except (TransportError, ProtocolError) as exc:  # the replay after the next connect sends it
                logger.debug("%s: update deferred to the reconnect (%s)", self.manager.name, exc)

    def forget(self, channel: str) -> None:
        """Drop what is kept for products of ``channel`` that lost their last subscriber."""
        registry = self.registry
        if channel == TICKER:
            for key in [k for k in self.last_ticks if not registry.subscribers(TICKER, k)]:
                del self.last_ticks[key]
        elif channel == MARKET:
            for key in [k for k in self.market_params if not registry.subscribers(MARKET, k)]:
                del self.market_params[key]


class QuoteFeed:
    """Every quote connection of one client."""

    def __init__(self, core: FeedHost) -> None:
        self.core = core
        self.connections: list[_QuoteConnection] = []
        self.wants_connection_events: set[Subscription[object]] = set()

    def subscription(
        self,
        name: str,
        enter: Callable[[Subscription[object]], Awaitable[None]],
        maxsize: int | None,
    ) -> Subscription[object]:
        """A market-data subscription: keeps the latest tick, book or 24 h record per product for a
        slow consumer; ``enter`` subscribes it, leaving unsubscribes it."""
        return Subscription(
            name=name,
            policy=OverflowPolicy.KEEP_LATEST,
            maxsize=maxsize or self.core.streams.market_buffer,
            key=_coalesce_key,
            on_enter=enter,
            on_exit=self.unsubscribe,
        )

    async def target(self) -> tuple[str, dict[str, str]]:
        """The quote URL: ``/quote?token=`` with a login token, else ``/quote_guest``."""
        base = self.core.environment.quote_ws_url
        token = self.core.http.token
        if token and self.core.streams.quote_token:
            return f"{base}/quote?token={token}", {}
        return f"{base}/quote_guest", {}

    def _allocate(self, channel: str, keys: Sequence[Key]) -> dict[_QuoteConnection, list[Key]]:
        # Linear in keys + connections: a product already carried stays on its connection; a new one
        # goes to the first connection with room, then to a new connection (100 products each).
        limit = self.core.streams.max_products_per_connection
        homes = {key: conn for conn in self.connections for key in conn.registry.merged(channel)}
        room = {conn: limit - conn.registry.count(channel) for conn in self.connections}
        open_ = iter(list(self.connections))
        current = next(open_, None)
        plan: dict[_QuoteConnection, list[Key]] = {}
        for key in keys:
            home = homes.get(key)
            if home is None:
                while current is not None and room[current] <= 0:
                    current = next(open_, None)
                if current is None:
                    current = _QuoteConnection(self, len(self.connections) + 1)
                    self.connections.append(current)
                    room[current] = limit
                home = homes[key] = current
                room[current] -= 1
            plan.setdefault(home, []).append(key)
        return plan

    async def subscribe(
        self,
        channel: str,
        subscription: Subscription[object],
        keys: Sequence[SymbolKey],
        *,
        market: MarketParams | None = None,
        rolling_speed: int | None = None,
        connection_events: bool = False,
    ) -> None:
        """Add ``subscription`` for ``keys`` on ``channel``, connecting or re-sending as needed."""
        # Keep-latest holds one waiting event per product: room for every product it asked for, on top
        # of ``maxsize`` for the events that are never merged (trades, connection events).
        subscription.maxsize += len(keys)
        if connection_events:
            self.wants_connection_events.add(subscription)
        plan = self._allocate(channel, [(k.symbol_id, k.trade_type, k.trade_mode) for k in keys])
        try:
            for connection, conn_keys in plan.items():
                if market is not None:
                    for key in conn_keys:
                        connection.market_params.setdefault(key, market)
                if rolling_speed is not None:
                    connection.rolling_speed = rolling_speed
                changed = connection.registry.add(channel, subscription, conn_keys)
                if not connection.started:
                    connection.started = True
                    await self.core.tasks.start(connection.run)
                elif changed:
                    await connection.update(channel)
        except BaseException:
            await self.unsubscribe(subscription)
            raise

    async def unsubscribe(self, subscription: Subscription[object]) -> None:
        """Remove ``subscription`` everywhere, then re-send the lists it changed."""
        self.wants_connection_events.discard(subscription)
        changes = [(c, c.registry.remove(subscription)) for c in list(self.connections)]
        for connection, channels in changes:
            for channel in channels:
                connection.forget(channel)
            for channel in channels:
                try:
                    await connection.update(channel)
                except APIError as exc:  # leaving must not fail; the server keeps a longer list
                    logger.warning(
                        "%s: the shorter %s list was refused (%s)", connection.manager.name, channel, exc
                    )

    async def request(
        self, encode: Encoder, *, timeout: float, bars: int, products: int = 1
    ) -> quote.QuoteFrame:
        """Send a K-line query on the first connection, opening it if needed.

        The connection accepts the reply only while the query waits, and only up to ``products``
        products of ``bars`` bars: anything more is a ``ProtocolError`` (see ``QuoteDialect.klines``).
        """
        if not self.connections:
            self.connections.append(_QuoteConnection(self, 1))
        connection = self.connections[0]
        if not connection.started:
            connection.started = True
            await self.core.tasks.start(connection.run)
        pending = connection.dialect.klines
        sent: list[Hashable] = []

        def register(seq: int) -> tuple[str, Hashable]:
            frame, correlation = encode(seq)
            pending[correlation] = (bars, products)
            sent.append(correlation)
            return frame, correlation

        try:
            reply = await connection.manager.request(register, timeout=timeout, wait_open=True)
        finally:
            for correlation in sent:
                pending.pop(correlation, None)
        assert isinstance(reply, quote.QuoteFrame)
        return reply

    def latest(self, key: SymbolKey) -> Tick | None:
        """The latest tick of ``key`` while some ticker subscription covers it, else ``None``."""
        for connection in self.connections:
            if connection.registry.subscribers(TICKER, key):
                return connection.last_ticks.get(key)
        return None

    def close(self) -> None:
        """End every subscription (the client is closing)."""
        for connection in self.connections:
            for subscription in connection.registry.all_subscriptions():
                subscription.close()
