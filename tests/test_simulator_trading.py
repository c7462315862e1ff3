"""The simulator's trading, account, API-key, registration, replacement-token and Auth2 operations,
driven with raw httpx (and a raw websocket for pushes): the wire a correct SDK must speak."""

# The plugin's `simulator` fixture is imported below; test parameters of that name shadow it on purpose.
# ruff: noqa: F811

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import anyio
import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from multimarkets_async.protocol import crypto
from multimarkets_async.testing import Simulator
from multimarkets_async.testing.pytest_plugin import simulator  # noqa: F401  (the plugin's fixture)
from tests._support import FakeClock, signed_headers, wire_headers
from tests._support import wire_order as order

pytestmark = pytest.mark.anyio

T = "tradeapi.app."
ORDER = T + "OrderApiService.addMarketOrder"
ORDER_MM = T + "CfdMMOrderApiService.addMarketOrder"
PBO_LIST = T + "CfdWBWOrderApiService.queryPBOOrderPage"
PBO_LIST_ALIAS = T + "OrderApiService.queryPBOOrderPage"
PBO_UPDATE = T + "OrderApiService.updatePboOrder"
PBO_CANCEL = T + "OrderApiService.closePboOrder"
PBO_CANCEL_TRADE = T + "OrderApiService.closeTradePboOrder"
ORDER_DETAIL = T + "CfdWBWOrderApiService.queryOrderDetail"
ORDER_DETAIL_ALIAS = T + "OrderApiService.queryOrderDetail"
ORDERS = T + "OrderApiService.queryOrderPage"
POSITION = T + "PositionApiService.queryPositionDetail"
POSITION_MM = T + "CfdMMPositionApiService.queryPositionDetail"
SLTP_WBW = T + "CfdWBWOrderApiService.updateOrder"
SLTP_MM = T + "CfdMMOrderApiService.updateOrder"
SLTP_ALIAS = T + "OrderApiService.updateOrder"
HISTORY = T + "CfdWBWOrderApiService.queryHistoryCloseOrderList"
HISTORY_ALIAS = T + "OrderApiService.queryHistoryCloseOrderList"
DEALS = T + "OrderApiService.queryTradeRecordPage"
FLOW_MM = T + "CfdMMOrderApiService.queryCapitalFlowList"
FLOW = T + "OrderApiService.queryCapitalFlowList"
CALC = T + "OrderApiService.calculateMarketOrder"
CALC_MM = T + "CfdMMOrderApiService.calculateMarketOrder"
LEVERAGE_MM = T + "CfdMMOrderApiService.setCrossLevelNum"
LEVERAGE_POSITION = T + "PositionApiService.updateCrossLevelNum"
ACCOUNT = "customer.app.CustomerWebApiService.queryAccountById"
ASSETS = "customer.app.CustomerWebApiService.queryCustomerAssets"
INFO = "customer.app.CustomerWebApiService.findCustomerInfo"
LOGIN = "customer.app.CustomerWebApiService.login"
REGISTER = "customer.app.CustomerWebApiService.register"
SEND_CODE = "message.app.VerificationApiService.verifyCodeSend"
KEYS = "customer.app.CustomerApiWebService."

EURUSD = 1001  # 5 digits, spread 12 points: mid 1.08500 -> bid 1.08494, ask 1.08506


async def open_api(
    http: httpx.AsyncClient,
    sim: Simulator,
    biz: str,
    body: dict[str, Any],
    key: tuple[str, str] | None = None,
) -> dict[str, Any]:
    api_key, secret = key or (sim.api_key, sim.secret_key)
    r = await http.post(
        f"/openapi-c/global/{biz}",
        headers=signed_headers(sim, body, api_key=api_key, secret_key=secret),
        json=body,
    )
    assert r.status_code == 200
    return dict(r.json())


async def client_api(
    http: httpx.AsyncClient,
    sim: Simulator,
    token: str | None,
    biz: str,
    body: Any,
    path: str = "global",
    **h: str,
) -> dict[str, Any]:
    r = await http.post(f"/api/{path}/{biz}", headers=wire_headers(sim, token, **h), json=body)
    assert r.status_code == 200
    return dict(r.json())


def ok(env: dict[str, Any]) -> Any:
    assert (env["code"], env["ok"]) == ("0", True), env
    return env["data"]


def has(data: dict[str, Any], **expected: Any) -> None:
    assert {k: data.get(k) for k in expected} == expected


def error(env: dict[str, Any], code: str, biz_code: str) -> dict[str, Any]:
    assert (env["code"], env["bizCode"], env["ok"]) == (code, biz_code, False), env
    return env


async def login(
    http: httpx.AsyncClient, sim: Simulator, name: str | None = None, pwd: str | None = None
) -> str:
    body = {"type": 1, "loginName": name or sim.login_name, "device": 1, "isThird": False,
            "loginPwd": crypto.md5_password(pwd or sim.password)}  # fmt: skip
    return str(ok(await client_api(http, sim, None, LOGIN, body, "login", version="0.0.1"))["token"])


def full_margin_order(**overrides: Any) -> dict[str, Any]:
    body = order(accountId=1031001, tradeType=1)
    del body["entryType"]
    body.update(overrides)
    return body


