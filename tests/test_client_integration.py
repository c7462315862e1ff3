"""The real client against the simulator over loopback: every auth mode, error families, retries,
the 418 lockout, time-window resynchronisation and idempotent order retries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import anyio
import pytest

import multimarkets_async as mm
from multimarkets_async.testing import Simulator
from tests._support import sim_client, sim_order

pytestmark = pytest.mark.anyio

ORDER = "tradeapi.app.OrderApiService.addMarketOrder"
INFO = "customer.app.CustomerWebApiService.findCustomerInfo"
SYMBOLS = "config.app.AppSymbolDubboService.getSymbolBaseList"
FAST = mm.RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.02, max_retry_after=1)


def bot(sim: Simulator, **options: Any) -> mm.MultiMarkets:
    """A client signed with the simulator's API key, retrying fast."""
    return sim_client(sim, **{"retry": FAST} | options)


def guest(sim: Simulator, **options: Any) -> mm.MultiMarkets:
    """A client without an API key, retrying fast."""
    return sim_client(sim, signed=False, **{"retry": FAST} | options)


# -- auth modes ----------------------------------------------------------------------------------


async def test_guest_reads_reference_data_and_server_time() -> None:
    async with Simulator() as sim, guest(sim) as client:
        rows = await client.call(SYMBOLS, {"customerGroupId": sim.customer_group_id})
        assert {row["symbolCode"] for row in rows} >= {"EURUSD", "XAUUSD"}
        assert abs(await client.server_time() - sim.now_ms()) < 5000
        with pytest.raises(mm.SessionExpiredError):  # GATEWAY_CODE_001: a guest has no token
            await client.call(INFO, {})


async def test_password_login_keeps_the_token_and_logout_drops_it() -> None:
    async with Simulator() as sim, guest(sim) as client:
        profile = await client.login(login_name=sim.login_name, password=sim.password)
        assert profile.customer_no == sim.customer_no
        assert profile.token.get_secret_value() not in repr(profile)
        info = await client.call(INFO, {})
        assert info["customerNo"] == sim.customer_no
        login = next(r for r in sim.requests if r.path.startswith("/api/login/"))
        assert login.body is not None
        assert login.body["loginPwd"] == "dc483e80a7a0bd9ef71d8cf973673924"
        await client.logout()
        assert not client.authenticated
        with pytest.raises(mm.SessionExpiredError):
            await client.call(INFO, {})


async def test_wrong_password_is_a_login_failure() -> None:
    async with Simulator() as sim, guest(sim) as client:
        with pytest.raises(mm.LoginFailedError) as info:
            await client.login(login_name=sim.login_name, password="hunter2-secret")
        assert "hunter2" not in str(info.value)


async def test_expired_session_logs_in_again_once_and_retries() -> None:
    async with Simulator() as sim, guest(sim) as client:
        await client.login(login_name=sim.login_name, password=sim.password)
        sim.expire_tokens()
        assert (await client.call(INFO, {}))["customerNo"] == sim.customer_no
        logins = [r for r in sim.requests if r.path.startswith("/api/login/")]
        assert len(logins) == 2


async def test_existing_token_mode() -> None:
    async with Simulator() as sim:
        async with guest(sim) as first:
            profile = await first.login(login_name=sim.login_name, password=sim.password)
        async with guest(sim, token=profile.token.get_secret_value()) as client:
            assert (await client.call(INFO, {}))["customerNo"] == sim.customer_no


async def test_open_api_signed_calls_and_no_token_header() -> None:
    async with Simulator() as sim, bot(sim) as client:
        info = await client.call(INFO, {})
        assert info["customerNo"] == sim.customer_no
        request = sim.requests[-1]
        assert request.path == f"/openapi-c/global/{INFO}"
        assert "token" not in request.headers


async def test_wrong_secret_key_is_a_signature_error() -> None:
    other_key = mm.testing.TRADE_H5_COMPANY.private_key
    async with Simulator() as sim, bot(sim, secret_key=other_key) as client:
        with pytest.raises(mm.SignatureError) as info:
            await client.call(INFO, {})
        assert info.value.code == "00012001"


async def test_unknown_api_key() -> None:
    async with Simulator() as sim, bot(sim, api_key="0" * 32) as client:
        with pytest.raises(mm.ApiKeyError):
            await client.call(INFO, {})


async def test_encrypted_body_mode() -> None:
    async with (
        Simulator(require_encryption=True) as sim,
        guest(sim, public_key=sim.company_public_key) as client,
    ):
        await client.login(login_name=sim.login_name, password=sim.password)
        assert (await client.call(INFO, {}))["customerNo"] == sim.customer_no
        assert abs(await client.sync_clock()) < 5000
        assert all(
            r.headers["trace"].startswith("x-") for r in sim.requests if r.path.startswith("/api/global")
        )


# -- error families --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "biz_code", "expected"),
    [
        ("GATEWAY_CODE_019", "G", mm.PermissionDeniedError),
        ("GATEWAY_CODE_015", "G", mm.ValidationError),
        ("CUSTOMER_API_0000003", "US", mm.BusinessError),
        ("E000031", "CFD", mm.TradingRuleError),
        ("GATEWAY_CODE_902", "G", mm.ServerError),
        ("00012004", "", mm.PermissionDeniedError),
    ],
)
async def test_error_families(code: str, biz_code: str, expected: type[mm.APIError]) -> None:
    async with Simulator() as sim, bot(sim) as client:
        sim.faults.fail_next(code, biz_code=biz_code, times=5, biz_type="findCustomerInfo")
        with pytest.raises(expected) as info:
            await client.call(INFO, {})
        assert info.value.code == code
        assert info.value.trace


