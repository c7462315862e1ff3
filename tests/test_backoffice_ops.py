"""The typed back-office operations against the simulator: webhook URL registration, adjustment lookup,
positions across customers, forced close, the Bridge product list, the authorize timestamp, per-call
timeouts, and every field the simulator sends declared on the Manager, Bridge and webhook models."""

from __future__ import annotations

import inspect
from decimal import Decimal

import anyio
import httpx
import pytest
from starlette.applications import Starlette

import multimarkets_async as mm
from multimarkets_async import webhooks
from multimarkets_async.models._base import WireModel, undeclared_fields
from multimarkets_async.models.backoffice import AdjustmentProposal, ProposalStatus
from multimarkets_async.testing import Simulator
from multimarkets_async.testing._keys import SIGN_DEMO
from tests._support import sim_bridge, sim_client, sim_manager, sim_order

pytestmark = pytest.mark.anyio

ORDER = "tradeapi.app.OrderApiService.addMarketOrder"
FAST = mm.RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002)


async def open_position(sim: Simulator) -> int:
    """Buy 0.10 EURUSD for the seeded customer (tradeType 2); the new position's id."""
    async with sim_client(sim) as client:
        filled = await client.call(ORDER, await sim_order(client, sim))
    return int(filled["positionId"])


# -- 1. webhook URL registration ----------------------------------------------------------------------


async def test_registered_webhook_urls_are_the_ones_the_platform_calls() -> None:
    seen: list[WireModel] = []

    async def get_balance(request: webhooks.BalanceRequest) -> webhooks.BalanceAnswer:
        seen.append(request)
        return webhooks.BalanceAnswer(user_name=request.user_name, currency="USDT", amount=Decimal("42.5"))

    async def adjust(request: webhooks.AdjustmentRequest) -> None:
        seen.append(request)

    handlers = webhooks.WebhookHandlers(get_balance=get_balance, adjust=adjust)
    app = Starlette(routes=webhooks.webhook_routes(handlers, prefix="/mm"))
    transport = httpx.ASGITransport(app=app)
    async with Simulator() as sim, sim_manager(sim) as manager:
        urls = await manager.webhooks.register("https://integrator.test/mm/")
        assert urls.query_user_account_balance_url == "https://integrator.test/mm/get-user-amount"
        assert sim.webhook_urls == {
            "queryUserAccountBalanceUrl": "https://integrator.test/mm/get-user-amount",
            "externalSystemAdjustmentUrl": "https://integrator.test/mm/external-system-credit-limit-adjustment",
            "cancelExternalSystemAdjustmentUrl": (
                "https://integrator.test/mm/cancel-external-system-credit-limit-adjustment"
            ),
        }
        # The platform (no URL given) calls what was registered, and our routes answer.
        balance = await sim.platform.query_balance(
            third_server_code="u1", user_name=sim.customer_no, currency="USDT", transport=transport
        )
        assert balance.ok
        assert balance.amount == Decimal("42.5")
        adjusted = await sim.platform.adjust(
            third_server_code="u1", user_name=sim.customer_no, currency="USDT", amount="3",
            amount_digits=2, order_id=7, metadata="{}", transport=transport,
        )  # fmt: skip
        assert adjusted.accepted
        # A URL given on its own wins over the base URL.
        urls = await manager.webhooks.register(
            "https://integrator.test/mm", cancel_url="https://other.test/undo"
        )
        assert sim.webhook_urls["cancelExternalSystemAdjustmentUrl"] == "https://other.test/undo"
        assert urls.cancel_external_system_adjustment_url == "https://other.test/undo"
        sent = [r for r in sim.requests if r.biz_type.endswith("CompanyWebhookDubboService.subscribe")]
    assert len(sent) == 2
    assert [type(r).__name__ for r in seen] == ["BalanceRequest", "AdjustmentRequest"]
    for request in seen:
        assert undeclared_fields(request) == set()


async def test_webhook_registration_refuses_missing_or_non_http_urls_before_sending() -> None:
    async with Simulator() as sim, sim_manager(sim) as manager:
        with pytest.raises(mm.InvalidArgumentError, match="base_url="):
            await manager.webhooks.register(balance_url="https://a.test/b", adjustment_url="https://a.test/c")
        with pytest.raises(mm.InvalidArgumentError, match="http"):
            await manager.webhooks.register("ftp://integrator.test")
        assert not [r for r in sim.requests if "CompanyWebhookDubboService" in r.biz_type]
        assert sim.webhook_urls == {}


def test_an_unknown_webhook_field_stays_in_raw() -> None:
    body = {
        "thirdServerCode": "u1",
        "userName": "86000001",
        "currency": "USDT",
        "bizType": 1,
        "operationType": "OPEN_POSITION",
        "amount": "1.5",
        "amountDigits": 2,
        "orderId": 9,
        "requestUniqueNo": "r-1",
        "requestTime": 1_700_000_000_000,
        "ip": "1.2.3.4",
        "futureField": "x",
    }
    request = webhooks.AdjustmentRequest.model_validate(body)
    assert request.raw["futureField"] == "x"
    assert not hasattr(request, "futureField")
    assert "futureField" not in repr(request)
    assert undeclared_fields(request) == {"futureField"}
    assert request.request_time_ms == 1_700_000_000_000
    with pytest.warns(DeprecationWarning, match="request_time_ms"):
        assert request.request_time == 1_700_000_000_000  # the old name, for one release


