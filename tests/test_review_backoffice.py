"""Review of the back office and the HTTP error path: a webhook registration whose answer is lost is an
unknown outcome, never resent; a Manager authorize does not hide the company_id hint; the per-call
timeout also bounds the re-authorize a Manager call runs; transport errors never repeat a URL's path
or query, nor a header value; the getMsgPushToken base is learnt once under concurrent first calls."""

from __future__ import annotations

import anyio
import httpx
import pytest

import multimarkets_async as mm
from multimarkets_async._http._failures import map_httpx_exception
from multimarkets_async.protocol.hints import company_id_hint
from multimarkets_async.protocol.operations import manager_operation
from multimarkets_async.testing import Simulator
from multimarkets_async.testing._keys import SIGN_DEMO
from tests._support import MANAGER_AUTH_PATH, Script, mock_client, mock_manager, ok, sim_client, sim_manager

pytestmark = pytest.mark.anyio

SUBSCRIBE = "admin.admin.CompanyWebhookDubboService.subscribe"
BASE_LIST = "config.app.AppSymbolDubboService.getSymbolBaseList"
FAST = mm.RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002)
NO_RETRY = mm.RetryPolicy(max_retries=0)


# -- webhook registration under a lost answer -----------------------------------------------------------


async def test_a_webhook_registration_whose_answer_is_lost_is_an_unknown_outcome_sent_once() -> None:
    async with Simulator() as sim, sim_manager(sim, retry=FAST) as manager:
        sim.faults.drop_next(after_processing=True, biz_type="CompanyWebhookDubboService.subscribe")
        with pytest.raises(mm.OutcomeUnknownError) as info:
            await manager.webhooks.register("https://hooks.test/mm/SECRET-SEGMENT")
        registered = dict(sim.webhook_urls)
    error = info.value
    assert not isinstance(error, mm.OrderStateUnknownError)
    assert error.biz_type == SUBSCRIBE
    assert error.body is not None
    assert error.body["queryUserAccountBalanceUrl"] == "https://hooks.test/mm/SECRET-SEGMENT/get-user-amount"
    assert "register the same URLs again" in str(error)
    assert "fund flow" not in str(error)  # the money advice does not fit a registration
    assert "SECRET-SEGMENT" not in str(error)  # the body (the URLs) is kept, never printed
    assert registered["queryUserAccountBalanceUrl"].endswith("/get-user-amount")  # it did run, once
    assert len([r for r in sim.requests if r.biz_type == SUBSCRIBE]) == 1


async def test_a_webhook_registration_refused_with_429_is_not_an_unknown_outcome() -> None:
    async with Simulator() as sim, sim_manager(sim, retry=FAST) as manager:
        await manager.authorize()
        sim.faults.http_status_next(429, headers={"Retry-After": "0"}, biz_type="CompanyWebhookDubboService")
        with pytest.raises(mm.TooManyRequestsError):
            await manager.webhooks.register("https://hooks.test/mm")
    assert sim.webhook_urls == {}


def test_only_the_registration_among_plain_back_office_writes_carries_reconcile_advice() -> None:
    assert manager_operation(SUBSCRIBE).reconcile
    assert manager_operation("customer.admin.WhiteCustomerAdminApiService.destroy").reconcile is None
    assert manager_operation("tradeapi.admin.OrderAdminApiService.forcedOrder").reconcile is None


# -- per-call timeout ------------------------------------------------------------------------------------


async def test_the_call_timeout_also_bounds_the_reauthorize_it_runs() -> None:
    async with Simulator() as sim, sim_manager(sim, retry=0) as manager:
        await manager.authorize()
        sim.expire_manager_tokens()
        held = sim.faults.delay_next(5, biz_type="CompanyAuthDubboService.auth")
        with anyio.fail_after(3), pytest.raises(mm.RequestTimeoutError):
            await manager.dictionaries.list("phone_code", timeout=0.2)
        held.release()


async def test_the_call_timeout_reaches_an_encrypted_manager_request() -> None:
    async with Simulator(require_encryption=True) as sim, sim_manager(sim, retry=0) as manager:
        await manager.authorize()
        held = sim.faults.delay_next(5, biz_type="queryAllPositionPage")
        with anyio.fail_after(3), pytest.raises(mm.RequestTimeoutError):
            await manager.positions.list(trade_type=2, timeout=0.2)
        held.release()
    (sent,) = [r for r in sim.requests if r.biz_type.endswith("queryAllPositionPage")]
    assert sent.headers["trace"].startswith("x-")  # it was encrypted


# -- transport errors name no path, query or header value ----------------------------------------------


def test_a_header_value_the_http_library_refuses_is_not_repeated_in_the_error() -> None:
    """h11 quotes the value it refuses (a token the server handed out with a line break, say)."""
    secret = "tok-S3CRET-0123456789"
    refused = httpx.LocalProtocolError(f"Illegal header value b'{secret}\\n'")
    _failure, error = map_httpx_exception(refused, url="https://api.example.com/api/global/x?token=t")
    assert secret not in str(error)
    assert secret not in repr(error)
    assert "Illegal header value (the value is not shown)" in str(error)


async def test_a_connect_timeout_that_repeats_the_url_names_only_host_and_port() -> None:
    pytest.importorskip("httpx_aiohttp")
    import aiohttp

    from multimarkets_async._http._aiohttp import map_aiohttp_exception

    # aiohttp's own text for a connect timeout: the whole request URL.
    url = "https://api.example.test/openapi-c/global/getMsgPushToken?token=SECRET-TOKEN"
    mapped = map_aiohttp_exception(aiohttp.ConnectionTimeoutError(f"Connection timeout to host {url}"))
    assert mapped is not None
    async with mock_client(Script(mapped), retry=NO_RETRY) as client:
        with pytest.raises(mm.ConnectError) as info:
            await client.call(BASE_LIST, {"customerGroupId": 1})
    text = str(info.value)
    assert "SECRET-TOKEN" not in text
    assert "/openapi-c" not in text
    assert "/global" not in text
    assert "https://api.example.test:443" in text
    assert info.value.trace is None


