"""One quote-socket connection of the market-data feed: its desired subscriptions, the reader's hot
path that routes each event to the subscribers of its product, and the replay after a (re)connect.

``QuoteFeed`` (``quote_feed``) owns the connections and decides which products each carries.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from anyio import TASK_STATUS_IGNORED
from anyio.abc import TaskStatus

from .._logging import STREAMS_LOGGER, socket_fields
from .._ws import ConnectionManager
from ..errors import ProtocolError, TransportError
from ..models.market import DepthBook, Rolling24h, SymbolKey, Tick, Trade
from ..protocol import quote
from ..protocol.dialects import QuoteDialect
from .subscription import Subscription, SubscriptionRegistry
from .supervise import ConnectionEventRelay, FeedHost, supervise

__all__ = [
    "MAIN",
    "MARKET",
    "ROLLING",
    "STOCK",
    "TICKER",
    "ConnectionOwner",
    "Key",
    "MarketParams",
    "QuoteConnection",
]

logger = logging.getLogger(STREAMS_LOGGER)

TICKER: Final = "ticker"
MARKET: Final = "market"
ROLLING: Final = "rolling"
STOCK: Final = "stock"
"""The area of ``/quote_stock`` connections (the others' area is ``MAIN``)."""
MAIN: Final = "main"
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


@dataclass(frozen=True, slots=True)
class MarketParams:
    """Per-product parameters of a market (depth and trades) subscription."""

    depth_level: int
    merge_accuracy: str
    trade_info_count: int


class ConnectionOwner(Protocol):
    """What a connection needs of the feed that owns it (``QuoteFeed``)."""

    @property
    def core(self) -> FeedHost:
        """The client's core."""

    @property
    def connections(self) -> list[QuoteConnection]:
        """The feed's connections; a connection that stopped for good removes itself."""

    @property
    def wants_connection_events(self) -> set[Subscription[object]]:
        """The subscriptions that asked for ``ConnectionEvent``."""

    def path(self, area: str) -> str:
        """The socket path of ``area`` now."""


class QuoteConnection:
    """One quote socket, its desired subscriptions, and the subscribers it feeds."""

    def __init__(self, feed: ConnectionOwner, index: int, area: str = MAIN) -> None:
        core = feed.core
        self.feed = feed
        self.area = area
        self.path: str | None = None
        """The path of the current (or last) socket: ``/quote``, ``/quote_guest`` or ``/quote_stock``."""
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
            name=f"quote#{index}" if area == MAIN else f"quote-stock#{index}",
            dialect=self.dialect,
            target=self.target,
            on_open=self._on_open,
            on_events=self._on_events,
            on_state=self.relay.on_state,
            policy=core.reconnect,
            backend=core.backend,
            calls_per_second=core.streams.quote_calls_per_second,
        )
        self.relay.manager = self.manager

    async def target(self) -> tuple[str, dict[str, str]]:
        """This connection's URL, chosen at each (re)connect (see ``QuoteFeed.path``)."""
        path = self.feed.path(self.area)
        self.path = path
        token = self.feed.core.http.token
        query = f"?token={token}" if token and path != "/quote_guest" else ""
        return f"{self.feed.core.environment.quote_ws_url}{path}{query}", {}

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
                logger.debug(
                    "%s: update deferred to the reconnect (%s)",
                    self.manager.name,
                    exc,
                    extra=socket_fields(self.manager, channel=channel),
                )

    def forget(self, channel: str) -> None:
        """Drop what is kept for products of ``channel`` that lost their last subscriber."""
        registry = self.registry
        if channel == TICKER:
            for key in [k for k in self.last_ticks if not registry.subscribers(TICKER, k)]:
                del self.last_ticks[key]
        elif channel == MARKET:
            for key in [k for k in self.market_params if not registry.subscribers(MARKET, k)]:
                del self.market_params[key]
