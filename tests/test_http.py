"""The HTTP session against scripted transports: retries, lockout, idempotency, resync, exception seam."""

from __future__ import annotations

import inspect
import json
from typing import Any

import anyio
import httpx
import pytest

import multimarkets_async as mm
from multimarkets_async._http import map_httpx_exception
from multimarkets_async._http._request import AuthScheme, Call, OutgoingRequest, build_request
from multimarkets_async.protocol.backoff import Failure
from multimarkets_async.protocol.crypto import decrypt_body, verify_md5_signature, verify_open_api_signature
from multimarkets_async.protocol.operations import Family, operation_for
from multimarkets_async.protocol.throttle import SlidingWindowLimiter
from multimarkets_async.testing._keys import SIGN_DEMO, TRADE_H5_COMPANY
from tests._support import Script, mock_client, ok

pytestmark = pytest.mark.anyio

ORDER = "tradeapi.app.OrderApiService.addMarketOrder"
READ = "tradeapi.app.OrderApiService.queryOrderPage"
FAST = mm.RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002)


def fail(code: str, biz_code: str = "G", msg: str = "nope") -> httpx.Response:
    return httpx.Response(200, json={"code": code, "bizCode": biz_code, "msg": msg, "data": None})


def client(script: Script, **kwargs: object) -> mm.MultiMarkets:
    return mock_client(script, **{"retry": FAST} | kwargs)


def signed(script: Script, **kwargs: object) -> mm.MultiMarkets:
    return mock_client(script, signed=True, **{"retry": FAST} | kwargs)


async def test_guest_call_sends_documented_headers_and_returns_data() -> None:
    script = Script(ok([{"symbolId": 1}]))
    async with client(script) as mmc:
        data = await mmc.call("config.app.AppSymbolDubboService.getSymbolBaseList", {"customerGroupId": 1})
    assert data == [{"symbolId": 1}]
    (request,) = script.requests
    assert str(request.url) == (
        "https://api.example.test/api/global/config.app.AppSymbolDubboService.getSymbolBaseList"
    )
    assert request.headers["companyId"] == "439"
    assert request.headers["lang"] == "en-US"
    assert request.headers["timestamp"].isdigit()
    assert len(request.headers["timestamp"]) == 13
    assert not request.headers["trace"].startswith("x-")
    for absent in ("token", "apiKey", "signature", "version", "group", "idempotency-key"):
        assert absent not in request.headers
    assert json.loads(request.content) == {"customerGroupId": 1}


async def test_open_api_signature_verifies_and_no_token_is_sent() -> None:
    script = Script(ok({"orderId": 1}))
    async with signed(script, token=None) as mmc:
        await mmc.call(ORDER, {"symbolId": 8390, "remark": None, "requestNum": "0.1"})
    (request,) = script.requests
    assert request.url.path == f"/openapi-c/global/{ORDER}"
    assert request.headers["apiKey"] == "a" * 32
    assert request.headers["recvWindow"] == "5000"
    assert request.headers["version"] == "0.0.1"
    assert request.headers["group"] == "tradeApi"
    assert "token" not in request.headers
    assert len(request.headers["idempotency-key"]) == 36
    body = json.loads(request.content)
    assert verify_open_api_signature(
        SIGN_DEMO.public_key, body, int(request.headers["timestamp"]), request.headers["signature"]
    )


async def test_encrypted_body_mode() -> None:
    script = Script(ok("fine"))
    async with client(script, public_key=TRADE_H5_COMPANY.public_key) as mmc:
        await mmc.call("customer.app.CustomerWebApiService.findCustomerInfo", {"a": 1, "b": "x"})
    (request,) = script.requests
    assert request.headers["trace"].startswith("x-")
    sealed = json.loads(request.content)
    assert set(sealed) == {"data"}
    payload = decrypt_body(sealed["data"], TRADE_H5_COMPANY.private_key)
    assert verify_md5_signature(payload)
    assert payload["timestamp"] == int(request.headers["timestamp"])
    assert {k: payload[k] for k in ("a", "b")} == {"a": 1, "b": "x"}


async def test_server_errors_are_retried_for_reads() -> None:
    script = Script(httpx.Response(503), fail("GATEWAY_CODE_012"), ok(7))
    async with client(script) as mmc:
        assert await mmc.call(READ, {}) == 7
    assert len(script.requests) == 3
    assert len({r.headers["trace"] for r in script.requests}) == 3  # every attempt is its own request


async def test_retries_run_out_with_the_last_typed_error() -> None:
    script = Script(httpx.Response(502, text="bad gateway"))
    async with client(script) as mmc:
        with pytest.raises(mm.ServerUnavailableError) as info:
            await mmc.call(READ, {})
    assert info.value.status_code == 502
    assert len(script.requests) == 3