async def message_session(sim: Simulator, token: str, trade_types: str) -> ClientConnection:
    ws = await connect(f"{sim.ws_base_url}/openapi-c/openMsg/app")
    for seq, (kind, data) in enumerate((("login", None), ("subscribe_asset", {"tradeTypes": trade_types}))):
        frame: dict[str, Any] = {"head": {"msgType": kind, "token": token}, "seqId": seq, "trace": f"t-{seq}"}
        if data is not None:
            frame["data"] = data
        await ws.send(json.dumps(frame))
        with anyio.fail_after(5):
            assert json.loads(await ws.recv())["msgCode"] == "subscribe_success"
    return ws


async def next_push(ws: ClientConnection, msg_code: str) -> dict[str, Any]:
    """The next JSON push with this msgCode (text P&L pushes and other frames are skipped)."""
    with anyio.fail_after(5):
        while True:
            frame = await ws.recv()
            if isinstance(frame, str) and frame.startswith("{") and json.loads(frame)["msgCode"] == msg_code:
                return dict(json.loads(frame))


@pytest.fixture
async def ws(simulator: Simulator, http: httpx.AsyncClient) -> AsyncIterator[ClientConnection]:
    """The logged-in customer's message session for trade type 2, closed after the test."""
    session = await message_session(simulator, await login(http, simulator), "2")
    yield session
    await session.close()


# ---------------------------------------------------------------------------- pending orders


async def test_limit_order_waits_then_fires_on_set_price(
    simulator: Simulator, http: httpx.AsyncClient, ws: ClientConnection
) -> None:
    sim = simulator
    body = order(bizType=10, requestPrice="108000", expireType=1, stopLoss="107000", thirdPartyOrder="bot_1")
    placed = ok(await open_api(http, sim, ORDER, body))
    assert (placed["tradeVolume"], placed["openPrice"], placed["openOrClose"], placed["orderStatus"]) == (
        "0", "1.08000", 1, 1,
    )  # fmt: skip
    pbo_id = placed["pboId"]
    assert isinstance(pbo_id, str)
    notice = await next_push(ws, "notice")
    assert notice["content"]["updateType"] == 2  # refresh pending orders

    for name in (PBO_LIST, PBO_LIST_ALIAS):
        rows = ok(await open_api(http, sim, name, {"tradeType": 2}))
        assert isinstance(rows, list)
        assert len(rows) == 1
    has(rows[0], id=pbo_id, orderId=placed["orderId"], type=9, state=0, bizType=10, requestPrice=108000)
    has(
        rows[0],
        openPrice="1.08000",
        digits=5,
        requestVolume=0.1,
        stopLoss=107000,
        stopLossTarget="1.07000",
    )
    has(rows[0], expireType="1", tradeType=2, customerNo=sim.customer_no, customerId=sim.customer_id)
    records = ok(await open_api(http, sim, ORDERS, {"tradeType": 2}))["records"]
    assert [(r["id"], r["status"], r["bizType"]) for r in records] == [(placed["orderId"], 1, 10)]

    _, fired = sim.set_price(EURUSD, "1.08100")  # ask 1.08106: not yet
    assert fired == []
    _, fired = sim.set_price(EURUSD, "1.07990")  # ask 1.07996 <= 1.08000: fires at the ask
    assert [(o.order_id, o.biz_type, o.pending_id) for o in fired] == [(placed["orderId"], 10, int(pbo_id))]
    assert fired[0].execute_price == Decimal("1.07996")
    trade = await next_push(ws, "trade")
    assert trade["content"]["bizType"] == "ME_POSITION_LIMIT_OPEN"
    pm = trade["content"]["paramMap"]
    assert (pm["orderId"], pm["pendingId"], pm["orderType"], pm["stopLossMsg"]) == (
        str(placed["orderId"]), pbo_id, "10", "1.07000",
    )  # fmt: skip
    assert ok(await open_api(http, sim, PBO_LIST, {"tradeType": 2})) == []
    for name in (ORDER_DETAIL, ORDER_DETAIL_ALIAS):
        detail = ok(await open_api(http, sim, name, {"tradeType": 2, "orderId": placed["orderId"]}))
        assert (detail["busiiType"], detail["status"], detail["executePrice"]) == (10, 2, "1.07996")
    position = sim.exchange.positions[fired[0].position_id]
    assert (position.stop_loss, position.third_party_order) == (107000, "bot_1")


async def test_stop_and_limit_open_orders_on_both_trade_types(
    simulator: Simulator, http: httpx.AsyncClient
) -> None:
    sim = simulator
    stop = ok(await open_api(http, sim, ORDER, order(bizType=11, direction=2, requestPrice="108000")))
    limit_open = ok(await open_api(http, sim, ORDER_MM, full_margin_order(bizType=12, requestPrice="108800",
                                                                          direction=2)))  # fmt: skip
    _, fired = sim.set_price(EURUSD, "1.08900")  # bid 1.08894 >= 1.08800: the limit sell opens
    assert [o.order_id for o in fired] == [limit_open["orderId"]]
    assert fired[0].trade_type == 1
    _, fired = sim.set_price(EURUSD, "1.07900")  # bid 1.07894 <= 1.08000: the sell stop opens
    assert [o.order_id for o in fired] == [stop["orderId"]]
    assert fired[0].execute_price == Decimal("1.07894")
    rows = ok(await open_api(http, sim, PBO_LIST_ALIAS, {"tradeType": 1}))
    assert rows == []


