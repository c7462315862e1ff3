"""The ``Relay`` against the simulator and a real NATS server: what it publishes where, exactly once
where it matters, the lease between two relays, a platform reconnect, and NATS missing at start.

What the relay published is read back with plain nats-py: the streams' stored messages (by sequence)
for exactly-once checks, a core subscription for the live market events.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import anyio
import nats
import nats.errors
import nats.js.errors
import pytest
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

import multimarkets_async as mm
from multimarkets_async.errors import ConnectError
from multimarkets_async.relay import _relay as relay_module
from multimarkets_async.relay._payloads import (
    Envelope,
    decode_account,
    decode_datapush,
    decode_market,
    decode_product,
)
from multimarkets_async.relay._relay import Relay
from multimarkets_async.relay._relay_lease import LeaseKeeper
from multimarkets_async.relay._relay_outbox import Outbox
from multimarkets_async.relay._relay_pumps import Publisher, Pump, RelayStats
from multimarkets_async.relay._settings import LeaseSettings, Retention
from multimarkets_async.relay._subjects import RelayNames
from multimarkets_async.testing import NatsServer, Simulator
from tests._support import sim_client, sim_manager

pytestmark = pytest.mark.anyio

_KINDS = {mm.Tick: "tick", mm.DepthBook: "book", mm.Trade: "trade", mm.Rolling24h: "rolling"}

FAST_LEASE = LeaseSettings(ttl_s=4.0, renew_every_s=0.2)
"""A standby tries every 0.2 s; a lease that is not released lasts 4 s (so 'at once' is visible)."""


def make_relay(sim: Simulator, server: NatsServer, prefix: str, **options: Any) -> Relay:
    defaults: dict[str, Any] = {
        "client": lambda: sim_client(sim),
        "manager": lambda: sim_manager(sim),
        "prefix": prefix,
        "lease": FAST_LEASE,
        "drain_timeout": 5.0,
    }
    return Relay(nats=server.url, **(defaults | options))


@asynccontextmanager
async def running(*relays: Relay) -> AsyncIterator[list[anyio.CancelScope]]:
    """Run each relay in a cancel scope of its own (yielded, to stop one); cancel them all at the end."""
    async with anyio.create_task_group() as tg:
        scopes = []
        for relay in relays:
            scope = anyio.CancelScope()
            scopes.append(scope)

            async def run(relay: Relay = relay, scope: anyio.CancelScope = scope) -> None:
                with scope:
                    await relay.run()

            tg.start_soon(run)
        try:
            yield scopes
        finally:
            tg.cancel_scope.cancel()


@asynccontextmanager
async def nats_client(server: NatsServer) -> AsyncIterator[NatsClient]:
    nc = await nats.connect(server.url)
    try:
        yield nc
    finally:
        await nc.close()


async def stored(nc: NatsClient, stream: str) -> list[tuple[str, bytes]]:
    """Every message a stream holds, oldest first."""
    js = nc.jetstream()
    state = (await js.stream_info(stream)).state
    found: list[tuple[str, bytes]] = []
    if not state.messages:
        return found
    for seq in range(state.first_seq, state.last_seq + 1):
        msg = await js.get_msg(stream, seq)
        found.append((msg.subject or "", msg.data or b""))
    return found


async def until(
    condition: Callable[[], Awaitable[bool]], *, step: Callable[[], object] | None = None
) -> None:
    """Poll a real condition (``step`` before each look: move the simulator's prices), for up to 10 s."""
    with anyio.fail_after(10):
        while not await condition():
            if step is not None:
                step()
            await anyio.sleep(0.02)


# -- market data and the symbol table --------------------------------------------------------------


async def test_market_events_arrive_on_their_subjects_as_the_sdk_yields_them(
    nats_server: NatsServer, relay_prefix: str
) -> None:
    async with Simulator() as sim, nats_client(nats_server) as nc, sim_client(sim) as direct:
        names = RelayNames(sim.company_id, relay_prefix)
        relayed: dict[str, dict[object, Any]] = {"tick": {}, "book": {}, "trade": {}, "rolling": {}}
        seen: dict[str, dict[object, Any]] = {"tick": {}, "book": {}, "trade": {}, "rolling": {}}
        subjects: set[str] = set()

        def keep(into: dict[str, dict[object, Any]], event: Any) -> None:
            kind = _KINDS[type(event)]
            key = event if kind == "rolling" else event.seq  # 24 h statistics carry no seq
            if key is not None:  # snapshot trades carry none either
                into[kind][key] = event

        async def on_message(msg: Msg) -> None:
            subjects.add(msg.subject)
            keep(relayed, decode_market(msg.data))

        await nc.subscribe(f"{names.root}.*.>", cb=on_message)
        relay = make_relay(
            sim,
            nats_server,
            relay_prefix,
            tickers=["EURUSD"],
            book=["EURUSD"],
            rolling=["EURUSD"],
            trade_type=2,
        )
        async with (
            running(relay),
            direct.quotes.tickers(["EURUSD"], trade_type=2) as ticks,
            direct.quotes.market(["EURUSD"], trade_type=2) as market,
            direct.quotes.rolling_24h(["EURUSD"], trade_type=2) as rolling,
        ):
            await relay.wait_role("active")

            def take() -> None:
                for events in (ticks, market, rolling):
                    while (event := events.get_nowait()) is not None:
                        keep(seen, event)
                sim.tick()

            async def both_have_the_same_events() -> bool:
                return all(len(set(seen[k]) & set(relayed[k])) >= 3 for k in seen)

            await until(both_have_the_same_events, step=take)
        for kind, events in seen.items():
            common = set(events) & set(relayed[kind])
            assert {key: relayed[kind][key] for key in common} == {key: events[key] for key in common}
        assert subjects == {names.market(kind, 1001, 2) for kind in ("tick", "book", "trade", "rolling")}
        assert relay.stats.published["tick"] >= 3
        assert relay.stats.dropped == 0

        kv = await nc.jetstream().key_value(names.symbols_bucket)
        product = decode_product((await kv.get("1001.2")).value or b"")
        assert (product.symbol, product.symbol_id, product.trade_type) == ("EURUSD", 1001, 2)
        assert product.carried == {"tick", "book", "trade", "rolling"}
        assert relay.role == "stopped"


async def test_ticks_keep_flowing_after_the_platform_drops_the_quote_socket(
    nats_server: NatsServer, relay_prefix: str
) -> None:
    async with Simulator() as sim, nats_client(nats_server) as nc:
        names = RelayNames(sim.company_id, relay_prefix)
        seqs: list[int] = []

        async def on_tick(msg: Msg) -> None:
            tick = decode_market(msg.data)
            assert isinstance(tick, mm.Tick)
            seqs.append(tick.seq)

        await nc.subscribe(names.market("tick", 1001, 2), cb=on_tick)
        relay = make_relay(sim, nats_server, relay_prefix, tickers=["EURUSD"], trade_type=2)
        async with running(relay):
            await relay.wait_role("active")

            async def some() -> bool:
                return bool(seqs)

            await until(some, step=sim.tick)
            first = sim.sockets.quote[0]
            sim.socket_faults.drop_all("quote")
            before = max(seqs)

            async def newer_after_reconnect() -> bool:
                reconnected = any(s is not first for s in sim.sockets.quote)
                return reconnected and max(seqs) > before + 2

            await until(newer_after_reconnect, step=sim.tick)
            assert relay.role == "active"


# -- kept events: account pushes and data-push ------------------------------------------------------


async def test_an_orders_account_pushes_are_stored_once_on_its_trade_type(
    nats_server: NatsServer, relay_prefix: str
) -> None:
    async with Simulator() as sim, nats_client(nats_server) as nc, sim_client(sim) as trader:
        names = RelayNames(sim.company_id, relay_prefix)
        relay = make_relay(sim, nats_server, relay_prefix, messages=True, message_trade_types=[2])
        async with running(relay):
            await relay.wait_role("active")
            await sim.sockets.wait_for(lambda: any(s.trade_types for s in sim.sockets.messages))
            order = await trader.orders.market("EURUSD", side="buy", volume="0.10", trade_type=2)

            async def the_fill_is_stored() -> bool:
                found = await stored(nc, names.account_stream)
                return any(
                    isinstance(e := decode_account(data), mm.TradeEvent) and e.order_id == order.order_id
                    for _, data in found
                )

            await until(the_fill_is_stored)
        messages = await stored(nc, names.account_stream)
        assert {subject for subject, _ in messages} <= {names.account(2), names.account(None)}
        fills = [
            e
            for _, data in messages
            if isinstance(e := decode_account(data), mm.TradeEvent) and e.order_id == order.order_id
        ]
        assert len(fills) == len({(f.trace, f.seq_id, f.biz_type) for f in fills}) >= 1
        assert all(subject == names.account(2) for subject, data in messages if b"TradeEvent" in data)
        assert not any(b'"type":"PongEvent"' in data or b"SubscribeAck" in data for _, data in messages)


async def test_data_push_events_are_stored_once_even_when_the_platform_repeats_them(
    nats_server: NatsServer, relay_prefix: str
) -> None:
    async with Simulator() as sim, nats_client(nats_server) as nc:
        names = RelayNames(sim.company_id, relay_prefix)
        relay = make_relay(sim, nats_server, relay_prefix, data_push_group="relay-once")
        async with running(relay):
            await relay.wait_role("active")
            sim.datapush.duplicate_next(2)
            for n in range(3):
                sim.datapush.emit("kyc", {"id": f"k{n}", "companyId": sim.company_id, "updateTime": 1000 + n})
            deposit = sim.datapush.deposit(1031002, "15")

            async def all_stored() -> bool:
                events = [decode_datapush(data) for _, data in await stored(nc, names.datapush_stream)]
                return any(isinstance(e, mm.DepositEvent) for e in events) and len(events) >= 4

            await until(all_stored)
        messages = await stored(nc, names.datapush_stream)
        events = [decode_datapush(data) for _, data in messages]
        kyc = [e.id for e in events if isinstance(e, mm.KycEvent)]
        assert kyc == ["k0", "k1", "k2"]
        assert [e.id for e in events if isinstance(e, mm.DepositEvent)] == [deposit["id"]]
        assert all(
            subject == names.datapush(e.event_type) for (subject, _), e in zip(messages, events, strict=True)
        )
        assert max(Counter(data for _, data in messages).values()) == 1


# -- the lease ---------------------------------------------------------------------------------------


async def test_a_standby_takes_over_at_once_when_the_active_relay_stops_and_nothing_is_lost(
    nats_server: NatsServer, relay_prefix: str
) -> None:
    async with Simulator() as sim, nats_client(nats_server) as nc:
        names = RelayNames(sim.company_id, relay_prefix)
        first = make_relay(sim, nats_server, relay_prefix, data_push_group="relay-ha", name="first")
        second = make_relay(sim, nats_server, relay_prefix, data_push_group="relay-ha", name="second")

        async def kyc_ids() -> list[str]:
            return [str(decode_datapush(data).id) for _, data in await stored(nc, names.datapush_stream)]

        def emit(n: int) -> None:
            sim.datapush.emit("kyc", {"id": f"h{n}", "companyId": sim.company_id, "updateTime": n})

        async with running(first) as (first_scope,):
            await first.wait_role("active")
            async with running(second):
                await second.wait_role("standby")
                assert first.role == "active"
                await sim.sockets.wait_for(lambda: [s for s in sim.sockets.datapush if s.group == "relay-ha"])
                emit(1)
                emit(2)

                async def two() -> bool:
                    return len(await kyc_ids()) >= 2

                await until(two)  # the platform advanced the group's cursor past them: they must be out
                first_scope.cancel()
                await first.wait_role("stopped")
                stopped_at = anyio.current_time()
                emit(3)  # nobody holds the group now: the platform keeps it for the next connection
                await second.wait_role("active")
                assert anyio.current_time() - stopped_at < FAST_LEASE.ttl_s / 2  # released, not expired
                emit(4)

                async def all_four() -> bool:
                    return len(await kyc_ids()) >= 4

                await until(all_four)
        assert sorted(await kyc_ids()) == ["h1", "h2", "h3", "h4"]
        assert first.stats.activations == second.stats.activations == 1


async def test_a_relay_that_loses_its_lease_closes_the_platform_connections_and_waits(
    nats_server: NatsServer, relay_prefix: str
) -> None:
    async with Simulator() as sim, nats_client(nats_server) as nc:
        names = RelayNames(sim.company_id, relay_prefix)
        lease = LeaseSettings(ttl_s=1.0, renew_every_s=0.1)
        relay = make_relay(sim, nats_server, relay_prefix, tickers=["EURUSD"], trade_type=2, lease=lease)
        async with running(relay):
            await relay.wait_role("active")
            await sim.sockets.wait_for(lambda: sim.sockets.quote)
            kv = await nc.jetstream().key_value(names.lease_bucket)
            await kv.put("active", b"someone-else")  # another writer: the relay's renewal fails
            await relay.wait_role("standby")
            await sim.sockets.wait_for(lambda: not sim.sockets.quote)
            await relay.wait_role("active")  # the foreign entry expired (TTL): the relay takes over again
            await sim.sockets.wait_for(lambda: sim.sockets.quote)
        assert relay.stats.activations == 2


async def test_a_relay_that_gave_up_its_lease_says_standby_even_when_it_takes_it_back_at_once(
    nats_server: NatsServer, relay_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A renewal that fails while the key still holds the relay's own entry (NATS slow to answer): the
    # relay closes its platform connections, and is standby until it holds the lease again.
    from multimarkets_async.relay._nats import Lease

    fail_once = anyio.Event()
    renew = Lease.renew

    async def renew_or_fail(lease: Lease) -> bool:
        if fail_once.is_set():
            return await renew(lease)
        fail_once.set()
        return False

    async with Simulator() as sim:
        relay = make_relay(sim, nats_server, relay_prefix, tickers=["EURUSD"], trade_type=2)
        async with running(relay):
            await relay.wait_role("active")
            monkeypatch.setattr(Lease, "renew", renew_or_fail)
            with anyio.fail_after(10):
                seen = [await relay.next_role(), await relay.next_role()]
        assert seen == ["standby", "active"]
        assert relay.stats.activations == 2


async def test_a_relay_that_cannot_renew_closes_the_platform_connections_before_its_lease_ends() -> None:
    # The lease was last stored when its renewal was *sent* (the answer may come much later), and it ends
    # ttl_s after that: the relay must have given up (and so closed its clients) before then.
    settings = LeaseSettings(ttl_s=1.7, renew_every_s=0.45)

    class _AnswersOnceThenHangs:
        def __init__(self) -> None:
            self.sent: list[float] = []

        async def renew(self) -> bool:
            self.sent.append(anyio.current_time())
            if len(self.sent) > 1:
                await anyio.sleep_forever()
            await anyio.sleep(0.2)  # a slow answer: the server stored the write when it arrived
            return True

    lease = _AnswersOnceThenHangs()
    keeper = LeaseKeeper(
        link=_NoReconnects(),  # type: ignore[arg-type]
        names=RelayNames(7),
        lease=lease,  # type: ignore[arg-type]
        settings=settings,
        retention=Retention(),
        owner="test",
        on_standby=lambda: None,
    )
    with anyio.fail_after(10):
        why = await keeper.keep(held_since=anyio.current_time())
    gave_up_at = anyio.current_time()
    assert why == "NATS did not answer in time"
    assert len(lease.sent) >= 2
    assert gave_up_at <= lease.sent[0] + settings.ttl_s - settings.interval_s / 4


class _NoReconnects:
    reconnects = 0


async def test_the_market_stream_is_made_again_when_nats_restarts_without_it(relay_prefix: str) -> None:
    # A server of this test's own: restarting the session's server would disturb the other tests.
    with NatsServer() as server:
        async with Simulator() as sim:
            names = RelayNames(sim.company_id, relay_prefix)
            relay = make_relay(sim, server, relay_prefix, tickers=["EURUSD"], trade_type=2)

            async def ticks_stored() -> bool:
                try:
                    async with nats_client(server) as nc:
                        return bool(await stored(nc, names.market_stream))
                except nats.errors.Error:  # not there (yet), or the server is restarting
                    return False

            async with running(relay):
                await relay.wait_role("active")
                await until(ticks_stored, step=sim.tick)
                await anyio.to_thread.run_sync(server.restart)  # memory storage: the stream is gone
                await until(ticks_stored, step=sim.tick)
                assert relay.role == "active"
            assert relay.stats.activations == 1


def record_subscriptions(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The platform subscriptions the relay's pumps will take (their ``stats.received`` says what the
    relay took from the platform)."""
    made: list[Any] = []

    class _Recording(Pump):
        def __init__(self, name: str, events: Any, publisher: Publisher, **options: Any) -> None:
            made.append(events)
            super().__init__(name, events, publisher, **options)

    monkeypatch.setattr(relay_module, "Pump", _Recording)
    return made


async def took(made: list[Any], count: int) -> None:
    async def all_received() -> bool:
        received: int = sum(events.stats.received for events in made)
        return received >= count

    await until(all_received)


async def test_kept_events_taken_before_the_lease_was_lost_are_stored_once_when_nats_comes_back(
    relay_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The platform moved the group's cursor past them when it sent them: only the relay has them now.
    made = record_subscriptions(monkeypatch)
    with NatsServer() as server:  # of this test's own: it is stopped and started
        async with Simulator() as sim:
            names = RelayNames(sim.company_id, relay_prefix)
            relay = make_relay(
                sim,
                server,
                relay_prefix,
                data_push_group="outbox",
                lease=LeaseSettings(ttl_s=1.0, renew_every_s=0.1),
            )

            def emit(n: int) -> None:
                sim.datapush.emit("kyc", {"id": f"o{n}", "companyId": sim.company_id, "updateTime": n})

            async def kyc_ids() -> list[str]:
                try:
                    async with nats_client(server) as nc:
                        return [
                            str(decode_datapush(data).id)
                            for _, data in await stored(nc, names.datapush_stream)
                        ]
                except nats.errors.Error:  # the server is starting again
                    return []

            async with running(relay):
                await relay.wait_role("active")
                await sim.sockets.wait_for(lambda: [s for s in sim.sockets.datapush if s.group == "outbox"])
                await anyio.to_thread.run_sync(server.kill)  # the store stays
                for n in range(3):
                    emit(n)
                await took(made, 3)
                await relay.wait_role("standby")  # NATS away longer than the lease: given up
                assert (relay.stats.pending, relay.stats.lost) == (3, 0)
                await anyio.to_thread.run_sync(server.start)  # same port, same store

                async def the_three() -> bool:
                    return len(await kyc_ids()) >= 3

                await until(the_three)  # published by the outbox, whatever the relay's role
                await relay.wait_role("active")
                emit(3)

                async def the_fourth() -> bool:
                    return len(await kyc_ids()) >= 4

                await until(the_fourth)
        assert await kyc_ids() == ["o0", "o1", "o2", "o3"]
    assert (relay.stats.lost, relay.stats.pending, relay.stats.published["datapush"]) == (0, 0, 4)
    assert relay.stats.activations == 2


async def test_kept_events_nats_never_took_are_counted_and_logged_as_lost_when_the_relay_stops(
    relay_prefix: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO, logger="multimarkets_async.relay")
    made = record_subscriptions(monkeypatch)
    with NatsServer() as server:
        async with Simulator() as sim:
            relay = make_relay(
                sim,
                server,
                relay_prefix,
                data_push_group="lost",
                lease=LeaseSettings(ttl_s=1.0, renew_every_s=0.1),
                drain_timeout=0.5,
            )
            async with running(relay):
                await relay.wait_role("active")
                await sim.sockets.wait_for(lambda: [s for s in sim.sockets.datapush if s.group == "lost"])
                await anyio.to_thread.run_sync(server.kill)
                for n in range(3):
                    sim.datapush.emit("kyc", {"id": f"l{n}", "companyId": sim.company_id, "updateTime": n})
                await took(made, 3)
                await relay.wait_role("standby")  # NATS away: the lease cannot be renewed
                assert (relay.stats.pending, relay.stats.lost) == (3, 0)  # losing the lease loses nothing
                assert "3 pending" in relay.stats.summary()
                assert not [r for r in caplog.records if "are lost" in r.getMessage()]
            # Stopped with NATS still away: the outbox had drain_timeout to publish them.
        assert (relay.stats.lost, relay.stats.pending, relay.stats.total) == (3, 0, 0)
        assert relay.stats.summary().endswith("; 0 dropped, 3 lost")
        lost = [r for r in caplog.records if "are lost" in r.getMessage()]
        assert len(lost) == 1
        assert lost[0].levelno == logging.WARNING
        assert "3 received events" in lost[0].getMessage()


# -- failures while taking over ---------------------------------------------------------------------


async def test_a_transient_failure_while_taking_over_releases_the_lease_and_tries_again(
    nats_server: NatsServer, relay_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="multimarkets_async.relay")
    async with Simulator() as sim:
        # Five refusals make the SDK give up entering the subscription (first_connect_attempts); the
        # relay's second take-over meets two more, then a platform that answers.
        refused = sim.socket_faults.refuse_handshakes(7, kind="quote")
        relay = make_relay(sim, nats_server, relay_prefix, tickers=["EURUSD"], trade_type=2)
        async with running(relay):
            await relay.wait_role("active")

            async def ticks_published() -> bool:
                return relay.stats.published["tick"] > 0

            await until(ticks_published, step=sim.tick)
        assert refused.hits == 7
        retries = [r for r in caplog.records if "trying again" in r.getMessage()]
        assert len(retries) == 1
        assert retries[0].levelno == logging.WARNING
        assert "HandshakeError" in retries[0].getMessage()


async def test_an_unknown_symbol_ends_the_run_and_releases_the_lease(
    nats_server: NatsServer, relay_prefix: str
) -> None:
    async with Simulator() as sim, nats_client(nats_server) as nc:
        names = RelayNames(sim.company_id, relay_prefix)
        relay = make_relay(sim, nats_server, relay_prefix, tickers=["NOSUCH"], trade_type=2)
        with anyio.fail_after(15), pytest.raises(mm.InvalidArgumentError):
            await relay.run()
        kv = await nc.jetstream().key_value(names.lease_bucket)
        with pytest.raises(nats.js.errors.KeyNotFoundError):
            await kv.get("active")


async def test_a_data_push_kick_out_ends_the_run_with_one_error_after_releasing_the_lease(
    nats_server: NatsServer, relay_prefix: str
) -> None:
    # Another consumer of the same group keeps kicking the relay's connection off: retrying would fight
    # it for the group, so the relay stops and says why.
    async with Simulator() as sim, nats_client(nats_server) as nc:
        names = RelayNames(sim.company_id, relay_prefix)
        relay = make_relay(sim, nats_server, relay_prefix, data_push_group="kicked")

        async def kick_until_it_stops() -> None:
            await relay.wait_role("active")
            while relay.role == "active":  # polled: the relay drains a while before it stops
                if [s for s in sim.sockets.datapush if s.group == "kicked"]:
                    sim.socket_faults.kick("datapush")
                await anyio.sleep(0.01)

        failure: list[BaseException] = []
        with anyio.fail_after(20):
            async with anyio.create_task_group() as tg:
                tg.start_soon(kick_until_it_stops)
                try:
                    await relay.run()
                except mm.MultiMarketsError as exc:
                    failure.append(exc)
        assert len(failure) == 1
        assert isinstance(failure[0], mm.SessionEndedError)
        assert "kicked out" in str(failure[0])
        kv = await nc.jetstream().key_value(names.lease_bucket)
        with pytest.raises(nats.js.errors.KeyNotFoundError):
            await kv.get("active")


# -- NATS missing ----------------------------------------------------------------------------------


async def test_nats_unreachable_at_start_is_a_connect_error_naming_the_url() -> None:
    with anyio.fail_after(15):
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
        port = listener.extra(anyio.abc.SocketAttribute.local_port)
        await listener.aclose()  # a port nobody listens on
        url = f"nats://127.0.0.1:{port}"
        relay = Relay(nats=url, client=lambda: pytest.fail("no client while NATS is missing"), company_id=7,
                      tickers=["EURUSD"])  # fmt: skip
        with pytest.raises(ConnectError, match=f"127.0.0.1:{port}"):
            await relay.run()
        assert relay.role == "stopped"


def test_a_relay_needs_something_to_relay_and_the_factories_for_it() -> None:
    with pytest.raises(mm.InvalidArgumentError, match="nothing to relay"):
        Relay(client=lambda: pytest.fail("not called"))
    with pytest.raises(mm.InvalidArgumentError, match="client="):
        Relay(tickers=["EURUSD"])
    with pytest.raises(mm.InvalidArgumentError, match="manager="):
        Relay(data_push_group="g")
    with pytest.raises(mm.InvalidArgumentError, match="list of symbols"):
        Relay(client=lambda: pytest.fail("not called"), tickers="EURUSD")


# -- the drain ---------------------------------------------------------------------------------------


class _HeldEvents:
    """A subscription holding ``held`` events: iteration takes the first, then waits forever."""

    def __init__(self, held: list[Any]) -> None:
        self.held = held

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        yield self.held.pop(0)
        await anyio.sleep_forever()
        yield self.held.pop(0)  # pragma: no cover

    def get_nowait(self) -> Any:
        return self.held.pop(0) if self.held else None


class _StuckLink:
    """A NATS link whose first publish never completes (until cancelled); it records the others."""

    def __init__(self) -> None:
        self.published: list[str] = []
        self.first_in_flight = anyio.Event()

    async def publish(self, subject: str, payload: bytes, *, msg_id: str) -> None:
        if not self.first_in_flight.is_set():
            self.first_in_flight.set()
            await anyio.sleep_forever()
        self.published.append(msg_id)

    async def publish_acked(self, subject: str, payload: bytes, *, msg_id: str, timeout: float) -> bool:
        await self.publish(subject, payload, msg_id=msg_id)
        return True


def _kept(name: str) -> Envelope:
    return Envelope(f"x.datapush.{name}", b"{}", f"d:{name}", True)


class _GatedPublisher:
    """Stands for ``Publisher``: encodes a string as a kept envelope; each publish starts (recorded),
    waits until ``gate`` is set, then is done (recorded)."""

    def __init__(self) -> None:
        self.gate = anyio.Event()
        self.started: list[str] = []
        self.published: list[str] = []

    def encode(self, event: str) -> Envelope:
        return _kept(event)

    async def publish(self, envelope: Envelope) -> None:
        self.started.append(envelope.msg_id)
        await self.gate.wait()
        self.published.append(envelope.msg_id)


def _ticks(*seqs: int) -> list[mm.Tick]:
    one, two, zero = Decimal(1), Decimal(2), Decimal(0)
    return [mm.Tick(1001, 2, 1, seq, 1_700_000_000_000 + seq, one, one, two, zero, zero) for seq in seqs]


async def test_a_cancelled_market_pump_hands_over_by_publishing_the_event_in_hand_then_what_it_holds() -> (
    None
):
    ticks = _ticks(1, 2, 3)
    link = _StuckLink()
    stats = RelayStats()
    pump = Pump("tickers", _HeldEvents(list(ticks)), Publisher(link, RelayNames(7), stats))  # type: ignore[arg-type]
    kept: list[Envelope] = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(pump.run)
        await link.first_in_flight.wait()
        tg.cancel_scope.cancel()
    await pump.hand_over(kept.append)
    assert link.published == [f"t:1001:2:{t.seq}:{t.time_ms}" for t in ticks]
    assert stats.published["tick"] == 3
    assert kept == []  # market events never wait in the outbox


async def test_a_cancelled_kept_pump_hands_the_event_in_hand_and_what_it_holds_to_the_outbox_in_order() -> (
    None
):
    publisher = _GatedPublisher()
    pump = Pump("data-push", _HeldEvents(["a", "b", "c"]), publisher)  # type: ignore[arg-type]
    kept: list[Envelope] = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(pump.run)
        await anyio.wait_all_tasks_blocked()  # "a" is in hand: its publish waits for NATS
        assert publisher.started == ["d:a"]
        tg.cancel_scope.cancel()
    await pump.hand_over(kept.append)
    assert kept == [_kept("a"), _kept("b"), _kept("c")]
    assert publisher.published == []
    assert pump.abandon(kept.append) == 0  # nothing left


async def test_the_outbox_publishes_oldest_first_and_kept_pumps_wait_until_it_is_empty() -> None:
    publisher = _GatedPublisher()
    stats = RelayStats()
    outbox = Outbox(publisher, stats, limit=10, owner="test")  # type: ignore[arg-type]
    outbox.put(_kept("old1"))
    outbox.put(_kept("old2"))
    assert stats.pending == 2
    pump = Pump("data-push", _HeldEvents(["new1", "new2"]), publisher, after=outbox.wait_empty)  # type: ignore[arg-type]
    async with anyio.create_task_group() as tg:
        tg.start_soon(outbox.run)
        tg.start_soon(pump.run)
        await anyio.wait_all_tasks_blocked()
        assert publisher.started == ["d:old1"]  # the pump does not publish while the outbox holds events
        publisher.gate.set()

        async def all_four() -> bool:
            return len(publisher.published) == 4

        await until(all_four)
        tg.cancel_scope.cancel()
    assert publisher.published == ["d:old1", "d:old2", "d:new1", "d:new2"]
    assert (stats.pending, len(outbox)) == (0, 0)


async def test_a_full_outbox_drops_its_oldest_waiting_event_counts_it_lost_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="multimarkets_async.relay")
    publisher = _GatedPublisher()
    stats = RelayStats()
    outbox = Outbox(publisher, stats, limit=2, owner="test")  # type: ignore[arg-type]
    async with anyio.create_task_group() as tg:
        tg.start_soon(outbox.run)
        outbox.put(_kept("a"))
        await anyio.wait_all_tasks_blocked()
        assert publisher.started == ["d:a"]  # in flight: it may be stored already, so it stays
        for name in ("b", "c", "d"):
            outbox.put(_kept(name))
        assert (stats.pending, stats.lost) == (2, 2)  # b and c pushed out
        publisher.gate.set()
        await outbox.wait_empty()
        tg.cancel_scope.cancel()
    assert publisher.published == ["d:a", "d:d"]
    assert stats.pending == 0
    warnings = [r for r in caplog.records if "oldest are dropped" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    with pytest.raises(ValueError, match="market events"):
        outbox.put(Envelope("x.tick.1.2", b"{}", "t:1", False))


async def test_an_outbox_publish_cut_short_is_published_again_with_the_same_message_id() -> None:
    link = _StuckLink()
    stats = RelayStats()
    outbox = Outbox(Publisher(link, RelayNames(7), stats), stats, limit=10, owner="test")  # type: ignore[arg-type]
    outbox.put(Envelope("multimarkets.7.datapush.kyc", b"{}", "d:kyc:1", True))
    outbox.put(Envelope("multimarkets.7.datapush.kyc", b"{}", "d:kyc:2", True))
    async with anyio.create_task_group() as tg:
        tg.start_soon(outbox.run)
        await link.first_in_flight.wait()
        tg.cancel_scope.cancel()  # a stop in the middle of the first publish
    assert len(outbox) == 2
    with anyio.fail_after(5):
        await outbox.drain()
    assert link.published == ["d:kyc:1", "d:kyc:2"]
    assert (stats.published["datapush"], stats.pending, outbox.abandon("unused")) == (2, 0, 0)
