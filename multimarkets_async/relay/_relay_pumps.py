"""The relay's pumps: each moves one platform subscription's events onto NATS, and keeps count (and
``resolve_products``: the catalogue rows the market subscriptions take, as the symbol table).

A ``Pump`` takes the events of one SDK subscription, encodes each (``_payloads.Encoder``: ``encode``
with per-product caches) and hands it to the ``Publisher``:

* market data (``Envelope.kept`` false) goes out with a core NATS publish; an event NATS refuses (it
  is away and its outbound buffer is full) is dropped and counted: the next tick replaces it anyway;
* account pushes and data-push events (``kept``) go out with a JetStream publish whose
  acknowledgement is awaited. While NATS is away the pump keeps retrying the event in hand with the
  same message id (JetStream drops a repeat), and the platform subscription buffers what comes behind
  it, so nothing is lost and nothing is stored twice.

The pump remembers the event in hand, so a pump cancelled in the middle of a publish still has it
when its owner ``hand_over()``s it at the end of an active period (the owner closes the platform
clients first, so nothing new arrives): market events are published once more, kept events go to the
relay's outbox (``_relay_outbox``), which publishes them whenever NATS answers; the platform would
not send them again. The kept pumps of the next active period wait for that outbox to empty before
they publish (``after``), so each stream gets the older events first. Connection noise (heartbeat pongs and
subscribe acknowledgements of the message socket) is not relayed. Nothing is logged per event: a
NATS outage is one warning when it starts and one line when it ends.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Protocol, TypeVar

import anyio

from .._logging import RELAY_LOGGER
from ..errors import InvalidArgumentError, MultiMarketsError, StreamError, TransportError
from ..models.push import PongEvent, SubscribeAck
from ._nats import NatsLink
from ._payloads import Encoder, Envelope, RelayedProduct, RelayEvent
from ._subjects import MARKET_KINDS, MarketKind, RelayNames

if TYPE_CHECKING:
    from .._client import MultiMarkets
    from ..models.symbols import Symbol
    from ..resources._lookup import SymbolLike

__all__ = [
    "RELAYED_KINDS",
    "Events",
    "Publisher",
    "Pump",
    "RelayStats",
    "abandon",
    "first_error",
    "resolve_products",
]

logger = logging.getLogger(RELAY_LOGGER)

_E_co = TypeVar("_E_co", covariant=True)

RELAYED_KINDS: Final[tuple[str, ...]] = (*MARKET_KINDS, "account", "datapush")
"""The kinds of events a relay publishes, as they appear in its subjects (and in ``RelayStats``)."""

_RETRY_FIRST_S: Final = 0.05
_RETRY_MAX_S: Final = 2.0
_ACK_TIMEOUT_S: Final = 5.0
_NOISE: Final = (PongEvent, SubscribeAck)  # connection noise of the message socket: never relayed
_MAX_SUBJECTS: Final = 65_536  # Publisher's subject -> kind cache starts again beyond this


@dataclass(slots=True)
class RelayStats:
    """What a relay has done, over every period it was active.

    Attributes:
        published: events published, per kind (``tick``, ``book``, ``trade``, ``rolling``,
            ``account``, ``datapush``); a kept event JetStream already held counts here too.
        duplicates: kept events JetStream reported as already stored (a repeat the platform sent, or
            an event published again after a take-over or a retry).
        dropped: market events that could not be published (NATS away) and were left out.
        lost: events received from the platform but given up (logged as a warning): what a stopping
            relay could not hand to NATS within ``drain_timeout``, market events an ending active
            period could not publish in time, and the oldest kept events when more than the
            outbox's limit waited for NATS.
        pending: kept events received from the platform that wait in the relay's outbox for NATS to
            store them (an active period ended before it did); published whenever NATS answers.
        errors: publish attempts NATS refused or did not acknowledge in time (kept events are retried).
        skipped: events of a type the relay cannot encode (none is expected; counted, never raised).
        activations: how many times the relay became the active one.
    """

    published: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RELAYED_KINDS, 0))
    duplicates: int = 0
    dropped: int = 0
    lost: int = 0
    errors: int = 0
    skipped: int = 0
    activations: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        """Every event published, of any kind."""
        return sum(self.published.values())

    def summary(self) -> str:
        """``"12 tick, 3 book, 3 trade, 0 rolling, 1 account, 4 datapush; 0 dropped"``, then the
        duplicates, the events lost and those pending in the outbox when there are some."""
        counts = ", ".join(f"{count} {kind}" for kind, count in self.published.items())
        extra = f"; {self.dropped} dropped"
        if self.duplicates:
            extra += f", {self.duplicates} duplicate{'' if self.duplicates == 1 else 's'}"
        if self.lost:
            extra += f", {self.lost} lost"
        if self.pending:
            extra += f", {self.pending} pending"
        return counts + extra


class Publisher:
    """Publishes encoded events on one NATS link and counts them in ``stats``.

    Args:
        link: the relay's NATS connection.
        names: the company's subjects.
        stats: the counters to update.
    """

    def __init__(self, link: NatsLink, names: RelayNames, stats: RelayStats) -> None:
        self._link = link
        self._names = names
        self._kind_at = len(names.root) + 1
        self._kinds: dict[str, str] = {}  # subject -> its kind token, for the counters
        self._encoder = Encoder(names)
        self.stats = stats
        self._nats_away = False
        self._unencodable: set[str] = set()

    def encode(self, event: RelayEvent) -> Envelope | None:
        """``event`` as an envelope, or ``None`` (counted in ``skipped``) for a type the payload schema
        does not know, or a value it cannot carry (a non-finite decimal): one bad event never stops
        the relay."""
        try:
            return self._encoder(event)
        except (TypeError, InvalidArgumentError) as exc:
            self.stats.skipped += 1
            name = type(event).__name__
            if name not in self._unencodable:  # once per type, not per event
                self._unencodable.add(name)
                logger.warning("relay: cannot encode a %s event (%s); skipped", name, type(exc).__name__)
            return None

    async def publish(self, envelope: Envelope) -> None:
        """Publish one envelope: market data once (dropped and counted if NATS refuses it), kept events
        until JetStream acknowledges them (retried with backoff while NATS is away)."""
        if envelope.kept:
            await self._publish_kept(envelope)
            return
        try:
            await self._link.publish(envelope.subject, envelope.payload, msg_id=envelope.msg_id)
        except TransportError as exc:
            self.stats.errors += 1
            self.stats.dropped += 1
            self._went_away(exc)
            return
        self._count(envelope)

    async def _publish_kept(self, envelope: Envelope) -> None:
        delay = _RETRY_FIRST_S
        while True:
            try:
                stored = await self._link.publish_acked(
                    envelope.subject, envelope.payload, msg_id=envelope.msg_id, timeout=_ACK_TIMEOUT_S
                )
            except TransportError as exc:
                self.stats.errors += 1
                self._went_away(exc)
                await anyio.sleep(delay)
                delay = min(delay * 2, _RETRY_MAX_S)
                continue
            if not stored:
                self.stats.duplicates += 1
            self._count(envelope)
            return

    def _count(self, envelope: Envelope) -> None:
        kind = self._kinds.get(envelope.subject)
        if kind is None:
            if len(self._kinds) >= _MAX_SUBJECTS:
                self._kinds.clear()
            kind = self._kinds[envelope.subject] = envelope.subject[self._kind_at :].split(".", 1)[0]
        published = self.stats.published
        published[kind] = published.get(kind, 0) + 1
        if self._nats_away:
            self._nats_away = False
            logger.info("relay: NATS takes events again")

    def _went_away(self, exc: TransportError) -> None:
        if not self._nats_away:
            self._nats_away = True
            logger.warning("relay: NATS does not take events (%s); kept events are retried", exc)


class Events(Protocol[_E_co]):
    """What a pump needs of a platform subscription (``Subscription`` is one)."""

    def __aiter__(self) -> AsyncIterator[_E_co]: ...

    def get_nowait(self) -> _E_co | None: ...


class Pump:
    """Moves the events of one entered platform subscription to the ``Publisher``.

    Args:
        name: what the subscription carries, for messages (``"tickers"``, ``"data-push"`` ...).
        events: the entered subscription.
        publisher: where the events go.
        after: awaited before the first event is published (the kept pumps wait for the relay's
            outbox to empty); the subscription buffers the events meanwhile.
    """

    def __init__(
        self,
        name: str,
        events: Events[RelayEvent],
        publisher: Publisher,
        *,
        after: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.name = name
        self._events = events
        self._publisher = publisher
        self._after = after
        self._in_hand: Envelope | None = None

    async def run(self) -> None:
        """Publish every event until cancelled.

        Raises:
            MultiMarketsError: the subscription failed (``SlowConsumerError``, ``SessionEndedError`` ...).
            StreamError: the subscription ended although nobody closed it.
        """
        # One frame per event, not three: encode and publish inline. After each wake-up, take what is
        # already buffered with ``get_nowait``, which is a plain call where ``__anext__`` is a
        # coroutine; it raises the subscription's error, as ``__anext__`` would, once the buffer is
        # empty.
        if self._after is not None:
            await self._after()
        events = self._events
        encode = self._publisher.encode
        publish = self._publisher.publish
        async for first in events:
            event: RelayEvent | None = first
            while event is not None:
                if not isinstance(event, _NOISE):
                    envelope = encode(event)
                    if envelope is not None:
                        self._in_hand = envelope
                        await publish(envelope)
                        self._in_hand = None
                event = events.get_nowait()
        raise StreamError(f"the platform's {self.name} subscription ended; the relay cannot go on")

    async def hand_over(self, keep: Callable[[Envelope], None]) -> None:
        """End of an active period: the event in hand (a cancelled publish), then every event the
        subscription still holds, in order: kept events to ``keep`` (the relay's outbox), market events
        published once (dropped and counted if NATS refuses them).

        Call it after the platform clients are closed, in a shielded scope with a deadline.
        """
        if self._in_hand is not None:
            await self._hand_over(self._in_hand, keep)
        while True:
            try:
                held = self._events.get_nowait()
            except (MultiMarketsError, RuntimeError):  # it failed: its error comes once it is empty
                return
            if held is None:
                return
            if not isinstance(held, _NOISE) and (envelope := self._publisher.encode(held)) is not None:
                await self._hand_over(envelope, keep)

    def abandon(self, keep: Callable[[Envelope], None]) -> int:
        """What ``hand_over`` had no time for: kept events still go to ``keep``, market events are given
        up; how many market events that was."""
        count = 0
        while True:
            envelope = self._in_hand
            self._in_hand = None
            if envelope is None:
                try:
                    held = self._events.get_nowait()
                except (MultiMarketsError, RuntimeError):
                    return count
                if held is None:
                    return count
                if isinstance(held, _NOISE) or (envelope := self._publisher.encode(held)) is None:
                    continue
            if envelope.kept:
                keep(envelope)
            else:
                count += 1

    async def _hand_over(self, envelope: Envelope, keep: Callable[[Envelope], None]) -> None:
        if envelope.kept:
            keep(envelope)
            self._in_hand = None
            return
        self._in_hand = envelope  # kept until published: an abandon() after the deadline counts it
        await self._publisher.publish(envelope)
        self._in_hand = None


def abandon(pumps: list[Pump], keep: Callable[[Envelope], None], stats: RelayStats, why: str) -> None:
    """What ``pumps`` still hold after ``hand_over`` ran out of time: kept events to ``keep``; market
    events counted in ``stats.lost`` and said in one warning that starts with ``why``."""
    lost = sum(pump.abandon(keep) for pump in pumps)
    stats.lost += lost
    if lost:
        logger.warning("%s passed: NATS did not take %d received market events, and they are lost", why, lost)


def first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first SDK error in ``group`` (the others share its cause), else the group itself."""
    for exc in group.exceptions:
        found = first_error(exc) if isinstance(exc, BaseExceptionGroup) else exc
        if isinstance(found, Exception) and not isinstance(found, BaseExceptionGroup):
            return found
    return group


_CARRIED_BY: Final[dict[MarketKind, tuple[MarketKind, ...]]] = {
    "tick": ("tick",),
    "book": ("book", "trade"),  # the book subscription brings the trades too
    "rolling": ("rolling",),
}


async def resolve_products(
    client: MultiMarkets, symbols: dict[MarketKind, list[SymbolLike]], trade_type: int | None
) -> tuple[dict[MarketKind, list[Symbol]], list[RelayedProduct]]:
    """The catalogue rows of the products of each market subscription (``tick``, ``book``,
    ``rolling``), and the symbol table they make: one row per product, with every kind it is carried in.

    Raises:
        InvalidArgumentError: an unknown product, or a name listed under several trade types without
            ``trade_type``.
    """
    rows: dict[MarketKind, list[Symbol]] = {}
    table: dict[tuple[int, int], tuple[Symbol, set[MarketKind]]] = {}
    for kind, wanted in symbols.items():
        rows[kind] = []
        for item in wanted:
            row = await client.symbols.get(item, trade_type=trade_type)
            rows[kind].append(row)
            _, carried = table.setdefault((row.symbol_id, row.trade_type), (row, set()))
            carried.update(_CARRIED_BY[kind])
    products = [
        RelayedProduct(
            symbol=row.symbol_code or row.symbol_name or str(row.symbol_id),
            symbol_id=row.symbol_id,
            trade_type=row.trade_type,
            trade_mode=row.deal_mode,
            price_digits=row.symbol_digits,
            carried=frozenset(carried),
        )
        for row, carried in table.values()
    ]
    return rows, products
