"""Streams fail loudly and recover, against the simulator's socket faults: a refused subscriber raises
and leaves the others alone, a lost quote session reconnects, a kicked message session ends, and two
data-push consumers of one group stop kicking each other out."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from websockets.asyncio.server import ServerConnection, serve

import multimarkets_async as mm
from multimarkets_async._ws import WebsocketsBackend, is_fatal
from multimarkets_async.protocol.dialects import MessageDialect, QuoteDialect
from multimarkets_async.testing import Simulator
from tests._support import EURUSD, XAUUSD, next_item, sim_client, sim_manager

pytestmark = pytest.mark.anyio

FAST_HEARTBEAT = mm.StreamSettings(quote_ping_interval=0.1, msg_ping_interval=0.1)


async def test_a_refused_joiner_raises_and_the_others_keep_streaming() -> None:
    async with Simulator() as sim, sim_client(sim, streams=FAST_HEARTBEAT) as client:
        async with client.quotes.tickers([EURUSD]) as ticks:
            (session,) = sim.sockets.quote
            refusal = sim.socket_faults.fail_quote_commands(14000, ret=202, msg="invalid symbol_list")
            with pytest.raises(mm.ValidationError, match="invalid symbol_list") as info:
                async with client.quotes.tickers([XAUUSD]):
                    pytest.fail("a refused subscription must not be entered")
            assert info.value.code == "202"
            assert refusal.hits == 1
            # Its keys left the merged list: the list re-sent after it is the first subscriber's alone.
            await sim.sockets.wait_for(lambda: len(session.received) >= 3)
            assert session.received[-1]["data"]["symbol_list"] == [
                {"symbol_id": 1001, "trade_type": 2, "trade_mode": 1}
            ]
            assert (await next_item(ticks, sim, kind=mm.Tick)).key == EURUSD
            # A reconnect replays only what is still wanted, so it does not fail the others.
            sim.socket_faults.drop_all("quote")
            fresh = await sim.sockets.wait_for(lambda: [s for s in sim.sockets.quote if s is not session])
            await sim.sockets.wait_for(lambda: fresh[0].tickers == [(1001, 2, 1)])
            assert (await next_item(ticks, sim, kind=mm.Tick)).key == EURUSD
            assert not ticks.closed


async def test_a_lost_quote_session_reconnects_and_resubscribes() -> None:
    async with Simulator() as sim, sim_client(sim, streams=FAST_HEARTBEAT) as client:
        async with client.quotes.tickers([EURUSD], connection_events=True) as ticks:
            (first,) = sim.sockets.quote
            lost = sim.socket_faults.fail_quote_commands(14008, ret=203, msg="client_ip_port is not exist")
            kinds = []
            with anyio.fail_after(5):
                async for item in ticks:
                    if isinstance(item, mm.ConnectionEvent):
                        kinds.append(item.kind)
                        if item.kind is mm.ConnectionEventKind.RECONNECTED:
                            break
            assert kinds == [mm.ConnectionEventKind.DISCONNECTED, mm.ConnectionEventKind.RECONNECTED]
            assert lost.hits == 1
            assert "client_ip_port is not exist" in str(client.quotes.connections[0].stats.last_error)
            fresh = await sim.sockets.wait_for(lambda: [s for s in sim.sockets.quote if s is not first])
            await sim.sockets.wait_for(lambda: fresh[0].tickers == [(1001, 2, 1)])
            assert first.closed
            assert (await next_item(ticks, sim, kind=mm.Tick)).key == EURUSD


async def test_a_kick_notice_ends_the_message_session() -> None:
    async with Simulator() as sim, sim_client(sim, streams=FAST_HEARTBEAT) as client:
        async with client.messages.subscribe(trade_types=[2]) as messages:
            await sim.sockets.wait_for(lambda: sim.sockets.messages and sim.sockets.messages[0].trade_types)
            (session,) = sim.sockets.messages
            assert sim.socket_faults.kick("messages") == 1
            with anyio.fail_after(5), pytest.raises(mm.SessionEndedError, match="kicked"):
                async for _ in messages:
                    pass
            # The session is over: the client closed it and did not log in again.
            await sim.sockets.wait_for(lambda: session.closed)
            assert not sim.sockets.messages


async def test_two_consumers_of_one_group_stop_kicking_each_other_out() -> None:
    streams = mm.StreamSettings(datapush_max_kicks=3, datapush_kick_window=60)
    async with (
        Simulator() as sim,
        sim_manager(sim, streams=streams) as first,
        sim_manager(sim, streams=streams) as second,
    ):
        errors: list[BaseException] = []
        failed = anyio.Event()

        async def consume(manager: mm.ManagerClient) -> None:
            try:
                async with manager.data_push.events(group="cats") as events:
                    async for _ in events:
                        pass
            except mm.MultiMarketsError as exc:
                errors.append(exc)
                failed.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(consume, first)
            await sim.sockets.wait_for(lambda: sim.sockets.datapush)
            tg.start_soon(consume, second)
            with anyio.fail_after(10):
                await failed.wait()
            # The first to reach the limit gives up; the other keeps the group's connection.
            (error,) = errors
            assert isinstance(error, mm.SessionEndedError)
            assert "one connection per consumer group" in str(error)
            assert "'cats'" in str(error)
            (survivor,) = await sim.sockets.wait_for(lambda: sim.sockets.datapush)
            assert not survivor.kicked
            kicked = [s for s in sim.sockets.history if getattr(s, "kicked", False)]
            assert 3 <= len(kicked) <= 6  # a few rounds, not forever
            tg.cancel_scope.cancel()
        assert len(errors) == 1


async def test_one_kick_out_is_survived() -> None:
    async with Simulator() as sim, sim_manager(sim) as manager:
        async with manager.data_push.events(group="cats", connection_events=True) as events:
            await sim.sockets.wait_for(lambda: sim.sockets.datapush)
            (first,) = sim.sockets.datapush
            assert sim.socket_faults.kick("datapush") == 1
            with anyio.fail_after(5):
                kinds = [(await events.__anext__()).kind for _ in range(2)]  # type: ignore[union-attr]
            assert kinds == [mm.ConnectionEventKind.DISCONNECTED, mm.ConnectionEventKind.RECONNECTED]
            assert first.kicked
            assert not events.closed


@pytest.mark.parametrize("backend_name", ["websockets", "picows"])
async def test_the_servers_close_code_reaches_the_error(backend_name: str) -> None:
    # The data-push kick-out rule reads it: a close frame with a code is a kick unless it means an outage.
    if backend_name == "picows":
        pytest.importorskip("picows")
        backend: Any = mm.PicowsBackend()
    else:
        backend = WebsocketsBackend()

    async def handler(ws: ServerConnection) -> None:
        await ws.close(4001, "kicked out by a newer connection of the same group")

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        conn = await backend.connect(f"ws://127.0.0.1:{port}", headers={}, open_timeout=5)
        try:
            with anyio.fail_after(5), pytest.raises(mm.TransportError) as info:
                await conn.recv()
        finally:
            await conn.close()
    assert info.value.code == "4001"


def test_ret_203_on_any_reply_ends_the_quote_connection_but_not_for_good() -> None:
    dialect = QuoteDialect(new_ext=lambda: "x")
    for cmd_id in (14009, 14001):
        frame = json.dumps({"ret": 203, "msg": "client_ip_port is not exist", "cmd_id": cmd_id, "seq_id": 7})
        inbound = dialect.decode(frame)
        assert not inbound.pong
        assert isinstance(inbound.session_error, mm.ProtocolError)
        assert inbound.correlation == 7
        assert not is_fatal(inbound.session_error)  # the reconnect loop reconnects and resubscribes


@pytest.mark.parametrize(("update_type", "ends"), [(4, True), (1, False), (None, False)])
def test_only_a_logout_notice_ends_the_message_session(update_type: int | None, ends: bool) -> None:
    dialect = MessageDialect(new_trace=lambda: "t", now_ms=lambda: 0)
    content = {"tradeType": 2, "updateType": update_type, "show": 1}
    inbound = dialect.decode(json.dumps({"msgCode": "notice", "seqId": 3, "content": content}))
    if ends:
        assert isinstance(inbound.session_error, mm.SessionEndedError)
        assert is_fatal(inbound.session_error)
        assert (inbound.events, inbound.correlation) == ((), None)
    else:
        assert inbound.session_error is None
        assert len(inbound.events) == 1
