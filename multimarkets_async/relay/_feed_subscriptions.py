"""The shape every relay feed subscription shares (``FeedSubscription``: ``async with`` subscribes,
``async for`` yields typed events, ``stats`` counts, misuse raises ``RuntimeError``), and the market-data
subscription (``feed.tickers/book/trades/rolling_24h``).

A market subscription's pump task, owned by the feed's task host, reads the market stream (each
product's latest message first, then live ones) into a buffer that holds the latest event per product.
The pump never waits on the reader: a slow reader gets the newest event of each product, and
``stats.replaced`` counts the ones it never saw. A payload that does not decode is counted in
``stats.undecodable`` and logged without its text; it never reaches the reader. Closing the
subscription or its feed, from any task, ends the iteration after the waiting events. The kept
streams' subscription (acks, one message at a time) is ``_feed_kept``.
"""

from __future__ import annotations

import abc
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Protocol, Self, TypeVar

import anyio
import anyio.abc

from .._logging import RELAY_LOGGER
from ..errors import MultiMarketsError, ProtocolError, StreamError
from ..models.market import DepthBook, Rolling24h, Tick, Trade
from ._nats import LatestReader, SharedReader

if TYPE_CHECKING:
    from .._tasks import TaskHost
    from ._nats import NatsLink

__all__ = ["SETTLE_TIMEOUT", "FeedOwner", "FeedStats", "FeedSubscription", "MarketSubscription"]

logger = logging.getLogger(RELAY_LOGGER)

T = TypeVar("T")
M = TypeVar("M", Tick, DepthBook, Trade, Rolling24h)

SETTLE_TIMEOUT = 5.0
"""Seconds an ack, nak or term (and closing a reader) may take before it is given up (logged)."""


@dataclass(slots=True)
class FeedStats:
    """Counters of one feed subscription (the SDK ``Subscription``'s, plus the kept streams' acks)."""

    received: int = 0
    """Messages the subscription took from its NATS reader, decodable or not."""
    delivered: int = 0
    """Events handed to the reader."""
    replaced: int = 0
    """Market events that reached this process and were replaced by a newer one of the same product
    before the reader took them (so ``received == delivered + replaced + dropped + undecodable +
    pending``). The market stream itself keeps only each product's latest message: one replaced there
    before NATS delivered it never reaches the process and is not counted."""
    dropped: int = 0
    """Market events dropped because more than ``maxsize`` products were waiting."""
    undecodable: int = 0
    """Messages skipped because their payload did not decode (terminated on kept streams)."""
    acked: int = 0
    """Kept-stream messages acknowledged (the reader asked for the next one, or left normally)."""
    nacked: int = 0
    """Kept-stream messages handed back for redelivery (the ``async with`` block raised)."""
    redelivered: int = 0
    """Kept-stream messages that had been delivered before (to this or another worker)."""


class FeedOwner(Protocol):
    """What a subscription needs from its ``RelayFeed``."""

    def _attach(self, subscription: FeedSubscription[Any]) -> tuple[NatsLink, TaskHost]:
        """Register ``subscription``; its link and task host. RuntimeError unless the feed is open."""
        ...

    def _detach(self, subscription: FeedSubscription[Any]) -> None:
        """Forget ``subscription`` (it was left)."""
        ...