@pytest.mark.parametrize(
    ("overrides", "code", "biz_code"),
    [
        ({"bizType": 10, "requestPrice": "109000"}, "E000007", "CFDWBW"),  # a buy limit above the ask
        ({"bizType": 11, "requestPrice": "108000"}, "E000007", "CFDWBW"),  # a buy stop below the ask
        ({"bizType": 10, "requestPrice": "0"}, "E000024", "CFDWBW"),
        ({"bizType": 10, "requestPrice": "108000", "expireType": 5}, "E000007", "CFDWBW"),
        ({"bizType": 10, "requestPrice": "108000", "expireType": 1.5}, "E000006", "CFDWBW"),
        ({"bizType": 10, "requestPrice": "108000", "stopLoss": "108100"}, "E000009", "CFDWBW"),
        ({"bizType": 10, "requestPrice": "108000", "takeProfit": "107900"}, "E000010", "CFDWBW"),
        ({"bizType": 12, "requestPrice": "108000"}, "E000007", "CFDWBW"),  # limit open is tradeType 1 only
        ({"bizType": 14, "requestPrice": "108000"}, "E000005", "CFDWBW"),  # a close needs positionId
        ({"bizType": 14, "requestPrice": "109000", "positionId": 1, "direction": 2}, "E000008", "CFDWBW"),
        ({"bizType": 10, "requestPrice": "108000", "requestNum": "0.001"}, "E000026", "CFDWBW"),
    ],
)
async def test_pending_orders_are_validated(
    simulator: Simulator, http: httpx.AsyncClient, overrides: dict[str, Any], code: str, biz_code: str
) -> None:
    error(await open_api(http, simulator, ORDER, order(**overrides)), code, biz_code)
    assert simulator.exchange.pending.orders == {}


async def test_aggregate_limit_close_partly_closes_a_position(
    simulator: Simulator, http: httpx.AsyncClient, ws: ClientConnection
) -> None:
    sim = simulator
    aggregate = ok(
        await open_api(http, sim, ORDER, order(bizType=13, requestPrice="108000", requestNum="0.2"))
    )
    _, fired = sim.set_price(EURUSD, "1.07990")
    position_id = fired[0].position_id
    assert fired[0].order_id == aggregate["orderId"]
    assert (await next_push(ws, "trade"))["content"]["bizType"] == "ME_POSITION_LIMIT_OPEN"
    body = order(bizType=14, direction=2, requestPrice="108200", positionId=position_id, requestNum="0.05")
    close = ok(await open_api(http, sim, ORDER, body))
    assert (close["openOrClose"], close["positionId"], close["openDirection"]) == (2, position_id, 1)
    _, fired = sim.set_price(EURUSD, "1.08210")  # bid 1.08204 >= 1.08200
    assert [o.order_id for o in fired] == [close["orderId"]]
    trade = await next_push(ws, "trade")
    assert trade["content"]["bizType"] == "ME_POSITION_LIMIT_CLOSE"
    assert trade["content"]["paramMap"]["orderId"] == str(close["orderId"])
    detail = ok(await open_api(http, sim, POSITION, {"tradeType": 2, "positionId": position_id}))
    assert (detail["status"], detail["volume"], detail["closeVolume"]) == ("3", 0.15, 0.05)


async def test_a_pending_close_whose_position_is_gone_is_refused_when_it_fires(
    simulator: Simulator, http: httpx.AsyncClient
) -> None:
    sim = simulator
    pid = ok(await open_api(http, sim, ORDER, order()))["positionId"]
    body = order(bizType=14, direction=2, requestPrice="108600", positionId=pid)
    close = ok(await open_api(http, sim, ORDER, body))
    ok(await open_api(http, sim, ORDER, order(bizType=2, direction=2, positionId=pid)))  # closed by hand
    _, fired = sim.set_price(EURUSD, "1.08700")
    assert fired == []
    detail = ok(await open_api(http, sim, ORDER_DETAIL_ALIAS, {"tradeType": 2, "orderId": close["orderId"]}))
    assert (detail["status"], detail["busiiType"], detail["positionId"]) == (6, 14, pid)


