"""The ``Relay``: holds the platform connections of one company while it holds the lease, and publishes
every event they bring onto NATS JetStream.

One process of several runs as the active relay; the others wait in standby::

    starting -> standby <-> active -> stopped

* **standby**: the relay tries to take the lease (a key-value entry with a TTL, ``_nats.Lease``) every
  ``LeaseSettings.interval_s``. It holds no platform connection.
* **active**: holding the lease, it enters the platform clients from their factories, publishes the
  symbol table and enters the subscriptions; then it runs one ``Pump`` per subscription while it
  renews the lease (``_relay_lease.LeaseKeeper``). A renewal that fails (another relay holds the key,
  or NATS did not answer in time) closes the platform clients at once and goes back to standby; the
  kept events (account, data-push) JetStream had not stored go to the outbox (``_relay_outbox``), which
  publishes them whenever NATS answers, before the kept events of the next active period.
* A failure that may pass (``_relay_lease.retryable``: the platform unreachable or restarting while
  the relay takes over, the relay falling behind) closes the clients likewise, releases the lease (so
  another relay may try), logs one warning, and tries again after a jittered, growing delay in
  standby. Anything else (refused credentials, an unknown symbol, a kick-out from the data-push group
  by another consumer) ends ``run()``.
* **stopped**: ``run()`` was cancelled (Ctrl-C, SIGTERM) or failed. Cancellation first closes the
  platform clients, publishes what their subscriptions and the outbox hold (within ``drain_timeout``;
  what is left is counted lost), releases the lease (so a standby takes over at once), and closes NATS.

``run()`` raises one SDK error, never an ``ExceptionGroup``. Logs (``multimarkets_async.relay``): one
INFO line per role change, none per event.
"""

from __future__ import annotations

import logging
import os
import platform
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import anyio

from .._logging import RELAY_LOGGER
from ..errors import InvalidArgumentError, MultiMarketsError
from ..protocol.backoff import backoff_delays
from ._nats import Lease, NatsLink, ensure_streams, put_products
from ._relay_lease import LeaseKeeper, retryable
from ._relay_outbox import Outbox
from ._relay_pumps import Publisher, Pump, RelayStats, abandon, first_error, resolve_products
from ._settings import DEFAULT_NATS_URL, LeaseSettings, Retention
from ._subjects import DEFAULT_PREFIX, MarketKind, RelayNames

if TYPE_CHECKING:
    from .._client import MultiMarkets
    from .._manager_client import ManagerClient
    from ..resources._lookup import SymbolLike

__all__ = ["Relay", "RelayRole", "RelayStats"]

logger = logging.getLogger(RELAY_LOGGER)

RelayRole = Literal["starting", "standby", "active", "stopped"]
"""Where a relay is: connecting to NATS, waiting for the lease, holding it, or done."""

_MARKET_BUFFER: Final = 10_000
"""Market events a subscription holds for the pump (every event is relayed; beyond, the oldest go)."""
_KEPT_BUFFER: Final = 100_000
"""Account and data-push events a subscription (then it fails) or the outbox (then its oldest go) holds."""
_RETRY_MAX_S: Final = 30.0
"""The longest wait between two take-over attempts after failures that may pass."""


@dataclass(frozen=True, slots=True)
class _Wiring:
    """One run's NATS side: what every active period uses."""

    link: NatsLink
    names: RelayNames
    keeper: LeaseKeeper
    outbox: Outbox


@dataclass(slots=True)
class _Session:
    """One active period: whether it ended because the lease was lost, and whether it got active."""

    lost: bool = False
    active: bool = False