# -- 2. adjustment lookup -----------------------------------------------------------------------------


async def test_an_adjustment_is_found_by_its_proposal_number() -> None:
    async with Simulator() as sim, sim_manager(sim) as manager:
        adjustment = await manager.balances.update(
            sim.customer_no, amount="12.5", currency="USDT", trade_type=1, remark="bonus r-7"
        )
        assert adjustment.proposal_no is not None
        proposal = await manager.balances.adjustment(adjustment.proposal_no)
        with pytest.raises(mm.ValidationError) as unknown:
            await manager.balances.adjustment("A-unknown")
        assert unknown.value.code == "FS10002"
        with pytest.raises(mm.InvalidArgumentError):
            await manager.balances.adjustment("")
    assert isinstance(proposal, AdjustmentProposal)
    assert proposal.proposal_no == adjustment.proposal_no
    assert proposal.amount == Decimal("12.5")
    assert proposal.check_status is ProposalStatus.APPROVED
    assert (proposal.customer_no, proposal.account_currency, proposal.remark) == (
        sim.customer_no,
        "USDT",
        "bonus r-7",
    )
    assert proposal.create_time_ms is not None
    assert undeclared_fields(proposal) == set()


# -- 3. positions across customers --------------------------------------------------------------------


async def test_positions_across_customers_with_filters() -> None:
    async with Simulator() as sim:
        position_id = await open_position(sim)
        async with sim_manager(sim) as manager:
            page = await manager.positions.list(trade_type=2)
            mine = await manager.positions.list(trade_type=2, customer_no=sim.customer_no, side=mm.Side.BUY)
            other = await manager.positions.list(trade_type=2, customer_no="86999999")
            sells = await manager.positions.list(trade_type=2, side=mm.Side.SELL)
            contracts = await manager.positions.list(trade_type=1)
            with pytest.raises(mm.InvalidArgumentError):
                await manager.positions.list(trade_type=2, size=0)
    (row,) = [p for p in page.records if p.position_id == position_id]
    assert row.customer_no == sim.customer_no
    assert row.customer_id is not None
    assert row.biz_type == 1
    assert row.direction == 1
    assert [p.position_id for p in mine.records] == [position_id]
    assert other.records == []
    assert sells.records == []
    assert contracts.records == []
    assert undeclared_fields(row) == set()


# -- 4. forced close ----------------------------------------------------------------------------------


async def test_forced_close_closes_every_position_of_the_customer() -> None:
    async with Simulator() as sim:
        first, second = await open_position(sim), await open_position(sim)
        async with sim_manager(sim) as manager:
            closed = await manager.positions.force_close(sim.customer_no, trade_type=2)
            left = await manager.positions.list(trade_type=2, customer_no=sim.customer_no)
            nothing = await manager.positions.force_close(sim.customer_no, trade_type=2)
            with pytest.raises(mm.InvalidArgumentError, match="customer number"):
                await manager.positions.force_close("86999999", trade_type=2)
    assert sorted(r.position_id for r in closed) == sorted([first, second])
    assert {r.open_or_close for r in closed} == {2}
    assert [undeclared_fields(r) for r in closed] == [set(), set()]
    assert left.records == []
    assert nothing == []
    sent = [r for r in sim.requests if r.biz_type.endswith("forcedOrder")]
    assert sent[0].headers.get("group") == "tradeApi"


async def test_a_forced_close_whose_answer_is_lost_is_never_sent_again() -> None:
    async with Simulator() as sim:
        position_id = await open_position(sim)
        async with sim_manager(sim, retry=FAST) as manager:
            sim.faults.drop_next(after_processing=True, biz_type="forcedOrder")
            with pytest.raises(mm.OrderStateUnknownError) as info:
                await manager.positions.force_close(sim.customer_no, trade_type=2)
            left = await manager.positions.list(trade_type=2, customer_no=sim.customer_no)
    assert info.value.biz_type == "tradeapi.admin.OrderAdminApiService.forcedOrder"
    assert info.value.body is not None
    assert info.value.body["customerNo"] == sim.customer_no
    assert position_id not in [p.position_id for p in left.records]  # it did run, once
    assert len([r for r in sim.requests if r.biz_type.endswith("forcedOrder")]) == 1


# -- 5. the Bridge product list -----------------------------------------------------------------------


async def test_bridge_products_are_the_tradeable_bridge_symbols() -> None:
    async with Simulator() as sim, sim_bridge(sim) as bridge:
        products = await bridge.products.list()
    assert products
    assert {p.trade_type for p in products} == {10}
    assert {p.profit_currency for p in products} == {"USDT"}
    assert "BTCUSDT" in {p.symbol_code for p in products}
    for product in products:
        assert undeclared_fields(product) == set()