async def test_modify_and_cancel_pending_orders(simulator: Simulator, http: httpx.AsyncClient) -> None:
    sim = simulator
    a = ok(await open_api(http, sim, ORDER, order(bizType=10, requestPrice="108000")))
    b = ok(await open_api(http, sim, ORDER, order(bizType=10, requestPrice="107000")))
    update = {
        "tradeType": 2,
        "pboId": a["pboId"],
        "requestPrice": 107500,
        "requestNum": "0.2",
        "takeProfit": "109000",
    }
    changed = ok(await open_api(http, sim, PBO_UPDATE, update))
    assert (changed["orderId"], changed["openPrice"], changed["takeProfit"]) == (
        a["orderId"],
        "1.07500",
        "109000",
    )
    pending = sim.exchange.pending.find(int(a["pboId"]))
    assert pending is not None
    assert (pending.request_price, pending.request_num) == (107500, Decimal("0.2"))
    error(
        await open_api(http, sim, PBO_UPDATE, {"tradeType": 2, "pboId": int(a["pboId"])}), "E000006", "CFDWBW"
    )
    error(await open_api(http, sim, PBO_UPDATE, {**update, "requestPrice": "109000"}),
          "E000007", "CFDWBW")  # fmt: skip

    cancel = {"pboId": a["pboId"], "customerNo": sim.customer_no, "customerId": sim.customer_id,
              "accountId": 1031002, "tradeType": 2, "bizType": 10}  # fmt: skip
    assert ok(await open_api(http, sim, PBO_CANCEL, cancel)) is None
    error(await open_api(http, sim, PBO_CANCEL, cancel), "10011012", "CFDWBW")
    error(await open_api(http, sim, PBO_CANCEL, {**cancel, "pboId": "999"}), "10011012", "CFDWBW")
    error(
        await open_api(http, sim, PBO_CANCEL_TRADE, {"tradeType": 1, "orderId": b["orderId"]}),
        "10011012",
        "CFD",
    )
    left = ok(await open_api(http, sim, PBO_CANCEL_TRADE, {"tradeType": 2, "orderId": b["orderId"]}))
    assert left == {"leftover": "0.1"}
    assert ok(await open_api(http, sim, PBO_LIST, {"tradeType": 2})) == []
    records = ok(await open_api(http, sim, ORDERS, {"tradeType": 2}))["records"]
    assert {r["id"]: (r["status"], r["cancelNum"]) for r in records} == {
        a["orderId"]: (4, "0.2"),
        b["orderId"]: (4, "0.1"),
    }
    _, fired = sim.set_price(EURUSD, "1.06000")
    assert fired == []


async def test_pending_orders_expire_on_the_simulator_clock() -> None:
    clock = FakeClock()
    async with Simulator(clock_ms=clock.ms) as sim, httpx.AsyncClient(base_url=sim.base_url) as http:
        day = ok(await open_api(http, sim, ORDER, order(bizType=10, requestPrice="108000", expireType=1)))
        week = ok(await open_api(http, sim, ORDER, order(bizType=10, requestPrice="108000")))  # default: 2
        clock.now += 86_400
        rows = ok(
            await open_api(
                http, sim, PBO_LIST, {"tradeType": 2, "sortFieldName": "orderId", "sortType": "asc"}
            )
        )
        assert [r["id"] for r in rows] == [week["pboId"]]
        assert rows[0]["expireTime"] == 1_700_000_000_000 + 7 * 86_400_000
        detail = ok(await open_api(http, sim, ORDER_DETAIL, {"tradeType": 2, "orderId": day["orderId"]}))
        assert detail["status"] == 7
        clock.now += 6 * 86_400
        _, fired = sim.set_price(EURUSD, "1.07000")
        assert fired == []


# ---------------------------------------------------------------------------- positions


async def test_stop_loss_and_take_profit_are_validated_then_fire(
    simulator: Simulator, http: httpx.AsyncClient
) -> None:
    sim = simulator
    placed = ok(await open_api(http, sim, ORDER, order()))  # buy at the ask 1.08506
    base = {"tradeType": 2, "accountId": 1031002, "accountDigits": 4, "orderId": placed["orderId"],
            "positionId": placed["positionId"]}  # fmt: skip
    error(await open_api(http, sim, SLTP_WBW, {**base, "stopLoss": "108600"}), "E000009", "CFDWBW")
    error(await open_api(http, sim, SLTP_WBW, {**base, "takeProfit": "108400"}), "E000010", "CFDWBW")
    error(await open_api(http, sim, SLTP_MM, {**base, "stopLoss": "108000"}), "E000007", "CFD")
    error(await open_api(http, sim, SLTP_WBW, {**base, "positionId": 1}), "E000008", "CFDWBW")
    error(await open_api(http, sim, SLTP_WBW, {**base, "accountDigits": 2}), "E000007", "CFDWBW")
    updated = ok(
        await open_api(http, sim, SLTP_ALIAS, {**base, "stopLoss": "108000", "takeProfit": "109000"})
    )
    assert (updated["positionId"], updated["stopLoss"], updated["takeProfit"]) == (
        placed["positionId"],
        "108000",
        "109000",
    )
    assert (updated["stopLossDecimal"], updated["takeProfitDecimal"]) == ("1.08000", "1.09000")
    removed = ok(await open_api(http, sim, SLTP_WBW, {**base, "stopLoss": "0"}))
    assert (removed["stopLoss"], removed["takeProfit"]) == ("0", "109000")

    _, fired = sim.set_price(EURUSD, "1.09010")  # bid 1.09004 >= take-profit
    assert [(o.biz_type, o.position_id) for o in fired] == [(4, placed["positionId"])]
    detail = ok(await open_api(http, sim, POSITION, {"tradeType": 2, "positionId": placed["positionId"]}))
    assert (detail["status"], detail["closePrice"]) == ("2", "1.09004")
    flow = ok(await open_api(http, sim, FLOW, {"tradeType": 2, "businessType": 12}))["records"]
    assert [r["businessType1"] for r in flow] == [12004, 12007, 12002]  # newest first
    assert flow[1]["amount"] == format(fired[0].profit, "f")


