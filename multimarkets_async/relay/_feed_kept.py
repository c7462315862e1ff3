"""Kept-stream subscriptions of a relay feed (``feed.messages``, ``feed.data_push``): one message at a
time from a JetStream pull consumer, acknowledged once the reader is done with it.

A message is acked when the reader asks for the next one or leaves the ``async with`` block normally
(its handler returned); nak'ed when the block raises, so another worker of the group gets it at once;
redelivered by JetStream after ``ack_wait`` when the process dies holding it. There is no buffer and
no task: the reader's own task pulls, so nothing is taken from the stream before a reader wants it,
and the workers of a group share the messages as they become free. A payload that does not decode is
counted, logged without its text, and terminated (never redelivered, never shown to the reader).
Closing the feed from another task cancels a pull in progress: the iteration ends with
``StopAsyncIteration``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal, TypeVar

import anyio

from .._logging import RELAY_LOGGER
from ..errors import MultiMarketsError, ProtocolError
from ._feed_args import KeptSource
from ._feed_subscriptions import SETTLE_TIMEOUT, FeedOwner, FeedSubscription
from ._nats import Delivery, SharedReader

__all__ = ["KeptSubscription"]

logger = logging.getLogger(RELAY_LOGGER)

T = TypeVar("T")


class KeptSubscription(FeedSubscription[T]):
    """Kept-stream events, each acknowledged once the reader is done with it (see the module doc).

    Args:
        owner: the feed.
        name: names it in errors and logs (``"messages"`` ...).
        source: the stream, consumer and filter.
        decode: the payload decoder of the stream.
        event_type: what ``source.accept`` filters on (``None``: no filter).
    """

    def __init__(
        self,
        owner: FeedOwner,
        name: str,
        *,
        source: KeptSource,
        decode: Callable[[bytes], T],
        event_type: Callable[[T], str] | None = None,
    ) -> None:
        super().__init__(owner, name)
        self._source = source
        self._decode = decode
        self._event_type = event_type
        self._held: Delivery | None = None
        self._waiting: anyio.CancelScope | None = None

    async def _open(self) -> None:
        link, _ = self._owner._attach(self)
        src = self._source
        self._reader = await SharedReader.open(
            link,
            stream=src.stream,
            subjects=src.subjects,
            group=src.group,
            durable=src.durable,
            deliver=src.deliver,
            ack_wait_s=src.ack_wait,
            max_deliver=src.max_deliver,
        )

    async def __anext__(self) -> T:
        held, self._held = self._held, None
        if held is not None:  # the reader asks for the next one: it is done with this one
            await self._settle(held, "ack")
        reader = self._reader
        if not isinstance(reader, SharedReader):
            raise StopAsyncIteration
        src, stats = self._source, self.stats
        while True:
            if self._closed:
                raise StopAsyncIteration
            delivery: Delivery | None = None
            with anyio.CancelScope() as scope:
                self._waiting = scope  # close() cancels it, from any task
                try:
                    delivery = await reader.next()
                except (MultiMarketsError, RuntimeError):  # RuntimeError: the reader was closed under us
                    if not self._closed:
                        raise
                finally:
                    self._waiting = None
            if delivery is None:
                raise StopAsyncIteration
            if self._closed:  # it came as the feed closed: let another worker have it
                await self._settle(delivery, "nak")
                raise StopAsyncIteration
            stats.received += 1
            if delivery.delivered > 1:
                stats.redelivered += 1
            try:
                event = self._decode(delivery.payload)
            except ProtocolError as exc:
                self._skip(delivery.subject, len(delivery.payload), type(exc).__name__)
                await self._settle(delivery, "term")
                continue
            wanted, type_of = src.accept, self._event_type
            if wanted is not None and type_of is not None and type_of(event) not in wanted:
                await self._settle(delivery, "ack")  # another type on the same subject token
                continue
            self._held = delivery
            stats.delivered += 1
            return event

    def get_nowait(self) -> T | None:
        """Not for kept streams: each message is acked when you ask for the next one.

        Raises:
            RuntimeError: always; iterate with ``async for``.
        """
        raise RuntimeError(
            f"{self.name}: get_nowait() is for market subscriptions; a kept stream hands out one message "
            "at a time and acks it when you ask for the next one, so iterate with 'async for'"
        )

    def close(self) -> None:
        """End the iteration; a reader waiting for a message gets ``StopAsyncIteration``."""
        self._closed = True
        if self._waiting is not None:
            self._waiting.cancel()

    async def _leave(self, exc: BaseException | None) -> None:
        held, self._held = self._held, None
        if held is not None:  # left normally: the handler returned; raised: hand it to another worker
            await self._settle(held, "ack" if exc is None else "nak")

    async def _settle(self, delivery: Delivery, how: Literal["ack", "nak", "term"]) -> None:
        """Ack, nak or term ``delivery``; shielded and bounded. A failure is logged: JetStream then
        redelivers the message after ``ack_wait`` (at-least-once)."""
        with anyio.CancelScope(shield=True, deadline=anyio.current_time() + SETTLE_TIMEOUT) as scope:
            try:
                if how == "ack":
                    await delivery.ack()
                    self.stats.acked += 1
                elif how == "nak":
                    await delivery.nak()
                    self.stats.nacked += 1
                else:
                    await delivery.term()
                return
            except MultiMarketsError as exc:
                logger.warning(
                    "%s: %s of a message on %s failed (%s); JetStream redelivers it after ack_wait",
                    self.name,
                    how,
                    delivery.subject,
                    type(exc).__name__,
                    extra={"subscription": self.name},
                )
        if scope.cancelled_caught:
            logger.warning(
                "%s: %s timed out; JetStream redelivers the message after ack_wait", self.name, how
            )