async def test_429_waits_for_retry_after_then_succeeds() -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "0.01"}), ok(1))
    async with client(script) as mmc:
        assert await mmc.call(READ, {}) == 1


async def test_429_with_a_long_wait_is_raised_with_retry_after() -> None:
    script = Script(httpx.Response(429, headers={"x-ratelimit-reset": "600"}))
    async with client(script) as mmc:
        with pytest.raises(mm.TooManyRequestsError) as info:
            await mmc.call(READ, {})
    assert info.value.retry_after == 600
    assert len(script.requests) == 1


async def test_418_is_never_retried_and_guards_later_calls() -> None:
    script = Script(httpx.Response(418, headers={"Retry-After": "300"}), ok(1))
    async with signed(script) as mmc:
        with pytest.raises(mm.LockedOutError) as info:
            await mmc.call(READ, {})
        assert info.value.retry_after == 300
        assert mmc.locked_until is not None
        with pytest.raises(mm.LockedOutError, match="locked out"):
            await mmc.call(READ, {})
    assert len(script.requests) == 1  # the second call never reached the server


async def test_a_call_waiting_for_rate_limit_room_is_not_sent_after_a_418_meanwhile() -> None:
    script = Script(ok(1), httpx.Response(418, headers={"Retry-After": "300"}), ok(2))
    async with signed(script) as mmc:
        mmc._session._limiter = SlidingWindowLimiter(1, window=1.0)  # one signed call per second
        await mmc.call(READ, {})
        async with anyio.create_task_group() as tg:
            waiting = anyio.Event()

            async def waiter() -> None:
                waiting.set()
                with pytest.raises(mm.LockedOutError, match="locked out"):
                    await mmc.call(READ, {})

            tg.start_soon(waiter)
            await waiting.wait()
            await anyio.wait_all_tasks_blocked()  # the waiter sleeps for the next free slot
            mmc._session._limiter = None  # let this call through at once: it meets the 418
            with pytest.raises(mm.LockedOutError):
                await mmc.call(READ, {})
    assert len(script.requests) == 2  # the waiter woke up locked out and sent nothing


async def test_order_timeout_is_retried_with_the_same_idempotency_key() -> None:
    script = Script(httpx.ReadTimeout("slow"), ok({"orderId": 5}))
    async with signed(script) as mmc:
        assert await mmc.call(ORDER, {"symbolId": 1}) == {"orderId": 5}
    keys = {r.headers["idempotency-key"] for r in script.requests}
    assert len(script.requests) == 2
    assert len(keys) == 1


async def test_order_with_no_answer_raises_order_state_unknown() -> None:
    script = Script(httpx.ReadTimeout("slow"))
    async with signed(script) as mmc:
        with pytest.raises(mm.OrderStateUnknownError) as info:
            await mmc.call(ORDER, {"symbolId": 1, "requestNum": "0.1"})
    error = info.value
    assert error.body == {"symbolId": 1, "requestNum": "0.1"}
    assert error.idempotency_key == script.requests[0].headers["idempotency-key"]
    assert error.biz_type == ORDER
    assert isinstance(error.__cause__, httpx.ReadTimeout)
    assert len(script.requests) == 3


async def test_order_without_idempotency_key_is_not_retried() -> None:
    script = Script(httpx.RemoteProtocolError("gone"), ok(1))
    async with signed(script) as mmc:
        with pytest.raises(mm.OrderStateUnknownError):
            await mmc.call(ORDER, {"symbolId": 1}, idempotency_key=None)
    assert len(script.requests) == 1
    assert "idempotency-key" not in script.requests[0].headers


async def test_connect_errors_are_retried_even_for_writes() -> None:
    script = Script(httpx.ConnectError("refused"), ok(1))
    async with client(script, token="t" * 39) as mmc:
        assert await mmc.call("customer.app.CustomerWebApiService.updateNickName", {"nickName": "x"}) == 1


async def test_a_plain_write_with_no_answer_is_a_transport_error_not_retried() -> None:
    script = Script(httpx.ReadTimeout("slow"), ok(1))
    async with client(script, token="t" * 39) as mmc:
        with pytest.raises(mm.RequestTimeoutError):
            await mmc.call("customer.app.CustomerWebApiService.updateNickName", {"nickName": "x"})
    assert len(script.requests) == 1