async def test_full_margin_position_detail_and_stops(simulator: Simulator, http: httpx.AsyncClient) -> None:
    sim = simulator
    token = await login(http, sim)
    placed = ok(
        await client_api(http, sim, token, ORDER_MM, full_margin_order(direction=2))
    )  # sell at the bid
    body = {"tradeType": 1, "positionId": placed["positionId"]}
    detail = ok(await client_api(http, sim, token, POSITION_MM, body))
    assert (detail["direction"], detail["status"], detail["tradeType"]) == (2, "1", 1)
    error(await client_api(http, sim, token, POSITION_MM, {**body, "tradeType": 2}), "E000007", "CFD")
    error(await client_api(http, sim, token, POSITION, {**body, "positionId": 7}), "E000008", "CFD")
    sltp = {"tradeType": 1, "accountCurrency": "USDT", "accountDigits": 4, "orderId": placed["orderId"],
            "positionId": placed["positionId"], "stopLoss": "108600"}  # fmt: skip
    assert ok(await client_api(http, sim, token, SLTP_MM, sltp))["stopLossDecimal"] == "1.08600"
    _, fired = sim.set_price(EURUSD, "1.08600")  # ask 1.08606 >= the sell's stop-loss
    assert [o.biz_type for o in fired] == [3]
    flow = ok(await client_api(http, sim, token, FLOW_MM, {"tradeType": 1, "current": "1", "size": "2"}))
    assert (flow["total"], flow["current"], flow["size"]) == (4, 1, 2)  # deposit, open fee, P&L, close fee
    assert [r["businessType1"] for r in flow["records"]] == [6002, 6005]
    assert {r["businessTypeName"] for r in flow["records"]} == {"transaction"}


async def test_partial_close_history_and_deals(simulator: Simulator, http: httpx.AsyncClient) -> None:
    sim = simulator
    placed = ok(await open_api(http, sim, ORDER, order(requestNum="0.2")))
    pid = placed["positionId"]
    ok(await open_api(http, sim, ORDER, order(bizType=2, direction=2, positionId=pid, requestNum="0.05")))
    detail = ok(await open_api(http, sim, POSITION, {"tradeType": 2, "positionId": pid}))
    assert (detail["status"], detail["volume"]) == ("3", 0.15)
    assert (
        ok(await open_api(http, sim, HISTORY, {"tradeType": 2, "sortFieldName": "pnl", "sortType": "desc"}))[
            "list"
        ]
        == []
    )
    sim.set_price(EURUSD, "1.08700")
    ok(await open_api(http, sim, ORDER, order(bizType=2, direction=2, positionId=pid, requestNum="0.15")))
    for name in (HISTORY, HISTORY_ALIAS):
        history = ok(await open_api(http, sim, name, {"tradeType": 2, "current": 1, "size": 10}))
        assert (history["current"], history["size"], history["totalPage"]) == (1, 10, 1)
        assert [(p["positionId"], p["status"]) for p in history["list"]] == [(pid, "2")]
        assert (history["customerNo"], history["accountId"]) == (sim.customer_no, 1031002)
    position = sim.exchange.positions[pid]
    assert history["totalPnl"] == format(position.realized_profit, "f")
    error(await open_api(http, sim, HISTORY, {"tradeType": 2, "sortType": "up"}), "E000014", "CFDWBW")
    error(await open_api(http, sim, T + "CfdMMOrderApiService.queryHistoryCloseOrderList", {"tradeType": 2}),
          "E000007", "CFD")  # fmt: skip

    deals = ok(
        await open_api(http, sim, DEALS, {"tradeType": 2, "sortFieldName": "executeTime", "sortType": "asc"})
    )
    assert (deals["list"][0]["orderId"], deals["list"][0]["bizType"]) == (placed["orderId"], 1)
    assert (len(deals["list"]), deals["totalPage"], deals["bizTypeText"]["1"]) == (3, 1, "Market open")
    first = deals["list"][0]
    assert (first["executeNum"], first["realExecuteNum"], first["executePrice"]) == (
        "0.2",
        "20000",
        "1.08506",
    )
    closes = ok(await open_api(http, sim, DEALS, {"tradeType": 2, "orderType": 2, "accountIds": "1031002"}))
    assert [d["bizType"] for d in closes["list"]] == [2, 2]
    assert ok(await open_api(http, sim, DEALS, {"tradeType": 2, "accountIds": "1"}))["list"] == []


