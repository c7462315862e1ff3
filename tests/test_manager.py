"""ManagerClient against a scripted transport: authorize, encrypted calls, re-authorization, renewal."""

from __future__ import annotations

import json
from decimal import Decimal

import anyio
import httpx
import pytest

import multimarkets_async as mm
from multimarkets_async.protocol.crypto import decrypt_body, verify_md5_signature
from multimarkets_async.protocol.operations import manager_operation
from multimarkets_async.testing import Simulator
from multimarkets_async.testing._keys import TRADE_H5_COMPANY
from tests._support import APP_ID, APP_SECRET, MANAGER_AUTH_PATH, FakeClock, mock_manager, ok, sim_manager

pytestmark = pytest.mark.anyio

PAGE = "customer.admin.WhiteCustomerAdminApiService.page"
FAST = mm.RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002)


class FakeManager:
    """Answers authorize with a fresh token each time and records every decrypted call."""

    def __init__(self) -> None:
        self.authorizations = 0
        self.requests: list[httpx.Request] = []
        self.bodies: list[dict[str, object]] = []
        self.expire_next: set[str] = set()
        self.revoked: set[str] = set()
        self.answers: dict[str, object] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == MANAGER_AUTH_PATH:
            self.authorizations += 1
            assert json.loads(request.content) == {"appId": APP_ID, "appSecret": APP_SECRET}
            return ok(
                {
                    "token": f"tok-{self.authorizations}admin",
                    "publicKey": TRADE_H5_COMPANY.public_key,
                    "id": 439,
                }
            )
        sealed = json.loads(request.content)
        payload = decrypt_body(sealed["data"], TRADE_H5_COMPANY.private_key)
        assert verify_md5_signature(payload)
        self.bodies.append(payload)
        biz_type = request.url.path.rsplit("/", 1)[-1]
        token = request.headers["token"]
        if token in self.expire_next or token in self.revoked:
            self.expire_next.discard(token)
            return httpx.Response(
                200, json={"code": "GATEWAY_CODE_005", "msg": "login expired", "data": None}
            )
        return ok(self.answers.get(biz_type))


def manager(fake: FakeManager, **kwargs: object) -> mm.ManagerClient:
    return mock_manager(fake, **{"retry": FAST} | kwargs)


async def test_authorize_then_encrypted_call() -> None:
    fake = FakeManager()
    fake.answers[PAGE] = {"records": [{"customerNo": "86000020", "id": 5, "status": 1}], "total": 1}
    async with manager(fake) as client:
        page = await client.customers.list(page=2, size=50, customer_no="86000020")
    assert [c.customer_no for c in page.records] == ["86000020"]
    auth, call = fake.requests
    # Authorize: plain body, trace, companyId and the timestamp (ms) the reference page marks
    # required; no token, version or lang.
    assert auth.headers["companyId"] == "439"
    assert abs(int(auth.headers["timestamp"]) - int(call.headers["timestamp"])) < 60_000
    for absent in ("token", "version", "lang"):
        assert absent not in auth.headers
    assert not auth.headers["trace"].startswith("x-")
    # The call: bare path, company headers, x- trace, encrypted body with a valid MD5.
    assert call.url.path == f"/openapi-b/{PAGE}"
    assert call.headers["companyId"] == "439"
    assert call.headers["token"] == "tok-1admin"
    assert call.headers["version"] == "0.0.1"
    assert call.headers["trace"].startswith("x-")
    assert "group" not in call.headers
    (payload,) = fake.bodies
    assert payload["timestamp"] == int(call.headers["timestamp"])
    assert {k: payload[k] for k in ("current", "size", "customerNo")} == {
        "current": 2,
        "size": 50,
        "customerNo": "86000020",
    }
    assert client.authorization is not None
    assert client.authorization.id == 439


async def test_plain_bodies_when_encryption_is_off() -> None:
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.url.path == MANAGER_AUTH_PATH:
            return ok({"token": "t-admin"})  # no publicKey needed
        return ok([])

    client = mock_manager(answer, encrypt_body=False)
    async with client:
        assert await client.dictionaries.list("phone_code") == []
    assert json.loads(requests[1].content) == {"parentCode": "phone_code"}
    assert not requests[1].headers["trace"].startswith("x-")


async def test_missing_public_key_is_a_protocol_error() -> None:
    client = mock_manager(lambda r: ok({"token": "t-admin"}))
    async with client:
        with pytest.raises(mm.ProtocolError, match="no publicKey"):
            await client.call("x.admin.S.m", {})