async def test_time_window_error_resyncs_the_clock_and_retries_once() -> None:
    server_ahead_ms = 3_600_000

    def server(request: httpx.Request) -> httpx.Response:
        import time

        now = int(time.time() * 1000) + server_ahead_ms
        if request.url.path == "/api/thirdExt/now":
            return ok(now)
        if abs(now - int(request.headers["timestamp"])) > 5000:
            return fail("00012002", "", "outside the time window")
        return ok("signed in time")

    script = Script(server)
    async with signed(script) as mmc:
        assert await mmc.call(READ, {}) == "signed in time"
        assert abs(mmc.clock_offset_ms - server_ahead_ms) < 5000
    paths = [r.url.path for r in script.requests]
    assert paths == [f"/openapi-c/global/{READ}", "/api/thirdExt/now", f"/openapi-c/global/{READ}"]


async def test_time_window_error_that_persists_is_raised() -> None:
    script = Script(lambda r: ok(0) if r.url.path.endswith("/now") else fail("00012002", "", "window"))
    async with signed(script) as mmc:
        with pytest.raises(mm.TimeWindowError):
            await mmc.call(READ, {})


async def test_unknown_operation_falls_back_to_the_description_name() -> None:
    script = Script(fail("GATEWAY_CODE_010"), ok("old name works"))
    async with signed(script) as mmc:
        assert await mmc.call("tradeapi.app.CfdMMOrderApiService.addMarketOrder", {}) == "old name works"
    assert script.requests[1].url.path.endswith("/tradeapi.app.OrderApiService.addMarketOrder")


async def test_business_errors_are_raised_once_typed() -> None:
    script = Script(fail("E000031", "CFD", "Account balance is 0"))
    async with signed(script) as mmc:
        with pytest.raises(mm.TradingRuleError, match="Account balance is 0"):
            await mmc.call(ORDER, {})
    assert len(script.requests) == 1


async def test_non_envelope_200_is_a_protocol_error() -> None:
    script = Script(httpx.Response(200, text="<html>maintenance</html>"))
    async with client(script) as mmc:
        with pytest.raises(mm.ProtocolError, match="not JSON"):
            await mmc.call(READ, {})


async def test_waf_block_is_typed() -> None:
    script = Script(httpx.Response(403, text="blocked"))
    async with client(script) as mmc:
        with pytest.raises(mm.WAFBlockedError):
            await mmc.call(READ, {})


async def test_client_side_throttle_follows_exhausted_endpoint_budget() -> None:
    script = Script(ok(1, **{"x-ratelimit-remairing": "0", "x-ratelimit-reset": "0.05"}), ok(2))
    async with client(script) as mmc:
        assert await mmc.call(READ, {}) == 1
        assert await mmc.call(READ, {}) == 2


async def test_closed_client_refuses_use() -> None:
    mmc = client(Script(ok()))
    await mmc.aclose()
    await mmc.aclose()  # idempotent
    assert mmc.closed
    with pytest.raises(RuntimeError, match="closed"):
        await mmc.call(READ, {})
    with pytest.raises(RuntimeError, match="closed"):
        async with mmc:
            pass


async def test_user_supplied_http_client_is_not_closed() -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(Script(ok(3)))) as http:
        async with mm.MultiMarkets(
            base_url="https://api.example.test", company_id=1, http_client=http
        ) as mmc:
            assert await mmc.call(READ, {}) == 3
        assert not http.is_closed


def test_repr_never_shows_secrets() -> None:
    mmc = mm.MultiMarkets(
        base_url="prd",
        company_id=439,
        api_key="47b471e57c394e8fbc18535805e04016",
        secret_key=SIGN_DEMO.private_key,
    )
    text = repr(mmc)
    assert "47b471e57c394e8fbc18535805e04016" not in text
    assert SIGN_DEMO.private_key[:40] not in text
    assert "prd" in text
    tokened = mm.MultiMarkets(base_url="pre", company_id=439, token="secret-token-app")
    assert "secret-token-app" not in repr(tokened)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"company_id": 0},
        {"company_id": "439"},
        {"api_key": "a" * 32},
        {"secret_key": SIGN_DEMO.private_key},
        {"api_key": "a" * 32, "secret_key": "not a key"},
        {"api_key": "a" * 32, "secret_key": SIGN_DEMO.private_key, "token": "t"},
        {"base_url": "api.multimarkets.org"},
        {"base_url": "https://api.multimarkets.org/api"},
    ],
)
def test_bad_configuration_is_a_clear_typed_error(kwargs: dict[str, object]) -> None:
    options: dict[str, object] = {"base_url": "https://api.example.test", "company_id": 439}
    options.update(kwargs)
    with pytest.raises(mm.ConfigurationError) as info:
        mm.MultiMarkets(**options)  # type: ignore[arg-type]
    assert SIGN_DEMO.private_key[20:60] not in str(info.value)


