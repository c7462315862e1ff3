"""BridgeClient against a scripted transport: scheme A signatures, paths, headers, typed bodies."""

from __future__ import annotations

import json
from decimal import Decimal

import anyio
import httpx
import pytest

import multimarkets_async as mm
from multimarkets_async.protocol.crypto import verify_open_api_signature
from multimarkets_async.testing import Simulator
from multimarkets_async.testing._keys import SIGN_DEMO
from tests._support import ok, sim_bridge

pytestmark = pytest.mark.anyio

API_KEY = "47b471e57c394e8fbc18535805e04016"
ORDER = "tradeapi.admin.OrderAdminApiService."
ACCOUNT = mm.BridgeAccount(exchange=mm.Exchange.BINANCE, account_name="main", customer_no="86000020")


class FakeBridge:
    """Checks every signature and answers from a bizType -> data table."""

    def __init__(self, **answers: object) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []
        self.bodies: list[dict[str, object]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = json.loads(request.content)
        assert verify_open_api_signature(
            SIGN_DEMO.public_key, body, int(request.headers["timestamp"]), request.headers["signature"]
        )
        self.bodies.append(body)
        return ok(self.answers.get(request.url.path.rsplit(".", 1)[-1]))


def bridge(fake: FakeBridge, **kwargs: object) -> mm.BridgeClient:
    options: dict[str, object] = {
        "base_url": "https://api.example.test",
        "company_id": 439,
        "api_key": API_KEY,
        "secret_key": SIGN_DEMO.private_key,
        "retry": mm.RetryPolicy(max_retries=1, initial_delay=0.001, max_delay=0.002),
    }
    options.update(kwargs)
    return mm.BridgeClient(transport=httpx.MockTransport(fake), **options)  # type: ignore[arg-type]


async def test_place_order_is_signed_with_trading_headers() -> None:
    fake = FakeBridge(addDirectOrder={"exchangeId": "binance", "orderId": "991", "status": 1})
    async with bridge(fake) as client:
        order = await client.orders.place(
            ACCOUNT,
            symbol_id=10001,
            side=mm.Side.BUY,
            order_type=mm.BridgeOrderType.LIMIT,
            quantity=Decimal("0.010"),
            price="65000.5",
            time_in_force=mm.TimeInForce.IOC,
            client_order_id="abc123",
        )
    assert (order.order_id, order.client_order_id, order.status) == (
        "991",
        "abc123",
        mm.BridgeOrderStatus.SUBMITTED,
    )
    (request,) = fake.requests
    assert request.url.path == f"/webhook/global/{ORDER}addDirectOrder"
    headers = request.headers
    assert (headers["apiKey"], headers["companyId"], headers["recvWindow"]) == (API_KEY, "439", "5000")
    assert (headers["version"], headers["group"]) == ("0.0.1", "tradeApi")
    assert "token" not in headers
    assert "idempotency-key" not in headers
    assert not headers["trace"].startswith("x-")
    assert fake.bodies[0] == {
        "tradeType": 10,
        "exchangeId": "binance",
        "accountName": "main",
        "customerNo": "86000020",
        "customerGroupId": 1,
        "symbolId": 10001,
        "bizType": 2,
        "direction": 1,
        "clientOrderId": "abc123",
        "price": "65000.5",
        "num": "0.010",
        "timeInForce": "IOC",
    }


async def test_order_validation_sends_nothing() -> None:
    fake = FakeBridge()
    async with bridge(fake) as client:
        with pytest.raises(mm.InvalidArgumentError, match="quantity or amount"):
            await client.orders.place(ACCOUNT, symbol_id=1, side=mm.Side.BUY)
        with pytest.raises(mm.InvalidArgumentError, match="needs a price"):
            await client.orders.place(
                ACCOUNT, symbol_id=1, side=mm.Side.BUY, order_type=mm.BridgeOrderType.LIMIT, quantity="1"
            )
        with pytest.raises(mm.InvalidArgumentError, match="takes no price"):
            await client.orders.place(ACCOUNT, symbol_id=1, side=mm.Side.BUY, quantity="1", price="2")
        with pytest.raises(mm.InvalidArgumentError, match="not float"):
            await client.orders.place(ACCOUNT, symbol_id=1, side=mm.Side.BUY, quantity=1.0)  # type: ignore[arg-type]
        with pytest.raises(mm.InvalidArgumentError, match="letters or digits"):
            await client.orders.place(
                ACCOUNT, symbol_id=1, side=mm.Side.BUY, amount="5", client_order_id="a-b"
            )
        with pytest.raises(mm.InvalidArgumentError, match="order_id or client_order_id"):
            await client.orders.get(ACCOUNT, symbol_id=1)
    assert fake.requests == []


async def test_generated_client_order_id_and_an_okx_style_reply() -> None:
    fake = FakeBridge(addDirectOrder={"clientOrderId": None, "status": "1"})
    async with bridge(fake) as client:
        order = await client.orders.place(ACCOUNT, symbol_id=1, side=mm.Side.SELL, amount="10")
    sent = fake.bodies[0]["clientOrderId"]
    assert isinstance(sent, str)
    assert len(sent) == 20
    assert sent.isalnum()
    assert order.order_id is None


async def test_an_unanswered_order_is_not_repeated() -> None:
    calls: list[httpx.Request] = []

    def timeout(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadTimeout("slow", request=request)

    client = mm.BridgeClient(
        base_url="https://api.example.test",
        company_id=439,
        api_key=API_KEY,
        secret_key=SIGN_DEMO.private_key,
        transport=httpx.MockTransport(timeout),
    )
    async with client:
        with pytest.raises(mm.OrderStateUnknownError) as caught:
            await client.orders.place(
                ACCOUNT, symbol_id=1, side=mm.Side.BUY, quantity="1", client_order_id="x1"
            )
    assert len(calls) == 1
    assert caught.value.body is not None
    assert caught.value.body["clientOrderId"] == "x1"


async def test_query_cancel_balances_records() -> None:
    fake = FakeBridge(
        queryDirectOrder={"orderId": "9", "clientOrderId": "c1", "status": 2, "timeInForce": "GTC"},
        cancelDirectOrder={"exchangeId": "okx", "orderId": "9", "clientOrderId": "c1"},
        queryBalances=[{"currency": "USDT", "balance": "10.5", "locked": "0"}],
        queryDirectTradeRecord=[
            {"tradeId": "t1", "executeNum": "0.5", "executePrice": "100.25", "status": "3"}
        ],
        queryDepositList={"list": [{"currency": "USDT", "amount": "1", "status": 6}]},
    )
    async with bridge(fake) as client:
        order = await client.orders.get(ACCOUNT, symbol_id=1, client_order_id="c1")
        assert order.status is mm.BridgeOrderStatus.FILLED
        assert (await client.orders.cancel(ACCOUNT, symbol_id=1, order_id="9")).exchange_id == "okx"
        (balance,) = await client.balances.list(ACCOUNT, currencies=["USDT", "BTC"], omit_zero=True)
        assert balance.balance == Decimal("10.5")
        (trade,) = await client.records.trades(ACCOUNT, symbol_id=1, start_time_ms=0, end_time_ms=1000)
        assert trade.execute_price == Decimal("100.25")
        (deposit,) = await client.records.deposits(ACCOUNT, status=mm.DepositStatus.DONE, start_time_ms=5)
        assert deposit.amount == Decimal("1")
        with pytest.raises(mm.InvalidArgumentError, match="24 hours"):
            await client.records.trades(ACCOUNT, symbol_id=1, start_time_ms=0, end_time_ms=86_400_001)
    assert fake.bodies[2]["currency"] == "USDT,BTC"
    assert fake.bodies[2]["omitZeroBalances"] is True
    assert (fake.bodies[4]["startTime"], fake.bodies[4]["limit"], fake.bodies[4]["status"]) == ("5", "20", 6)
    assert fake.requests[2].headers["group"] == "tradeApi"


async def test_accounts_customers_and_subscribe() -> None:
    fake = FakeBridge(
        getPage={
            "records": [{"id": "3", "accountName": "main", "accountApiKey": "exchange-key"}],
            "total": 1,
        },
        detailByCustomerNo={"customerNo": "86000020", "email": "a@example.test"},
        subscribe="true",
    )
    async with bridge(fake) as client:
        assert (
            await client.accounts.add(
                customer_no="86000020",
                exchange="okx",
                account_type=mm.BridgeAccountType.SPOT,
                account_name="main",
                api_key="k",
                secret_key="s",
                passphrase="p",
                certificate=b"\x01\xff",
            )
            is None
        )
        page = await client.accounts.list(customer_no="86000020")
        assert "exchange-key" not in repr(page)
        await client.accounts.update(3, account_name="alt")
        await client.accounts.delete(3)
        detail = await client.customers.get("86000020")
        assert detail.email == "a@example.test"
        assert await client.subscribe("https://hooks.example.test/bridge") is True
    paths = [r.url.path.removeprefix("/webhook/global/") for r in fake.requests]
    assert paths == [
        "customer.admin.CustomerDirectAccAdminApiService.add",
        "customer.admin.CustomerDirectAccAdminApiService.getPage",
        "customer.admin.CustomerDirectAccAdminApiService.edit",
        "customer.admin.CustomerDirectAccAdminApiService.delete",
        "customer.admin.WhiteCustomerAdminApiService.detailByCustomerNo",
        "admin.admin.CompanyApiKeyDubboService.subscribe",
    ]
    assert fake.bodies[0]["certificate"] == "01ff"
    assert fake.bodies[0]["isTest"] == 0
    assert fake.bodies[2] == {"id": "3", "accountName": "alt"}
    assert fake.bodies[4] == {"type": "baseInfo", "customerNo": "86000020"}
    assert fake.bodies[5] == {"apiKey": API_KEY, "webhookUrl": "https://hooks.example.test/bridge"}
    assert all("group" not in r.headers for r in fake.requests)
    assert all(r.headers["version"] == "0.0.1" for r in fake.requests)


async def test_rate_limit_budget_applies_to_the_bridge() -> None:
    fake = FakeBridge()
    async with bridge(fake, rate_limit=mm.RateLimitPolicy(open_api_per_minute=2)) as client:
        await client.call("x.admin.S.a")
        await client.call("x.admin.S.b")
        with anyio.move_on_after(0.05) as scope:
            await client.call("x.admin.S.c")  # the third call of the minute waits for the window
        assert scope.cancelled_caught
    assert len(fake.requests) == 2


def test_configuration_and_repr() -> None:
    with pytest.raises(mm.ConfigurationError, match="required"):
        mm.BridgeClient(base_url="https://api.example.test", company_id=439, api_key="", secret_key="x")
    client = mm.BridgeClient(
        base_url="https://api.example.test", company_id=439, api_key=API_KEY, secret_key=SIGN_DEMO.private_key
    )
    assert API_KEY not in repr(client)
    assert SIGN_DEMO.private_key[20:60] not in repr(client)
    assert "47b4" in repr(client)


# -- against the simulator ---------------------------------------------------------------------------


async def test_simulator_accounts_and_customers() -> None:
    async with Simulator() as sim, sim_bridge(sim) as client:
        (customer,) = (await client.customers.list(customer_no="86001175")).records
        assert customer.customer_no == "86001175"
        assert (await client.customers.get("86001175")).email == "trader@example.com"
        await client.accounts.add(
            customer_no="86001175",
            exchange=mm.Exchange.BINANCE,
            account_type=mm.BridgeAccountType.SPOT,
            account_name="main",
            api_key="exchange-key",
            secret_key="exchange-secret",
        )
        (record,) = (await client.accounts.list(customer_no="86001175")).records
        assert record.account_name == "main"
        assert record.id is not None
        await client.accounts.update(record.id, account_name="alt")
        assert [a.account_name for a in (await client.accounts.list()).records] == ["alt"]
        await client.accounts.delete(record.id)
        assert (await client.accounts.list()).records == []
        assert all(r.family == "bridge" for r in sim.requests)


async def test_simulator_order_lifecycle_and_subscription() -> None:
    async with Simulator() as sim, sim_bridge(sim) as client:
        await client.accounts.add(
            customer_no="86001175",
            exchange="binance",
            account_type="spot",
            account_name="main",
            api_key="k",
            secret_key="s",
        )
        account = mm.BridgeAccount(exchange=mm.Exchange.BINANCE, account_name="main", customer_no="86001175")
        (usdt,) = await client.balances.list(account, currencies=["USDT"])
        assert usdt.balance is not None
        placed = await client.orders.place(account, symbol_id=1003, side=mm.Side.BUY, quantity="0.01")
        assert placed.client_order_id is not None
        found = await client.orders.get(account, symbol_id=1003, client_order_id=placed.client_order_id)
        assert found.order_id == placed.order_id
        (trade,) = await client.records.trades(account, symbol_id=1003)
        assert trade.client_order_id == placed.client_order_id
        assert trade.execute_num == Decimal("0.01")
        assert isinstance(await client.records.deposits(account), list)
        resting = await client.orders.place(
            account,
            symbol_id=1003,
            side=mm.Side.BUY,
            order_type=mm.BridgeOrderType.LIMIT,
            quantity="0.01",
            price="1000",
        )
        cancelled = await client.orders.cancel(
            account, symbol_id=1003, client_order_id=resting.client_order_id
        )
        assert cancelled.client_order_id == resting.client_order_id
        after = await client.orders.get(account, symbol_id=1003, order_id=resting.order_id)
        assert after.status is mm.BridgeOrderStatus.CANCELLED
        assert await client.subscribe("http://127.0.0.1:9/hooks") is True
        assert sim.bridge.webhooks == {sim.bridge_api_key: "http://127.0.0.1:9/hooks"}
