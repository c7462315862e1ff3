"""The simulator's sockets, driven with raw ``websockets`` clients: the wire a correct SDK must speak."""

# The plugin's `simulator` fixture is imported below; test parameters of that name shadow it on purpose.
# ruff: noqa: F811

from __future__ import annotations

import json
import urllib.parse
import zlib
from decimal import Decimal
from typing import Any

import anyio
import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from multimarkets_async.errors import ProtocolError
from multimarkets_async.models.market import DepthBook, Kline, Rolling24h, Tick, Trade
from multimarkets_async.models.push import (
    AccountUpdate,
    NoticeEvent,
    PongEvent,
    SubscribeAck,
    SubscribeFailed,
    TradeEvent,
)
from multimarkets_async.protocol import crypto, envelope, quote
from multimarkets_async.protocol.messages import decode_message
from multimarkets_async.testing import Simulator
from multimarkets_async.testing.pytest_plugin import simulator  # noqa: F401  (the plugin's fixture)
from tests._support import signed_headers, wire_headers, wire_order

pytestmark = pytest.mark.anyio

FIXED_MS = 1_700_000_000_000  # 2023-11-14T22:13:20Z
LOGIN = "customer.app.CustomerWebApiService.login"
ORDER = "tradeapi.app.OrderApiService.addMarketOrder"
INFO = "customer.app.CustomerWebApiService.findCustomerInfo"
PARAM_MAP_KEYS = {
    "orderId", "positionId", "dealId", "pendingId", "orderStatus", "orderType", "orderBizType", "direction",
    "orderDirection", "dealPrice", "dealExecutePrice", "dealAmount", "requestAmount", "dealExecuteNum",
    "sourceExecuteVol", "sourceExecuteVolSum", "contractSize", "symbolDigits", "symbolId", "symbolName",
    "accountCurrency", "currency", "commission", "Margin", "date", "dealExecuteTime", "source", "playType",
    "takeProfitMsg", "stopLossMsg", "accountId", "companyId",
}  # fmt: skip


# ---------------------------------------------------------------------------- helpers


def qframe(cmd_id: int, seq_id: int, data: dict[str, Any], ext: str | None = None) -> str:
    return json.dumps({"cmd_id": cmd_id, "seq_id": seq_id, "ext": ext or f"ext-{seq_id}", "data": data})


def sym(symbol_id: int, trade_type: int, trade_mode: int = 1, **extra: Any) -> dict[str, Any]:
    return {"symbol_id": symbol_id, "trade_type": trade_type, "trade_mode": trade_mode, **extra}


def inflate(frame: bytes) -> dict[str, Any]:
    text = zlib.decompress(frame).decode("ascii")
    assert not text.startswith("{")  # percent-encoded, as the H5 client expects
    return dict(json.loads(urllib.parse.unquote(text)))


async def recv(ws: ClientConnection) -> str | bytes:
    with anyio.fail_after(5):
        return await ws.recv()


async def recv_json(ws: ClientConnection) -> dict[str, Any]:
    frame = await recv(ws)
    return inflate(frame) if isinstance(frame, bytes) else dict(json.loads(frame))


async def until_reply(ws: ClientConnection, cmd_id: int) -> tuple[list[str], dict[str, Any], str | bytes]:
    """Collect frames up to the reply ``cmd_id``: (pushes before it, the reply as JSON, the raw reply)."""
    pushes: list[str] = []
    while True:
        frame = await recv(ws)
        if isinstance(frame, bytes) or frame.startswith("{"):
            reply = inflate(frame) if isinstance(frame, bytes) else json.loads(frame)
            if reply["cmd_id"] == cmd_id:
                return pushes, reply, frame
        else:
            pushes.append(frame)


async def heartbeat(ws: ClientConnection, seq_id: int) -> list[str]:
    """Send 14008 and return the pushes queued before its reply (replies and pushes share one queue)."""
    await ws.send(qframe(14008, seq_id, {}))
    pushes, reply, _ = await until_reply(ws, 14009)
    assert reply["seq_id"] == seq_id
    return pushes


async def open_call(http: httpx.AsyncClient, sim: Simulator, biz_type: str, body: dict[str, Any]) -> Any:
    env = (
        await http.post(f"/openapi-c/global/{biz_type}", headers=signed_headers(sim, body), json=body)
    ).json()
    assert env["code"] == "0", env
    return env["data"]


async def client_login(http: httpx.AsyncClient, sim: Simulator) -> str:
    body = {"type": 1, "loginName": sim.login_name, "loginPwd": crypto.md5_password(sim.password),
            "device": 1, "isThird": False}  # fmt: skip
    env = (await http.post(f"/api/login/{LOGIN}", headers=wire_headers(sim), json=body)).json()
    assert env["code"] == "0", env
    return str(env["data"]["token"])


def rpc_request(
    sim: Simulator, biz_type: str, trace_id: str, *, body: dict[str, Any] | None = None, **extra: Any
) -> str:
    return envelope.encode_socket_request(
        biz_type=biz_type, body=body or {}, trace=trace_id, timestamp_ms=sim.now_ms(),
        company_id=sim.company_id, lang="en-US", **extra,
    )  # fmt: skip


