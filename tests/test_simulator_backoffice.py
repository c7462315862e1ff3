"""The simulator's back office, driven with raw httpx and websockets: Manager API, Bridge API and its
callbacks, the Manager data-push socket, and platform mode (Webhook and Message API calls)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.frames import Frame, Opcode

from multimarkets_async.protocol import crypto
from multimarkets_async.testing import (
    DATAPUSH_EVENT_TYPES as EVENT_TYPES,
)
from multimarkets_async.testing import (
    MESSAGE_API_EXAMPLE,
    SIGN_DEMO,
    TRADE_H5_COMPANY,
    Simulator,
)
from multimarkets_async.testing._exchange.records import MarketOrder

pytestmark = pytest.mark.anyio

AUTH = "/openapi-b/auth/admin.admin.CompanyAuthDubboService.auth"
DICT = "config.admin.AdminDictDubboService.getListByParentCode"
PAGE = "customer.admin.WhiteCustomerAdminApiService.page"
REGISTER = "customer.admin.WhiteCustomerAdminApiService.addCusAndOpenAccountAndKyc"
DETAIL = "customer.admin.WhiteCustomerAdminApiService.detail"
ACCOUNTS = "customer.admin.CustomerAdminApiService.queryAccountList"
ADJUST = "fund.admin.CustomerAdjustProposalAdminDubboService.addCustomerAdjustProposal"
ORDER = "tradeapi.admin.OrderAdminApiService."
ACC = "customer.admin.CustomerDirectAccAdminApiService."
PWD = "dc483e80a7a0bd9ef71d8cf973673924"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(
        bridge_callback_retry_delays_s=(0.01, 0.01),
        webhook_timeout_s=0.3,
        webhook_cancel_retry_delays_s=(0.01, 0.01, 0.01),
    ) as simulator:
        yield simulator


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


async def authorize(http: httpx.AsyncClient, sim: Simulator) -> dict[str, Any]:
    body = {"appId": sim.manager_app_id, "appSecret": sim.manager_app_secret}
    headers = {"trace": uuid.uuid4().hex, "timestamp": str(now_ms())}
    reply = await http.post(sim.base_url + AUTH, json=body, headers=headers)
    env = reply.json()
    assert env["code"] == "0", env
    return dict(env["data"])


async def manager(
    http: httpx.AsyncClient,
    sim: Simulator,
    token: str | None,
    biz_type: str,
    body: dict[str, Any],
    *,
    prefix: str = "",
    encrypt_with: str | None = None,
) -> dict[str, Any]:
    ts = now_ms()
    headers = {"companyId": str(sim.company_id), "version": "0.0.1", "timestamp": str(ts)}
    headers["trace"] = ("x-" if encrypt_with else "") + uuid.uuid4().hex
    if token is not None:
        headers["token"] = token
    sent = crypto.BodyEncryptor(encrypt_with).encrypt(body, ts) if encrypt_with else body
    reply = await http.post(f"{sim.base_url}/openapi-b{prefix}/{biz_type}", json=sent, headers=headers)
    assert reply.status_code == 200
    return dict(reply.json())


async def bridge(
    http: httpx.AsyncClient, sim: Simulator, biz_type: str, body: dict[str, Any], **override: str
) -> dict[str, Any]:
    ts = now_ms()
    headers = {
        "companyId": str(sim.company_id),
        "trace": uuid.uuid4().hex,
        "timestamp": str(ts),
        "recvWindow": "5000",
        "apiKey": sim.bridge_api_key,
        "signature": crypto.OpenApiSigner(sim.bridge_secret_key).sign(body, ts),
        "version": "0.0.1",
        "group": "tradeApi",
    }
    headers.update(override)
    reply = await http.post(f"{sim.base_url}/webhook/global/{biz_type}", json=body, headers=headers)
    assert reply.status_code == 200
    return dict(reply.json())


# ---------------------------------------------------------------------------- Manager API


async def test_authorize_token_use_and_expiry(sim: Simulator, http: httpx.AsyncClient) -> None:
    pair = {"appId": sim.manager_app_id, "appSecret": sim.manager_app_secret}
    # The timestamp (ms) is required on authorize: missing, then stale.
    missing = await http.post(sim.base_url + AUTH, json=pair, headers={"trace": "t"})
    assert missing.json()["code"] == "GATEWAY_CODE_009"
    stale = {"trace": "t", "timestamp": str(now_ms() - 3_600_000)}
    late = await http.post(sim.base_url + AUTH, json=pair, headers=stale)
    assert late.json()["code"] == "GATEWAY_CODE_014"
    bad = await http.post(
        sim.base_url + AUTH,
        json={"appId": sim.manager_app_id, "appSecret": "0" * 32},
        headers={"trace": "t", "timestamp": str(now_ms())},
    )
    assert bad.json()["code"] == "CUSTOMER_API_0000131"
    record = await authorize(http, sim)
    token = record["token"]
    assert token.endswith("admin")
    assert record["publicKey"] == TRADE_H5_COMPANY.public_key
    assert record["id"] == sim.company_id
    assert record["strId"] == str(sim.company_id)
    body = {"parentCode": "USDT"}
    assert (await manager(http, sim, None, DICT, body))["code"] == "GATEWAY_CODE_001"
    assert (await manager(http, sim, "nope" + "admin", DICT, body))["code"] == "GATEWAY_CODE_005"
    ok = await manager(http, sim, token, DICT, body)
    assert ok["code"] == "0"
    assert ok["data"][0]["code"] == "Tron(TRC20)"
    assert ok["data"][0]["parentCode"] == "USDT"
    assert (await manager(http, sim, token, DICT, body, prefix="/global"))["code"] == "0"
    assert (await manager(http, sim, token, "no.such.Op", body))["code"] == "GATEWAY_CODE_002"
    sim.expire_manager_tokens()
    assert (await manager(http, sim, token, DICT, body))["code"] == "GATEWAY_CODE_005"
    assert (await authorize(http, sim))["token"] != token


async def test_encrypted_manager_call(sim: Simulator, http: httpx.AsyncClient) -> None:
    record = await authorize(http, sim)
    env = await manager(
        http,
        sim,
        record["token"],
        ACCOUNTS,
        {"customerNo": sim.customer_no, "tradeType": 1},
        encrypt_with=record["publicKey"],
    )
    assert env["code"] == "0"
    assert env["data"][0]["accountId"] == 1031001
    assert sim.requests[-1].decrypted_body == {"customerNo": sim.customer_no, "tradeType": 1}
    # A body that is not the scheme B form while the trace says it is.
    headers = {
        "companyId": str(sim.company_id),
        "trace": "x-1",
        "token": record["token"],
        "timestamp": str(now_ms()),
    }
    reply = await http.post(f"{sim.base_url}/openapi-b/{ACCOUNTS}", json={"customerNo": "1"}, headers=headers)
    assert reply.json()["code"] == "GATEWAY_CODE_015"


async def test_manager_strict_encryption_and_rate_limit(http: httpx.AsyncClient) -> None:
    async with Simulator(require_encryption=True, client_rate_limit=2) as sim:
        record = await authorize(http, sim)
        token, key = record["token"], record["publicKey"]
        body = {"parentCode": "Language"}
        assert (await manager(http, sim, token, DICT, body))["code"] == "GATEWAY_CODE_015"
        env = await manager(http, sim, token, DICT, body, encrypt_with=key)
        assert env["code"] == "0"
        assert [row["code"] for row in env["data"]] == ["en-US", "zh-CN"]
        headers = {"companyId": str(sim.company_id), "trace": "t", "token": token}
        limited = await http.post(f"{sim.base_url}/openapi-b/{DICT}", json=body, headers=headers)
        assert limited.status_code == 429
        assert limited.headers["x-ratelimit-limit"] == "2"


async def test_manager_reference_data(sim: Simulator, http: httpx.AsyncClient) -> None:
    token = (await authorize(http, sim))["token"]
    cid = str(sim.company_id)
    assert (await manager(http, sim, token, DICT, {}))["code"] == "GATEWAY_CODE_015"
    countries = await manager(
        http, sim, token, "config.admin.AdminDictDubboService.getCountryListByParentCode", {}
    )
    assert {row["code"] for row in countries["data"]} >= {"CN", "US"}
    assets = await manager(
        http, sim, token, "config.admin.AdminAssetsDubboService.getAssetsList", {"companyId": cid}
    )
    assert assets["data"][0]["code"] == "USDT"
    assert assets["data"][0]["bizName"] == "ASSETS"
    missing = await manager(http, sim, token, "config.admin.AdminAssetsDubboService.getAssetsList", {})
    assert missing["code"] == "GATEWAY_CODE_015"
    rows = await manager(
        http,
        sim,
        token,
        "config.admin.AdminSymbolDubboService.getSymbolByCompanyId",
        {"companyId": cid, "tradeType": 2},
    )
    assert {r["symbolId"] for r in rows["data"]} == {1001, 1002, 1003, 1004}
    assert all(r["tradeType"] == 2 for r in rows["data"])
    groups = await manager(
        http, sim, token, "customer.admin.CustomerGroupAdminApiService.groupList", {"tradeType": 5}
    )
    assert groups["data"][0]["openAccountType"] == 1
    assert groups["data"][0]["tradeType"] == 5
    perms = await manager(http, sim, token, "config.admin.AdminAssetsDubboService.getTradeTypeList", {})
    assert perms["data"][0]["allCurrency"] == "USDT"


async def test_manager_customers(sim: Simulator, http: httpx.AsyncClient) -> None:
    token = (await authorize(http, sim))["token"]
    register = {
        "email": "new@example.com",
        "emailArea": "+86",
        "pwd": PWD,
        "country": "CN",
        "customerGroupId": 1,
        "registerSource": 1,
        "tradeTypeCurrencyList": [{"allCurrency": "USDT", "tradeType": "1"}],
        "thirdServerCode": "our-42",
    }
    env = await manager(http, sim, token, REGISTER, register)
    assert env["code"] == "0"
    assert env["data"] == "86001176"
    assert (await manager(http, sim, token, REGISTER, register))["code"] == "CUSTOMER_API_0000107"
    phone = {**register, "phone": "13800000001", "phoneArea": "+86"}
    del phone["email"]
    assert (await manager(http, sim, token, REGISTER, phone))["data"] == "86001177"
    assert (await manager(http, sim, token, REGISTER, phone))["code"] == "CUSTOMER_API_0000106"
    nobody = {k: v for k, v in register.items() if k != "email"}
    assert (await manager(http, sim, token, REGISTER, nobody))["code"] == "CUSTOMER_API_0000501"
    bad_type = {
        **register,
        "email": "x@example.com",
        "tradeTypeCurrencyList": [{"allCurrency": "USDT", "tradeType": "3"}],
    }
    assert (await manager(http, sim, token, REGISTER, bad_type))["code"] == "CUSTOMER_API_0000314"
    customer = next(c for c in sim.exchange.customers.values() if c.customer_no == "86001176")
    assert customer.third_server_code == "our-42"

    page = await manager(http, sim, token, PAGE, {"customerNo": None, "size": 2, "current": 1})
    assert page["data"]["total"] == 3
    assert len(page["data"]["records"]) == 2
    one = await manager(http, sim, token, PAGE, {"customerNo": "86001176"})
    assert [r["email"] for r in one["data"]["records"]] == ["new@example.com"]
    assert (await manager(http, sim, token, PAGE, {"size": 2001}))["code"] == "CUSTOMER_API_0000501"

    body = {"type": "tradeAccount", "id": "1177", "customerNo": "86001176"}
    detail = await manager(http, sim, token, DETAIL, body)
    assert detail["data"]["customerNo"] == "86001176"
    assert len(detail["data"]["accountList"]) == 1
    base = await manager(http, sim, token, DETAIL, {**body, "type": "baseInfo"})
    assert "accountList" not in base["data"]
    unknown = await manager(http, sim, token, DETAIL, {**body, "customerNo": "1"})
    assert unknown["code"] == "CUSTOMER_API_0000003"
    accounts = await manager(http, sim, token, ACCOUNTS, {"customerNo": "86001176", "tradeType": 1})
    assert accounts["data"][0]["currency"] == "USDT"
    assert accounts["data"][0]["balance"] == "0.0000"
    assert (await manager(http, sim, token, ACCOUNTS, {"customerNo": "86001176"}))[
        "code"
    ] == "CUSTOMER_API_0000501"


async def test_manager_balance_update(sim: Simulator, http: httpx.AsyncClient) -> None:
    token = (await authorize(http, sim))["token"]
    body = {
        "customerNo": sim.customer_no,
        "accountId": 1031001,
        "accountCurrency": "USDT",
        "tradeType": 1,
        "businessType": 4,
        "amount": 5,
        "withdraw": True,
        "remark": "bonus",
    }
    env = await manager(http, sim, token, ADJUST, body)
    assert env["code"] == "0"
    assert env["data"].startswith("A")
    assert sim.exchange.accounts[1031001].balance == Decimal(10005)
    entry = sim.exchange.ledger.entries[-1]
    assert (entry.business_type, entry.business_type1, entry.amount) == (4, 4004, Decimal(5))
    found = await manager(
        http,
        sim,
        token,
        "fund.admin.CustomerAdjustProposalAdminDubboService.getCustomerAdjustProposalById",
        {"proposalNo": env["data"]},
    )
    assert found["data"]["amount"] == 5
    assert (await manager(http, sim, token, ADJUST, {**body, "businessType": 3}))["code"] == "FS10002"
    assert (await manager(http, sim, token, ADJUST, {**body, "amount": -20000}))["code"] == "FS10002"
    assert (await manager(http, sim, token, ADJUST, {"customerNo": sim.customer_no}))["code"] == "FS10001"
    urls = {
        "queryUserAccountBalanceUrl": "http://127.0.0.1:9/get-user-amount",
        "externalSystemAdjustmentUrl": "http://127.0.0.1:9/adjust",
        "cancelExternalSystemAdjustmentUrl": "http://127.0.0.1:9/cancel",
    }
    sub = await manager(
        http, sim, token, "admin.admin.CompanyWebhookDubboService.subscribe", urls, prefix="/global"
    )
    assert sub["code"] == "0"
    assert sim.webhook_urls == urls


# ---------------------------------------------------------------------------- Bridge API


def trading(**extra: Any) -> dict[str, Any]:
    return {
        "tradeType": 10,
        "exchangeId": "binance",
        "accountName": "main",
        "customerNo": "86001175",
        "customerGroupId": 1,
        **extra,
    }


async def add_exchange_account(http: httpx.AsyncClient, sim: Simulator) -> dict[str, Any]:
    body = {
        "customerNo": sim.customer_no,
        "exchangeCode": "binance",
        "accountType": "spot",
        "accountName": "main",
        "accountApiKey": "k" * 16,
        "accountSecretKey": "s" * 16,
    }
    env = await bridge(http, sim, ACC + "add", body)
    assert env["code"] == "0", env
    return dict(env["data"])


async def test_bridge_signing(sim: Simulator, http: httpx.AsyncClient) -> None:
    body = {"customerNo": sim.customer_no}
    assert (await bridge(http, sim, PAGE, body))["code"] == "0"
    assert (await bridge(http, sim, PAGE, body, apiKey="0" * 32))["code"] == "00012003"
    assert (await bridge(http, sim, PAGE, body, signature="AAAA"))["code"] == "00012001"
    assert (await bridge(http, sim, PAGE, body, timestamp=str(now_ms() - 60_000)))["code"] == "00012002"
    assert (await bridge(http, sim, "no.such.Op", body))["code"] == "GATEWAY_CODE_002"
    # The Open API key is not a Bridge key.
    assert (await bridge(http, sim, PAGE, body, apiKey=sim.api_key))["code"] == "00012003"


async def test_bridge_customers_and_accounts(sim: Simulator, http: httpx.AsyncClient) -> None:
    detail = await bridge(
        http,
        sim,
        "customer.admin.WhiteCustomerAdminApiService.detailByCustomerNo",
        {"type": "baseInfo", "customerNo": sim.customer_no},
    )
    assert detail["data"]["customerNo"] == sim.customer_no
    reg = await bridge(
        http,
        sim,
        REGISTER,
        {
            "email": "b@example.com",
            "pwd": PWD,
            "country": "US",
            "customerGroupId": 1,
            "registerSource": 1,
            "tradeTypeCurrencyList": [{"allCurrency": "USDT", "tradeType": "10"}],
        },
    )
    assert reg["data"] == "86001176"
    account = await add_exchange_account(http, sim)
    assert account["accountName"] == "main"
    assert "accountSecretKey" not in account
    bad = await bridge(http, sim, ACC + "add", {"customerNo": sim.customer_no, "exchangeCode": "ftx"})
    assert bad["code"] != "0"
    assert (await bridge(http, sim, ACC + "edit", {"id": account["id"], "accountName": "renamed"}))[
        "code"
    ] == "0"
    listed = await bridge(http, sim, ACC + "getPage", {"customerNo": sim.customer_no})
    assert [r["accountName"] for r in listed["data"]["records"]] == ["renamed"]
    assert (await bridge(http, sim, ACC + "delete", {"id": account["id"]}))["code"] == "0"
    assert (await bridge(http, sim, ACC + "delete", {"id": account["id"]}))["code"] == "CUSTOMER_API_0000003"
    closed = await bridge(
        http,
        sim,
        "customer.admin.WhiteCustomerAdminApiService.destroyByCustomerNo",
        {"customerNo": "86001176", "remark": "bye"},
    )
    assert closed["code"] == "0"


async def test_bridge_orders_and_records(sim: Simulator, http: httpx.AsyncClient) -> None:
    await add_exchange_account(http, sim)
    placed = await bridge(
        http, sim, ORDER + "addDirectOrder", trading(symbolId=1003, bizType=1, direction=1, num="0.01")
    )
    assert placed["code"] == "0", placed
    assert set(placed["data"]) == {"exchangeId", "orderId", "clientOrderId", "status"}
    assert placed["data"]["status"] == "2"
    limit = await bridge(
        http,
        sim,
        ORDER + "addDirectOrder",
        trading(symbolId=1003, bizType=2, direction=1, num="0.01", price="1", clientOrderId="mine1"),
    )
    assert limit["data"]["status"] == "1"
    assert limit["data"]["clientOrderId"] == "mine1"
    query = await bridge(http, sim, ORDER + "queryDirectOrder", trading(symbolId=1003, clientOrderId="mine1"))
    assert query["data"]["orderId"] == limit["data"]["orderId"]
    assert query["data"]["timeInForce"] == "GTC"
    pending = await bridge(http, sim, ORDER + "queryDirectPendingOrderList", trading())
    assert [o["clientOrderId"] for o in pending["data"]] == ["mine1"]
    every = await bridge(http, sim, ORDER + "queryDirectOrderList", trading())
    assert len(every["data"]) == 2
    cancel = await bridge(
        http, sim, ORDER + "cancelDirectOrder", trading(symbolId=1003, orderId=limit["data"]["orderId"])
    )
    assert cancel["data"]["clientOrderId"] == "mine1"
    again = await bridge(
        http, sim, ORDER + "cancelDirectOrder", trading(symbolId=1003, orderId=limit["data"]["orderId"])
    )
    assert again["code"] == "E000007"
    bad_id = trading(symbolId=1003, bizType=1, direction=1, num="0.01", clientOrderId="no-dash")
    assert (await bridge(http, sim, ORDER + "addDirectOrder", bad_id))["code"] == "E000006"
    balances = await bridge(
        http, sim, "tradeapi.admin.AccountAdminService.queryBalances", trading(currency="BTC")
    )
    assert balances["data"] == [{"currency": "BTC", "balance": "0.01", "locked": "0"}]
    trades = await bridge(http, sim, ORDER + "queryDirectTradeRecord", trading(symbolId=1003))
    assert [t["orderId"] for t in trades["data"]] == [placed["data"]["orderId"]]
    for name in ("queryDepositList", "queryWithdrawList", "queryTransferList"):
        assert (await bridge(http, sim, f"tradeapi.admin.AccountAdminService.{name}", trading()))[
            "data"
        ] == []
    resting = await bridge(
        http,
        sim,
        ORDER + "addDirectOrder",
        trading(symbolId=1003, bizType=2, direction=1, num="0.01", price="100"),
    )
    assert resting["data"]["status"] == "1"
    sim.set_price(1003, "50")  # the ask falls below the limit: the order fills at the market
    filled = sim.bridge.orders[resting["data"]["orderId"]]
    assert filled.status == "2"
    assert filled.execute_price is not None
    assert filled.execute_price <= Decimal(100)
    wrong = await bridge(
        http, sim, ORDER + "queryDirectOrder", trading(tradeType=1, symbolId=1003, orderId="1")
    )
    assert wrong["code"] == "GATEWAY_CODE_015"


async def test_bridge_callback_is_signed_and_retried(sim: Simulator, http: httpx.AsyncClient) -> None:
    received: list[tuple[dict[str, str], dict[str, Any]]] = []

    async def notification(request: Request) -> JSONResponse:
        received.append((dict(request.headers), await request.json()))
        status = 500 if len(received) == 1 else 200  # the first delivery fails: the platform retries
        return JSONResponse({"code": "0", "msg": "Success"}, status_code=status)

    app = Starlette(routes=[Route("/hooks/notification", notification, methods=["POST"])])
    sim.bridge.transport = httpx.ASGITransport(app=app)
    sub = await bridge(
        http,
        sim,
        "admin.admin.CompanyApiKeyDubboService.subscribe",
        {"apiKey": sim.bridge_api_key, "webhookUrl": "http://integrator.test/hooks"},
    )
    assert sub["data"] == "true"
    await add_exchange_account(http, sim)
    placed = await bridge(
        http, sim, ORDER + "addDirectOrder", trading(symbolId=1003, bizType=1, direction=1, num="0.01")
    )
    [record] = await sim.bridge.wait_callbacks(1)
    assert record.status == "delivered"
    assert len(record.attempts) == 2
    assert sim.callbacks == [record]
    headers, body = received[-1]
    assert body["msgType"] == "trade"
    assert isinstance(body["content"], str)
    content = json.loads(body["content"])
    assert content["reportType"] == "ORDER_EXEC_REPORT"
    assert content["status"] == "2"
    assert content["orderId"] == placed["data"]["orderId"]
    assert content["tradeType"] == 10
    assert headers["apikey"] == sim.bridge_api_key
    assert headers["companyid"] == str(sim.company_id)
    assert {"trace", "lang", "version", "recvwindow"} <= set(headers)
    assert crypto.verify_open_api_signature(
        SIGN_DEMO.public_key, body, int(headers["timestamp"]), headers["signature"]
    )


async def test_bridge_callback_gives_up_after_the_retries(sim: Simulator, http: httpx.AsyncClient) -> None:
    async def down(request: Request) -> JSONResponse:
        return JSONResponse({"code": "500"}, status_code=503)

    sim.bridge.transport = httpx.ASGITransport(
        app=Starlette(routes=[Route("/{p:path}", down, methods=["POST"])])
    )
    await bridge(
        http,
        sim,
        "admin.admin.CompanyApiKeyDubboService.subscribe",
        {"apiKey": sim.bridge_api_key, "webhookUrl": "http://integrator.test"},
    )
    await add_exchange_account(http, sim)
    limit = trading(symbolId=1003, bizType=2, direction=1, num="0.01", price="1")
    placed = await bridge(http, sim, ORDER + "addDirectOrder", limit)
    assert sim.callbacks == []  # a resting order changes no status yet
    await bridge(
        http, sim, ORDER + "cancelDirectOrder", trading(symbolId=1003, orderId=placed["data"]["orderId"])
    )
    [record] = await sim.bridge.wait_callbacks(1)
    assert record.status == "failed"
    assert [a.status for a in record.attempts] == [503, 503, 503]  # the first try and two retries
    assert record.content["reportType"] == "ORDER_CANCEL_REPORT"
    assert record.url == "http://integrator.test/notification"


# ---------------------------------------------------------------------------- data push


async def open_push(sim: Simulator, token: str, group: str | None = None) -> ClientConnection:
    headers = {"token": token}
    if group is not None:
        headers["group"] = group
    return await connect(f"{sim.ws_base_url}/openapi-b/ws", additional_headers=headers)


async def events(ws: ClientConnection, count: int) -> list[dict[str, Any]]:
    with anyio.fail_after(5):
        return [json.loads(await ws.recv()) for _ in range(count)]


async def test_datapush_handshake_group_and_replay(sim: Simulator, http: httpx.AsyncClient) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await connect(f"{sim.ws_base_url}/openapi-b/ws")
    assert refused.value.response.status_code == 403
    with pytest.raises(InvalidStatus):
        await open_push(sim, "unknown" + "admin")
    token = (await authorize(http, sim))["token"]
    first = await open_push(sim, token, "cats")
    second = await open_push(sim, token, "cats")
    with anyio.fail_after(5), pytest.raises(ConnectionClosed) as kicked:
        await first.recv()
    assert kicked.value.rcvd is not None
    assert kicked.value.rcvd.code == 4001
    assert sim.sockets.datapush[0].group == "cats"
    sim.datapush.emit("kyc", {"id": "1"})
    assert (await events(second, 1))[0]["data"] == {"id": "1"}
    await second.close()
    await sim.sockets.wait_for(lambda: not sim.sockets.datapush)
    sim.datapush.emit("kyc", {"id": "2"})  # raised while the group is offline
    fresh = await open_push(sim, token, "new-group")
    back = await open_push(sim, token, "cats")
    assert (await events(back, 1))[0]["data"] == {"id": "2"}
    sim.datapush.emit("kyc", {"id": "3"})
    assert (await events(fresh, 1))[0]["data"] == {"id": "3"}  # a new group gets no history
    sim.socket_faults.reject_tokens()
    with pytest.raises(InvalidStatus):
        await open_push(sim, token)
    sim.socket_faults.reject_tokens(on=False)
    sim.expire_manager_tokens()
    with pytest.raises(InvalidStatus):
        await open_push(sim, token)
    await fresh.close()
    await back.close()


async def test_datapush_ping_gets_a_pong_control_frame(sim: Simulator, http: httpx.AsyncClient) -> None:
    token = (await authorize(http, sim))["token"]
    async with await open_push(sim, token) as ws:
        frames: list[Frame] = []
        original = ws.process_event
        pong = anyio.Event()

        def spy(event: Any) -> None:
            frames.append(event)
            if isinstance(event, Frame) and event.opcode is Opcode.PONG:
                pong.set()
            original(event)

        ws.process_event = spy  # type: ignore[method-assign]
        await ws.send("ping")
        with anyio.fail_after(5):
            await pong.wait()
        assert [f.opcode for f in frames] == [Opcode.PONG]
        assert sim.sockets.datapush[0].pongs == 1


async def test_datapush_every_event_type_and_duplicates(sim: Simulator, http: httpx.AsyncClient) -> None:
    token = (await authorize(http, sim))["token"]
    async with await open_push(sim, token) as ws:
        await sim.sockets.wait_for(lambda: sim.sockets.datapush)
        for i, event_type in enumerate(EVENT_TYPES):
            sim.datapush.emit(event_type, {"id": str(i)})
        got = await events(ws, len(EVENT_TYPES))
        assert [e["eventType"] for e in got] == list(EVENT_TYPES)
        assert set(got[0]) == {"data", "eventType"}
        sim.datapush.duplicate_next()
        sim.datapush.emit("deposit", {"id": "d"})
        sim.datapush.emit("withdraw", {"id": "w"})
        assert [e["data"]["id"] for e in await events(ws, 3)] == ["d", "d", "w"]
    assert len(EVENT_TYPES) == 18


async def test_datapush_events_from_exchange_changes(sim: Simulator, http: httpx.AsyncClient) -> None:
    token = (await authorize(http, sim))["token"]
    async with await open_push(sim, token, "ops") as ws:
        await sim.sockets.wait_for(lambda: sim.sockets.datapush)
        register = {
            "phone": "13800000009",
            "phoneArea": "+86",
            "pwd": PWD,
            "country": "CN",
            "customerGroupId": 1,
            "registerSource": 1,
            "tradeTypeCurrencyList": [{"allCurrency": "USDT", "tradeType": "1"}],
        }
        assert (await manager(http, sim, token, REGISTER, register))["code"] == "0"
        got = await events(ws, 4)
        assert [e["eventType"] for e in got] == [
            "register",
            "customer_info_insert",
            "open_account",
            "subject_insert",
        ]
        assert got[0]["data"]["customerNo"] == "86001176"
        assert got[0]["data"]["registerType"] == 2
        assert got[2]["data"]["currencyCode"] == "USDT"
        assert isinstance(got[2]["data"]["id"], str)

        adjust = {
            "customerNo": "86001176",
            "accountCurrency": "USDT",
            "tradeType": 1,
            "businessType": 4,
            "amount": "12.5",
            "withdraw": True,
        }
        assert (await manager(http, sim, token, ADJUST, adjust))["code"] == "0"
        got = await events(ws, 3)
        assert [e["eventType"] for e in got] == ["account_adjust", "subject_water_insert", "subject_update"]
        assert got[0]["data"]["amount"] == 12.5
        assert got[0]["data"]["proposalNo"].startswith("A")
        water = got[1]["data"]
        assert (water["amountIn"], water["digits"], water["businessType1"]) == (125000, 4, 4004)
        assert got[2]["data"]["amount"] == 125000
        assert got[2]["data"]["type"] == 1

        exchange = sim.exchange
        symbol = exchange.market.get(1003)
        assert symbol is not None
        account = exchange.accounts[1031001]
        opened = exchange.place_market_order(
            MarketOrder(
                account=account,
                symbol=symbol,
                biz_type=1,
                direction=1,
                request_price=symbol.scale(symbol.ask),
                request_num=Decimal("0.01"),
            ),
            sim.now_ms(),
        )
        got = await events(ws, 4)
        assert [e["eventType"] for e in got] == [
            "subject_water_insert",
            "subject_update",
            "position_insert",
            "trade_deal",
        ]
        position, deal = got[2]["data"], got[3]["data"]
        assert position["id"] == str(opened.position_id)
        assert position["symbolDigits"] == 2
        assert position["openPrice"] == symbol.scale(opened.execute_price)
        assert deal["executePrice"] == symbol.scale(opened.execute_price)
        assert deal["digits"] == 2
        assert deal["id"] == str(opened.deal_id)
        assert "pnl" not in deal
        exchange.place_market_order(
            MarketOrder(
                account=account,
                symbol=symbol,
                biz_type=2,
                direction=2,
                request_price=symbol.scale(symbol.bid),
                request_num=Decimal("0.01"),
                position_id=opened.position_id,
            ),
            sim.now_ms(),
        )
        got = await events(ws, 6)
        kinds = [e["eventType"] for e in got]
        assert kinds[-2:] == ["position_delete", "trade_deal"]
        assert "pnl" in got[-1]["data"]

        sim.datapush.deposit(1031001, "100")
        sim.datapush.withdraw(1031001, "40")
        got = await events(ws, 6)
        assert [e["eventType"] for e in got][::3] == ["deposit", "withdraw"]
        assert got[0]["data"]["finalAmount"] == 100.0
        assert got[3]["data"]["amount"] == 40.0
        sim.datapush.approve_kyc("86001176")
        sim.datapush.update_account(1031001)
        got = await events(ws, 4)
        assert [e["eventType"] for e in got] == [
            "kyc",
            "customer_update",
            "customer_info_update",
            "account_update",
        ]
        assert got[1]["data"]["kycAuditStatus"] == 2
    assert sim.datapush.of_type("register")[0]["customerNo"] == "86001176"


async def test_datapush_socket_faults(sim: Simulator, http: httpx.AsyncClient) -> None:
    token = (await authorize(http, sim))["token"]
    handle = sim.socket_faults.refuse_handshakes(kind="datapush")
    with pytest.raises(InvalidStatus) as refused:
        await open_push(sim, token)
    assert refused.value.response.status_code == 503
    assert handle.hits == 1
    ws = await open_push(sim, token)
    await sim.sockets.wait_for(lambda: sim.sockets.datapush)
    sim.socket_faults.send_malformed(1, kind="datapush")
    sim.datapush.emit("kyc", {"id": "x"})
    with anyio.fail_after(5):
        garbage = await ws.recv()
        real = await ws.recv()
    assert garbage == '{"data":{"id":'
    assert json.loads(real)["eventType"] == "kyc"
    with sim.socket_faults.go_silent("datapush") as silence:
        sim.datapush.emit("kyc", {"id": "y"})
        await sim.sockets.wait_for(lambda: silence.suppressed == 1)
    assert sim.socket_faults.drop_all("datapush") == 1
    with anyio.fail_after(5), pytest.raises(ConnectionClosed):
        await ws.recv()


# ---------------------------------------------------------------------------- platform mode


class Wallet:
    """A tiny integrator: the three Webhook API handlers and a Message API sender."""

    def __init__(self, *, refuse: bool = False, hang: bool = False, cancel_failures: int = 0) -> None:
        self.refuse, self.hang, self.cancel_failures = refuse, hang, cancel_failures
        self.seen: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.never = anyio.Event()
        self.app = Starlette(
            routes=[
                Route("/sms", self.sms, methods=["POST"]),
                Route("/{name:path}", self.hook, methods=["POST"]),
            ]
        )

    async def hook(self, request: Request) -> JSONResponse:
        name, body = request.path_params["name"].rsplit("/", 1)[-1], await request.json()
        self.seen.append((name, dict(request.headers), body))
        if name == "get-user-amount":
            data = {
                "userName": body["userName"],
                "currency": body["currency"],
                "amount": "42.1098",
                "amountDigits": 4,
            }
            return JSONResponse({"code": "0", "msg": "Success", "data": data})
        if name == "external-system-credit-limit-adjustment":
            if self.hang:
                await self.never.wait()  # never answers: the platform's timeout decides
            return JSONResponse({"code": "US_9" if self.refuse else "0", "msg": "", "data": {}})
        if self.cancel_failures:
            self.cancel_failures -= 1
            return JSONResponse({"code": "0"}, status_code=500)
        return JSONResponse({"code": "0", "msg": "Success", "data": {}})

    async def sms(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.seen.append(("sms", dict(request.headers), body))
        ok = crypto.verify_message_api_sign(MESSAGE_API_EXAMPLE.private_key, body)
        return JSONResponse({"msg": "success", "code": "200" if ok else "500"})


OUR_USER = {"third_server_code": "our-1", "user_name": "86001175", "currency": "USD"}
"""The integrator's user the wallet tests ask about."""