async def test_global_path_style_and_the_global_only_reports() -> None:
    fake = FakeManager()
    async with manager(fake, path_style="global") as client:
        await client.call(PAGE, {})
    assert fake.requests[1].url.path == f"/openapi-b/global/{PAGE}"
    report = "report.admin.CatsTradeDealService.getTradeDealInfoByDealId"
    assert manager_operation(report).path == f"/global/{report}"
    assert manager_operation(PAGE).path == f"/{PAGE}"
    assert manager_operation("tradeapi.admin.OrderAdminApiService.cancelPboOrder").group == "tradeApi"
    with pytest.raises(mm.ConfigurationError, match="path_style"):
        manager(fake, path_style="slash")


async def test_reauthorizes_once_on_expired_token_and_retries() -> None:
    fake = FakeManager()
    fake.expire_next.add("tok-1admin")
    async with manager(fake) as client:
        await client.call(PAGE, {"current": 1})
        assert client.authorization is not None
        assert client.authorization.token.get_secret_value() == "tok-2admin"
    paths = [r.url.path for r in fake.requests]
    assert paths == [MANAGER_AUTH_PATH, f"/openapi-b/{PAGE}", MANAGER_AUTH_PATH, f"/openapi-b/{PAGE}"]
    assert fake.requests[3].headers["token"] == "tok-2admin"


async def test_a_second_expiry_is_raised() -> None:
    fake = FakeManager()
    fake.expire_next.update({"tok-1admin", "tok-2admin"})
    async with manager(fake) as client:
        with pytest.raises(mm.SessionExpiredError):
            await client.call(PAGE, {})
    assert fake.authorizations == 2


async def test_concurrent_expiries_authorize_once() -> None:
    fake = FakeManager()
    async with manager(fake) as client:
        await client.authorize()
        fake.revoked.add("tok-1admin")
        # Every call sent with tok-1 is refused; the first to re-authorize wins, the others reuse tok-2.
        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(client.call, PAGE, {})
    assert fake.authorizations == 2
    refused = [r for r in fake.requests if r.headers.get("token") == "tok-1admin"]
    assert len(refused) >= 1
    assert sum(r.headers.get("token") == "tok-2admin" for r in fake.requests) == 5


async def test_proactive_renewal_after_the_token_ttl() -> None:
    fake = FakeManager()
    clock = FakeClock(1000.0)
    async with manager(fake, token_ttl=60.0, clock=clock) as client:
        await client.call(PAGE, {})
        clock.now += 59
        await client.call(PAGE, {})
        assert fake.authorizations == 1
        clock.now += 2
        await client.call(PAGE, {})
        assert fake.authorizations == 2
        assert fake.requests[-1].headers["token"] == "tok-2admin"
        token = await client.company_token()
    assert token == "tok-2admin"


async def test_secrets_are_not_in_reprs() -> None:
    fake = FakeManager()
    async with manager(fake) as client:
        await client.authorize()
        text = repr(client) + repr(client.authorization)
    assert APP_SECRET not in text
    assert APP_ID not in text
    assert "tok-1admin" not in text
    assert "authorized" in text
    assert "closed" in repr(client)


async def test_register_sends_md5_password_and_returns_the_customer_number() -> None:
    fake = FakeManager()
    fake.answers["customer.admin.WhiteCustomerAdminApiService.addCusAndOpenAccountAndKyc"] = "86021976"
    async with manager(fake) as client:
        number = await client.customers.register(
            email="a@example.test",
            email_area="+86",
            password="secret",
            country="CN",
            customer_group_id=1,
            currencies=[(1, "USDT")],
            third_server_code="user-7",
        )
        with pytest.raises(mm.InvalidArgumentError, match="phone or an e-mail"):
            await client.customers.register(
                password="p", country="CN", customer_group_id=1, currencies=[(1, "USDT")]
            )
    assert number == "86021976"
    (body,) = fake.bodies
    assert body["pwd"] == "5ebe2294ecd0e0f08eab7690d2a6ee69"
    assert body["tradeTypeCurrencyList"] == [{"allCurrency": "USDT", "tradeType": "1"}]
    assert body["thirdServerCode"] == "user-7"
    assert "secret" not in json.dumps(body)


async def test_balance_update_is_idempotent_and_decimal() -> None:
    fake = FakeManager()
    adjust = "fund.admin.CustomerAdjustProposalAdminDubboService.addCustomerAdjustProposal"
    fake.answers[adjust] = "A20221212686244"
    async with manager(fake) as client:
        result = await client.balances.update(
            "86000020",
            amount=Decimal("5.50"),
            currency="USDT",
            trade_type=1,
            account_id=1000450,
            request_no="r-1",
        )
        with pytest.raises(mm.InvalidArgumentError, match="not float"):
            await client.balances.update("86000020", amount=5.5, currency="USDT", trade_type=1)  # type: ignore[arg-type]
        with pytest.raises(mm.InvalidArgumentError, match="zero"):
            await client.balances.update("86000020", amount="0", currency="USDT", trade_type=1)
    assert result == mm.BalanceAdjustment(
        request_no="r-1", proposal_no="A20221212686244", amount=Decimal("5.50")
    )
    assert fake.requests[-1].headers["idempotency-key"] == "r-1"
    (body,) = fake.bodies
    assert (body["amount"], body["businessType"], body["withdraw"]) == ("5.50", 4, True)


