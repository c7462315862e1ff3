"""Streams from the simulator through injected faults: the consumer sees data (and, when it opts in,
connection events) and nothing else."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import anyio
import pytest

import multimarkets_async as mm
from multimarkets_async.testing import Simulator
from tests._support import EURUSD, XAUUSD, next_item, sim_client

pytestmark = pytest.mark.anyio

ORDER = "tradeapi.app.OrderApiService.addMarketOrder"
FAST_HEARTBEAT = mm.StreamSettings(
    quote_ping_interval=0.1, quote_dead_after=0.5, msg_ping_interval=0.1, msg_dead_after=0.5
)


def client_for(sim: Simulator, **options: Any) -> mm.MultiMarkets:
    """A client of the simulator with fast heartbeats (``sim_client`` options otherwise)."""
    return sim_client(sim, **{"streams": FAST_HEARTBEAT} | options)


async def place_order(client: mm.MultiMarkets, sim: Simulator) -> dict[str, Any]:
    info = mm.CustomerProfile.model_validate(
        await client.call("customer.app.CustomerWebApiService.findCustomerInfo")
    )
    account = info.account(trade_type=2)
    quote = sim.exchange.market.get(1001)
    assert quote is not None
    body = {
        "tradeType": 2, "symbolId": 1001, "accountId": account.account_id,
        "accountCurrency": account.currency, "accountDigits": account.digits, "bizType": 1, "direction": 1,
        "entryType": 1, "crossLevelNum": 100, "requestNum": "0.10",
        "requestPrice": str(int((quote.mid * 10**5).to_integral_value())), "requestTime": sim.now_ms(),
    }  # fmt: skip
    result: dict[str, Any] = await client.call(ORDER, body)
    return result


async def test_tickers_by_name_stream_from_the_guest_endpoint() -> None:
    async with Simulator() as sim, client_for(sim, signed=False) as client:
        async with client.quotes.tickers(["EURUSD"], trade_type=2) as ticks:
            (session,) = sim.sockets.quote
            assert session.guest
            assert session.tickers == [(1001, 2, 1)]
            first = await next_item(ticks, sim)
            assert isinstance(first, mm.Tick)
            assert first.key == EURUSD
            assert first.bid < first.ask


async def test_logged_in_client_uses_its_token_on_quote() -> None:
    async with Simulator() as sim, client_for(sim, signed=False) as client:
        await client.login(login_name=sim.login_name, password=sim.password)
        async with client.quotes.tickers([EURUSD]) as ticks:
            (session,) = sim.sockets.quote
            assert not session.guest
            assert isinstance(await next_item(ticks, sim), mm.Tick)


async def test_a_dropped_connection_resumes_with_the_same_subscriptions() -> None:
    async with Simulator() as sim, client_for(sim) as client:
        async with client.quotes.tickers([EURUSD, XAUUSD], connection_events=True) as ticks:
            await next_item(ticks, sim)
            sim.socket_faults.drop_all("quote")
            replayed = await sim.sockets.wait_for(
                lambda: [
                    s for s in sim.sockets.quote if not s.closed and s.tickers == [(1001, 2, 1), (1002, 2, 1)]
                ]
            )
            assert replayed
            kinds = []
            with anyio.fail_after(5):
                while len(kinds) < 2:
                    item = await next_item(ticks, sim)
                    if isinstance(item, mm.ConnectionEvent):
                        kinds.append(item.kind)
            assert kinds == [mm.ConnectionEventKind.DISCONNECTED, mm.ConnectionEventKind.RECONNECTED]
            assert isinstance(await next_item(ticks, sim), mm.Tick | mm.ConnectionEvent)
            assert client.quotes.connections[0].stats.reconnects == 1


async def test_a_silent_peer_is_detected_within_interval_plus_timeout() -> None:
    async with Simulator() as sim, client_for(sim) as client:
        async with client.quotes.tickers([EURUSD]):
            (first,) = sim.sockets.quote
            with sim.socket_faults.go_silent("quote"):
                started = anyio.current_time()
                await sim.sockets.wait_for(lambda: first.closed, timeout=5)  # the client gave up on it
                detected = anyio.current_time() - started
            # dead_after 0.5 s + one ping interval 0.1 s, plus scheduling slack on a shared machine
            assert detected < 0.5 + 0.1 + 1.0
            await sim.sockets.wait_for(lambda: [s for s in sim.sockets.quote if s.tickers == [(1001, 2, 1)]])


async def test_a_subscriber_leaving_resends_the_merged_list() -> None:
    async with Simulator() as sim, client_for(sim) as client:
        async with client.quotes.tickers([EURUSD]):
            async with client.quotes.tickers([XAUUSD, EURUSD]):
                assert sim.sockets.quote[0].tickers == [(1001, 2, 1), (1002, 2, 1)]
            await sim.sockets.wait_for(lambda: sim.sockets.quote[0].tickers == [(1001, 2, 1)])
        await sim.sockets.wait_for(lambda: sim.sockets.quote[0].tickers == [])


async def test_a_slow_consumer_gets_the_latest_tick_per_product() -> None:
    async with Simulator() as sim, client_for(sim) as client:
        async with client.quotes.tickers([EURUSD]) as ticks:
            await next_item(ticks, sim)
            session = sim.sockets.quote[0]
            before = session.frames_sent
            sim.tick(steps=20)
            await sim.sockets.wait_for(lambda: session.frames_sent >= before + 20)
            await client.quotes.connections[0].wait_open(1)
            await anyio.wait_all_tasks_blocked()
            latest = await ticks.__anext__()
            assert isinstance(latest, mm.Tick)
            assert latest.seq == sim.exchange.market.get(1001).seq  # type: ignore[union-attr]
            assert ticks.stats.replaced >= 10
            assert ticks.get_nowait() is None


async def test_malformed_frames_are_skipped_and_counted() -> None:
    async with Simulator() as sim, client_for(sim) as client:
        async with client.quotes.tickers([EURUSD]) as ticks:
            await next_item(ticks, sim)
            sim.socket_faults.send_malformed(2, kind="quote")
            assert isinstance(await next_item(ticks, sim), mm.Tick)
            manager = client.quotes.connections[0]
            assert manager.stats.malformed >= 1
            assert manager.stats.reconnects == 0


async def test_refused_handshakes_are_retried_with_backoff() -> None:
    async with Simulator() as sim, client_for(sim) as client:
        handle = sim.socket_faults.refuse_handshakes(2, kind="quote")
        async with client.quotes.tickers([EURUSD]) as ticks:
            assert handle.hits == 2
            assert isinstance(await next_item(ticks, sim), mm.Tick)


async def test_a_stream_that_never_opens_raises_after_the_first_connect_attempts() -> None:
    policy = mm.ReconnectPolicy(initial_delay=0.01, max_delay=0.05, first_connect_attempts=3)
    async with Simulator() as sim, client_for(sim, reconnect=policy) as client:
        handle = sim.socket_faults.refuse_handshakes(10, kind="quote")
        with anyio.fail_after(5), pytest.raises(mm.HandshakeError, match="503"):
            async with client.quotes.tickers([EURUSD]):
                pass
        assert handle.hits == 3
        assert client.quotes.connections == []


async def test_klines_over_the_socket() -> None:
    async with Simulator() as sim, client_for(sim) as client:
        bars = await client.quotes.klines(EURUSD, kline_type=mm.KlineType.MIN_1, count=30)
        assert len(bars) == 30
        assert all(isinstance(bar, mm.Kline) for bar in bars)
        assert [bar.time_ms for bar in bars] == sorted(bar.time_ms for bar in bars)
        batch = await client.quotes.batch_klines([EURUSD, XAUUSD], count=5)
        assert {key: len(v) for key, v in batch.items()} == {EURUSD: 5, XAUUSD: 5}


async def test_an_order_placed_over_http_arrives_as_a_typed_push() -> None:
    async with Simulator() as sim, client_for(sim) as client:
        async with client.messages.subscribe(trade_types=[2]) as events:
            await sim.sockets.wait_for(lambda: sim.sockets.messages and sim.sockets.messages[0].trade_types)
            filled = await place_order(client, sim)
            with anyio.fail_after(5):
                async for event in events:
                    if isinstance(event, mm.TradeEvent):
                        break
            assert event.order_id == filled["orderId"]
            assert event.biz_type == mm.TradeBizType.POSITION_OPEN
            assert event.trade_type == 2
            assert event.timestamp_ms is not None
            assert event.deal_execute_time_ms is not None
            # Every field the simulator sends is typed: each wire key has its snake_case field (times
            # with their unit).
            assert event.content is not None
            typed = {field.name for field in dataclasses.fields(event)}
            for key in [*event.content, *event.param_map]:
                name = "margin" if key == "Margin" else re.sub(r"([A-Z])", r"_\1", key).lower()
                assert {"deal_execute_time": "deal_execute_time_ms", "date": "date_ms"}.get(
                    name, name
                ) in typed


async def test_private_messages_survive_a_reconnect_with_a_fresh_token() -> None:
    async with Simulator() as sim, client_for(sim) as client:
        async with client.messages.subscribe(trade_types=[2], connection_events=True) as events:
            await sim.sockets.wait_for(lambda: sim.sockets.messages and sim.sockets.messages[0].trade_types)
            (first,) = sim.sockets.messages
            sim.socket_faults.drop_all("messages")
            await sim.sockets.wait_for(
                lambda: [s for s in sim.sockets.messages if s is not first and s.trade_types == {2}]
            )
            filled = await place_order(client, sim)
            seen: list[object] = []
            with anyio.fail_after(5):
                async for event in events:
                    seen.append(event)
                    if isinstance(event, mm.TradeEvent):
                        break
            assert seen[-1].order_id == filled["orderId"]
            assert [e.kind for e in seen if isinstance(e, mm.ConnectionEvent)] == [
                mm.ConnectionEventKind.DISCONNECTED,
                mm.ConnectionEventKind.RECONNECTED,
            ]
            assert len(sim.push_tokens) == 2  # each connect fetched its own token


async def test_private_messages_are_never_dropped_silently() -> None:
    async with Simulator() as sim, client_for(sim) as client:
        async with client.messages.subscribe(trade_types=[2], maxsize=2) as events:
            await sim.sockets.wait_for(lambda: sim.sockets.messages and sim.sockets.messages[0].trade_types)
            await place_order(client, sim)  # a trade push and two notices: more than 2
            with anyio.fail_after(5):
                while not events.closed:  # noqa: ASYNC110 - the consumer is away until the buffer overflows
                    await anyio.sleep(0.005)
                received = [await events.__anext__(), await events.__anext__()]
                assert all(isinstance(e, mm.MessageEvent) for e in received)
                with pytest.raises(mm.SlowConsumerError, match="never drops"):
                    await events.__anext__()


async def test_a_refused_push_session_fails_the_subscription_with_a_typed_error() -> None:
    async with Simulator() as sim, client_for(sim) as client:
        sim.socket_faults.reject_tokens()
        async with client.messages.subscribe(trade_types=[2]) as events:
            with anyio.fail_after(5), pytest.raises(mm.SessionEndedError, match="subscribe_fail"):
                await events.__anext__()


async def test_leaving_the_client_closes_every_socket_cleanly() -> None:
    async with Simulator() as sim:
        async with client_for(sim) as client:
            async with client.quotes.tickers([EURUSD]), client.messages.subscribe():
                await sim.sockets.wait_for(lambda: len(sim.sockets.live()) == 2)
        await sim.sockets.wait_for(lambda: not sim.sockets.live())


async def test_a_subscriber_joining_while_the_replay_waits_for_a_reply_is_sent() -> None:
    async with Simulator() as sim, client_for(sim) as client:
        await client.symbols.resolve([EURUSD, XAUUSD])
        held = sim.socket_faults.delay_replies(30, kind="quote", times=1)
        async with anyio.create_task_group() as tg:
            first_entered = anyio.Event()

            async def first() -> None:
                async with client.quotes.tickers([EURUSD]):
                    first_entered.set()
                    await anyio.sleep_forever()

            tg.start_soon(first)
            with anyio.fail_after(5):
                await held.wait_hit()  # the first subscribe frame is on the wire, its reply held
            async with client.quotes.tickers([XAUUSD]) as gold:
                held.release()
                await sim.sockets.wait_for(
                    lambda: [s for s in sim.sockets.quote if s.tickers == [(1001, 2, 1), (1002, 2, 1)]]
                )
                with anyio.fail_after(5):
                    await first_entered.wait()
                    while True:
                        tick = await next_item(gold, sim)
                        if isinstance(tick, mm.Tick) and tick.key == XAUUSD:
                            break
            tg.cancel_scope.cancel()


async def test_a_connection_that_gave_up_is_replaced_for_the_next_subscriber() -> None:
    async with Simulator() as sim, client_for(sim) as client:
        async with client.quotes.tickers([EURUSD]) as ticks:
            await next_item(ticks, sim)
            sim.socket_faults.refuse_handshakes(5, status=401, kind="quote")
            sim.socket_faults.drop_all("quote")
            with anyio.fail_after(5), pytest.raises(mm.HandshakeError, match="401"):
                async for _ in ticks:
                    pass
        assert client.quotes.connections == []
        sim.socket_faults.clear()
        async with client.quotes.tickers([EURUSD]) as again:
            assert isinstance(await next_item(again, sim), mm.Tick)


async def test_a_push_session_that_ended_is_replaced_for_the_next_subscriber() -> None:
    async with Simulator() as sim, client_for(sim) as client:
        sim.socket_faults.reject_tokens()
        async with client.messages.subscribe(trade_types=[2]) as events:
            with anyio.fail_after(5), pytest.raises(mm.SessionEndedError):
                await events.__anext__()
        sim.socket_faults.clear()
        async with client.messages.subscribe(trade_types=[2]) as events:
            await sim.sockets.wait_for(lambda: [s for s in sim.sockets.messages if not s.closed])
            await place_order(client, sim)
            with anyio.fail_after(5):
                assert isinstance(await events.__anext__(), mm.MessageEvent)