async def test_an_error_text_without_a_url_or_header_value_is_kept() -> None:
    script = Script(httpx.ReadError("[Errno 104] Connection reset by peer"))
    async with mock_client(script, retry=NO_RETRY) as client:
        with pytest.raises(mm.TransportError) as info:
            await client.call(BASE_LIST, {"customerGroupId": 1})
    assert info.value.message == "ReadError: [Errno 104] Connection reset by peer"


# -- the company_id hint ---------------------------------------------------------------------------------


async def test_a_manager_authorize_that_succeeded_does_not_hide_the_company_id_hint() -> None:
    # Authorize is documented with the trace header only, so a gateway may authorize whatever the
    # companyId; the first call that reads it is the first that can prove it.
    refused = httpx.Response(200, json={"code": "GATEWAY_CODE_015", "bizCode": "G", "msg": "bad"})

    def answer(request: httpx.Request) -> httpx.Response:
        return ok({"token": "t-admin"}) if request.url.path == MANAGER_AUTH_PATH else refused

    async with mock_manager(answer, encrypt_body=False, retry=0) as manager:
        with pytest.raises(mm.ValidationError) as info:
            await manager.dictionaries.list("phone_code")
    assert info.value.hint == company_id_hint(439)


async def test_no_company_id_hint_once_a_manager_call_has_succeeded() -> None:
    async with Simulator() as sim, sim_manager(sim, retry=0) as manager:
        assert await manager.dictionaries.list("phone_code")
        sim.faults.fail_next("GATEWAY_CODE_015", biz_type="getListByParentCode")
        with pytest.raises(mm.ValidationError) as info:
            await manager.dictionaries.list("phone_code")
    assert info.value.hint is None


# -- getMsgPushToken: the base is per client and learnt under concurrent first calls ---------------------


async def test_concurrent_first_push_token_calls_all_fall_back_once_and_the_base_is_remembered() -> None:
    async with Simulator(push_token_bases=("open",)) as sim:
        async with sim_client(sim, retry=NO_RETRY) as client:
            tokens: list[str] = []

            async def fetch() -> None:
                tokens.append(await client.messages.push_token())

            async with anyio.create_task_group() as tg:
                for _ in range(5):
                    tg.start_soon(fetch)
            first_round = len([r for r in sim.requests if r.biz_type == "getMsgPushToken"])
            await client.messages.push_token()
            after = [r for r in sim.requests if r.biz_type == "getMsgPushToken"][first_round:]
        async with sim_client(sim, retry=NO_RETRY) as other:
            await other.messages.push_token()
            other_sent = [r for r in sim.requests if r.biz_type == "getMsgPushToken"][first_round + 1 :]
    assert len(tokens) == 5
    assert all(tokens)
    assert first_round == 10  # each concurrent first call: the documented base once, then the other
    assert [r.family for r in after] == ["open"]  # remembered: straight to the base that worked
    assert [r.family for r in other_sent] == ["client", "open"]  # another client learns it itself


# -- forced close: an accepted close never reads as "not closed" -------------------------------------------

FORCED = "tradeapi.admin.OrderAdminApiService.forcedOrder"


async def test_an_accepted_forced_close_with_an_unreadable_answer_says_it_was_accepted() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return ok({"token": "t-admin"}) if request.url.path == MANAGER_AUTH_PATH else ok("true")

    async with mock_manager(answer, encrypt_body=False, retry=0) as manager:
        with pytest.raises(mm.ProtocolError, match="forced close was accepted") as info:
            await manager.positions.force_close("86000001", trade_type=2, customer_id=1, customer_group_id=1)
    assert "list the customer's positions" in str(info.value)


async def test_a_forced_close_cancelled_in_flight_logs_no_resend_advice(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with Simulator() as sim, sim_manager(sim, retry=0) as manager:
        await manager.authorize()
        held = sim.faults.delay_next(5, biz_type="forcedOrder")
        with anyio.move_on_after(0.3):
            await manager.positions.force_close(
                sim.customer_no, trade_type=2, customer_id=1, customer_group_id=1
            )
        held.release()
    (record,) = [r for r in caplog.records if "cancelled after it was sent" in r.getMessage()]
    assert FORCED in record.getMessage()
    assert "send it again with idempotency-key None" not in record.getMessage()
    assert "reconcile before sending it again" in record.getMessage()


@pytest.mark.parametrize("bad", ["key-with-newline\n", "k\u00e9y", "two words", ""])
@pytest.mark.parametrize("field", ["api_key", "token"])
def test_a_credential_that_cannot_travel_in_a_header_is_refused_at_construction(field: str, bad: str) -> None:
    """A key read with its line break, or with a non-ASCII character, fails at once and by name,
    never later as a transport error quoting it (or a bare UnicodeEncodeError)."""
    credentials = (
        {"api_key": bad, "secret_key": SIGN_DEMO.private_key} if field == "api_key" else {"token": bad}
    )
    with pytest.raises(mm.ConfigurationError, match=field) as info:
        mm.MultiMarkets(base_url="http://127.0.0.1:1", company_id=1, **credentials)  # type: ignore[arg-type]
    if bad:
        assert bad.strip() not in str(info.value)