async def test_calculate_market_order_trades_nothing(simulator: Simulator, http: httpx.AsyncClient) -> None:
    sim = simulator
    for name, body in ((CALC, order(stopLoss=107000)), (CALC_MM, full_margin_order(crossLevelNum=50))):
        data = ok(await open_api(http, sim, name, body))
        assert set(data) == {"margin", "calculatePrice", "fee"}
        assert data["calculatePrice"] == "1.08506"
    # 0.1 lot x 100000 x 1.08506 at leverage 50 = 217.012 margin; fee 0.0001 of the notional.
    assert (data["margin"], data["fee"]) == ("217.0120", "1.0851")
    pending = ok(await open_api(http, sim, CALC, order(bizType=10, requestPrice="108000")))
    assert pending["calculatePrice"] == "1.08000"
    placed = ok(await open_api(http, sim, ORDER, order()))
    closing = ok(
        await open_api(http, sim, CALC, order(bizType=2, direction=2, positionId=placed["positionId"]))
    )
    assert (closing["margin"], closing["calculatePrice"], closing["fee"]) == ("0.0000", "1.08494", "1.0849")
    error(await open_api(http, sim, CALC, order(bizType=2, direction=2, positionId=5)), "E000008", "CFDWBW")
    orders_before = dict(sim.exchange.orders)
    error(await open_api(http, sim, CALC_MM, order()), "E000007", "CFD")
    error(await open_api(http, sim, CALC, order(crossLevelNum=1000)), "E000029", "CFDWBW")
    assert sim.exchange.orders == orders_before


async def test_leverage_reads_request_time_then_cross_level_num(
    simulator: Simulator, http: httpx.AsyncClient
) -> None:
    sim = simulator
    placed = ok(await open_api(http, sim, ORDER_MM, full_margin_order()))
    body = {"tradeType": 1, "companyId": sim.company_id, "customerId": sim.customer_id,
            "customerNo": sim.customer_no, "customerGroupId": 1, "symbolId": EURUSD,
            "requestTime": 50}  # fmt: skip
    assert ok(await open_api(http, sim, LEVERAGE_MM, body)) is None
    assert sim.exchange.positions[placed["positionId"]].leverage == 50
    opened = ok(await open_api(http, sim, ORDER_MM, full_margin_order()))
    assert sim.exchange.positions[opened["positionId"]].leverage == 50
    error(await open_api(http, sim, LEVERAGE_MM, {**body, "requestTime": 501}), "E000029", "CFD")
    error(await open_api(http, sim, LEVERAGE_MM, {**body, "customerNo": "1"}), "E000007", "CFD")
    isolated = {"tradeType": 2, "symbolId": 1002, "crossLevelNum": 20}
    assert ok(await open_api(http, sim, LEVERAGE_POSITION, isolated)) is None
    assert sim.exchange.leverage[(1031002, 1002)] == 20


# ---------------------------------------------------------------------------- account and customer


async def test_account_and_assets(simulator: Simulator, http: httpx.AsyncClient) -> None:
    sim = simulator
    account = ok(await open_api(http, sim, ACCOUNT, {"tradeType": 2, "currency": "USDT"}))
    assert (account["accountId"], account["balance"], account["customerNo"]) == (
        1031002,
        "10000.0000",
        sim.customer_no,
    )
    assets = ok(await open_api(http, sim, ASSETS, {"tradeType": 1}))
    assert assets == {"assetsId": 13, "currency": "USDT", "digits": 4, "balance": "10000.0000"}
    error(await open_api(http, sim, ASSETS, {"tradeType": 3}), "CUSTOMER_API_0000003", "US")
    error(await open_api(http, sim, ASSETS, {}), "CUSTOMER_API_0000501", "US")


async def test_registration_with_a_verification_code(simulator: Simulator, http: httpx.AsyncClient) -> None:
    sim = simulator
    send = {"type": 1, "loginName": "New@Example.com"}
    ticket = ok(await client_api(http, sim, None, SEND_CODE, send))
    assert isinstance(ticket, str)
    assert sim.sent_codes == [(1, "New@Example.com", sim.config.verify_code)]
    body = {"type": 1, "loginName": "new@example.com", "country": "GB", "verifyCode": "000000",
            "sendToken": ticket, "registerSource": 2, "pwd": crypto.md5_password("s3cret"),
            "tradeTypeCurrencyList": [{"tradeType": "2", "allCurrency": "USDT"}]}  # fmt: skip
    error(await client_api(http, sim, None, REGISTER, body, "register"), "CUSTOMER_API_0000511", "US")
    error(await client_api(http, sim, None, REGISTER, {**body, "loginName": "nope"}, "register"),
          "CUSTOMER_API_0000510", "US")  # fmt: skip
    data = ok(
        await client_api(
            http, sim, None, REGISTER, {**body, "verifyCode": sim.config.verify_code}, "register"
        )
    )
    assert (data["customerNo"], data["id"], data["email"], data["capitalInStatus"], data["list"]) == (
        "86001176", 1177, "new@example.com", 2, [],
    )  # fmt: skip
    assert [(a["tradeType"], a["balance"]) for a in data["accountList"]] == [(2, "0.0000")]
    # The ticket is used up; a second registration of the address is a duplicate.
    code = sim.config.verify_code
    error(await client_api(http, sim, None, REGISTER, {**body, "verifyCode": code}, "register"),
          "CUSTOMER_API_0000511", "US")  # fmt: skip
    again = ok(await client_api(http, sim, None, SEND_CODE, send))
    duplicate = {**body, "verifyCode": sim.config.verify_code, "sendToken": again}
    error(await client_api(http, sim, None, REGISTER, duplicate, "register"), "CUSTOMER_API_0000107", "US")

    token = await login(http, sim, "NEW@example.com", "s3cret")
    info = ok(await client_api(http, sim, token, INFO, {}))
    assert (info["customerNo"], [a["accountId"] for a in info["accountList"]]) == ("86001176", [1032001])
    # The new customer sees its own books only.
    assert (
        ok(await client_api(http, sim, token, T + "PositionApiService.queryPositionPage", {"tradeType": 2}))[
            "total"
        ]
        == 0
    )
    error(
        await client_api(http, sim, token, ACCOUNT, {"tradeType": 2, "accountId": 1031002}),
        "CUSTOMER_API_0000003",
        "US",
    )

    # Password-less login with a code sent to the address (the SDK's body shape: toUser + bizType).
    purpose = {
        "companyId": sim.company_id,
        "bizType": "EMAIL_LOGIN_VERIFICATION_CODE",
        "toUser": "new@example.com",
    }
    ticket = ok(await client_api(http, sim, None, SEND_CODE, purpose))
    login_body = {"type": 1, "loginName": "new@example.com", "device": 1, "isThird": False,
                  "verifyCode": sim.config.verify_code, "sendToken": ticket}  # fmt: skip
    assert ok(await client_api(http, sim, None, LOGIN, login_body, "login"))["customerNo"] == "86001176"