def msg_frame(kind: str, token: str, seq_id: int, data: dict[str, Any] | None = None) -> str:
    frame: dict[str, Any] = {"head": {"msgType": kind, "token": token, "sendTime": 1, "lang": "en-US"}}
    if data is not None:
        frame["data"] = data
    frame.update(device=1, seqId=seq_id, trace=f"x-1-{seq_id}")
    return json.dumps(frame)


async def msg_session(sim: Simulator, token: str, trade_types: str) -> ClientConnection:
    ws = await connect(f"{sim.ws_base_url}/openapi-c/openMsg/{sim.api_key}")
    await ws.send(msg_frame("login", token, 1))
    assert (await recv_json(ws))["msgCode"] == "subscribe_success"
    await ws.send(msg_frame("subscribe_asset", token, 2, {"tradeTypes": trade_types}))
    assert (await recv_json(ws))["msgCode"] == "subscribe_success"
    return ws


# ---------------------------------------------------------------------------- market data: subscriptions


@pytest.mark.simulator(clock_ms=lambda: FIXED_MS)
async def test_ticker_snapshot_pushes_and_replace(simulator: Simulator) -> None:
    sim = simulator
    async with connect(f"{sim.ws_base_url}/apiQuote/quote_guest") as ws:
        # Trailing commas are tolerated (Assumption lenient_json); an unknown product is left out.
        await ws.send(
            '{"cmd_id":14000,"seq_id":7,"ext":"e7","data":{"symbol_list":['
            '{"symbol_id":1001,"trade_type":1,"trade_mode":1},{"symbol_id":1002,"trade_type":2,"trade_mode":0},'
            '{"symbol_id":424242,"trade_type":1,"trade_mode":1},]},}'
        )
        _, reply, raw = await until_reply(ws, 14001)
        assert isinstance(raw, str)
        assert (reply["ret"], reply["msg"], reply["seq_id"], reply["ext"]) == (200, "ok", 7, "e7")
        first, second = reply["data"]["tick_list"]
        assert set(first) == {
            "symbol_id", "trade_type", "trade_mode", "seq", "tick_time", "price_digits", "price", "tick_deep",
            "open_price", "close_price", "high_price", "low_price", "yesterday_close_price",
        }  # fmt: skip
        eurusd = sim.exchange.market.get(1001)
        assert eurusd is not None
        assert (first["symbol_id"], first["trade_type"], first["trade_mode"]) == (1001, 1, 1)
        assert (second["symbol_id"], second["trade_mode"], second["price_digits"]) == (1002, 0, 2)
        assert first["tick_time"] == FIXED_MS
        assert first["price"] == "1.08500"
        assert first["close_price"] == "1.08500"
        [deep] = first["tick_deep"]
        assert (deep["price_bid"], deep["price_ask"]) == (str(eurusd.bid), str(eurusd.ask))
        assert all(isinstance(v, str) for v in deep.values())
        ticks = quote.decode_frame(raw).events
        assert [type(t) for t in ticks] == [Tick, Tick]

        [session] = sim.sockets.quote
        assert session.subscriptions[14000] == [(1001, 1, 1), (1002, 2, 0), (424242, 1, 1)]
        assert session.guest

        quotes, _ = sim.tick()
        pushes = await heartbeat(ws, 8)
        assert [p[: p.index(",")] for p in pushes] == ["p(1001", "p(1002"]
        q1001 = next(q for q in quotes if q.symbol_id == 1001)
        tick = quote.decode_frame(pushes[0]).events[0]
        assert isinstance(tick, Tick)
        assert (tick.bid, tick.ask, tick.seq, tick.time_ms, tick.trade_mode) == (
            q1001.bid, q1001.ask, q1001.seq, FIXED_MS, 1,
        )  # fmt: skip
        assert pushes[0].endswith(");")
        assert len(pushes[0][2:-2].split(",")) == 10

        # Every 14000 replaces the previous list.
        await ws.send(qframe(14000, 9, {"symbol_list": [sym(1003, 1, 2)]}))
        _, reply, _ = await until_reply(ws, 14001)
        assert [t["symbol_id"] for t in reply["data"]["tick_list"]] == [1003]
        assert session.subscriptions[14000] == [(1003, 1, 2)]
        sim.tick()
        pushes = await heartbeat(ws, 10)
        assert [p.split(",")[:3] for p in pushes] == [["p(1003", "1", "2"]]