async def test_invalid_price_is_refused_by_the_exchange_with_a_typed_error() -> None:
    async with Simulator() as sim, bot(sim) as client:
        body = await sim_order(client, sim, requestPrice="1.08500")
        with pytest.raises(mm.ValidationError) as info:
            await client.call(ORDER, body)
        assert info.value.code == "E000006"
        assert len(sim.exchange.orders) == 0


# -- retries, rate limits, clock ---------------------------------------------------------------------


async def test_429_then_success_is_retried_after_retry_after() -> None:
    async with Simulator() as sim, bot(sim) as client:
        sim.faults.http_status_next(429, headers={"Retry-After": "0"}, biz_type="findCustomerInfo")
        assert (await client.call(INFO, {}))["customerNo"] == sim.customer_no
        assert len([r for r in sim.requests if r.biz_type == INFO]) == 2


async def test_5xx_and_dropped_connections_are_retried_for_reads() -> None:
    async with Simulator() as sim, bot(sim) as client:
        sim.faults.http_status_next(503, biz_type="findCustomerInfo")
        sim.faults.drop_next(biz_type="findCustomerInfo")
        assert (await client.call(INFO, {}))["customerNo"] == sim.customer_no


async def test_429_then_418_lockout_is_never_retried_and_guards_the_key() -> None:
    no_throttle = mm.RateLimitPolicy(open_api_per_minute=None)
    async with Simulator(open_api_rate_per_min=2) as sim, bot(sim, rate_limit=no_throttle) as client:
        await client.call(INFO, {})
        await client.call(INFO, {})
        with pytest.raises(mm.TooManyRequestsError) as limited:
            await client.call(INFO, {})
        assert limited.value.retry_after is not None
        sent = len(sim.requests)
        with pytest.raises(mm.TooManyRequestsError, match="held back after HTTP 429"):
            await client.call(INFO, {})  # the 429 pauses the whole key: nothing is sent
        assert len(sim.requests) == sent
        async with bot(sim, rate_limit=no_throttle) as other:  # another process using the same key
            with pytest.raises(mm.LockedOutError) as locked:
                await other.call(INFO, {})
            assert locked.value.retry_after == pytest.approx(300, abs=2)
            sent = len(sim.requests)
            with pytest.raises(mm.LockedOutError, match="locked out"):
                await other.call(INFO, {})
            assert len(sim.requests) == sent  # refused locally: the lockout is not extended


async def test_time_window_error_resynchronises_the_clock_and_retries_once() -> None:
    async with Simulator() as sim, bot(sim) as client:
        sim.server_clock_offset_ms = 3_600_000
        assert (await client.call(INFO, {}))["customerNo"] == sim.customer_no
        assert client.clock_offset_ms == pytest.approx(3_600_000, abs=5000)
        assert [r.path for r in sim.requests[-3:]] == [
            f"/openapi-c/global/{INFO}",
            "/api/thirdExt/now",
            f"/openapi-c/global/{INFO}",
        ]


# -- orders and idempotency --------------------------------------------------------------------------


async def test_order_placement_fills_with_human_decimals() -> None:
    async with Simulator() as sim, bot(sim) as client:
        body = await sim_order(client, sim)
        filled = await client.call(ORDER, body)
        assert filled["symbolId"] == 1001
        assert Decimal(filled["executePrice"]) > 0
        assert len(sim.exchange.orders) == 1


@pytest.mark.parametrize("aiohttp", [False, True], ids=["httpx", "aiohttp"])
async def test_lost_answer_to_an_order_is_retried_once_executed_once(aiohttp: bool) -> None:
    options: dict[str, Any] = {"http_client": mm.AiohttpClient()} if aiohttp else {}
    async with Simulator() as sim, bot(sim, **options) as client:
        body = await sim_order(client, sim)
        sim.faults.drop_next(after_processing=True, biz_type="addMarketOrder")
        filled = await client.call(ORDER, body)
        orders = [r for r in sim.requests if r.biz_type == ORDER]
        assert len(orders) == 2
        assert orders[0].headers["idempotency-key"] == orders[1].headers["idempotency-key"]
        assert len(sim.exchange.orders) == 1
        (order,) = sim.exchange.orders.values()
        assert filled["orderId"] == order.order_id


async def test_order_with_no_answer_raises_order_state_unknown_carrying_what_was_sent() -> None:
    async with Simulator() as sim, bot(sim, retry=0, timeouts=0.3) as client:
        body = await sim_order(client, sim)
        sim.faults.delay_next(2, biz_type="addMarketOrder")
        with pytest.raises(mm.OrderStateUnknownError) as info:
            await client.call(ORDER, body)
        error = info.value
        assert error.body == body
        assert error.idempotency_key
        assert error.biz_type == ORDER


async def test_closed_client_is_a_clear_runtime_error() -> None:
    async with Simulator() as sim:
        client = mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id)
        await client.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            await client.server_time()


async def test_concurrent_calls_after_an_expiry_log_in_again_once() -> None:
    async with Simulator() as sim, guest(sim) as client:
        await client.login(login_name=sim.login_name, password=sim.password)
        sim.expire_tokens()
        results: list[object] = []

        async def one() -> None:
            results.append(await client.call(INFO, {}))

        async with anyio.create_task_group() as tg:
            for _ in range(8):
                tg.start_soon(one)
        assert len(results) == 8
        logins = [r for r in sim.requests if r.path.startswith("/api/login/")]
        assert len(logins) == 2  # the first login and one after the expiry