def _httpx_exception_classes() -> list[type[httpx.HTTPError]]:
    return [
        cls
        for _, cls in inspect.getmembers(httpx, inspect.isclass)
        if issubclass(cls, httpx.HTTPError) and cls is not httpx.HTTPStatusError
    ]


@pytest.mark.parametrize("cls", _httpx_exception_classes(), ids=lambda c: c.__name__)
def test_every_httpx_exception_is_mapped(cls: type[httpx.HTTPError]) -> None:
    try:
        exc = cls("boom")
    except TypeError:
        exc = cls("boom", request=httpx.Request("GET", "https://x"))  # type: ignore[call-arg]
    failure, error = map_httpx_exception(exc)
    assert isinstance(error, mm.TransportError)
    assert isinstance(failure, Failure)
    if issubclass(cls, httpx.ConnectError | httpx.ConnectTimeout):
        assert failure is Failure.NOT_SENT
    if issubclass(cls, httpx.ReadTimeout):
        assert failure is Failure.NO_ANSWER


async def test_an_order_whose_answer_was_lost_stays_unknown_when_the_retry_fails_differently() -> None:
    script = Script(httpx.ReadTimeout("slow"), httpx.Response(503), httpx.Response(503))
    async with signed(script) as mmc:
        with pytest.raises(mm.OrderStateUnknownError, match="got no answer and the retry failed") as info:
            await mmc.call(ORDER, {"symbolId": 1})
    assert info.value.idempotency_key == script.requests[0].headers["idempotency-key"]


async def test_a_malformed_login_answer_is_a_protocol_error_that_hides_the_token() -> None:
    script = Script(ok({"token": ["tok-SECRET-123"], "customerNo": "86000001"}))
    async with client(script) as mmc:
        with pytest.raises(mm.ProtocolError, match="does not fit LoginResult: token") as info:
            await mmc.login(login_name="alice@example.com", password="pw")
    assert "tok-SECRET-123" not in str(info.value)
    assert "tok-SECRET-123" not in str(info.value.__cause__)


# -- The pure request builder (no httpx, no clock) -------------------------------------------------------


def _call(biz_type: str, family: Family, **kwargs: object) -> Call:
    operation = operation_for(biz_type)
    fields: dict[str, Any] = {"idempotency_key": None, "version": operation.version, "group": operation.group}
    fields.update(kwargs)
    return Call(operation=operation, family=family, body=b'{"a":1}', token="tok", **fields)


def _build(call: Call, *, can_encrypt: bool = False) -> OutgoingRequest:
    return build_request(
        call,
        environment=mm.PRE,
        company_id=439,
        settings=mm.ProtocolSettings(),
        api_key="k" * 32,
        can_encrypt=can_encrypt,
        now_ms=1_700_000_000_000,
        request_id="rid",
    )


def test_build_request_picks_the_scheme_and_the_trace_from_values_alone() -> None:
    signed = _build(_call("/global/config.app.AppSymbolDubboService.getSymbolBaseList", Family.OPEN))
    assert signed.scheme is AuthScheme.SIGNED
    assert signed.url == mm.PRE.open_api_url + "/global/config.app.AppSymbolDubboService.getSymbolBaseList"
    assert signed.headers["apiKey"] == "k" * 32
    assert signed.headers["timestamp"] == "1700000000000"
    assert signed.trace == "rid-1700000000000"
    assert signed.body == b'{"a":1}'
    sealed = _build(
        _call("customer.app.CustomerWebApiService.findCustomerInfo", Family.CLIENT), can_encrypt=True
    )
    assert sealed.scheme is AuthScheme.ENCRYPTED
    assert sealed.trace == "x-rid-1700000000000"
    assert "apiKey" not in sealed.headers
    assert sealed.headers["token"] == "tok"
    plain = _build(_call("thirdExt/now", Family.CLIENT), can_encrypt=True)  # no timestamp: never sealed
    assert plain.scheme is AuthScheme.NONE
    assert "timestamp" not in plain.headers
    assert _build(_call("thirdExt/now", Family.CLIENT)) == plain  # pure: the same values, the same request


def test_build_request_names_the_company_the_auth2_way_and_applies_extra_and_omitted_headers() -> None:
    call = _call("auth2/code", Family.AUTH2, extra_headers={"x-extra": "1"}, omit_headers=("token",))
    request = _build(call)
    assert request.headers["company"] == "439"
    assert not {"companyId", "timestamp", "lang", "token"} & set(request.headers)
    assert request.headers["x-extra"] == "1"
    assert request.url == mm.PRE.auth2_url + "/auth2/code"
