"""The relay's hold on its lease and on its JetStream setup: standby attempts, renewals that give up
before the lease can end, the streams made again after NATS reconnects, and which failures of a
take-over a relay retries (``retryable``).

The timing rule (``LeaseKeeper.keep``): JetStream stores a renewal some time after it was *sent*, so
the lease lasts at least ``ttl_s`` from the sending of the last renewal that succeeded. The active
relay gives up ``close_margin`` (half the renewal interval) before that moment, whatever NATS does,
so its platform connections are closed before a standby can take the lease: two relays never hold
the data-push group at once (beyond the time closing a client takes). Each renewal attempt is bounded
by the next deadline, so a NATS server that stops answering cannot hold the decision back.

NATS may restart and lose what it kept in memory (the market stream, by default) or, without its
store, everything: after each reconnect the keeper creates the streams and buckets again and, while
active, puts the symbol table again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import anyio

from .._logging import RELAY_LOGGER
from ..errors import (
    HandshakeError,
    MultiMarketsError,
    RateLimitError,
    ServerError,
    ServerUnavailableError,
    SlowConsumerError,
    TooManyRequestsError,
    TransportError,
)
from ._nats import Lease, NatsLink, ensure_streams, put_products

if TYPE_CHECKING:
    from ._payloads import RelayedProduct
    from ._settings import LeaseSettings, Retention
    from ._subjects import RelayNames

__all__ = ["LeaseKeeper", "retryable"]

logger = logging.getLogger(RELAY_LOGGER)

_RELEASE_TIMEOUT_S: Final = 5.0
_REFUSED_HANDSHAKES: Final = (400, 401, 403, 404)  # wrong credentials or URL: no retry helps


def retryable(exc: BaseException) -> bool:
    """Whether a failure of the platform side may pass if the relay tries again later: the network,
    a platform restart or overload, or the relay falling behind. Not: credentials refused, an unknown
    symbol, bad settings, another consumer kicking the relay out of its data-push group."""
    if isinstance(exc, HandshakeError):
        return exc.status_code not in _REFUSED_HANDSHAKES
    return isinstance(
        exc,
        TransportError
        | ServerUnavailableError
        | TooManyRequestsError
        | RateLimitError
        | ServerError
        | SlowConsumerError,
    )


class LeaseKeeper:
    """Takes, renews and releases one relay's lease, and keeps the relay's JetStream setup in place.

    Args:
        link: the relay's NATS connection (its setup was made for its current connection).
        names: the company's NATS names.
        lease: the opened lease.
        settings: the lease's TTL and interval.
        retention: the streams' settings, to make them again.
        owner: the relay's name, for logs.
        on_standby: called when a take-over attempt finds the lease held (the relay is in standby).
    """

    def __init__(
        self,
        *,
        link: NatsLink,
        names: RelayNames,
        lease: Lease,
        settings: LeaseSettings,
        retention: Retention,
        owner: str,
        on_standby: Callable[[], None],
    ) -> None:
        self._link = link
        self._names = names
        self._lease = lease
        self._settings = settings
        self._retention = retention
        self._owner = owner
        self._on_standby = on_standby
        self._setup_for = link.reconnects  # the connection the streams were last made for
        self.products: list[RelayedProduct] = []
        """The symbol table of the active period, put again after a reconnect (empty in standby)."""

    @property
    def close_margin(self) -> float:
        """Seconds between giving the lease up and the earliest moment it can end."""
        return self._settings.interval_s / 2

    async def acquire(self) -> float:
        """Wait in standby until this relay holds the lease.

        Returns:
            When the successful attempt was sent (``anyio.current_time()``): the lease lasts at least
            ``ttl_s`` from then.
        """
        interval = self._settings.interval_s
        logged = False
        while True:
            await self.refresh_setup(interval)
            sent = anyio.current_time()
            try:
                with anyio.move_on_after(interval):
                    if await self._lease.try_acquire():
                        return sent
            except TransportError as exc:
                logger.debug("relay %s: lease attempt failed (%s)", self._owner, exc)
            self._on_standby()
            if not logged:
                logged = True
                holder = await self._holder()
                logger.info("relay %s: standby, the lease is held by %s", self._owner, holder or "nobody")
            await anyio.sleep(interval)

    async def keep(self, held_since: float) -> str:
        """Renew every interval until the lease is lost; then return why (the caller closes the platform
        clients at once: it is still ``close_margin`` s before the lease can end).

        Args:
            held_since: when the acquire (or renewal) that made the lease ours was sent.
        """
        interval = self._settings.interval_s
        give_up_at = held_since + self._settings.ttl_s - self.close_margin
        next_at = held_since + interval
        while True:
            await anyio.sleep_until(min(next_at, give_up_at))
            now = anyio.current_time()
            if now >= give_up_at:
                return "NATS did not answer in time"
            next_at = now + interval
            renewed: bool | None = None  # None: no answer
            try:
                with anyio.move_on_after(min(interval, give_up_at - now)):
                    renewed = await self._lease.renew()
            except TransportError as exc:
                logger.debug("relay %s: lease renewal failed (%s)", self._owner, exc)
            if renewed is False:
                return "another relay holds the lease"
            if renewed:
                give_up_at = now + self._settings.ttl_s - self.close_margin
                await self.refresh_setup(min(interval, give_up_at - anyio.current_time()))

    async def refresh_setup(self, timeout: float) -> None:
        """Make the streams and buckets again (and put the symbol table while active) if NATS reconnected
        since they were last made; a failure is logged and tried again on the next call."""
        reconnects = self._link.reconnects
        if reconnects == self._setup_for or timeout <= 0:
            return
        try:
            with anyio.move_on_after(timeout):
                await ensure_streams(self._link, self._names, self._retention)
                if self.products:
                    await put_products(self._link, self._names, self.products)
                self._setup_for = reconnects
                logger.info("relay %s: NATS reconnected; streams and symbol table in place", self._owner)
        except MultiMarketsError as exc:
            level = logging.DEBUG if isinstance(exc, TransportError) else logging.WARNING
            logger.log(level, "relay %s: could not set the streams up again (%s)", self._owner, exc)

    async def release(self) -> None:
        """Give the lease up (if held) so that a standby takes over at once; bounded, never raises.

        Not tried while NATS is away (a stop would wait for nothing): the lease then ends by its TTL.
        """
        with anyio.move_on_after(_RELEASE_TIMEOUT_S, shield=True):
            if self._lease.held and self._link.is_connected:
                try:
                    await self._lease.release()
                except MultiMarketsError as exc:
                    logger.info("relay %s: could not release the lease (%s)", self._owner, exc)

    async def _holder(self) -> str | None:
        try:
            with anyio.move_on_after(self._settings.interval_s):
                return await self._lease.holder()
        except TransportError:
            pass
        return None
