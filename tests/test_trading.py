"""The typed trading surface against the simulator: each resource method's happy path and error path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import anyio
import pytest

import multimarkets_async as mm
from multimarkets_async.models._base import undeclared_fields
from multimarkets_async.testing import Simulator
from tests._support import sim_client

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def trading(**sim_options: Any) -> AsyncIterator[tuple[Simulator, mm.MultiMarkets]]:
    async with Simulator(**sim_options) as sim:
        async with sim_client(sim) as client:
            yield sim, client


async def test_symbols_catalogue_and_detail() -> None:
    async with trading() as (_sim, client):
        rows = await client.symbols.list()
        assert {(s.symbol_code, s.trade_type) for s in rows} >= {("EURUSD", 1), ("EURUSD", 2)}
        eurusd = await client.symbols.get("eurusd", trade_type=2)
        assert (eurusd.symbol_digits, eurusd.key) == (5, mm.SymbolKey(1001, 2, 1))
        detail = await client.symbols.detail(eurusd)
        assert detail.volume_step == Decimal("0.01")
        with pytest.raises(mm.InvalidArgumentError, match="pass trade_type"):
            await client.symbols.get("EURUSD")
        with pytest.raises(mm.InvalidArgumentError, match="unknown symbol"):
            await client.symbols.get("NOPE")


async def test_market_order_defaults_its_price_to_the_current_quote() -> None:
    async with trading() as (sim, client):
        filled = await client.orders.market("EURUSD", side=mm.Side.BUY, volume="0.10", trade_type=2)
        assert isinstance(filled, mm.OrderResult)
        assert filled.trade_volume == Decimal("0.1")
        (order,) = sim.exchange.orders.values()
        assert order.order_id == filled.order_id
        request = next(r for r in sim.requests if r.biz_type and r.biz_type.endswith("addMarketOrder"))
        assert request.body is not None
        assert request.body["requestPrice"].isdigit()
        assert request.body["requestNum"] == "0.10"
        assert "idempotency-key" in request.headers


async def test_prices_finer_than_the_product_are_refused_before_sending() -> None:
    async with trading() as (sim, client):
        await client.symbols.list()
        sent = len(sim.requests)
        with pytest.raises(mm.InvalidArgumentError, match="more decimals than the product's 5"):
            await client.orders.market(
                "EURUSD", side=mm.Side.BUY, volume="0.1", trade_type=2, price="1.085001"
            )
        with pytest.raises(mm.InvalidArgumentError, match="not float"):
            await client.orders.market("EURUSD", side=mm.Side.BUY, volume=0.1, trade_type=2)  # type: ignore[arg-type]
        with pytest.raises(mm.InvalidArgumentError, match="positive"):
            await client.orders.market("EURUSD", side=mm.Side.BUY, volume="0", trade_type=2, price="1.08")
        assert not [r for r in sim.requests[sent:] if r.biz_type and "addMarketOrder" in r.biz_type]


async def test_a_refused_order_is_a_trading_rule_error() -> None:
    async with trading() as (sim, client):
        sim.faults.fail_next("E000031", biz_code="CFD", msg="Account balance is 0", biz_type="addMarketOrder")
        with pytest.raises(mm.TradingRuleError, match="Account balance is 0"):
            await client.orders.market(
                "EURUSD", side=mm.Side.BUY, volume="0.1", trade_type=2, price="1.08500"
            )


async def test_positions_list_get_stop_loss_and_close() -> None:
    async with trading() as (sim, client):
        filled = await client.orders.market("EURUSD", side=mm.Side.BUY, volume="0.20", trade_type=2)
        page = await client.positions.list(trade_type=2)
        (position,) = page.records
        assert position.position_id == filled.position_id
        assert position.volume == Decimal("0.2")
        same = await client.positions.get(position.position_id, trade_type=2)
        assert same.position_id == position.position_id
        mid = sim.exchange.market.get(1001).mid  # type: ignore[union-attr]
        updated = await client.positions.set_stop_loss_take_profit(
            position, stop_loss=(mid - Decimal("0.01")).quantize(Decimal("0.00001")),
            take_profit=(mid + Decimal("0.01")).quantize(Decimal("0.00001")),
        )  # fmt: skip
        assert updated.stop_loss_decimal is not None
        assert updated.stop_loss_decimal < mid < (updated.take_profit_decimal or 0)
        with pytest.raises(mm.TradingRuleError):  # a buy's stop-loss above the price
            await client.positions.set_stop_loss_take_profit(position, stop_loss=mid + 1)
        partial = await client.positions.close(position, volume="0.05")
        assert partial.open_or_close == 2
        (rest,) = (await client.positions.list(trade_type=2)).records
        assert rest.volume == Decimal("0.15")
        await client.positions.close(rest)
        assert (await client.positions.list(trade_type=2)).records == []
        history = await client.orders.history(trade_type=2)
        assert history
        deals = await client.orders.deals(trade_type=2)
        assert len(deals) >= 3


async def test_pending_orders_modify_cancel_and_trigger() -> None:
    async with trading() as (sim, client):
        mid = sim.exchange.market.get(1001).mid  # type: ignore[union-attr]
        below = (mid - Decimal("0.00500")).quantize(Decimal("0.00001"))
        await client.orders.limit("EURUSD", side=mm.Side.BUY, volume="0.1", price=below, trade_type=2)
        (pending,) = await client.orders.pending(trade_type=2)
        assert pending.open_price == below
        lower = below - Decimal("0.00100")
        await client.orders.modify(pending, price=lower)
        (moved,) = await client.orders.pending(trade_type=2)
        assert moved.open_price == lower
        await client.orders.cancel(moved)
        assert await client.orders.pending(trade_type=2) == []

        await client.orders.limit("EURUSD", side=mm.Side.BUY, volume="0.1", price=below, trade_type=2)
        sim.set_price(1001, below - Decimal("0.00010"))
        assert await client.orders.pending(trade_type=2) == []
        assert len((await client.positions.list(trade_type=2)).records) == 1


async def test_order_queries_and_estimate() -> None:
    async with trading() as (_sim, client):
        filled = await client.orders.market("EURUSD", side=mm.Side.SELL, volume="0.1", trade_type=2)
        page = await client.orders.list(trade_type=2)
        assert [o.order_id for o in page.records] == [filled.order_id]
        detail = await client.orders.get(filled.order_id, trade_type=2)
        assert detail.order_id == filled.order_id
        estimate = await client.orders.estimate("EURUSD", side=mm.Side.BUY, volume="1", trade_type=2)
        assert estimate.margin is not None
        assert estimate.margin > 0


async def test_account_in_real_time() -> None:
    async with trading() as (_sim, client):
        account = await client.account.get(trade_type=2)
        assert account.balance == Decimal("10000")
        await client.orders.market("EURUSD", side=mm.Side.BUY, volume="0.1", trade_type=2)
        after = await client.account.get(trade_type=2)
        assert after.margin is not None
        assert after.margin > 0


async def test_api_keys_permissions_are_enforced_for_a_new_key() -> None:
    async with Simulator() as sim:
        async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id) as owner:
            await owner.login(login_name=sim.login_name, password=sim.password)
            key = await owner.customer.api_keys.apply(tag="bot")
            assert key.private_key is not None
            assert key.private_key.get_secret_value() not in repr(key)
            assert key.has(mm.Permission.READ)
            assert not key.has(mm.Permission.CONTRACT_TRADE)
            secret = key.private_key.get_secret_value()
            async with mm.MultiMarkets(
                base_url=sim.base_url, company_id=sim.company_id, api_key=key.api_key, secret_key=secret
            ) as bot:
                assert (await bot.customer.info()).customer_no == sim.customer_no
                with pytest.raises(mm.PermissionDeniedError):
                    await bot.orders.market(
                        "EURUSD", side=mm.Side.BUY, volume="0.1", trade_type=2, price="1.08500"
                    )
                await owner.customer.api_keys.set_permissions(
                    key, permissions={mm.Permission.CONTRACT_TRADE: True}
                )
                filled = await bot.orders.market("EURUSD", side=mm.Side.BUY, volume="0.1", trade_type=2)
                assert filled.order_id
            listed = await owner.customer.api_keys.list()
            assert {k.api_key for k in listed.records} == {sim.api_key, key.api_key}  # the seeded key too
            assert all(k.private_key is None for k in listed.records)
            await owner.customer.api_keys.delete(key)
            with pytest.raises(mm.BusinessError):
                await owner.customer.api_keys.delete(key)


async def test_one_time_token_works_once_and_the_iframe_url() -> None:
    async with Simulator() as sim:
        async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id) as host:
            token = await host.iframe.one_time_token(customer_no=sim.customer_no, password=sim.password)
            assert not host.authenticated  # the host's own session is untouched
            url = host.iframe.url(token, lang="en-US")
            assert url == f"https://www.headline.net/en-US/home?tsource={token}"
            access = await host.customer.exchange_one_time_token(token)
            async with mm.MultiMarkets(
                base_url=sim.base_url, company_id=sim.company_id, token=access
            ) as user:
                assert (await user.customer.info()).customer_no == sim.customer_no
            with pytest.raises(mm.SessionExpiredError):
                await host.customer.exchange_one_time_token(token)


async def test_auth2_flow() -> None:
    async with Simulator() as sim:
        async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id) as client:
            url = client.auth2.consent_url(
                app_id="app1", third_app_type="mall-x", return_url="https://x.test/back"
            )
            assert url.startswith("https://www.headline.net/en-US/auth2/code?appId=app1")
            await client.login(login_name=sim.login_name, password=sim.password)
            code = await client.auth2.code(app_id=sim.auth2_app_id, third_app_type="mall-x")
            tokens = await client.auth2.token(
                app_id=sim.auth2_app_id, app_secret=sim.auth2_app_secret, code=code
            )
            assert tokens.access_token.get_secret_value() not in repr(tokens)
            user = await client.auth2.user(tokens)
            assert user.customer_no == sim.customer_no
            renewed = await client.auth2.refresh(tokens)
            assert renewed.access_token != tokens.access_token
            with pytest.raises(mm.APIError):  # a code works once
                await client.auth2.token(app_id=sim.auth2_app_id, app_secret=sim.auth2_app_secret, code=code)
            request = next(r for r in sim.requests if r.path.endswith("/auth2/token"))
            assert request.headers["company"] == str(sim.company_id)
            assert "companyId" not in request.headers


async def test_registration_with_a_verification_code() -> None:
    async with Simulator() as sim:
        async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id) as client:
            send_token = await client.customer.send_verification_code(to_user="new@example.com")
            with pytest.raises(mm.VerificationCodeError):
                await client.customer.register(
                    login_name="new@example.com", password="s3cret", verify_code="000000",
                    send_token=send_token, country="GB",
                )  # fmt: skip
            created = await client.customer.register(
                login_name="new@example.com", password="s3cret", verify_code=sim.config.verify_code,
                send_token=send_token, country="GB", accounts={2: ["USDT"]}, client_ip="203.0.113.7",
            )  # fmt: skip
            assert isinstance(created, mm.Registration)
            assert created.customer_no
            assert undeclared_fields(created) == set()
            assert [(a.trade_type, a.currency) for a in created.account_list] == [(2, "USDT")]
            profile = await client.login(login_name="new@example.com", password="s3cret")
            assert profile.customer_no == created.customer_no
            with pytest.warns(DeprecationWarning, match=r"\.customer_no"):
                assert created["customerNo"] == created.customer_no  # the old dict access, one release


async def test_fills_of_typed_orders_arrive_on_the_message_socket() -> None:
    async with trading() as (_sim, client):
        async with client.messages.subscribe(trade_types=[2]) as events:
            filled = await client.orders.market("EURUSD", side=mm.Side.BUY, volume="0.1", trade_type=2)
            with anyio.fail_after(5):
                async for event in events:
                    if isinstance(event, mm.TradeEvent) and event.order_id == filled.order_id:
                        break
            assert event.deal_price is not None


async def test_resend_reconciles_a_lost_order_answer_without_a_second_execution() -> None:
    async with Simulator() as sim:
        async with sim_client(sim, retry=0) as client:
            await client.symbols.list()
            sim.faults.drop_next(after_processing=True, biz_type="addMarketOrder")
            with pytest.raises(mm.OrderStateUnknownError) as info:
                await client.orders.market(
                    "EURUSD", side=mm.Side.BUY, volume="0.1", trade_type=2, price="1.08500"
                )
            assert "reconcile" in str(info.value)
            filled = await client.orders.resend(info.value)
            (order,) = sim.exchange.orders.values()
            assert filled.order_id == order.order_id


async def test_error_paths_of_the_queries_are_typed() -> None:
    async with trading() as (_sim, client):
        with pytest.raises(mm.TradingRuleError) as unknown_position:
            await client.positions.get(999, trade_type=2)
        assert unknown_position.value.code == "E000008"
        with pytest.raises(mm.APIError):
            await client.orders.get(999, trade_type=2)
        ghost = mm.PendingOrder(pending_id="999", symbol_id=1001, direction=1, trade_type=2)
        with pytest.raises(mm.APIError):
            await client.orders.cancel(ghost)
        with pytest.raises(mm.InvalidArgumentError, match="tradeType 5"):
            await client.orders.market("DOGE/USDT-BN-TG", side=mm.Side.BUY, volume="1", trade_type=5)
        with pytest.raises(mm.InvalidArgumentError, match="no account"):
            await client.account.get(trade_type=3)
