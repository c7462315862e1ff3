"""The relay's outbox: kept events (account pushes, data-push events) the relay took from the platform
but JetStream had not stored when an active period ended, published again whenever NATS answers.

The platform does not send a kept event twice: once it reached the relay, the data-push group's cursor
(or the message socket) has moved on. So when an active period ends before NATS stored them (the lease
given up because NATS was away longer than its TTL, a failure that may pass), the pumps hand them
over here (``Pump.hand_over``) instead of dropping them, and the relay keeps publishing them, in
standby too, for as long as the process runs:

* **the same envelope**: same subject, payload and ``Nats-Msg-Id``, so JetStream drops a copy it
  already stored (an acknowledgement lost with the connection) or one another relay published;
* **oldest first**, and each one is removed only once JetStream acknowledged it: a publish cancelled
  half-way is tried again, never skipped;
* **before the next active period's kept events**: the kept pumps wait (``wait_empty``) until the
  outbox is empty, so each stream gets the older events first;
* **bounded** (``limit``): beyond it the oldest waiting event is dropped, counted in
  ``RelayStats.lost``, with one warning per overflow;
* **at a stop** the relay ``drain``s it within its ``drain_timeout``; what is left is counted in
  ``RelayStats.lost`` and logged once (``abandon``).

Market data never comes here (latest wins: a later tick replaces it). ``RelayStats.pending`` is the
outbox's size.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio

from .._logging import RELAY_LOGGER
from ._relay_pumps import first_error

if TYPE_CHECKING:
    from ._payloads import Envelope
    from ._relay_pumps import Publisher, RelayStats

__all__ = ["Outbox"]

logger = logging.getLogger(RELAY_LOGGER)


class Outbox:
    """Kept events waiting for JetStream, oldest first, published by ``run()`` whenever NATS answers.

    Args:
        publisher: publishes each envelope (retried with backoff until JetStream acknowledges it).
        stats: ``pending`` follows the outbox's size; ``lost`` counts what it gave up.
        limit: the most events it holds; a new one beyond that pushes the oldest waiting one out.
        owner: the relay's name, for logs.

    Raises:
        ValueError: ``limit`` is not positive.
    """

    def __init__(self, publisher: Publisher, stats: RelayStats, *, limit: int, owner: str) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit!r}")
        self.publisher = publisher
        """What publishes the outbox's events (the relay's pumps share it)."""
        self._stats = stats
        self._limit = limit
        self._owner = owner
        self._queue: deque[Envelope] = deque()
        self._in_flight: Envelope | None = None  # the head, while a publish of it is under way
        self._filled: anyio.Event | None = None  # made on first use: needs a running loop
        self._emptied: anyio.Event | None = None
        self._overflowing = False

    def __len__(self) -> int:
        return len(self._queue)

    def __repr__(self) -> str:
        return f"<Outbox {len(self._queue)} pending>"

    def put(self, envelope: Envelope) -> None:
        """Add a kept event behind the others (the oldest waiting one goes if the outbox is full).

        Raises:
            ValueError: ``envelope`` is market data (``kept`` false): it never waits here.
        """
        if not envelope.kept:
            raise ValueError("market events are not kept: they never go to the outbox")
        queue = self._queue
        if len(queue) >= self._limit:
            # Not the one being published if another can go: it may be stored already.
            del queue[1 if len(queue) > 1 and queue[0] is self._in_flight else 0]
            self._stats.lost += 1
            if not self._overflowing:
                self._overflowing = True
                logger.warning(
                    "relay %s: %d kept events wait for NATS; the oldest are dropped and counted lost",
                    self._owner,
                    self._limit,
                )
        queue.append(envelope)
        self._stats.pending = len(queue)
        if self._filled is not None:
            self._filled.set()
            self._filled = None

    async def wait_empty(self) -> None:
        """Wait until every event the outbox held has been published (at once if it is empty)."""
        while self._queue:
            if self._emptied is None:
                self._emptied = anyio.Event()
            await self._emptied.wait()

    @asynccontextmanager
    async def publishing(self, *, drain_timeout: float, why: str) -> AsyncIterator[None]:
        """Publish in the background (``run``) while the block runs; when it ends (cancelled, or
        failed), ``drain`` within ``drain_timeout`` and ``abandon`` what is left (``why`` starts the
        warning). The block's error comes out as itself, never in an ``ExceptionGroup``."""
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(self.run)
                yield
                tg.cancel_scope.cancel()
        except BaseExceptionGroup as group:
            raise first_error(group) from None
        finally:
            with anyio.move_on_after(drain_timeout, shield=True):
                await self.drain()
            self.abandon(why)

    async def run(self) -> None:
        """Publish the waiting events, oldest first, whenever there are some; until cancelled.

        Cancelling it is safe at any point: an event whose publish was cancelled stays at the head.
        """
        while True:
            while not self._queue:
                if self._filled is None:
                    self._filled = anyio.Event()
                await self._filled.wait()
            await self._publish_oldest()

    async def drain(self) -> None:
        """Publish every waiting event now (the caller bounds the time: a stopping relay's
        ``drain_timeout``); call it once ``run()`` has ended."""
        while self._queue:
            await self._publish_oldest()

    def abandon(self, why: str) -> int:
        """Give up every waiting event (a drain that ran out of time): count them in ``stats.lost`` and
        say so in one warning that starts with ``why``; how many that was."""
        count = len(self._queue)
        self._queue.clear()
        self._done()
        if count:
            self._stats.lost += count
            logger.warning("%s passed: NATS did not take %d received events, and they are lost", why, count)
        return count

    async def _publish_oldest(self) -> None:
        envelope = self._in_flight = self._queue[0]
        try:
            await self.publisher.publish(envelope)
        finally:
            self._in_flight = None
        if self._queue and self._queue[0] is envelope:  # not pushed out meanwhile (limit 1)
            self._queue.popleft()
        self._done()

    def _done(self) -> None:
        self._stats.pending = len(self._queue)
        if self._queue:
            return
        self._overflowing = False
        if self._emptied is not None:
            self._emptied.set()
            self._emptied = None