@pytest.mark.simulator(clock_ms=lambda: FIXED_MS)
async def test_market_subscription_depth_and_trades(simulator: Simulator) -> None:
    sim = simulator
    async with connect(f"{sim.ws_base_url}/apiQuote/quote_guest") as ws:
        entry = sym(1002, 1, 0, depth_level=3, merge_accuracy="1", trade_info_count=4)
        await ws.send(qframe(14010, 1, {"symbol_list": [entry, sym(1001, 2, 1, merge_accuracy="0.00001",
                                                                     trade_info_count=0)]}))  # fmt: skip
        _, reply, raw = await until_reply(ws, 14011)
        xau, eur = reply["data"]["tick_list"]
        assert set(xau) == {"symbol_id", "trade_type", "trade_mode", "seq", "tick_time", "price_digits",
                            "bid_deep", "ask_deep", "trade_info"}  # fmt: skip
        assert len(xau["bid_deep"]) == len(xau["ask_deep"]) == 3
        assert set(xau["bid_deep"][0]) == {"price_bid", "volume_bid"}
        assert set(xau["ask_deep"][0]) == {"price_ask", "volume_ask"}
        assert all(Decimal(level["price_bid"]) % 1 == 0 for level in xau["bid_deep"])  # merged to units
        assert len(xau["trade_info"]) == 4
        assert set(xau["trade_info"][0]) == {"price", "volume", "trade_direction", "trade_time"}
        assert xau["trade_info"][0]["trade_time"] < 10**11  # seconds
        assert (len(eur["bid_deep"]), len(eur["ask_deep"]), eur["trade_info"]) == (1, 1, [])  # no depth_level
        events = quote.decode_frame(raw).events
        assert sum(isinstance(e, DepthBook) for e in events) == 2
        assert sum(isinstance(e, Trade) for e in events) == 4

        sim.tick()
        pushes = await heartbeat(ws, 2)
        assert [p[:8] for p in pushes] == ["pd(1001,", "pt(1001,", "pd(1002,", "pt(1002,"]  # product order
        book = quote.decode_frame(pushes[2]).events[0]
        assert isinstance(book, DepthBook)
        assert len(book.bids) == len(book.asks) == 3
        assert [b.price for b in book.bids] == sorted((b.price for b in book.bids), reverse=True)
        assert [a.price for a in book.asks] == sorted(a.price for a in book.asks)
        trade = quote.decode_frame(pushes[3]).events[0]
        assert isinstance(trade, Trade)
        assert trade.time_ms == FIXED_MS

        # Every 14010 replaces the previous subscription.
        await ws.send(
            qframe(14010, 3, {"symbol_list": [sym(1001, 2, 1, merge_accuracy="0.0001", trade_info_count=1)]})
        )
        _, reply, _ = await until_reply(ws, 14011)
        [session] = sim.sockets.quote
        assert session.subscriptions[14010] == [(1001, 2, 1)]  # replaced
        assert session.market_options[(1001, 2, 1)].depth_level == 1


@pytest.mark.simulator(clock_ms=lambda: FIXED_MS)
async def test_rolling_subscription_and_cancel(simulator: Simulator) -> None:
    sim = simulator
    async with connect(f"{sim.ws_base_url}/apiQuote/quote_guest") as ws:
        await ws.send(qframe(14016, 1, {"symbol_list": [sym(1003, 1, 2)], "update_speed": 1000}))
        _, reply, raw = await until_reply(ws, 14017)
        [stats] = quote.decode_frame(raw).events
        assert isinstance(stats, Rolling24h)
        assert stats.low_price <= stats.last_price <= stats.high_price
        await ws.send(qframe(14000, 2, {"symbol_list": [sym(1003, 1, 2)]}))
        await ws.send(
            qframe(14010, 3, {"symbol_list": [sym(1003, 1, 2, merge_accuracy="1", trade_info_count=1)]})
        )
        await until_reply(ws, 14011)
        sim.tick()
        pushes = await heartbeat(ws, 4)
        assert sorted(p[:3] for p in pushes) == ["p(1", "pd(", "pr(", "pt("]
        assert isinstance(
            quote.decode_frame(next(p for p in pushes if p.startswith("pr("))).events[0], Rolling24h
        )

        [session] = sim.sockets.quote
        await ws.send(qframe(14006, 5, {"cancel_type": 3}))
        _, reply, _ = await until_reply(ws, 14007)
        assert reply == {"ret": 200, "msg": "ok", "cmd_id": 14007, "seq_id": 5, "ext": "ext-5", "data": {}}
        assert session.subscriptions == {14000: [(1003, 1, 2)], 14010: [(1003, 1, 2)], 14016: []}
        await ws.send(qframe(14006, 6, {"cancel_type": 1}))
        await until_reply(ws, 14007)
        assert session.subscriptions[14000] == []
        await ws.send(qframe(14006, 7, {"cancel_type": 0}))
        await until_reply(ws, 14007)
        assert session.subscriptions == {14000: [], 14010: [], 14016: []}
        sim.tick()
        assert await heartbeat(ws, 8) == []
        await ws.send(qframe(14006, 9, {"cancel_type": 4}))
        _, reply, _ = await until_reply(ws, 14007)
        assert reply["ret"] == 202


async def test_heartbeat_reply_is_exact(simulator: Simulator) -> None:
    async with connect(f"{simulator.ws_base_url}/apiQuote/quote_guest") as ws:
        ext = "3baaa938-f92c-4a74-a228-fd49d5e2f8bc-1678419657806"
        await ws.send(qframe(14008, 123, {}, ext))
        assert await recv(ws) == (
            '{"ret":200,"msg":"ok","cmd_id":14009,"seq_id":123,'
            '"ext":"3baaa938-f92c-4a74-a228-fd49d5e2f8bc-1678419657806","data":{}}'
        )
        [session] = simulator.sockets.quote
        assert session.received == [json.loads(qframe(14008, 123, {}, ext))]