async def test_platform_query_balance_and_accepted_adjustment(sim: Simulator) -> None:
    wallet = Wallet()
    result = await sim.platform.query_balance(wallet.app, **OUR_USER)
    assert result.ok
    assert result.amount == Decimal("42.1098")
    assert result.amount_digits == 4
    name, headers, body = wallet.seen[0]
    assert name == "get-user-amount"
    assert body == {
        "thirdServerCode": "our-1",
        "userName": "86001175",
        "currency": "USD",
    }
    assert headers["companyid"] == str(sim.company_id)
    assert headers["trace"]
    assert headers["timestamp"].isdigit()
    adjusted = await sim.platform.adjust(
        "http://wallet.test/hooks",
        transport=httpx.ASGITransport(app=wallet.app),
        **OUR_USER,
        amount="10.5",
        amount_digits=1,
        order_id=99,
    )
    assert adjusted.accepted
    assert adjusted.cancels == []
    sent = wallet.seen[-1][2]
    assert sent["requestUniqueNo"] == adjusted.request_unique_no
    assert sent["operationType"] == "OPEN_POSITION"
    assert sent["bizType"] == 1
    assert sent["orderId"] == 99
    assert sent["amountDigits"] == 1


async def test_platform_refused_and_timed_out_adjustments_are_cancelled(sim: Simulator) -> None:
    refusing = Wallet(refuse=True)
    refused = await sim.platform.adjust(
        refusing.app,
        **OUR_USER,
        amount="-3",
        amount_digits=0,
        order_id=1,
        operation_type="ABNORMAL_OVERTRADING",
    )
    assert not refused.accepted
    assert refused.adjustment.code == "US_9"
    [(_, _, cancel)] = [s for s in refusing.seen if s[0].startswith("cancel")]
    assert cancel["reverseRequestUniqueNo"] == refused.request_unique_no
    assert cancel["requestUniqueNo"] == refused.cancel_request_unique_no != refused.request_unique_no
    assert cancel["amount"] == "3"
    assert cancel["cancelRemark"]

    hanging = Wallet(hang=True, cancel_failures=2)
    timed_out = await sim.platform.adjust(hanging.app, **OUR_USER, amount="3", amount_digits=0, order_id=2)
    assert not timed_out.accepted
    assert timed_out.adjustment.error == "timeout"
    assert [a.status for a in timed_out.cancels] == [500, 500, 200]
    assert timed_out.cancel_code == "0"
    cancels = [s[2] for s in hanging.seen if s[0].startswith("cancel")]
    assert len({c["requestUniqueNo"] for c in cancels}) == 1  # retries repeat the same cancel


