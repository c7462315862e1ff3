"""Subscriptions: bounded per-subscriber buffers with an explicit overflow policy, and the registry of
what every subscriber wants, merged per channel.

The socket reader hands each event to ``Subscription.push``, which never waits (STYLE rule 7):

* ``KEEP_LATEST``: market data. A newer tick or book for the same symbol replaces the one still
  waiting; the replacement is counted in ``stats.replaced``. Events that must not be coalesced
  (trades, connection events) queue, and the oldest is dropped (counted) if the buffer is full.
* ``FAIL``: private messages are never dropped. If the consumer falls ``maxsize`` messages behind, the
  subscription fails loudly with ``SlowConsumerError`` once the
  buffered messages are delivered.

The registry keeps the *desired* state, so a reconnect can replay it and a subscriber leaving re-sends
the merged list (each quote subscribe replaces the previous one on its connection).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType
from typing import Generic, Self, TypeVar

import anyio

from .._logging import STREAMS_LOGGER
from ..errors import MultiMarketsError, SlowConsumerError

__all__ = ["OverflowPolicy", "Subscription", "SubscriptionRegistry", "SubscriptionStats"]

logger = logging.getLogger(STREAMS_LOGGER)

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class OverflowPolicy(StrEnum):
    """What a subscription does when its consumer falls behind."""

    KEEP_LATEST = "keep_latest"
    """Replace a waiting event for the same key (market data); count what was replaced."""
    FAIL = "fail"
    """Never drop: fail the subscription with ``SlowConsumerError`` (private messages)."""


@dataclass(slots=True)
class SubscriptionStats:
    """Counters of one subscription."""

    received: int = 0
    """Events handed to the subscription by the reader."""
    delivered: int = 0
    """Events the consumer has taken."""
    replaced: int = 0
    """Events replaced by a newer one for the same key before the consumer took them."""
    dropped: int = 0
    """Events dropped because the buffer was full."""


class Subscription(Generic[T]):
    """An async context manager and async iterator over one subscriber's events.

    Entering it subscribes; leaving it unsubscribes. Iterating yields events until the subscription
    is closed, and raises the subscription's error (a typed SDK exception, never a dict in the data)
    if it failed.
    """

    def __init__(
        self,
        *,
        name: str,
        policy: OverflowPolicy,
        maxsize: int,
        key: Callable[[T], Hashable | None],
        on_enter: Callable[[Subscription[T]], Awaitable[None]],
        on_exit: Callable[[Subscription[T]], Awaitable[None]],
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be >= 1")
        self.name = name
        self.policy = policy
        self._keep_latest = policy is OverflowPolicy.KEEP_LATEST
        self.maxsize = maxsize
        self.stats = SubscriptionStats()
        self._key = key
        self._on_enter = on_enter
        self._on_exit = on_exit
        self._buffer: OrderedDict[Hashable, T] = OrderedDict()
        self._serial = 0
        self._wakeup: anyio.Event | None = None
        self._event_class: type[anyio.Event] | None = None
        self._error: BaseException | None = None
        self._entered = False
        self._closed = False

    def keep_every_event(self) -> Subscription[T]:
        """Queue every event instead of replacing a waiting one with a newer event for the same
        product (a recorder wants them all). Beyond ``maxsize`` waiting events the oldest is dropped
        and counted in ``stats.dropped``. Call it before entering; returns the subscription.

        Raises:
            RuntimeError: the subscription was already entered.
        """
        if self._entered:
            raise RuntimeError("keep_every_event() must be called before entering the subscription")
        self._keep_latest = False
        return self

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("open" if self._entered else "new")
        return f"<Subscription {self.name} {state} buffered={len(self._buffer)}>"

    # -- producer side (the socket reader; never blocks) ---------------------------------------

    def push(self, item: T) -> None:
        """Hand an event to the subscription without waiting."""
        self.push_keyed(item, self._key(item) if self._keep_latest else None)

    def push_keyed(self, item: T, key: Hashable | None) -> None:
        """``push`` for a caller that already knows the event's key (the feeds' hot path).

        ``key`` must be what the subscription's ``key`` function returns for ``item``; it is ignored
        unless the policy is ``KEEP_LATEST``.
        """
        if self._closed or self._error is not None:
            return
        stats = self.stats
        stats.received += 1
        buffer = self._buffer
        if key is not None and self._keep_latest and key in buffer:
            # The waiting event was announced when it arrived: no wake-up for its replacement.
            buffer[key] = item
            stats.replaced += 1
            return
        if not self._keep_latest:
            key = None
        if len(buffer) >= self.maxsize:
            if self.policy is OverflowPolicy.FAIL:
                self.fail(
                    SlowConsumerError(
                        f"{self.name}: the consumer fell {self.maxsize} messages behind; "
                        "this subscription "
                        f"never drops private messages, so it stopped after {stats.received - 1} "
                        "(raise maxsize, or consume faster)"
                    )
                )
                return
            buffer.popitem(last=False)
            stats.dropped += 1
        if key is None:
            self._serial += 1
            key = ("#", self._serial)
        buffer[key] = item
        wakeup = self._wakeup
        if wakeup is not None:
            self._wakeup = None
            wakeup.set()

    def fail(self, error: BaseException) -> None:
        """End the subscription with ``error``; the consumer sees it after the buffered events."""
        if self._error is None and not self._closed:
            self._error = error
            logger.warning(
                "%s failed: %s",
                self.name,
                error,
                extra={"subscription": self.name, "error": type(error).__name__},
            )
            self._wake()

    def close(self) -> None:
        """End the subscription; iteration stops after the buffered events."""
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        wakeup, self._wakeup = self._wakeup, None
        if wakeup is not None:
            wakeup.set()

    @property
    def closed(self) -> bool:
        """Whether the subscription has ended (left, failed or its client closed)."""
        return self._closed or self._error is not None

    # -- consumer side ---------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        if self._entered:
            raise RuntimeError(f"{self.name} was already entered; each subscription can be used once")
        self._entered = True
        try:
            await self._on_enter(self)
        except BaseException:
            self._closed = True
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closed = True
        self._wake()
        with anyio.CancelScope(shield=True):
            try:
                await self._on_exit(self)
            except MultiMarketsError:  # the connection is gone; nothing left to unsubscribe
                logger.debug(
                    "%s: unsubscribe failed", self.name, exc_info=True, extra={"subscription": self.name}
                )

    def __aiter__(self) -> AsyncIterator[T]:
        if not self._entered:
            raise RuntimeError(f"use 'async with' on {self.name} before iterating over it")
        return self

    async def __anext__(self) -> T:
        while True:
            if self._buffer:
                self.stats.delivered += 1
                return self._buffer.popitem(last=False)[1]
            if self._error is not None:
                raise self._error
            if self._closed:
                raise StopAsyncIteration
            # ``anyio.Event()`` looks the async library up on every call (about 2 us); the class it
            # returned the first time makes the next ones directly.
            event_class = self._event_class
            if event_class is None:
                wakeup = anyio.Event()
                self._event_class = type(wakeup)
            else:
                wakeup = event_class()
            self._wakeup = wakeup
            await wakeup.wait()

    def get_nowait(self) -> T | None:
        """The next buffered event, or ``None`` when none is waiting (for polling loops)."""
        if self._buffer:
            self.stats.delivered += 1
            return self._buffer.popitem(last=False)[1]
        if self._error is not None:
            raise self._error
        return None


class SubscriptionRegistry(Generic[K]):
    """Who wants which keys on which channel, and the merged, ordered key list per channel."""

    def __init__(self) -> None:
        self._wants: dict[str, dict[Subscription[object], tuple[K, ...]]] = {}
        self._index: dict[str, dict[K, list[Subscription[object]]]] = {}
        self.indexes: Mapping[str, Mapping[K, list[Subscription[object]]]] = self._index
        """Per channel, key -> its subscriptions: the live mapping, for a reader's per-frame look-ups
        (read only; an attribute rather than a property, as it is read once per frame)."""

    def add(self, channel: str, subscription: Subscription[object], keys: Iterable[K]) -> bool:
        """Register ``subscription`` for ``keys`` on ``channel``; return whether the merged list changed."""
        before = len(self._index.get(channel, ()))
        wanted = tuple(dict.fromkeys(keys))
        self._wants.setdefault(channel, {})[subscription] = wanted
        index = self._index.setdefault(channel, {})
        for key in wanted:
            index.setdefault(key, []).append(subscription)
        return len(index) != before

    def remove(self, subscription: Subscription[object]) -> list[str]:
        """Forget ``subscription`` everywhere; return the channels whose merged list changed."""
        changed = []
        for channel, wants in self._wants.items():
            keys = wants.pop(subscription, None)
            if keys is None:
                continue
            index = self._index[channel]
            for key in keys:
                subscribers = index.get(key)
                if subscribers is None:
                    continue
                subscribers.remove(subscription)
                if not subscribers:
                    del index[key]
                    if channel not in changed:
                        changed.append(channel)
        return changed

    def merged(self, channel: str) -> list[K]:
        """Every key wanted on ``channel``, in the order first asked for."""
        return list(self._index.get(channel, ()))

    def subscribers(self, channel: str, key: K) -> list[Subscription[object]]:
        """The subscriptions that want ``key`` on ``channel`` (hot path: a dict lookup)."""
        index = self._index.get(channel)
        return (index.get(key) if index is not None else None) or []

    def channel_subscriptions(self, channel: str) -> list[Subscription[object]]:
        """Every subscription on ``channel``."""
        return list(self._wants.get(channel, ()))

    def all_subscriptions(self) -> list[Subscription[object]]:
        """Every registered subscription, once."""
        seen: dict[Subscription[object], None] = {}
        for wants in self._wants.values():
            seen.update(dict.fromkeys(wants))
        return list(seen)

    def count(self, channel: str) -> int:
        """How many distinct keys ``channel`` carries."""
        return len(self._index.get(channel, ()))