# ---------------------------------------------------------------------------- market data: K-lines


@pytest.mark.simulator(clock_ms=lambda: FIXED_MS)
async def test_kline_replies_are_compressed_and_decodable(simulator: Simulator) -> None:
    sim = simulator
    now_s = FIXED_MS // 1000
    async with connect(f"{sim.ws_base_url}/apiQuote/quote_guest") as ws:
        await ws.send(qframe(14012, 1, sym(1001, 1, 1, kline_type=1, query_kline_num=5)))
        _, reply, raw = await until_reply(ws, 14013)
        assert isinstance(raw, bytes)
        data = reply["data"]
        assert (reply["ret"], data["symbol_id"], data["kline_type"], data["price_digits"]) == (
            200,
            1001,
            1,
            5,
        )
        bars = data["kline_list"]
        assert [b["timestamp"] for b in bars] == [now_s - now_s % 60 - 60 * k for k in range(4, -1, -1)]
        assert set(bars[0]) == {"timestamp", "open_price", "close_price", "high_price", "low_price",
                                "last_tick_time", "last_tick_seq", "transactions_number"}  # fmt: skip
        assert bars[-1]["close_price"] == "1.08500"  # the open bar ends at the live price
        klines = quote.decode_frame(raw).events
        assert all(isinstance(k, Kline) for k in klines)
        assert [k.time_ms for k in klines] == [b["timestamp"] * 1000 for b in bars]  # type: ignore[union-attr]

        # N bars ending at a given time (seconds); months start on the 1st.
        end = now_s - 10 * 86400
        await ws.send(
            qframe(14012, 2, sym(1001, 1, 1, kline_type=8, kline_timestamp_end=end, query_kline_num=3))
        )
        _, reply, _ = await until_reply(ws, 14013)
        assert reply["data"]["kline_list"][-1]["timestamp"] == end - end % 86400
        await ws.send(qframe(14012, 3, sym(1002, 2, 0, kline_type=10, query_kline_num=2)))
        _, reply, _ = await until_reply(ws, 14013)
        assert [b["timestamp"] for b in reply["data"]["kline_list"]] == [
            1696118400,
            1698796800,
        ]  # Oct, Nov 2023

        # Unsupported combinations and limits: ret 202, still compressed.
        for seq_id, data_ in ((4, sym(1001, 1, 1, kline_type=1, query_kline_num=0)),
                              (5, sym(1001, 1, 1, kline_type=1, query_kline_num=1001)),
                              (6, sym(1001, 1, 1, kline_type=11, query_kline_num=1))):  # fmt: skip
            await ws.send(qframe(14012, seq_id, data_))
            _, reply, raw = await until_reply(ws, 14013)
            assert isinstance(raw, bytes)
            assert (reply["ret"], reply["seq_id"]) == (202, seq_id)
            assert quote.decode_frame(raw).reply.error is not None  # type: ignore[union-attr]
        assert reply["msg"] == "invalid kline_type"

        # Batch: unknown products are left out.
        batch = [
            sym(1001, 1, 1, kline_type=2, query_kline_num=2),
            sym(999, 1, 1, kline_type=2, query_kline_num=2),
            sym(1004, 2, 0, kline_type=2, query_kline_num=3),
        ]
        await ws.send(qframe(14014, 7, {"data_list": batch}))
        _, reply, raw = await until_reply(ws, 14015)
        assert isinstance(raw, bytes)
        assert [(d["symbol_id"], len(d["kline_list"])) for d in reply["data"]["data_list"]] == [
            (1001, 2),
            (1004, 3),
        ]
        assert len(quote.decode_frame(raw).events) == 5
        await ws.send(qframe(14014, 8, {"data_list": [batch[0]] * 101}))
        _, reply, _ = await until_reply(ws, 14015)
        assert reply["ret"] == 202


# ---------------------------------------------------------------------------- market data: errors and limits


async def test_envelope_and_data_errors(simulator: Simulator) -> None:
    async with connect(f"{simulator.ws_base_url}/apiQuote/quote_guest") as ws:
        await ws.send("not json")
        assert (await recv_json(ws))["ret"] == 201
        cases: list[tuple[dict[str, Any], int, int]] = [
            ({"cmd_id": 13999, "seq_id": 1, "ext": "a", "data": {}}, 201, 14000),
            ({"cmd_id": 14008.0, "seq_id": 1, "ext": "a", "data": {}}, 201, 0),
            ({"cmd_id": 14008, "seq_id": "1", "ext": "a", "data": {}}, 201, 14009),
            ({"cmd_id": 14008, "seq_id": 1, "ext": "x" * 65, "data": {}}, 201, 14009),
            ({"cmd_id": 14008, "seq_id": 1, "ext": "a", "data": []}, 201, 14009),
            ({"cmd_id": 14000, "seq_id": 1, "ext": "a", "data": {"symbol_list": [{"symbol_id": 1}]}},
             202, 14001),
            ({"cmd_id": 14010, "seq_id": 1, "ext": "a",
              "data": {"symbol_list": [sym(1001, 1, merge_accuracy=0.1, trade_info_count=1)]}}, 202, 14011),
        ]  # fmt: skip
        for frame, ret, cmd_id in cases:
            await ws.send(json.dumps(frame))
            reply = await recv_json(ws)
            assert (reply["ret"], reply["cmd_id"]) == (ret, cmd_id), frame

        # More than 100 products: 202, and the subscription is unchanged.
        await ws.send(qframe(14000, 2, {"symbol_list": [sym(1001, 1)]}))
        await until_reply(ws, 14001)
        await ws.send(qframe(14000, 3, {"symbol_list": [sym(i, 1) for i in range(101)]}))
        _, reply, _ = await until_reply(ws, 14001)
        assert (reply["ret"], reply["seq_id"], reply["data"]) == (202, 3, {})
        assert simulator.sockets.quote[0].subscriptions[14000] == [(1001, 1, 1)]