async def test_registration_and_code_sending_need_the_captcha_when_on() -> None:
    async with Simulator(captcha_token="good") as sim, httpx.AsyncClient(base_url=sim.base_url) as http:
        send = {"type": 2, "loginName": "13900000000"}
        error(await client_api(http, sim, None, SEND_CODE, send), "F999999", "G")
        error(await client_api(http, sim, None, REGISTER, {"type": 2}, "register"), "F999999", "G")
        ticket = ok(await client_api(http, sim, None, SEND_CODE, send, captcha="good"))
        body = {"type": 2, "loginName": "13900000000", "country": "CN", "verifyCode": sim.config.verify_code,
                "sendToken": ticket, "registerSource": 4}  # fmt: skip
        data = ok(await client_api(http, sim, None, REGISTER, body, "register", captcha="good"))
        assert (data["loginPassStatus"], data["phone"]) == ("1", "139******0000")
        assert sorted(a["tradeType"] for a in data["accountList"]) == [1, 2, 5]


# ---------------------------------------------------------------------------- API keys


async def test_api_keys_are_managed_and_enforced() -> None:
    clock = FakeClock()
    async with Simulator(clock_ms=clock.ms) as sim, httpx.AsyncClient(base_url=sim.base_url) as http:
        token = await login(http, sim)
        applied = ok(await client_api(http, sim, token, KEYS + "applyApi", {"tag": "bot"}, version="0.0.1"))
        assert len(applied["apiKey"]) == 32
        assert int(applied["apiKey"], 16) >= 0
        assert applied["secretKeyMd5"] == crypto.secret_key_md5(applied["privateKey"])
        assert {p["code"]: p["status"] for p in applied["permissionDTOList"]} == {
            "ready_only": 1, "trade": 2, "contract_trade": 2, "captial_out": 2,
        }  # fmt: skip
        assert (applied["validityDays"], applied["expiredTime"] - applied["createTime"]) == (
            90,
            90 * 86_400_000,
        )
        assert applied["withdrawTime"] - applied["createTime"] == 48 * 3_600_000
        error(
            await client_api(http, sim, token, KEYS + "applyApi", {"tag": "bot"}),
            "CUSTOMER_API_00011003",
            "US",
        )
        key = (applied["apiKey"], applied["privateKey"])

        # The new key signs with its own pair; it can read but not trade.
        assert (
            ok(await open_api(http, sim, ACCOUNT, {"tradeType": 2, "accountId": 1031002}, key))["accountId"]
            == 1031002
        )
        error(await open_api(http, sim, ORDER, order(), key), "00012004", "")
        error(await open_api(http, sim, PBO_CANCEL, {"tradeType": 2, "pboId": "1"}, key), "00012004", "")
        assert ok(await open_api(http, sim, ORDER, order()))["orderId"]  # the seeded key trades
        wrong = (applied["apiKey"], sim.secret_key)
        error(
            await open_api(http, sim, ACCOUNT, {"tradeType": 2, "accountId": 1031002}, wrong), "00012001", ""
        )

        edit = {"id": applied["id"], "permissionList": [{"code": "contract_trade", "status": 1}]}
        assert ok(await client_api(http, sim, token, KEYS + "editApiPermission", edit)) is None
        assert ok(await open_api(http, sim, ORDER, order(), key))["tradeVolume"] == "0.1"
        bad = {"id": applied["id"], "permissionList": [{"code": "ready_only", "status": 2}]}
        error(
            await client_api(http, sim, token, KEYS + "editApiPermission", bad), "CUSTOMER_API_00011001", "US"
        )

        details = ok(await client_api(http, sim, token, KEYS + "queryApi", {"id": applied["id"]}))
        assert details["privateKey"] is None
        assert "tradeapi.app.OrderApiService.addMarketOrder_0.0.1_tradeApi" in details["sources"]
        listed = ok(await client_api(http, sim, token, KEYS + "page", {"current": 1, "size": 10}))
        assert [(r["tag"], r["privateKey"]) for r in listed["records"]] == [("bot", None), ("sim", None)]

        # Bound to another IP the key is refused; unbound again it expires after 90 days.
        bind = {"id": applied["id"], "whiteIps": "10.0.0.1"}
        ok(await client_api(http, sim, token, KEYS + "editApiPermission", bind))
        error(await open_api(http, sim, ACCOUNT, {"tradeType": 2, "accountId": 1031002}, key), "00012007", "")
        ok(await client_api(http, sim, token, KEYS + "editApiPermission", {**bind, "whiteIps": ""}))
        clock.now += 90 * 86_400
        token = await login(http, sim)
        error(await open_api(http, sim, ACCOUNT, {"tradeType": 2, "accountId": 1031002}, key), "00012006", "")
        assert ok(
            await open_api(http, sim, ACCOUNT, {"tradeType": 2, "accountId": 1031002})
        )  # seeded: permanent

        assert ok(await client_api(http, sim, token, KEYS + "delApi", {"id": applied["id"]})) is None
        error(await open_api(http, sim, ACCOUNT, {"tradeType": 2, "accountId": 1031002}, key), "00012003", "")
        error(
            await client_api(http, sim, token, KEYS + "delApi", {"id": applied["id"]}),
            "CUSTOMER_API_0000003",
            "US",
        )
        error(await open_api(http, sim, KEYS + "applyApi", {"tag": "x"}), "GATEWAY_CODE_002", "G")


