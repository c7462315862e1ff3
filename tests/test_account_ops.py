"""``client.account`` and the customer-side namespaces against the simulator: leverage, isolated margin,
the fund flow, asset totals, an honest ``profile()``, per-call timeouts, and every field the simulator
sends declared on the models."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import anyio
import pytest

import multimarkets_async as mm
from multimarkets_async.models._base import undeclared_fields
from multimarkets_async.testing import Simulator
from tests._support import sim_client

pytestmark = pytest.mark.anyio

ISOLATED, FULL = 1031002, 1031001  # the seeded customer's accounts of tradeType 2 and 1
EURUSD_ID = 1001


@asynccontextmanager
async def trading(**options: Any) -> AsyncIterator[tuple[Simulator, mm.MultiMarkets]]:
    async with Simulator() as sim, sim_client(sim, **options) as client:
        yield sim, client


def sent(sim: Simulator, method: str) -> list[dict[str, Any]]:
    """The bodies of the requests to operations ending in ``method``."""
    return [r.body or {} for r in sim.requests if r.biz_type and r.biz_type.endswith(method)]


async def open_isolated(client: mm.MultiMarkets) -> mm.Position:
    await client.orders.market("EURUSD", side=mm.Side.BUY, volume="0.10", trade_type=2)
    (position,) = (await client.positions.list(trade_type=2)).records
    return position


# -- 1. leverage ---------------------------------------------------------------------------------------


async def test_set_leverage_on_isolated_margin_reaches_the_product_and_its_open_position() -> None:
    async with trading() as (sim, client):
        position = await open_isolated(client)
        await client.account.set_leverage("EURUSD", 50, trade_type=2)
        assert sim.exchange.leverage[(ISOLATED, EURUSD_ID)] == 50
        (body,) = sent(sim, "PositionApiService.updateCrossLevelNum")
        assert body == {"tradeType": 2, "symbolId": EURUSD_ID, "requestTime": 50}
        after = await client.positions.get(position.position_id, trade_type=2)
        assert after.cross_level_num == 50


async def test_set_leverage_on_full_margin_names_the_customer_as_the_operation_requires() -> None:
    async with trading() as (sim, client):
        row = await client.symbols.get("EURUSD", trade_type=1)
        await client.account.set_leverage(row, 20)
        assert sim.exchange.leverage[(FULL, EURUSD_ID)] == 20
        (body,) = sent(sim, "CfdMMOrderApiService.setCrossLevelNum")
        customer = sim.exchange.customer
        assert body == {
            "tradeType": 1,
            "symbolId": EURUSD_ID,
            "requestTime": 20,
            "companyId": sim.company_id,
            "customerId": customer.customer_id,
            "customerNo": customer.customer_no,
            "customerGroupId": customer.customer_group_id,
        }


async def test_leverage_the_sdk_or_the_platform_refuses() -> None:
    async with trading() as (sim, client):
        await client.symbols.list()
        before = len(sim.requests)
        for bad in (0, -5, True, "20"):
            with pytest.raises(mm.InvalidArgumentError, match="leverage must be a positive int"):
                await client.account.set_leverage("EURUSD", bad, trade_type=2)  # type: ignore[arg-type]
        with pytest.raises(mm.InvalidArgumentError, match="contract products"):
            await client.account.set_leverage("DOGE/USDT-BN-TG", 5, trade_type=5)
        assert len(sim.requests) == before  # nothing was sent
        with pytest.raises(mm.TradingRuleError) as info:
            await client.account.set_leverage("EURUSD", 100_000, trade_type=2)
        assert str(info.value.code).endswith("E000029")
        assert (ISOLATED, EURUSD_ID) not in sim.exchange.leverage


# -- 2. isolated margin --------------------------------------------------------------------------------


async def test_adjust_margin_adds_and_removes_margin_of_an_isolated_position() -> None:
    async with trading() as (sim, client):
        position = await open_isolated(client)
        assert position.margin is not None
        await client.account.adjust_margin(position, "100", remark="top up")
        (body,) = sent(sim, "updateOccupyTheMargin")
        assert body["occupyTheMargin"] == "100"
        assert body["accountDigits"] == "4"  # a string, as the operation types it
        assert (body["orderId"], body["remark"]) == (position.order_id, "top up")
        added = await client.positions.get(position.position_id, trade_type=2)
        assert added.margin == position.margin + 100
        await client.account.adjust_margin(added, Decimal("-100"))
        back = await client.positions.get(position.position_id, trade_type=2)
        assert back.margin == position.margin
        with pytest.raises(mm.ValidationError):  # below what the position needs at its leverage
            await client.account.adjust_margin(back, "-1")
        with pytest.raises(mm.TradingRuleError):  # more than the free margin
            await client.account.adjust_margin(back, "1000000")
        assert sim.exchange.positions[position.position_id].margin == position.margin


async def test_adjust_margin_arguments_refused_before_sending() -> None:
    async with trading() as (sim, client):
        position = await open_isolated(client)
        full = position.model_copy(update={"trade_type": 1})
        before = len(sim.requests)
        with pytest.raises(mm.InvalidArgumentError, match="isolated-margin positions"):
            await client.account.adjust_margin(full, "10")
        for amount in ("0", "0.00001", "ten"):
            with pytest.raises(mm.InvalidArgumentError):
                await client.account.adjust_margin(position, amount)
        assert len(sim.requests) == before


# -- 3. fund flow --------------------------------------------------------------------------------------


async def test_ledger_lists_the_fund_flow_newest_first_into_ledger_entries() -> None:
    async with trading() as (sim, client):
        await open_isolated(client)
        page = await client.account.ledger(trade_type=2)
        fee, deposit = page.records
        assert isinstance(fee, mm.LedgerEntry)
        assert (fee.business_type1, deposit.business_type1) == (12002, 7001)  # opening fee, deposit
        assert fee.amount is not None
        assert fee.amount < 0
        assert fee.amount_after == sim.exchange.accounts[ISOLATED].balance
        assert fee.amount_out == -fee.amount
        assert fee.account_id == ISOLATED
        assert fee.create_time_ms is not None
        assert deposit.create_time_ms is not None
        assert fee.create_time_ms >= deposit.create_time_ms
        assert all(undeclared_fields(entry) == set() for entry in page.records)
        with pytest.warns(DeprecationWarning, match="create_time_ms"):
            assert fee.create_time == fee.create_time_ms


async def test_ledger_filters_reach_the_platform() -> None:
    async with trading() as (sim, client):
        await open_isolated(client)
        debits = await client.account.ledger(trade_type=2, direction="debit")
        assert [e.business_type1 for e in debits.records] == [12002]
        deposits = await client.account.ledger(trade_type=2, business_type=7, account_id=ISOLATED)
        assert [e.business_type1 for e in deposits.records] == [7001]
        later = datetime.now(UTC) + timedelta(days=1)
        assert (await client.account.ledger(trade_type=2, start=later)).records == []
        body = sent(sim, "queryCapitalFlowList")[-1]
        assert body["startTime"] == int(later.timestamp() * 1000)
        full = await client.account.ledger(trade_type=1)
        assert [e.account_id for e in full.records] == [FULL]


async def test_ledger_refuses_naive_datetimes_and_other_trade_types() -> None:
    async with trading() as (_sim, client):
        with pytest.raises(mm.InvalidArgumentError, match="naive datetime"):
            await client.account.ledger(trade_type=2, end=datetime(2026, 1, 1))
        with pytest.raises(mm.InvalidArgumentError, match="call\\(\\)-only"):
            await client.account.ledger(trade_type=5)


# -- 4. customer assets --------------------------------------------------------------------------------


async def test_assets_is_the_balance_of_the_trade_types_asset() -> None:
    async with trading() as (sim, client):
        await open_isolated(client)
        assets = await client.account.assets(trade_type=2)
        assert isinstance(assets, mm.CustomerAssets)
        assert (assets.currency, assets.digits) == ("USDT", 4)
        assert assets.balance == sim.exchange.accounts[ISOLATED].balance
        assert undeclared_fields(assets) == set()
        with pytest.raises(mm.BusinessError):
            await client.account.assets(trade_type=3)  # the customer has no leverage account


async def test_assets_summary_totals_the_spot_accounts() -> None:
    async with trading() as (sim, client):
        summary = await client.account.assets_summary(trade_type=5)
        assert isinstance(summary, mm.AssetsSummary)
        spot = sim.exchange.accounts[1031005]
        assert summary.total_balance == spot.balance
        assert summary.total_net_assets == spot.balance
        assert summary.total_liabilities == 0
        assert summary.account_info_map["USDT"].account_id == 1031005
        assert undeclared_fields(summary) == set()
        only = await client.account.assets_summary(trade_type=5, currencies=["USDT"])
        assert list(only.account_info_map) == ["USDT"]
        assert sent(sim, "queryCustomerAssetsInfo")[-1]["accountCurrency"] == "USDT"
        with pytest.raises(mm.BusinessError):
            await client.account.assets_summary(trade_type=5, currencies=["BTC"])
        with pytest.raises(mm.InvalidArgumentError, match=r"account\.get"):
            await client.account.assets_summary(trade_type=2)


# -- 5. an honest profile ------------------------------------------------------------------------------


async def test_profile_after_a_trade_shows_the_new_balance_and_the_cache_is_explicit() -> None:
    async with trading() as (sim, client):
        before = (await client.account.profile()).account(2).balance
        await client.orders.market("EURUSD", side=mm.Side.BUY, volume="0.10", trade_type=2)
        now = sim.exchange.accounts[ISOLATED].balance
        assert now != before
        assert (await client.account.profile()).account(2).balance == now
        sim.exchange.accounts[ISOLATED].balance += 1  # a change the cached copy cannot know
        asked = len(sent(sim, "findCustomerInfo"))
        cached = await client.account.profile(cached=True)
        assert cached.account(2).balance == now
        assert len(sent(sim, "findCustomerInfo")) == asked  # answered without a request
        assert (await client.customer.info()).account(2).balance == now + 1
        with pytest.warns(DeprecationWarning, match="cached=True"):
            old_style = await client.account.profile(refresh=False)
        assert old_style.account(2).balance == now + 1  # the copy customer.info() fetched


# -- 6. per-call timeouts -------------------------------------------------------------------------------


Call = Callable[[mm.MultiMarkets, mm.Position], Awaitable[object]]

TIMED: list[tuple[str, Call]] = [
    ("findCustomerInfo", lambda c, p: c.account.profile(timeout=0.2)),
    ("findCustomerInfo", lambda c, p: c.customer.info(timeout=0.2)),
    ("queryAccountById", lambda c, p: c.account.get(trade_type=2, timeout=0.2)),
    ("updateCrossLevelNum", lambda c, p: c.account.set_leverage("EURUSD", 30, trade_type=2, timeout=0.2)),
    ("updateOccupyTheMargin", lambda c, p: c.account.adjust_margin(p, "5", timeout=0.2)),
    ("queryCapitalFlowList", lambda c, p: c.account.ledger(trade_type=2, timeout=0.2)),
    ("queryCustomerAssets", lambda c, p: c.account.assets(trade_type=2, timeout=0.2)),
    ("queryCustomerAssetsInfo", lambda c, p: c.account.assets_summary(trade_type=5, timeout=0.2)),
    ("getSymbolBaseList", lambda c, p: c.symbols.list(refresh=True, timeout=0.2)),
    ("getSymbolDetail", lambda c, p: c.symbols.detail("EURUSD", trade_type=2, timeout=0.2)),
    ("verifyCodeSend", lambda c, p: c.customer.send_verification_code(to_user="a@b.co", timeout=0.2)),
]


@pytest.mark.parametrize(("operation", "call"), TIMED, ids=[f"{i}-{op}" for i, (op, _) in enumerate(TIMED)])
async def test_every_method_takes_a_per_call_timeout(operation: str, call: Call) -> None:
    async with trading(retry=0) as (sim, client):
        position = await open_isolated(client)
        held = sim.faults.delay_next(30, biz_type=operation)
        try:
            with anyio.fail_after(10), pytest.raises((mm.RequestTimeoutError, mm.OutcomeUnknownError)):
                await call(client, position)
        finally:
            held.release()


# -- 7. every field the simulator sends is declared -------------------------------------------------------


async def test_customer_account_and_symbol_models_declare_every_field_sent() -> None:
    async with trading() as (_sim, client):
        await open_isolated(client)
        assert undeclared_fields(await client.account.profile()) == set()
        assert undeclared_fields(await client.account.get(trade_type=2)) == set()
        rows = await client.symbols.list()
        assert all(undeclared_fields(row) == set() for row in rows)
        eurusd = await client.symbols.get("EURUSD", trade_type=2)
        assert "pointRatio" not in repr(eurusd)
        assert "contractSize" not in repr(eurusd)
        assert eurusd.point_ratio == 1
        session = eurusd.trade_time_list[0]
        assert (session.start_time_s, session.end_time_s) == (0, 86399)
        with pytest.warns(DeprecationWarning, match="end_time_s"):
            assert session.end_time == 86399
        detail = await client.symbols.detail(eurusd)
        assert undeclared_fields(detail) == set()
        assert detail.margin_info is not None
        assert detail.margin_info.values == detail.lever_ratio


async def test_login_api_key_and_auth2_models_declare_every_field_sent() -> None:
    async with Simulator() as sim:
        async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id, retry=0) as owner:
            login = await owner.login(login_name=sim.login_name, password=sim.password)
            assert undeclared_fields(login) == set()
            applied = await owner.customer.api_keys.apply(tag="bot")
            assert undeclared_fields(applied) == set()
            assert applied.create_time_ms is not None
            assert applied.expired_time_ms is not None
            with pytest.warns(DeprecationWarning, match="expired_time_ms"):
                assert applied.expired_time == applied.expired_time_ms
            fetched = await owner.customer.api_keys.get(applied)
            assert undeclared_fields(fetched) == set()
            assert fetched.sources
            listed = await owner.customer.api_keys.list()
            assert all(undeclared_fields(k) == set() for k in listed.records)
            held = sim.faults.delay_next(30, biz_type="CustomerApiWebService.page")
            try:
                with anyio.fail_after(10), pytest.raises(mm.RequestTimeoutError):
                    await owner.customer.api_keys.list(timeout=0.2)
            finally:
                held.release()
            code = await owner.auth2.code(app_id=sim.auth2_app_id, third_app_type="mall-x")
            tokens = await owner.auth2.token(
                app_id=sim.auth2_app_id, app_secret=sim.auth2_app_secret, code=code
            )
            assert undeclared_fields(tokens) == set()
            user = await owner.auth2.user(tokens, timeout=5)
            assert undeclared_fields(user) == set()
            assert user.account_id is None  # the platform's 0 means "not set"