async def test_more_than_50_calls_per_second_gets_202(simulator: Simulator) -> None:
    async with connect(f"{simulator.ws_base_url}/apiQuote/quote_guest") as ws:
        for seq_id in range(1, 52):
            await ws.send(qframe(14008, seq_id, {}))
        rets = [(await recv_json(ws))["ret"] for _ in range(51)]
        assert rets[:50] == [200] * 50
        assert rets[50] == 202


async def test_quote_handshake_tokens(simulator: Simulator, http: httpx.AsyncClient) -> None:
    sim = simulator
    for path in ("/apiQuote/quote", "/apiQuote/quote?token=nope", "/apiQuote/quote_stock?token="):
        with pytest.raises(InvalidStatus) as info:
            await connect(sim.ws_base_url + path)
        assert info.value.response.status_code == 403
    login_token = await client_login(http, sim)
    push_token = await open_call(http, sim, "getMsgPushToken", {})
    assert push_token.endswith("push")
    for path in (f"/apiQuote/quote?token={login_token}", f"/apiQuote/quote_stock?token={push_token}"):
        async with connect(sim.ws_base_url + path) as ws:
            assert await heartbeat(ws, 1) == []
    assert {s.path for s in sim.sockets.history} == {"/apiQuote/quote", "/apiQuote/quote_stock"}

    sim.socket_faults.reject_tokens()
    with pytest.raises(InvalidStatus) as info:
        await connect(f"{sim.ws_base_url}/apiQuote/quote?token={push_token}")
    assert info.value.response.status_code == 403
    async with connect(f"{sim.ws_base_url}/apiQuote/quote_guest") as ws:  # guests are unaffected
        assert await heartbeat(ws, 1) == []
    sim.socket_faults.reject_tokens(False)
    sim.expire_tokens()
    with pytest.raises(InvalidStatus):
        await connect(f"{sim.ws_base_url}/apiQuote/quote?token={login_token}")
    assert sim.sockets.counters["quote"].refused == 5


@pytest.mark.simulator(quote_idle_timeout_s=0.2, msg_idle_timeout_s=0.2)
async def test_idle_clients_are_dropped(simulator: Simulator) -> None:
    async with (
        connect(f"{simulator.ws_base_url}/apiQuote/quote_guest") as quote_ws,
        connect(f"{simulator.ws_base_url}/openapi-c/openMsg/app") as msg_ws,
    ):
        with anyio.fail_after(5):
            await quote_ws.wait_closed()
            await msg_ws.wait_closed()
        for ws in (quote_ws, msg_ws):
            assert ws.close_code == 1000
            assert ws.close_reason == "idle timeout"


async def test_a_full_queue_drops_pushes_without_blocking() -> None:
    # In the test's own loop (not the fixture's thread): the count below depends on the writer
    # waiting on the queue when tick() runs, which only one loop makes certain.
    async with (
        Simulator(socket_queue_size=2) as simulator,
        connect(f"{simulator.ws_base_url}/apiQuote/quote_guest") as ws,
    ):
        await ws.send(qframe(14000, 1, {"symbol_list": [sym(1001, 1)]}))
        await until_reply(ws, 14001)
        [session] = simulator.sockets.quote
        simulator.tick(steps=10)  # synchronous: the writer cannot run in between
        # Two fit in the queue, one more goes straight to the waiting writer; the rest are dropped.
        assert session.pushes_dropped == 7
        assert simulator.sockets.counters["quote"].pushes_dropped == 7
        assert len(await heartbeat(ws, 2)) == 3

        simulator.tick(steps=3)
        session.close(4000, "bye")  # the queue is full: the close overtakes the queued pushes
        with anyio.fail_after(5):
            await ws.wait_closed()
        assert (ws.close_code, ws.close_reason, session.close_code) == (4000, "bye", 4000)


@pytest.mark.simulator(tick_interval_s=0.02)
async def test_background_ticker_drives_pushes(simulator: Simulator) -> None:
    async with connect(f"{simulator.ws_base_url}/apiQuote/quote_guest") as ws:
        await ws.send(qframe(14000, 1, {"symbol_list": [sym(1001, 1)]}))
        await until_reply(ws, 14001)
        frame = await recv(ws)
        assert isinstance(frame, str)
        assert frame.startswith("p(1001,1,1,")