async def test_typed_reads() -> None:
    fake = FakeManager()
    fake.answers["customer.admin.CustomerAdminApiService.queryAccountList"] = [
        {"accountId": 1003496, "tradeType": 1, "currency": "USDT", "balance": "47.319290", "digits": 6}
    ]
    fake.answers["config.admin.AdminAssetsDubboService.getAssetsList"] = [{"code": "USDT", "digits": 2}]
    fake.answers["config.admin.AdminSymbolDubboService.getSymbolByCompanyId"] = [
        {"symbolId": 1, "symbolDigits": None, "symbolCode": "BTCUSDT"}
    ]
    fake.answers["customer.admin.CustomerGroupAdminApiService.groupList"] = [{"id": 1, "name": "default"}]
    fake.answers["customer.admin.WhiteCustomerAdminApiService.detail"] = {
        "customerNo": "86000020",
        "accountList": [{"accountId": 1, "tradeType": 1, "currency": "USDT"}],
    }
    async with manager(fake) as client:
        account = await client.balances.get("86000020", trade_type=1)
        assert account.balance == Decimal("47.319290")
        with pytest.raises(mm.InvalidArgumentError, match="no tradeType 1 account in EUR"):
            await client.balances.get("86000020", trade_type=1, currency="EUR")
        assert [a.code for a in await client.company.currencies()] == ["USDT"]
        assert (await client.products.list(trade_type=1))[0].symbol_digits is None
        assert [g.id for g in await client.customers.groups(trade_type=1)] == [1]
        detail = await client.customers.get("86000020", customer_id=5)
        assert detail.account_list[0].account_id == 1
    bodies = {json.dumps(b.get("companyId")) for b in fake.bodies}
    assert '"439"' in bodies  # companyId travels as a string in these bodies


# -- against the simulator ---------------------------------------------------------------------------


@pytest.mark.parametrize("path_style", ["bare", "global"])
async def test_simulator_reference_data_and_customers(path_style: str) -> None:
    async with Simulator() as sim, sim_manager(sim, path_style=path_style) as client:
        assert "+86" in [e.code for e in await client.dictionaries.list("phone_code")]
        assert "CN" in [e.code for e in await client.dictionaries.countries()]
        assert [a.code for a in await client.company.currencies()] == ["USDT"]
        assert "EURUSD" in [p.symbol_code for p in await client.products.list(trade_type=1)]
        assert 1 in [g.id for g in await client.customers.groups()]
        page = await client.customers.list(customer_no="86001175")
        assert [c.customer_no for c in page.records] == ["86001175"]
        detail = await client.customers.get("86001175")
        assert {a.account_id for a in detail.account_list} >= {1031001}
        (account,) = await client.customers.account_info("86001175", trade_type=1)
        assert account.balance == Decimal("10000")
        calls = [r for r in sim.requests if r.family == "manager" and r.biz_type.endswith(".page")]
        assert calls[0].path.startswith(
            "/openapi-b/global/" if path_style == "global" else "/openapi-b/customer."
        )
        assert calls[0].headers["trace"].startswith("x-")


async def test_simulator_register_credit_and_reauthorize() -> None:
    async with Simulator() as sim, sim_manager(sim) as client:
        number = await client.customers.register(
            email="new@example.test",
            password="a123456",
            country="CN",
            customer_group_id=1,
            currencies=[(1, "USDT")],
            third_server_code="user-42",
        )
        adjustment = await client.balances.update(
            number, amount=Decimal("12.5"), currency="USDT", trade_type=1
        )
        assert adjustment.proposal_no
        assert (await client.balances.get(number, trade_type=1)).balance == Decimal("12.5")
        sim.expire_manager_tokens()
        page = await client.customers.list(customer_no=number)
        assert page.records[0].third_account_no == "user-42"
        assert client.authorization is not None
        assert len(sim.manager_tokens) == 2


async def test_an_order_placed_for_a_customer_gets_an_idempotency_key_unless_refused() -> None:
    fake = FakeManager()
    place = "tradeapi.admin.CfdMMOrderApiService.addMarketOrder"
    async with manager(fake) as client:
        await client.call(place, {"symbolId": 1})
        await client.call(place, {"symbolId": 1}, idempotency_key=None)
        await client.call("customer.admin.WhiteCustomerAdminApiService.page", {})
    first, second, read = fake.requests[1:]
    assert first.headers["idempotency-key"]
    assert "idempotency-key" not in second.headers
    assert "idempotency-key" not in read.headers