class FeedSubscription(abc.ABC, Generic[T]):
    """An async context manager and async iterator over the events of one relay feed subscription.

    Entering it subscribes (and resolves its products); leaving it unsubscribes. Iterating yields
    events until the subscription or its feed is closed, and raises the subscription's error (a typed
    SDK exception) if it failed. Each subscription can be entered once.
    """

    def __init__(self, owner: FeedOwner, name: str) -> None:
        self.name = name
        self.stats = FeedStats()
        self._owner = owner
        self._entered = False
        self._closed = False
        self._reader: LatestReader | SharedReader | None = None
        self._reader_closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("open" if self._entered else "new")
        return f"<{type(self).__name__} {self.name} {state}>"

    @property
    def closed(self) -> bool:
        """Whether the subscription has ended (left, failed, or its feed closed)."""
        return self._closed

    @property
    def pending(self) -> int:
        """Events waiting for the reader: at most one per product on a market subscription; always 0 on
        a kept stream (it takes a message from NATS only when the reader asks for one)."""
        return 0

    async def __aenter__(self) -> Self:
        if self._entered:
            raise RuntimeError(f"{self.name} was already entered; each subscription can be used once")
        self._entered = True
        try:
            await self._open()
        except BaseException:
            self._closed = True
            with anyio.CancelScope(shield=True):
                await self._close_reader()
                self._owner._detach(self)
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with anyio.CancelScope(shield=True):
            await self._leave(exc)
            self.close()
            await self._close_reader()
            self._owner._detach(self)

    def __aiter__(self) -> AsyncIterator[T]:
        if not self._entered:
            raise RuntimeError(f"use 'async with' on {self.name} before iterating over it")
        return self

    @abc.abstractmethod
    async def __anext__(self) -> T:
        """The next event; ``StopAsyncIteration`` once the subscription or its feed is closed."""

    @abc.abstractmethod
    def get_nowait(self) -> T | None:
        """The next buffered event, or ``None`` when none is waiting (market subscriptions only)."""

    @abc.abstractmethod
    def close(self) -> None:
        """End the iteration (from any task); the feed calls it when it closes."""

    @abc.abstractmethod
    async def _open(self) -> None:
        """Subscribe: resolve, open the reader, start what reads it."""

    @abc.abstractmethod
    async def _leave(self, exc: BaseException | None) -> None:
        """Leave the block (``exc``: what it raised); the reader is closed afterwards."""

    async def _close_reader(self) -> None:
        """Close the NATS reader once; never raises an SDK error (the link may be gone)."""
        reader = self._reader
        if reader is None or self._reader_closed:
            return
        self._reader_closed = True
        with anyio.CancelScope(shield=True), anyio.move_on_after(SETTLE_TIMEOUT):
            try:
                await reader.aclose()
            except MultiMarketsError:
                logger.debug("%s: closing its reader failed", self.name, exc_info=True)

    def _skip(self, subject: str, size: int, why: str) -> None:
        self.stats.undecodable += 1
        # Never the payload's text (nor the decoder's message, which might quote it).
        logger.warning(
            "%s: skipped an undecodable message on %s (%d bytes: %s)",
            self.name,
            subject,
            size,
            why,
            extra={"subscription": self.name},
        )