# ---------------------------------------------------------------------------- replacement token, Auth2


async def test_random_key_swaps_a_one_time_token_once(simulator: Simulator, http: httpx.AsyncClient) -> None:
    sim = simulator
    one_time = await login(http, sim)
    r = await http.post("/api/global/thirdExt/randomKey", headers=wire_headers(sim, one_time), content=b"")
    access = ok(r.json())
    assert isinstance(access, str)
    assert access != one_time
    assert ok(await client_api(http, sim, access, INFO, {}))["customerNo"] == sim.customer_no
    r = await http.post("/api/global/thirdExt/randomKey", headers=wire_headers(sim, one_time), json={})
    error(r.json(), "GATEWAY_CODE_005", "G")
    error(await client_api(http, sim, one_time, INFO, {}), "GATEWAY_CODE_005", "G")


async def test_auth2_flow_end_to_end() -> None:
    clock = FakeClock()
    async with Simulator(clock_ms=clock.ms) as sim, httpx.AsyncClient(base_url=sim.base_url) as http:
        token = await login(http, sim)

        async def auth2(
            name: str, body: dict[str, Any], user_token: str | None = None, **h: str
        ) -> dict[str, Any]:
            hdrs = {"company": str(sim.company_id), "trace": str(uuid.uuid4())}
            if user_token is not None:
                hdrs["token"] = user_token
            hdrs.update(h)
            r = await http.post(f"/cats-gateway-auth2/auth2/{name}", headers=hdrs, json=body)
            return dict(r.json())

        app = {"appId": sim.auth2_app_id, "thirdAppType": "HG"}
        error(await auth2("code", app), "GATEWAY_CODE_001", "G")
        code = ok(await auth2("code", app, token))
        assert str(uuid.UUID(code)) == code
        error(await auth2("code", {**app, "appId": "nope"}, token), "CUSTOMER_API_0000131", "US")
        redeem = {"appId": sim.auth2_app_id, "appSecret": sim.auth2_app_secret, "code": code}
        error(await auth2("token", {**redeem, "appSecret": "x"}), "CUSTOMER_API_0000131", "US")
        pair = ok(await auth2("token", redeem))
        assert set(pair) == {"accessToken", "refreshToken"}
        error(await auth2("token", redeem), "CUSTOMER_API_0000149", "US")
        user = ok(await auth2("user", {"accessToken": pair["accessToken"]}))
        assert user == {"customerNo": sim.customer_no, "accountId": 0, "email": sim.login_name,
                        "thirdUserId": None, "thirdLoginSource": None}  # fmt: skip

        fresh = ok(await auth2("refresh", {"refreshToken": pair["refreshToken"]}, token))
        assert fresh["accessToken"] != pair["accessToken"]
        error(await auth2("user", {"accessToken": pair["accessToken"]}), "CUSTOMER_API_0000128", "US")
        error(
            await auth2("refresh", {"refreshToken": pair["refreshToken"]}, token),
            "CUSTOMER_API_0000128",
            "US",
        )
        clock.now += 2 * 3_600
        error(await auth2("user", {"accessToken": fresh["accessToken"]}), "CUSTOMER_API_0000128", "US")

        token = await login(http, sim)
        late = ok(await auth2("code", app, token))
        clock.now += 5 * 60
        error(await auth2("token", {**redeem, "code": late}), "CUSTOMER_API_0000148", "US")
        wrong_header = {"companyId": str(sim.company_id), "trace": "t"}
        r = await http.post("/cats-gateway-auth2/auth2/user", headers=wrong_header, json={"accessToken": "x"})
        error(r.json(), "GATEWAY_CODE_003", "G")
        error(await auth2("user", {}), "CUSTOMER_API_0000501", "US")
        shown = repr(sim.requests)
        assert sim.auth2_app_secret not in shown
        assert pair["refreshToken"] not in shown