class Relay:
    """Relays one company's platform events onto NATS JetStream, one relay of several at a time.

    Args:
        nats: the NATS server URL, or several (a cluster).
        client: makes the ``MultiMarkets`` client for market data and account pushes; called (and the
            client entered) each time the relay becomes active.
        manager: makes the ``ManagerClient`` for ``data_push_group``; called likewise.
        company_id: the company whose subjects the relay publishes; by default the client's (or the
            manager's), read from a client made at start and closed again unentered.
        tickers: products whose ticks are relayed (``tick`` subjects).
        book: products whose order books and trades are relayed (``book`` and ``trade`` subjects).
        rolling: products whose 24 h statistics are relayed (``rolling`` subjects).
        trade_type: chooses among products listed under several trade types, for names.
        messages: relay the account's pushes (``account`` subjects); needs client credentials.
        message_trade_types: the account families whose pushes are relayed.
        data_push_group: relay the Manager data-push events of this consumer group (``datapush``
            subjects); keep it stable, so the platform replays what the group missed between relays.
        prefix: the first subject token(s).
        retention: what the streams keep (created or updated when the relay starts).
        lease: the lease's TTL and renewal interval.
        name: this relay's name in the lease (host, process id and a random suffix by default).
        drain_timeout: seconds a stopping relay spends on what its subscriptions hold, then on its outbox.

    Raises:
        InvalidArgumentError: nothing to relay, or a kind of event without the factory it needs.
    """

    def __init__(
        self,
        *,
        nats: str | Sequence[str] = DEFAULT_NATS_URL,
        client: Callable[[], MultiMarkets] | None = None,
        manager: Callable[[], ManagerClient] | None = None,
        company_id: int | None = None,
        tickers: Sequence[SymbolLike] = (),
        book: Sequence[SymbolLike] = (),
        rolling: Sequence[SymbolLike] = (),
        trade_type: int | None = None,
        messages: bool = False,
        message_trade_types: Sequence[int] = (1, 2),
        data_push_group: str | None = None,
        prefix: str = DEFAULT_PREFIX,
        retention: Retention = Retention(),  # noqa: B008 - frozen, validated settings
        lease: LeaseSettings = LeaseSettings(),  # noqa: B008
        name: str | None = None,
        drain_timeout: float = 10.0,
    ) -> None:
        for what, given in (("tickers", tickers), ("book", book), ("rolling", rolling)):
            if isinstance(given, str):
                raise InvalidArgumentError(f"pass a list of symbols, e.g. {what}=['EURUSD']")
        market = bool(tickers or book or rolling)
        if not (market or messages or data_push_group is not None):
            raise InvalidArgumentError(
                "nothing to relay: give tickers, book, rolling, messages=True or data_push_group"
            )
        if (market or messages) and client is None:
            raise InvalidArgumentError("market data and account pushes need client= (a MultiMarkets factory)")
        if data_push_group is not None and (manager is None or not data_push_group.strip()):
            raise InvalidArgumentError("data_push_group needs manager= (a ManagerClient factory) and a name")
        if drain_timeout <= 0:
            raise InvalidArgumentError(f"drain_timeout must be positive, got {drain_timeout!r}")
        self._nats = nats
        self._client_factory = client if (market or messages) else None
        self._manager_factory = manager if data_push_group is not None else None
        self._company_id = company_id
        self._symbols: dict[MarketKind, list[SymbolLike]] = {
            "tick": list(tickers),
            "book": list(book),
            "rolling": list(rolling),
        }
        self._trade_type = trade_type
        self._messages = messages
        self._message_trade_types = tuple(message_trade_types)
        self._group = data_push_group
        self._prefix = prefix
        self._retention = retention
        self._lease = lease
        self._drain_timeout = drain_timeout
        self.name = name or f"{platform.node() or 'relay'}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        """This relay's name in the lease (what another relay's logs call the holder)."""
        self.stats = RelayStats()
        """What the relay has published, over every period it was active."""
        self.names: RelayNames | None = None
        """The company's NATS names, once ``run()`` knows the company."""
        self._role: RelayRole = "starting"
        self._role_changed: anyio.Event | None = None  # made on first use: needs a running loop
        self._ran = False

    def __repr__(self) -> str:
        return f"<Relay {self.name!r} {self._role}>"

    @property
    def role(self) -> RelayRole:
        """``"starting"``, ``"standby"``, ``"active"`` or ``"stopped"``."""
        return self._role

    async def wait_role(self, role: RelayRole) -> None:
        """Wait until the relay takes ``role`` (at once if it has it now)."""
        while self._role != role:
            await self._changed().wait()

    async def next_role(self) -> RelayRole:
        """Wait for the relay's next role change; the role it took (for status displays)."""
        await self._changed().wait()
        return self._role

    def _changed(self) -> anyio.Event:
        if self._role_changed is None:
            self._role_changed = anyio.Event()
        return self._role_changed

    async def run(self) -> None:
        """Relay until cancelled: connect to NATS, create or update the streams, then wait for the
        lease in standby and relay while active, again and again.

        Raises:
            ConnectError: no NATS server answered (the message names the URLs, credentials masked).
            MultiMarketsError: the platform refused a subscription (an unknown symbol, missing
                credentials), or a subscription failed; the lease is released first.
            RuntimeError: ``run()`` was called before on this relay.

        Failures that may pass (``_relay_lease.retryable``) are not raised: the relay releases the
        lease, waits and tries again.
        """
        if self._ran:
            raise RuntimeError("a Relay runs once; create a new one to run again")
        self._ran = True
        try:
            names = self.names = RelayNames(await self._resolve_company_id(), self._prefix)
            link = await NatsLink.open(self._nats, name=f"multimarkets-relay {self.name}")
            try:
                await ensure_streams(link, names, self._retention)
                lease = await Lease.open(link, names, owner=self.name, settings=self._lease)
                keeper = LeaseKeeper(
                    link=link,
                    names=names,
                    lease=lease,
                    settings=self._lease,
                    retention=self._retention,
                    owner=self.name,
                    on_standby=lambda: self._set_role("standby"),
                )
                outbox = Outbox(
                    Publisher(link, names, self.stats), self.stats, limit=_KEPT_BUFFER, owner=self.name
                )
                why = f"relay {self.name}: drain_timeout ({self._drain_timeout:g} s)"
                try:
                    async with outbox.publishing(drain_timeout=self._drain_timeout, why=why):
                        await self._alternate(_Wiring(link, names, keeper, outbox))
                finally:
                    await keeper.release()  # after the drains (the pumps', then the outbox's): at once
            finally:
                with anyio.CancelScope(shield=True):
                    await link.aclose()
        finally:
            self._set_role("stopped")

    # ------------------------------------------------------------------ roles

    def _set_role(self, role: RelayRole) -> None:
        if role == self._role:
            return
        self._role = role
        if role == "active":
            self.stats.activations += 1
        if role in ("active", "stopped"):
            company = self.names.company_id if self.names is not None else "?"
            logger.info("relay %s: %s (company %s)", self.name, role, company)
        changed, self._role_changed = self._role_changed, None
        if changed is not None:
            changed.set()

    async def _resolve_company_id(self) -> int:
        if self._company_id is not None:
            return self._company_id
        factory = self._client_factory or self._manager_factory
        if factory is None:  # pragma: no cover - __init__ requires one
            raise RuntimeError("a Relay needs a client or a manager factory")
        made = factory()  # not entered: only its settings are read
        try:
            return made.company_id
        finally:
            await made.aclose()

    async def _alternate(self, wiring: _Wiring) -> None:
        """Standby, active, standby ... until cancelled or a failure that cannot pass."""
        keeper = wiring.keeper
        delays = self._retry_delays()
        while True:
            held_since = await keeper.acquire()
            session = _Session()
            try:
                await self._serve(wiring, held_since, session)
            except MultiMarketsError as exc:
                if not retryable(exc):
                    raise
                if session.active:  # it had worked: start the backoff again
                    delays = self._retry_delays()
                await keeper.release()  # another relay may do better meanwhile
                self._set_role("standby")
                delay = next(delays)
                logger.warning(
                    "relay %s: %s (%s: %s); lease released, trying again in %.1f s",
                    self.name,
                    "stopped relaying" if session.active else "could not take over",
                    type(exc).__name__,
                    exc,
                    delay,
                )
                await anyio.sleep(delay)
            else:  # the lease was lost: the platform connections are closed, back to standby
                self._set_role("standby")
                delays = self._retry_delays()

    def _retry_delays(self) -> Iterator[float]:
        interval = self._lease.interval_s
        return backoff_delays(
            initial=interval, maximum=max(_RETRY_MAX_S, interval), multiplier=2.0, rand=random.random
        )

    # ------------------------------------------------------------------ the active period

    async def _serve(self, wiring: _Wiring, held_since: float, session: _Session) -> None:
        """Relay until the lease is lost (then return) or the caller cancels (then re-raise); either
        way, hand what the pumps hold over (kept events to the outbox) first.

        The lease is renewed from the start: entering the clients and subscriptions may take a while.
        """

        async def keep_lease(scope: anyio.CancelScope) -> None:
            why = await wiring.keeper.keep(held_since)
            logger.info("relay %s: gave up the lease (%s); closing the platform connections", self.name, why)
            session.lost = True
            scope.cancel()

        clients: list[MultiMarkets | ManagerClient] = []
        pumps: list[Pump] = []
        try:
            async with AsyncExitStack() as subscriptions:
                try:
                    async with anyio.create_task_group() as tg:
                        tg.start_soon(keep_lease, tg.cancel_scope)
                        await self._start(wiring, clients=clients, pumps=pumps, subscriptions=subscriptions)
                        session.active = True
                        self._set_role("active")
                        for pump in pumps:
                            tg.start_soon(pump.run)
                except BaseExceptionGroup as group:
                    raise first_error(group) from None
                finally:
                    with anyio.move_on_after(self._drain_timeout, shield=True) as drain:
                        # Nothing new arrives once the clients are closed; then hand over what they hold.
                        for client in clients:
                            await client.aclose()
                        for pump in pumps:
                            await pump.hand_over(wiring.outbox.put)
                    if drain.cancelled_caught:
                        why = f"relay {self.name}: drain_timeout ({self._drain_timeout:g} s)"
                        abandon(pumps, wiring.outbox.put, self.stats, why)
        finally:
            wiring.keeper.products = []
            with anyio.CancelScope(shield=True):
                for client in clients:
                    await client.aclose()
        if not session.lost:  # pragma: no cover - pumps only end by raising
            raise RuntimeError("the relay's active period ended without a cause")

    async def _start(
        self,
        wiring: _Wiring,
        *,
        clients: list[MultiMarkets | ManagerClient],
        pumps: list[Pump],
        subscriptions: AsyncExitStack,
    ) -> None:
        """Enter the clients, publish the symbol table, enter the subscriptions and make their pumps
        (the kept ones publish once the outbox is empty: the older events first)."""
        publisher, outbox = wiring.outbox.publisher, wiring.outbox
        if self._client_factory is not None:
            client = self._client_factory()
            clients.append(client)
            await client.__aenter__()
            rows, products = await resolve_products(client, self._symbols, self._trade_type)
            if products:
                await put_products(wiring.link, wiring.names, products)
                wiring.keeper.products = products  # put again after NATS reconnects
            quotes = client.quotes
            if rows["tick"]:
                ticks = quotes.tickers(rows["tick"], maxsize=_MARKET_BUFFER).keep_every_event()
                pumps.append(Pump("tickers", await subscriptions.enter_async_context(ticks), publisher))
            if rows["book"]:
                book = quotes.market(rows["book"], maxsize=_MARKET_BUFFER).keep_every_event()
                pumps.append(Pump("book", await subscriptions.enter_async_context(book), publisher))
            if rows["rolling"]:
                rolling = quotes.rolling_24h(rows["rolling"], maxsize=_MARKET_BUFFER).keep_every_event()
                pumps.append(Pump("rolling_24h", await subscriptions.enter_async_context(rolling), publisher))
            if self._messages:
                pushes = client.messages.subscribe(
                    trade_types=self._message_trade_types, maxsize=_KEPT_BUFFER
                )
                pushes = await subscriptions.enter_async_context(pushes)
                pumps.append(Pump("messages", pushes, publisher, after=outbox.wait_empty))
        if self._manager_factory is not None:
            manager = self._manager_factory()
            clients.append(manager)
            await manager.__aenter__()
            events = manager.data_push.events(group=self._group, maxsize=_KEPT_BUFFER)
            events = await subscriptions.enter_async_context(events)
            pumps.append(Pump("data-push", events, publisher, after=outbox.wait_empty))