async def test_platform_message_api_and_unreachable_url(sim: Simulator) -> None:
    wallet = Wallet()
    sent = await sim.platform.send_message(
        "http://wallet.test/sms",
        transport=httpx.ASGITransport(app=wallet.app),
        to_user="18321956010",
        content="Your code is 123456",
        public_key=MESSAGE_API_EXAMPLE.public_key,
        title="Code",
    )
    assert sent.ok
    body = wallet.seen[-1][2]
    assert {"toUser", "trace", "sign", "content", "timestamp", "title"} <= set(body)
    assert crypto.verify_message_api_sign(MESSAGE_API_EXAMPLE.private_key, body)
    # A real URL with nothing behind it: the simulator's own server answers 404.
    missing = await sim.platform.query_balance(
        sim.base_url + "/nothing", third_server_code="a", user_name="b", currency="USD"
    )
    assert not missing.ok
    assert missing.attempt.status == 404
    assert len(sim.platform.calls) == 2


async def test_platform_uses_the_registered_urls(sim: Simulator, http: httpx.AsyncClient) -> None:
    wallet = Wallet(refuse=True)
    transport = httpx.ASGITransport(app=wallet.app)
    with pytest.raises(RuntimeError, match="registered"):
        await sim.platform.query_balance(third_server_code="a", user_name="b", currency="USD")
    token = (await authorize(http, sim))["token"]
    urls = {
        "queryUserAccountBalanceUrl": "http://wallet.test/w/get-user-amount",
        "externalSystemAdjustmentUrl": "http://wallet.test/w/external-system-credit-limit-adjustment",
        "cancelExternalSystemAdjustmentUrl": "http://wallet.test/w/cancel-external-system-credit-limit-adjustment",
    }
    sub = await manager(http, sim, token, "admin.admin.CompanyWebhookDubboService.subscribe", urls)
    assert sub["code"] == "0"
    balance = await sim.platform.query_balance(
        transport=transport, third_server_code="a", user_name="b", currency="USD"
    )
    assert balance.ok
    assert balance.attempt.url == urls["queryUserAccountBalanceUrl"]
    refused = await sim.platform.adjust(
        transport=transport,
        third_server_code="a",
        user_name="b",
        currency="USD",
        amount="1",
        amount_digits=0,
        order_id=5,
    )
    assert not refused.accepted
    assert [c.url for c in refused.cancels] == [urls["cancelExternalSystemAdjustmentUrl"]]