# ---------------------------------------------------------------------------- message-push socket


async def test_message_login_subscribe_ping_logout(simulator: Simulator, http: httpx.AsyncClient) -> None:
    sim = simulator
    token = await open_call(http, sim, "getMsgPushToken", {})
    async with connect(f"{sim.ws_base_url}/openapi-c/openMsg/{sim.api_key}") as ws:
        await ws.send(msg_frame("login", token, 11))
        frame = await recv(ws)
        ack = json.loads(frame)
        assert set(ack) == {"msgCode", "timestamp", "trace", "seqId", "content"}
        assert (ack["msgCode"], ack["trace"], ack["seqId"], ack["content"]) == (
            "subscribe_success",
            "x-1-11",
            11,
            None,
        )
        assert isinstance(decode_message(frame), SubscribeAck)
        await ws.send(msg_frame("subscribe_asset", token, 12, {"tradeTypes": "1,2"}))
        assert (await recv_json(ws))["seqId"] == 12
        [session] = sim.sockets.messages
        assert (session.app_id, session.customer_id) == (sim.api_key, sim.customer_id)
        assert session.trade_types == frozenset({1, 2})
        await ws.send(msg_frame("ping", token, 13))
        frame = await recv(ws)
        assert isinstance(decode_message(frame), PongEvent)
        assert json.loads(frame)["seqId"] == 13
        await ws.send(msg_frame("cancel_subscribe_asset", token, 14, {"tradeTypes": "2"}))
        assert (await recv_json(ws))["msgCode"] == "subscribe_success"
        assert session.trade_types == {1}
        await ws.send(msg_frame("logout", token, 15))
        assert (await recv_json(ws))["msgCode"] == "subscribe_success"
        assert (session.logged_in, session.trade_types) == (False, frozenset())
        await ws.send(msg_frame("ping", token, 16))  # the socket stays open after logout
        assert (await recv_json(ws))["msgCode"] == "pong"
        assert [f["head"]["msgType"] for f in session.received] == [
            "login", "subscribe_asset", "ping", "cancel_subscribe_asset", "logout", "ping",
        ]  # fmt: skip


async def test_message_bad_token_and_subscribe_before_login(
    simulator: Simulator, http: httpx.AsyncClient
) -> None:
    url = f"{simulator.ws_base_url}/openapi-c/openMsg/app"
    valid = await open_call(http, simulator, "getMsgPushToken", {})
    simulator.socket_faults.reject_tokens()  # a valid token is refused too
    for frame in (
        msg_frame("login", "nope", 1),
        msg_frame("subscribe_asset", "nope", 1, {"tradeTypes": "1"}),
        msg_frame("login", valid, 1),
    ):
        async with connect(url) as ws:
            await ws.send(frame)
            raw = await recv(ws)
            assert isinstance(decode_message(raw), SubscribeFailed)
            with pytest.raises(ConnectionClosed):
                await recv(ws)
            assert ws.close_code == 1008


async def test_orders_push_trade_then_notices(simulator: Simulator, http: httpx.AsyncClient) -> None:
    sim = simulator
    token = await client_login(http, sim)  # a login token works on the message socket too
    isolated = await msg_session(sim, token, "2")
    full_only = await msg_session(sim, token, "1")
    try:
        placed = await open_call(http, sim, ORDER, wire_order(stopLoss="100000"))
        frames = [await recv(isolated) for _ in range(3)]
        trade = json.loads(frames[0])
        assert set(trade) == {"trace", "msgCode", "content", "timestamp"}
        assert trade["msgCode"] == "trade"
        content = trade["content"]
        assert set(content) == {"accountId", "companyId", "bizType", "customerId", "paramMap", "tradeType"}
        assert (content["accountId"], content["companyId"], content["customerId"], content["tradeType"]) == (
            1031002, sim.company_id, sim.customer_id, 2,
        )  # fmt: skip
        assert content["bizType"] == "POSITION_OPEN"
        pm = content["paramMap"]
        assert set(pm) == PARAM_MAP_KEYS
        assert all(isinstance(v, str) for v in pm.values())
        position = sim.exchange.positions[placed["positionId"]]
        assert (pm["orderId"], pm["positionId"]) == (str(placed["orderId"]), str(placed["positionId"]))
        assert (pm["pendingId"], pm["orderStatus"], pm["orderType"], pm["orderBizType"]) == (
            "0",
            "2",
            "1",
            "1",
        )
        assert (pm["direction"], pm["orderDirection"], pm["playType"]) == ("1", "1", "2")
        assert (pm["dealPrice"], pm["dealAmount"], pm["requestAmount"]) == (
            placed["executePrice"],
            "0.1",
            "0.1",
        )
        assert (pm["dealExecuteNum"], pm["sourceExecuteVol"], pm["contractSize"]) == (
            "10000.0",
            "0.100000",
            "100000",
        )
        assert (pm["takeProfitMsg"], pm["stopLossMsg"]) == ("--", "1.00000")
        assert pm["Margin"] == format(position.margin, "f")
        event = decode_message(frames[0])
        assert isinstance(event, TradeEvent)
        assert event.order_id == placed["orderId"]
        notices = [decode_message(f) for f in frames[1:]]
        assert [n.update_type for n in notices if isinstance(n, NoticeEvent)] == [1, 3]

        # The tradeType-1 session got nothing: its next frame answers its own ping.
        await full_only.send(msg_frame("ping", token, 9))
        assert (await recv_json(full_only))["msgCode"] == "pong"

        # A close over HTTP, then a stop-loss fired by a price move, both push POSITION_CLOSE.
        await open_call(http, sim, ORDER, wire_order(bizType=2, direction=2, positionId=placed["positionId"],
                                                      requestNum="0.05"))  # fmt: skip
        closing = json.loads(await recv(isolated))
        assert (closing["content"]["bizType"], closing["content"]["paramMap"]["orderType"]) == (
            "POSITION_CLOSE",
            "2",
        )
        await recv(isolated), await recv(isolated)
        _, fired = sim.set_price(1001, "0.99")
        frame = json.loads(await recv(isolated))
        assert (frame["content"]["bizType"], frame["content"]["paramMap"]["orderType"]) == (
            "POSITION_CLOSE",
            "3",
        )
        assert frame["content"]["paramMap"]["orderId"] == str(fired[0].order_id)
    finally:
        await isolated.close()
        await full_only.close()


