"""``mm.relay.connect()``: read what a relay publishes on NATS through the SDK's own iterator shape.

A ``RelayFeed`` holds one NATS connection and hands out subscriptions that look like the platform
client's (``async with`` subscribes, ``async for`` yields ``Tick``, ``DepthBook``, ``Trade``,
``Rolling24h``, ``MessageEvent``/``AccountUpdate`` and ``DataPushEvent`` values)::

    async with mm.relay.connect("nats://127.0.0.1:4222", company_id=439) as feed:
        async with feed.tickers(["EURUSD"]) as ticks:
            async for tick in ticks:
                print(tick.symbol, tick.bid, tick.ask)

Product names are resolved through the symbol table the relay publishes (a key-value bucket), so a
feed needs no platform credentials. How each kind of subscription delivers (latest per product for
market data; ack after the handler returns for the kept streams) is in ``_feed_subscriptions`` and
``_feed_kept``; checking and resolving the arguments in ``_feed_args``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from types import TracebackType
from typing import Any, Literal, Self, TypeVar

import anyio

from .._tasks import TaskHost
from ..errors import InvalidArgumentError, StreamError
from ..models.datapush import DataPushEvent
from ..models.market import DepthBook, Rolling24h, Tick, Trade
from ..models.push import AccountUpdate, MessageEvent
from ._feed_args import (
    FeedSymbol,
    check_maxsize,
    check_seconds,
    event_type_set,
    kept_source,
    market_routes,
    symbol_list,
    trade_type_list,
)
from ._feed_kept import KeptSubscription
from ._feed_subscriptions import FeedStats, FeedSubscription, MarketSubscription
from ._nats import NatsLink, load_products
from ._payloads import RelayedProduct, decode_account, decode_datapush, decode_market
from ._settings import DEFAULT_NATS_URL
from ._subjects import DEFAULT_PREFIX, MarketKind, RelayNames

__all__ = ["FeedStats", "FeedSubscription", "FeedSymbol", "RelayFeed", "connect"]

M = TypeVar("M", Tick, DepthBook, Trade, Rolling24h)


def connect(
    nats: str | Sequence[str] = DEFAULT_NATS_URL,
    *,
    company_id: int,
    prefix: str = DEFAULT_PREFIX,
    name: str | None = None,
    products_timeout: float = 10.0,
    connect_timeout: float = 5.0,
) -> RelayFeed:
    """A feed of what the relay of ``company_id`` publishes; use it as ``async with connect(...) as feed``.

    Args:
        nats: the NATS server URL, or several of one cluster (``nats://user:pass@host:4222``; the
            credentials never appear in logs, reprs or errors).
        company_id: the platform company whose relay to read.
        prefix: the relay's subject prefix (``multimarkets`` unless the relay was given ``--prefix``).
        name: the NATS connection name, as the server's monitoring shows it.
        products_timeout: seconds to wait for the relay's symbol table before a market subscription
            (or ``products()``) fails with ``StreamError``.
        connect_timeout: seconds entering the feed keeps trying to reach NATS before ``ConnectError``.

    Raises:
        InvalidArgumentError: a bad company id, prefix, URL list or timeout.
    """
    return RelayFeed(
        nats,
        company_id=company_id,
        prefix=prefix,
        name=name,
        products_timeout=products_timeout,
        connect_timeout=connect_timeout,
    )


class RelayFeed:
    """One NATS connection to a relay's subjects, and the subscriptions read through it.

    Entering connects (``ConnectError`` naming the servers when none answers); leaving, or
    ``aclose()`` from any task, ends every subscription's iteration and closes the connection.
    Subscriptions and the feed may be closed in any order. Build it with :func:`connect`.
    """

    def __init__(
        self,
        nats: str | Sequence[str] = DEFAULT_NATS_URL,
        *,
        company_id: int,
        prefix: str = DEFAULT_PREFIX,
        name: str | None = None,
        products_timeout: float = 10.0,
        connect_timeout: float = 5.0,
    ) -> None:
        servers = [nats] if isinstance(nats, str) else list(nats)
        if not servers or not all(isinstance(url, str) and url for url in servers):
            raise InvalidArgumentError(f"nats must be a URL such as {DEFAULT_NATS_URL!r}, or a list of them")
        check_seconds("products_timeout", products_timeout)
        check_seconds("connect_timeout", connect_timeout)
        self.names = RelayNames(company_id, prefix)
        """The relay's subjects, streams and buckets this feed reads."""
        self._servers = servers
        self._name = name
        self._products_timeout = float(products_timeout)
        self._connect_timeout = float(connect_timeout)
        self._host = TaskHost("RelayFeed")
        self._link: NatsLink | None = None
        self._state: Literal["new", "opening", "open", "closed"] = "new"
        self._subscriptions: dict[FeedSubscription[Any], None] = {}
        self._products: list[RelayedProduct] | None = None

    def __repr__(self) -> str:
        url = self._link.connected_url if self._link is not None else None
        head = f"<RelayFeed company={self.names.company_id} prefix={self.names.prefix!r} {self._state}"
        return f"{head} {url}>" if url else f"{head}>"

    @property
    def is_connected(self) -> bool:
        """Whether the feed is open and NATS is connected now (nats-py reconnects by itself)."""
        return self._state == "open" and self._link is not None and self._link.is_connected

    # ---------------------------------------------------------------- lifecycle

    async def __aenter__(self) -> Self:
        if self._state != "new":
            raise RuntimeError("a RelayFeed can be entered once; call mm.relay.connect() again for a new one")
        self._state = "opening"
        try:
            self._link = await NatsLink.open(
                self._servers, name=self._name, connect_timeout=self._connect_timeout
            )
            await self._host.open()
        except BaseException:
            await self.aclose()
            raise
        if self._state == "opening":
            self._state = "open"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """End every subscription's iteration and close the NATS connection. Idempotent; any task.

        A kept-stream message a reader still holds is not acked: JetStream redelivers it after its
        ``ack_wait``.
        """
        if self._state == "closed":
            return
        self._state = "closed"
        subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            subscription.close()
        with anyio.CancelScope(shield=True):
            await self._host.aclose()
            for subscription in subscriptions:
                await subscription._close_reader()
            link, self._link = self._link, None
            if link is not None:
                await link.aclose()  # never raises; waits for nats-py's tasks

    def _attach(self, subscription: FeedSubscription[Any]) -> tuple[NatsLink, TaskHost]:
        """Register a subscription being entered (``FeedOwner``): the link and the task host.

        Raises:
            RuntimeError: the feed is not entered, or closed.
        """
        opened = self._require_open()
        self._subscriptions[subscription] = None
        return opened

    def _detach(self, subscription: FeedSubscription[Any]) -> None:
        """Forget a subscription that was left (``FeedOwner``)."""
        self._subscriptions.pop(subscription, None)

    # ---------------------------------------------------------------- the symbol table

    async def products(self, *, refresh: bool = False) -> list[RelayedProduct]:
        """The relay's symbol table: every product it carries, and which market kinds of each.

        Waits up to ``products_timeout`` seconds for a relay to publish one; afterwards the table is
        cached (``refresh=True`` reads it again; an unknown name refreshes it once by itself).

        Raises:
            StreamError: no table within ``products_timeout``: no relay ran for this company and prefix.
            TransportError: NATS failed.
        """
        link, _ = self._require_open()
        if self._products is not None and not refresh:
            return list(self._products)
        deadline = anyio.current_time() + self._products_timeout
        delay = 0.05
        while not (rows := await load_products(link, self.names)):
            remaining = deadline - anyio.current_time()
            if remaining <= 0:
                raise StreamError(
                    f"no relay symbol table for company {self.names.company_id} with prefix "
                    f"{self.names.prefix!r} within {self._products_timeout:g} s (bucket "
                    f"{self.names.symbols_bucket}): start `multimarkets relay` for this company and prefix "
                    "(with --tickers/--book/--rolling), or check company_id and prefix"
                )
            await anyio.sleep(min(delay, remaining))
            delay = min(delay * 2, 0.5)
        self._products = rows
        return list(rows)

    def _require_open(self) -> tuple[NatsLink, TaskHost]:
        link = self._link
        if self._state != "open" or link is None:
            raise RuntimeError(
                "this RelayFeed is closed; open a new one with mm.relay.connect()"
                if self._state == "closed"
                else "enter the feed first: 'async with mm.relay.connect(...) as feed:'"
            )
        return link, self._host

    async def _routes(
        self, kind: MarketKind, symbols: Sequence[FeedSymbol], trade_type: int | None
    ) -> dict[str, str | None]:
        """Subject -> product name of ``symbols``' ``kind`` events, checked against the symbol table."""
        table = await self.products()
        try:
            return market_routes(table, self.names, kind, symbols, trade_type)
        except InvalidArgumentError:  # the relay may carry more products since the table was read
            table = await self.products(refresh=True)
            return market_routes(table, self.names, kind, symbols, trade_type)

    # ---------------------------------------------------------------- market data

    def tickers(
        self, symbols: Sequence[FeedSymbol], *, trade_type: int | None = None, maxsize: int | None = None
    ) -> FeedSubscription[Tick]:
        """Best bid/ask and last price: each product's latest tick at once, then live ones.

        Args:
            symbols: product names (``symbolCode``), ``SymbolKey`` values, ``Symbol`` rows or the relay's
                ``RelayedProduct`` rows.
            trade_type: chooses among products carried under several tradeTypes, for names.
            maxsize: products waiting at most for a slow reader before the oldest waiting tick is
                dropped (``stats.dropped``); by default every subscribed product may wait. A slow reader
                gets the latest tick per product (``stats.replaced`` counts those it skipped).

        Raises:
            InvalidArgumentError: (on entering) an unknown or ambiguous name, or a product whose ticks
                the relay does not publish.
            StreamError: (on entering) no relay symbol table within ``products_timeout``.
        """
        return self._market("tickers", "tick", Tick, symbols, trade_type=trade_type, maxsize=maxsize)

    def book(
        self, symbols: Sequence[FeedSymbol], *, trade_type: int | None = None, maxsize: int | None = None
    ) -> FeedSubscription[DepthBook]:
        """Order-book snapshots: each product's latest book at once, then live ones (see ``tickers``)."""
        return self._market("book", "book", DepthBook, symbols, trade_type=trade_type, maxsize=maxsize)

    def trades(
        self, symbols: Sequence[FeedSymbol], *, trade_type: int | None = None, maxsize: int | None = None
    ) -> FeedSubscription[Trade]:
        """Trades: each product's latest trade at once, then live ones; a slow reader gets the latest
        trade per product (the relay's market stream keeps only the latest; see ``tickers``)."""
        return self._market("trades", "trade", Trade, symbols, trade_type=trade_type, maxsize=maxsize)

    def rolling_24h(
        self, symbols: Sequence[FeedSymbol], *, trade_type: int | None = None, maxsize: int | None = None
    ) -> FeedSubscription[Rolling24h]:
        """Rolling 24-hour statistics: each product's latest at once, then live ones (see ``tickers``)."""
        return self._market(
            "rolling_24h", "rolling", Rolling24h, symbols, trade_type=trade_type, maxsize=maxsize
        )

    def _market(
        self,
        name: str,
        kind: MarketKind,
        cls: type[M],
        symbols: Sequence[FeedSymbol],
        *,
        trade_type: int | None,
        maxsize: int | None,
    ) -> FeedSubscription[M]:
        items = symbol_list(symbols)
        check_maxsize(maxsize)

        async def routes() -> dict[str, str | None]:
            return await self._routes(kind, items, trade_type)

        return MarketSubscription(
            self,
            name,
            kind=cls,
            stream=self.names.market_stream,
            routes=routes,
            decode=decode_market,
            maxsize=maxsize,
        )

    # ---------------------------------------------------------------- kept streams

    def messages(
        self,
        *,
        trade_types: Collection[int] | None = None,
        group: str | None = None,
        durable: bool = True,
        deliver: Literal["all", "new"] | None = None,
        ack_wait: float = 30.0,
        max_deliver: int | None = None,
    ) -> FeedSubscription[MessageEvent | AccountUpdate]:
        """The account's private pushes the relay carries (``MessageEvent`` subclasses, ``AccountUpdate``).

        Each message is acknowledged when you ask for the next one or leave the ``async with`` block
        normally; if the block raises, the message in hand goes back to the stream at once (another
        worker of the group gets it); if the process dies, JetStream redelivers it after ``ack_wait``.

        Args:
            trade_types: only pushes of these account families (1, 2, 3, 5, 6), plus those naming none;
                every push by default.
            group: a worker pool's name: the readers passing the same group share one consumer, and
                each message goes to one of them. ``None``: a consumer of this subscription's own. A
                group is one consumer with one filter: every worker of it passes the same
                ``trade_types``; another filter is refused (rather than changing what the others get).
            durable: keep the group's consumer, and its position, while no reader runs (a restarted
                worker goes on where the group stopped); ``False``: removed once idle. Only with a group.
            deliver: where a new consumer starts: ``"all"`` the kept messages, or ``"new"`` ones only.
                By default ``"all"`` for a group (a pool misses nothing from before its first start)
                and ``"new"`` without one (like ``client.messages``).
            ack_wait: seconds before JetStream redelivers a message nobody acknowledged.
            max_deliver: deliveries at most per message (``None``: until acknowledged).

        Raises:
            InvalidArgumentError: a bad argument; on entering: the group reads other ``trade_types``.
        """
        subjects = self.names.account_filter(trade_type_list(trade_types))
        source = kept_source(
            self.names.account_stream,
            subjects,
            group=group,
            durable=durable,
            deliver=deliver,
            ack_wait=ack_wait,
            max_deliver=max_deliver,
        )
        return KeptSubscription(self, "messages", source=source, decode=decode_account)

    def data_push(
        self,
        *,
        group: str | None = None,
        durable: bool = True,
        event_types: Collection[str] | None = None,
        deliver: Literal["all", "new"] | None = None,
        ack_wait: float = 30.0,
        max_deliver: int | None = None,
    ) -> FeedSubscription[DataPushEvent]:
        """The company's data-push events the relay carries, typed by ``eventType`` (``PositionEvent``,
        ``TradeDealEvent`` ...), acknowledged after the handler returns (see ``messages``).

        Args:
            group: a worker pool's name: each event goes to one reader of the group; keep it stable
                across restarts (with ``durable=True`` the pool goes on where it stopped). Every worker
                of a group passes the same ``event_types`` (see ``messages``).
            durable: keep the group's consumer and its position while no reader runs. Only with a group.
            event_types: only these ``eventType`` values (all by default).
            deliver: where a new consumer starts (``"all"`` for a group, ``"new"`` without one by default).
            ack_wait: seconds before JetStream redelivers an event nobody acknowledged.
            max_deliver: deliveries at most per event (``None``: until acknowledged).

        Raises:
            InvalidArgumentError: a bad argument; on entering: the group reads other ``event_types``.
        """
        wanted = event_type_set(event_types)
        subjects = self.names.datapush_filter(wanted)
        # Two event types may share a subject token (``subject_token``): the decoded type decides.
        source = kept_source(
            self.names.datapush_stream,
            subjects,
            group=group,
            durable=durable,
            deliver=deliver,
            ack_wait=ack_wait,
            max_deliver=max_deliver,
            accept=wanted,
        )
        return KeptSubscription(
            self, "data-push", source=source, decode=decode_datapush, event_type=lambda e: e.event_type
        )