class MarketSubscription(FeedSubscription[M]):
    """Market events of some products: the latest of each at once, then live ones, latest per product.

    Args:
        owner: the feed.
        name: names it in errors and logs (``"tickers"`` ...).
        kind: the event class this subscription yields.
        stream: the market stream's name.
        routes: resolves the subscribed products: subject -> product name (or ``None``).
        decode: the market payload decoder.
        maxsize: products waiting at most before the oldest waiting event is dropped (``None``: no limit).
    """

    def __init__(
        self,
        owner: FeedOwner,
        name: str,
        *,
        kind: type[M],
        stream: str,
        routes: Callable[[], Awaitable[Mapping[str, str | None]]],
        decode: Callable[[bytes], Tick | DepthBook | Trade | Rolling24h],
        maxsize: int | None,
    ) -> None:
        super().__init__(owner, name)
        self._kind: type[M] = kind
        self._stream = stream
        self._routes = routes
        self._decode = decode
        self._maxsize = maxsize
        self._symbols: Mapping[str, str | None] = {}
        self._buffer: OrderedDict[str, M] = OrderedDict()
        self._error: BaseException | None = None
        self._wakeup: anyio.Event | None = None
        self._pump_scope: anyio.CancelScope | None = None
        self._pump_done: anyio.Event | None = None

    async def _open(self) -> None:
        link, host = self._owner._attach(self)
        self._symbols = dict(await self._routes())
        self._reader = reader = await LatestReader.open(
            link, stream=self._stream, subjects=list(self._symbols)
        )
        if self._closed:  # the feed closed meanwhile
            return
        self._pump_done = anyio.Event()
        await host.start(self._pump, reader, name=f"relay feed {self.name}")

    async def _pump(
        self, reader: LatestReader, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        try:
            with anyio.CancelScope() as scope:
                self._pump_scope = scope
                task_status.started()
                stats, seen = self.stats, 0
                while True:
                    batch = await reader.next_batch()
                    # The reader coalesces too, before the batch: those messages count as received
                    # and replaced, so received == delivered + replaced + dropped + undecodable + pending.
                    coalesced, seen = reader.replaced - seen, reader.replaced
                    stats.received += coalesced
                    stats.replaced += coalesced
                    for subject, payload in batch:
                        self._accept(subject, payload)
        except MultiMarketsError as exc:
            self._fail(exc)
        except Exception as exc:  # a bug: end the subscription loudly, and let the host log it
            self._fail(StreamError(f"{self.name}: the relay feed's reader stopped ({type(exc).__name__})"))
            raise
        finally:
            if self._pump_done is not None:
                self._pump_done.set()

    def _accept(self, subject: str, payload: bytes) -> None:
        """One message from NATS into the buffer (the hot path: no waiting, no per-message logging)."""
        stats = self.stats
        stats.received += 1
        try:
            event = self._decode(payload)
        except ProtocolError as exc:
            self._skip(subject, len(payload), type(exc).__name__)
            return
        if not isinstance(event, self._kind):
            self._skip(subject, len(payload), f"a {type(event).__name__}, not a {self._kind.__name__}")
            return
        if event.symbol is None and (symbol := self._symbols.get(subject)) is not None:
            event = event._replace(symbol=symbol)
        buffer = self._buffer
        if subject in buffer:  # announced when the first one arrived: no wake-up for its replacement
            buffer[subject] = event
            stats.replaced += 1
            return
        if self._maxsize is not None and len(buffer) >= self._maxsize:
            buffer.popitem(last=False)
            stats.dropped += 1
        buffer[subject] = event
        self._wake()

    def _fail(self, error: BaseException) -> None:
        if self._error is None and not self._closed:
            self._error = error
            logger.warning("%s failed: %s", self.name, error, extra={"subscription": self.name})
            self._wake()

    def _wake(self) -> None:
        wakeup, self._wakeup = self._wakeup, None
        if wakeup is not None:
            wakeup.set()

    @property
    def pending(self) -> int:
        """Events waiting for the reader (at most one per product)."""
        return len(self._buffer)

    @property
    def closed(self) -> bool:
        """Whether the subscription has ended (left, failed, or its feed closed)."""
        return self._closed or self._error is not None

    async def __anext__(self) -> M:
        while True:
            if self._buffer:
                self.stats.delivered += 1
                return self._buffer.popitem(last=False)[1]
            if self._error is not None:
                raise self._error
            if self._closed:
                raise StopAsyncIteration
            self._wakeup = wakeup = anyio.Event()
            await wakeup.wait()

    def get_nowait(self) -> M | None:
        """The next waiting event, or ``None`` when none is waiting (for polling loops)."""
        if self._buffer:
            self.stats.delivered += 1
            return self._buffer.popitem(last=False)[1]
        if self._error is not None:
            raise self._error
        return None

    def close(self) -> None:
        """End the subscription; iteration stops after the waiting events."""
        self._closed = True
        if self._pump_scope is not None:
            self._pump_scope.cancel()
        self._wake()

    async def _leave(self, exc: BaseException | None) -> None:
        self.close()
        done = self._pump_done
        if done is not None:
            with anyio.move_on_after(SETTLE_TIMEOUT):
                await done.wait()