async def test_price_moves_push_floating_pnl(simulator: Simulator, http: httpx.AsyncClient) -> None:
    sim = simulator
    token = await open_call(http, sim, "getMsgPushToken", {})
    placed = await open_call(http, sim, ORDER, wire_order())
    async with await msg_session(sim, token, "1,2") as ws:
        sim.set_price(1001, "1.09")
        frame = await recv(ws)
        assert isinstance(frame, str)
        assert frame.startswith("g(")  # tradeType 2 has a position; tradeType 1 has none, so no f(
        update = decode_message(frame)
        assert isinstance(update, AccountUpdate)
        totals = sim.exchange.account_totals(sim.exchange.accounts[1031002])
        assert (update.trade_type, update.balance, update.occupy_margin) == (
            2,
            totals["balance"],
            totals["margin"],
        )
        [position] = update.positions
        assert position.position_id == placed["positionId"]
        assert position.preview_stop_price is not None

        await open_call(http, sim, ORDER, wire_order(accountId=1031001, tradeType=1, entryType=None))
        for _ in range(3):  # trade, notice, notice
            await recv(ws)
        sim.tick()
        frames = sorted([str(await recv(ws)), str(await recv(ws))])
        assert [f[:2] for f in frames] == ["f(", "g("]


# ---------------------------------------------------------------------------- Client RPC socket


async def test_rpc_requests_and_ping(simulator: Simulator) -> None:
    sim = simulator
    async with connect(f"{sim.ws_base_url}/api/ws") as ws:
        await ws.send(envelope.encode_socket_ping(trace="t-ping", timestamp_ms=1, lang="zh-CN", token="tok"))
        pong = json.loads(await recv(ws))
        assert set(pong) == {"trace", "token", "bizType", "sendTime", "lang"}
        assert (pong["trace"], pong["token"], pong["bizType"], pong["lang"]) == (
            "t-ping",
            "tok",
            "pong",
            "zh-CN",
        )

        body = {"type": 1, "loginName": sim.login_name, "loginPwd": crypto.md5_password(sim.password),
                "device": 1, "isThird": False}  # fmt: skip
        await ws.send(rpc_request(sim, LOGIN, "t-login", body=body, version="0.0.1"))
        reply = envelope.decode_socket_frame(await recv(ws))
        assert isinstance(reply, envelope.Envelope)
        assert (reply.code, reply.trace) == ("0", "t-login")
        token = reply.data["token"]  # type: ignore[index]

        await ws.send(rpc_request(sim, INFO, "t-info", token=token))
        await ws.send(rpc_request(sim, "nope.Service.op", "t-bad", token=token))
        replies = {r["trace"]: r for r in [json.loads(await recv(ws)), json.loads(await recv(ws))]}
        assert replies["t-info"]["code"] == "0"
        assert replies["t-info"]["data"]["customerNo"] == sim.customer_no
        assert (replies["t-bad"]["code"], replies["t-bad"]["bizCode"]) == ("GATEWAY_CODE_002", "G")
        ws_requests = [r for r in sim.requests if r.method == "WS"]
        assert [r.biz_type for r in ws_requests] == [LOGIN, INFO, "nope.Service.op"]
        assert ws_requests[1].headers["companyId"] == str(sim.company_id)
        [session] = sim.sockets.rpc
        assert session.requests == 3

        sim.socket_faults.reject_tokens()
        await ws.send(rpc_request(sim, INFO, "t-rej", token=token))
        assert (await recv_json(ws))["code"] == "GATEWAY_CODE_005"
        await ws.send("[]")
        assert (await recv_json(ws))["code"] == "GATEWAY_CODE_015"


# ---------------------------------------------------------------------------- fault controls