# -- 6. authorize sends its timestamp -----------------------------------------------------------------


async def test_authorize_sends_the_timestamp_and_stays_plain_when_it_runs_again() -> None:
    async with Simulator(require_encryption=True) as sim, sim_manager(sim) as manager:
        record = await manager.authorize(timeout=5)
        sim.expire_manager_tokens()
        # Re-authorizing once the company key is known still sends a plain body the gateway reads.
        assert await manager.dictionaries.list("phone_code")
    auths = [r for r in sim.requests if r.biz_type.endswith("CompanyAuthDubboService.auth")]
    assert len(auths) == 2
    for request in auths:
        assert request.headers["timestamp"].isdigit()
    assert undeclared_fields(record) == set()


# -- 7. per-call timeout ------------------------------------------------------------------------------


def _public_coroutines(namespace: object) -> list[tuple[str, inspect.Signature]]:
    return [
        (name, inspect.signature(method))
        for name, method in inspect.getmembers(namespace, inspect.iscoroutinefunction)
        if not name.startswith("_")
    ]


def test_every_manager_and_bridge_method_takes_a_keyword_timeout() -> None:
    manager = mm.ManagerClient(base_url="https://x.test", company_id=1, app_id="a", app_secret="b")
    bridge = mm.BridgeClient(
        base_url="https://x.test", company_id=1, api_key="k", secret_key=SIGN_DEMO.private_key
    )
    namespaces: list[object] = [manager, bridge]
    for client in (manager, bridge):
        namespaces += [v for k, v in vars(client).items() if not k.startswith("_") and hasattr(v, "_session")]
    checked = 0
    for namespace in namespaces:
        for name, signature in _public_coroutines(namespace):
            if name in ("aclose", "__aenter__", "__aexit__") or "stream" in name:
                continue
            parameter = signature.parameters.get("timeout")
            assert parameter is not None, f"{type(namespace).__name__}.{name} takes no timeout="
            assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
            checked += 1
    assert checked >= 30


async def test_a_timeout_given_to_one_call_applies_to_it() -> None:
    async with Simulator() as sim, sim_manager(sim, retry=0) as manager:
        await manager.authorize()
        held = sim.faults.delay_next(5, biz_type="getListByParentCode")
        with anyio.fail_after(4), pytest.raises(mm.RequestTimeoutError):
            await manager.dictionaries.list("phone_code", timeout=0.2)
        held.release()
        assert await manager.dictionaries.list("phone_code", timeout=None)


# -- 8. every field the simulator sends is declared ---------------------------------------------------


async def test_manager_models_declare_every_field_the_simulator_sends() -> None:
    async with Simulator() as sim, sim_manager(sim) as manager:
        answers: list[WireModel] = [
            *await manager.dictionaries.list("USDT"),
            *await manager.dictionaries.countries(),
            *await manager.company.currencies(),
            *await manager.products.list(),
            *await manager.customers.groups(),
            *(await manager.customers.list()).records,
        ]
        detail = await manager.customers.get(sim.customer_no)
        base = await manager.customers.get(sim.customer_no, part=mm.CustomerDetailType.BASE_INFO)
    for model in answers:
        assert undeclared_fields(model) == set(), type(model).__name__
    assert undeclared_fields(base) == set()
    assert undeclared_fields(detail) == set()
    customer = answers[-1]
    assert isinstance(customer, mm.ManagedCustomer)
    assert customer.create_time_ms is not None
    with pytest.warns(DeprecationWarning, match="create_time_ms"):
        assert customer.create_time == customer.create_time_ms


async def test_bridge_models_declare_every_field_the_simulator_sends() -> None:
    async with Simulator() as sim, sim_bridge(sim) as bridge:
        await bridge.accounts.add(
            customer_no=sim.customer_no, exchange=mm.Exchange.BINANCE, account_type=mm.BridgeAccountType.SPOT,
            account_name="main", api_key="k" * 16, secret_key="s" * 16,
        )  # fmt: skip
        account = mm.BridgeAccount(
            exchange=mm.Exchange.BINANCE, account_name="main", customer_no=sim.customer_no
        )
        placed = await bridge.orders.place(account, symbol_id=1003, side=mm.Side.BUY, quantity="0.01")
        resting = await bridge.orders.place(
            account, symbol_id=1003, side=mm.Side.BUY, quantity="0.01", price="1",
            order_type=mm.BridgeOrderType.LIMIT,
        )  # fmt: skip
        queried = await bridge.orders.get(account, symbol_id=1003, client_order_id=resting.client_order_id)
        trades = await bridge.records.trades(account, symbol_id=1003)
        answers: list[WireModel] = [
            placed,
            queried,
            *trades,
            *await bridge.balances.list(account),
            *(await bridge.accounts.list()).records,
            *(await bridge.customers.list()).records,
        ]
    assert queried.price == Decimal("1")
    assert queried.execute_price is None  # not filled: "" on the wire, None here
    (trade,) = trades
    assert trade.execute_time_ms is not None
    for model in answers:
        assert undeclared_fields(model) == set(), type(model).__name__
