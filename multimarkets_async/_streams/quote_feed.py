"""The market-data feed: quote-socket connections shared by every ticker, market and 24 h subscriber.

Each subscribe command (14000, 14010, 14016) *replaces* the previous one on its connection, so the
feed keeps the merged, desired key list per channel and connection, and re-sends it whenever a
subscriber joins or leaves, and after every reconnect. A connection carries at most
``max_products_per_connection`` products per command; past that the feed opens another connection.

Connections belong to an area: stock products (``StreamSettings.quote_stock_trade_types``, tradeType 6)
go to ``/quote_stock?token=``, every other product to ``/quote?token=`` (with a login token) or
``/quote_guest``. Each connection's decoder knows the names of its products (set at subscribe time),
so every event carries its product's name without a look-up per message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence

from .._logging import STREAMS_LOGGER, socket_fields
from ..errors import APIError, InvalidArgumentError
from ..models.market import DepthBook, Rolling24h, SymbolKey, Tick
from ..protocol import quote
from .quote_connection import MAIN, MARKET, ROLLING, STOCK, TICKER, Key, MarketParams, QuoteConnection
from .subscription import OverflowPolicy, Subscription
from .supervise import FeedHost

__all__ = ["MARKET", "ROLLING", "TICKER", "MarketParams", "QuoteFeed"]

logger = logging.getLogger(STREAMS_LOGGER)

Encoder = Callable[[int], tuple[str, Hashable]]
Names = Mapping[SymbolKey, "str | None"]


def _coalesce_key(event: object) -> Hashable | None:
    """Keep-latest key: one waiting tick/book/24 h record per product; trades and connection events queue.

    The key is the product's ``(symbol_id, trade_type, trade_mode)``: a subscription is on one channel,
    whose replaceable events are of one type (ticks, books or 24 h records), so the product alone tells
    them apart. ``_on_events`` passes the same key without calling this.
    """
    if isinstance(event, Tick | DepthBook | Rolling24h):
        return (event.symbol_id, event.trade_type, event.trade_mode)
    return None


class QuoteFeed:
    """Every quote connection of one client."""

    def __init__(self, core: FeedHost) -> None:
        self.core = core
        self.connections: list[QuoteConnection] = []
        self.wants_connection_events: set[Subscription[object]] = set()
        self.names: dict[Key, str] = {}
        """Product key -> name, from every subscription and query so far (what ``remember`` adds)."""

    def remember(self, names: Names) -> None:
        """Keep the known names of ``names`` for the events of those products from now on."""
        self.names.update({key: name for key, name in names.items() if name})

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

    def path(self, area: str) -> str:
        """The socket path of ``area`` now: ``/quote_stock`` for stock, ``/quote`` with a login token
        (setting ``quote_token``), else ``/quote_guest``.

        Raises:
            InvalidArgumentError: a stock connection without a login token.
        """
        token = self.core.http.token
        if area == STOCK:
            if not token:
                raise InvalidArgumentError(
                    "stock products (tradeType 6) stream on /quote_stock, which needs a login token: "
                    "call client.login() (or pass token=) before subscribing"
                )
            return "/quote_stock"
        return "/quote" if token and self.core.streams.quote_token else "/quote_guest"

    def area_of(self, key: Key) -> str:
        """``STOCK`` for a tradeType in ``quote_stock_trade_types``, else ``MAIN``."""
        return STOCK if key[1] in self.core.streams.quote_stock_trade_types else MAIN

    def _allocate(self, channel: str, keys: Sequence[Key]) -> dict[QuoteConnection, list[Key]]:
        # Linear in keys + connections: a product already carried stays on its connection; a new one
        # goes to the first connection of its area with room, then to a new connection (100 products each).
        limit = self.core.streams.max_products_per_connection
        homes = {key: conn for conn in self.connections for key in conn.registry.merged(channel)}
        room = {conn: limit - conn.registry.count(channel) for conn in self.connections}
        plan: dict[QuoteConnection, list[Key]] = {}
        for key in keys:
            home = homes.get(key)
            if home is None:
                area = self.area_of(key)
                home = next((c for c in self.connections if c.area == area and room[c] > 0), None)
                if home is None:
                    home = QuoteConnection(self, len(self.connections) + 1, area)
                    self.connections.append(home)
                    room[home] = limit
                homes[key] = home
                room[home] -= 1
            plan.setdefault(home, []).append(key)
        return plan

    async def subscribe(
        self,
        channel: str,
        subscription: Subscription[object],
        keys: Sequence[SymbolKey],
        *,
        names: Names | None = None,
        market: MarketParams | None = None,
        rolling_speed: int | None = None,
        connection_events: bool = False,
    ) -> None:
        """Add ``subscription`` for ``keys`` on ``channel``, connecting or re-sending as needed.

        ``names`` (key -> product name) go into the events of those products from the snapshot on.

        Raises:
            InvalidArgumentError: a stock product without a login token.
        """
        wanted = [(k.symbol_id, k.trade_type, k.trade_mode) for k in keys]
        for key in wanted:
            self.path(self.area_of(key))  # refuses a stock product without a token, before any change
        # Keep-latest holds one waiting event per product: room for every product it asked for, on top
        # of ``maxsize`` for the events that are never merged (trades, connection events).
        subscription.maxsize += len(keys)
        if connection_events:
            self.wants_connection_events.add(subscription)
        if names:
            self.remember(names)
        plan = self._allocate(channel, wanted)
        try:
            for connection, conn_keys in plan.items():
                known = self.names
                connection.dialect.names.update({k: known[k] for k in conn_keys if k in known})
                if market is not None:
                    for key in conn_keys:
                        connection.market_params.setdefault(key, market)
                if rolling_speed is not None:
                    connection.rolling_speed = rolling_speed
                changed = connection.registry.add(channel, subscription, conn_keys)
                if not connection.started:
                    connection.started = True
                    await self.core.tasks.start(connection.run)
                    continue
                if changed:
                    await connection.update(channel)
            await self.realign()
        except BaseException:
            await self.unsubscribe(subscription)
            raise

    async def realign(self) -> None:
        """Reconnect every open connection whose path no longer fits the client's login (a guest
        connection after ``client.login``), whichever products it carries; the replay after the
        reconnect re-sends its lists, and its subscribers get fresh snapshots as after any reconnect.

        A stock connection without a token (after a logout) is left alone: its next reconnect fails.
        """
        for connection in list(self.connections):
            if not connection.manager.is_open:
                continue  # its next connect chooses the path anew
            try:
                path = self.path(connection.area)
            except InvalidArgumentError:
                continue
            if connection.path != path:
                logger.info(
                    "%s: moving from %s to %s",
                    connection.manager.name,
                    connection.path,
                    path,
                    extra=socket_fields(connection.manager, path=path),
                )
                await connection.manager.drop()

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
                        "%s: the shorter %s list was refused (%s)",
                        connection.manager.name,
                        channel,
                        exc,
                        extra=socket_fields(connection.manager, channel=channel),
                    )

    async def request(
        self,
        encode: Encoder,
        *,
        timeout: float,
        bars: int,
        products: int = 1,
        names: Names | None = None,
    ) -> quote.QuoteFrame:
        """Send a K-line query on the first connection of the products' area, opening it if needed.

        The connection accepts the reply only while the query waits, and only up to ``products``
        products of ``bars`` bars: anything more is a ``ProtocolError`` (see ``QuoteDialect.klines``).
        ``names`` name the bars' products.
        """
        areas = {self.area_of(key) for key in (names or {})}
        area = STOCK if areas == {STOCK} else MAIN
        self.path(area)
        connection = next((c for c in self.connections if c.area == area), None)
        if connection is None:
            connection = QuoteConnection(self, len(self.connections) + 1, area)
            self.connections.append(connection)
        if names:
            self.remember(names)
            connection.dialect.names.update(self.names)
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