async def test_drop_all_by_kind(simulator: Simulator) -> None:
    sim = simulator
    base = sim.ws_base_url
    async with (
        connect(f"{base}/apiQuote/quote_guest") as quote_ws,
        connect(f"{base}/openapi-c/openMsg/app") as msg_ws,
        connect(f"{base}/api/ws") as rpc_ws,
    ):
        await sim.sockets.wait_for(lambda: len(sim.sockets.live()) == 3)
        assert sim.socket_faults.drop_all("quote") == 1
        with pytest.raises(ConnectionClosed):
            await recv(quote_ws)
        assert quote_ws.protocol.close_rcvd is None  # a TCP abort: no close frame
        await sim.sockets.wait_for(lambda: len(sim.sockets.live()) == 2)

        assert sim.socket_faults.drop_all(close_code=1012, reason="restart") == 2
        for ws in (msg_ws, rpc_ws):
            with pytest.raises(ConnectionClosed):
                await recv(ws)
            assert (ws.close_code, ws.close_reason) == (1012, "restart")
        await sim.sockets.wait_for(lambda: not sim.sockets.live())
        assert [s.closed for s in sim.sockets.history] == [True, True, True]
        assert sim.sockets.counters["messages"].closed == 1
        with pytest.raises(TimeoutError):
            await sim.sockets.wait_for(sim.sockets.live, timeout=0.01)


async def test_silence_then_resume(simulator: Simulator) -> None:
    sim = simulator
    async with connect(f"{sim.ws_base_url}/apiQuote/quote_guest") as ws:
        await ws.send(qframe(14000, 1, {"symbol_list": [sym(1001, 1)]}))
        await until_reply(ws, 14001)
        [session] = sim.sockets.quote
        with sim.socket_faults.go_silent("quote") as silence:
            assert sim.socket_faults.silent_kinds == {"quote"}
            sim.tick()  # its push is discarded
            await ws.send(qframe(14008, 2, {}))  # recorded, not answered
            await sim.sockets.wait_for(lambda: len(session.received) == 2)
        assert (silence.ignored, silence.suppressed) == (1, 1)
        assert not silence.active
        assert await heartbeat(ws, 3) == []  # the first frame after resuming answers seq 3


async def test_delayed_reply_arrives_after_later_pushes(simulator: Simulator) -> None:
    sim = simulator
    async with connect(f"{sim.ws_base_url}/apiQuote/quote_guest") as ws:
        await ws.send(qframe(14000, 1, {"symbol_list": [sym(1001, 1)]}))
        await until_reply(ws, 14001)
        delay = sim.socket_faults.delay_replies(60, kind="quote", times=1)
        await ws.send(qframe(14008, 2, {}))
        with anyio.fail_after(5):
            await delay.wait_hit()
        sim.tick()
        push = await recv(ws)
        assert isinstance(push, str)
        assert push.startswith("p(1001")
        delay.release()
        assert json.loads(await recv(ws))["seq_id"] == 2
        assert await heartbeat(ws, 3) == []  # times=1: no longer delayed


async def test_malformed_frames_before_the_next_real_one(simulator: Simulator) -> None:
    sim = simulator
    async with connect(f"{sim.ws_base_url}/apiQuote/quote_guest") as ws:
        await ws.send(qframe(14000, 1, {"symbol_list": [sym(1001, 1)]}))
        await until_reply(ws, 14001)
        handle = sim.socket_faults.send_malformed(2, kind="quote")
        sim.tick()
        garbage = [await recv(ws), await recv(ws)]
        assert garbage == ["p(1,2", '{"cmd_id":14001,"seq_id":']
        for frame in garbage:
            with pytest.raises(ProtocolError):
                quote.decode_frame(frame)
        real = await recv(ws)
        assert isinstance(quote.decode_frame(real).events[0], Tick)
        assert handle.hits == 2


async def test_refused_handshakes_then_recovery(simulator: Simulator) -> None:
    sim = simulator
    handle = sim.socket_faults.refuse_handshakes(2, kind="messages")
    for _ in range(2):
        with pytest.raises(InvalidStatus) as info:
            await connect(f"{sim.ws_base_url}/openapi-c/openMsg/app")
        assert info.value.response.status_code == 503
    assert (handle.hits, handle.active) == (2, False)
    async with connect(f"{sim.ws_base_url}/openapi-c/openMsg/app") as ws:
        await ws.send(msg_frame("ping", "t", 1))
        assert (await recv_json(ws))["msgCode"] == "pong"
    assert sim.sockets.counters["messages"].refused == 2


async def test_shutdown_with_sockets_open() -> None:
    async with Simulator() as sim:
        base = sim.ws_base_url
        quote_ws = await connect(f"{base}/apiQuote/quote_guest")
        msg_ws = await connect(f"{base}/openapi-c/openMsg/app")
        rpc_ws = await connect(f"{base}/api/ws")
        await quote_ws.send(qframe(14000, 1, {"symbol_list": [sym(1001, 1)]}))
        await sim.sockets.wait_for(lambda: sim.sockets.quote and sim.sockets.quote[0].tickers)
        sim.socket_faults.delay_replies(60)  # a pending delay must not hold up the shutdown
        await msg_ws.send(msg_frame("ping", "t", 1))
    for ws in (quote_ws, msg_ws, rpc_ws):
        with anyio.fail_after(5):
            await ws.wait_closed()
        assert ws.close_code == 1001