async def test_datapush_redeliver_on_connect_repeats_what_the_group_had(
    sim: Simulator, http: httpx.AsyncClient
) -> None:
    token = (await authorize(http, sim))["token"]
    first = await open_push(sim, token, "relay")
    await sim.sockets.wait_for(lambda: sim.sockets.datapush)
    for i in range(3):
        sim.datapush.emit("kyc", {"id": str(i)})
    assert [e["data"]["id"] for e in await events(first, 3)] == ["0", "1", "2"]
    await first.close()
    await sim.sockets.wait_for(lambda: not sim.sockets.datapush)
    sim.datapush.emit("kyc", {"id": "3"})  # missed while offline
    with pytest.raises(ValueError, match="at least 1"):
        sim.datapush.redeliver_on_connect(0)
    sim.datapush.redeliver_on_connect(2)
    back = await open_push(sim, token, "relay")
    assert [e["data"]["id"] for e in await events(back, 3)] == ["1", "2", "3"]
    await back.close()
    await sim.sockets.wait_for(lambda: not sim.sockets.datapush)
    again = await open_push(sim, token, "relay")  # the fault applies to one connection only
    sim.datapush.emit("kyc", {"id": "4"})
    assert [e["data"]["id"] for e in await events(again, 1)] == ["4"]
    await again.close()
