"""Errors that name the fix: a connection that cannot be made (HTTP and sockets) names host and port and
asks whether ``base_url`` is right, with no trace; ``GATEWAY_CODE_015`` before any call of a client
succeeded points at ``company_id``."""

from __future__ import annotations

import socket

import httpx
import pytest

import multimarkets_async as mm
from multimarkets_async._ws import WebsocketsBackend
from multimarkets_async._ws._backend import map_websockets_exception
from multimarkets_async.protocol.hints import UNREACHABLE_HINT, add_hint, company_id_hint, host_port
from multimarkets_async.testing import Simulator
from tests._support import Script, mock_client, ok, sim_client

pytestmark = pytest.mark.anyio

BASE_LIST = "config.app.AppSymbolDubboService.getSymbolBaseList"
NO_RETRY = mm.RetryPolicy(max_retries=0)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- host and port -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.example.test/api/global/x?token=SECRET", "api.example.test:443"),
        ("http://127.0.0.1:8080/api", "127.0.0.1:8080"),
        ("wss://h.example/openapi-c/openMsg/APIKEY", "h.example:443"),
        ("ws://[::1]:9000/apiQuote/quote?token=SECRET", "[::1]:9000"),
    ],
)
def test_host_port_names_no_path_or_query(url: str, expected: str) -> None:
    assert host_port(url) == expected


def test_a_hint_ends_the_message_and_stays_on_the_error() -> None:
    error = add_hint(mm.ValidationError("The request parameter is invalid."), "check this")
    assert error.message == "The request parameter is invalid: check this"
    assert str(error) == error.message
    assert error.hint == "check this"
    assert mm.ValidationError("x").hint is None


# -- HTTP ----------------------------------------------------------------------------------------------


async def test_a_refused_http_connection_names_host_and_port_and_has_no_trace() -> None:
    port = closed_port()
    async with mm.MultiMarkets(base_url=f"http://127.0.0.1:{port}", company_id=439, retry=NO_RETRY) as client:
        with pytest.raises(mm.ConnectError) as info:
            await client.call(BASE_LIST, {"customerGroupId": 1})
    error = info.value
    assert f"could not connect to 127.0.0.1:{port}" in error.message
    assert "is base_url right" in str(error)
    assert error.hint == UNREACHABLE_HINT
    assert error.trace is None
    assert "trace=" not in str(error)
    assert isinstance(error.__cause__, httpx.ConnectError)


async def test_a_connect_timeout_is_named_the_same_way() -> None:
    script = Script(httpx.ConnectTimeout("timed out"))
    async with mock_client(script, retry=NO_RETRY) as client:
        with pytest.raises(mm.ConnectError) as info:
            await client.call(BASE_LIST, {"customerGroupId": 1})
    assert info.value.message.startswith("could not connect to api.example.test:443 (ConnectTimeout")
    assert info.value.trace is None


async def test_a_request_that_left_keeps_its_trace_and_gets_no_connect_hint() -> None:
    script = Script(httpx.ReadTimeout("slow"))
    async with mock_client(script, retry=NO_RETRY) as client:
        with pytest.raises(mm.RequestTimeoutError) as info:
            await client.call(BASE_LIST, {"customerGroupId": 1})
    assert info.value.trace == script.requests[0].headers["trace"]
    assert info.value.hint is None


async def test_an_order_that_never_left_is_not_an_unknown_outcome() -> None:
    script = Script(httpx.ConnectError("[Errno 111] Connection refused"))
    async with mock_client(script, signed=True, retry=NO_RETRY) as client:
        with pytest.raises(mm.ConnectError) as info:
            await client.call("tradeapi.app.OrderApiService.addMarketOrder", {"symbolId": 1})
    assert not isinstance(info.value, mm.OutcomeUnknownError)
    assert info.value.trace is None


# -- sockets -------------------------------------------------------------------------------------------


async def test_a_refused_socket_names_host_and_port_never_the_token() -> None:
    port = closed_port()
    with pytest.raises(mm.ConnectError) as info:
        await WebsocketsBackend().connect(
            f"ws://127.0.0.1:{port}/apiQuote/quote?token=SECRET-TOKEN", headers={}, open_timeout=5
        )
    error = info.value
    assert f"could not connect to 127.0.0.1:{port}" in error.message
    assert error.hint == UNREACHABLE_HINT
    assert "SECRET-TOKEN" not in str(error)
    assert "apiQuote" not in str(error)
    assert error.trace is None


def test_a_socket_that_did_not_open_in_time_names_where() -> None:
    error = map_websockets_exception(TimeoutError(), url="wss://h.example/openapi-c/openMsg/APIKEY")
    assert isinstance(error, mm.RequestTimeoutError)
    assert error.message.startswith("could not connect to h.example:443 (it did not open in time)")
    assert "APIKEY" not in str(error)


async def test_a_refused_picows_socket_is_named_the_same_way() -> None:
    pytest.importorskip("picows")
    from multimarkets_async._ws._picows import PicowsBackend

    port = closed_port()
    with pytest.raises(mm.ConnectError) as info:
        await PicowsBackend().connect(
            f"ws://127.0.0.1:{port}/apiQuote/quote?token=SECRET", headers={}, open_timeout=5
        )
    assert f"could not connect to 127.0.0.1:{port}" in info.value.message
    assert info.value.hint == UNREACHABLE_HINT
    assert "SECRET" not in str(info.value)


# -- GATEWAY_CODE_015 and company_id -------------------------------------------------------------------


async def test_a_wrong_company_id_on_the_first_call_is_named() -> None:
    async with Simulator() as sim:
        wrong = sim.company_id + 1
        async with mm.MultiMarkets(base_url=sim.base_url, company_id=wrong, retry=NO_RETRY) as client:
            with pytest.raises(mm.ValidationError) as info:
                await client.call(BASE_LIST, {"customerGroupId": 1})
    error = info.value
    assert error.code == "GATEWAY_CODE_015"
    assert error.hint == company_id_hint(wrong)
    assert f"check company_id ({wrong} was sent)" in str(error)
    assert error.trace  # the server answered: support can look the request up


async def test_a_signed_client_with_a_wrong_company_id_gets_the_hint_too() -> None:
    async with Simulator() as sim:
        async with sim_client(sim, retry=NO_RETRY) as good:
            assert await good.messages.push_token()
        options = {"api_key": sim.api_key, "secret_key": sim.secret_key, "retry": NO_RETRY}
        async with mm.MultiMarkets(base_url=sim.base_url, company_id=1, **options) as client:
            with pytest.raises(mm.ValidationError, match=r"check company_id \(1 was sent\)"):
                await client.messages.push_token()


async def test_no_company_hint_once_a_call_has_succeeded() -> None:
    async with Simulator() as sim, sim_client(sim, signed=False, retry=NO_RETRY) as client:
        await client.call(BASE_LIST, {"customerGroupId": 1})
        sim.faults.fail_next("GATEWAY_CODE_015", biz_type=BASE_LIST)
        with pytest.raises(mm.ValidationError) as info:
            await client.call(BASE_LIST, {"customerGroupId": 1})
    assert info.value.code == "GATEWAY_CODE_015"
    assert info.value.hint is None
    assert "company_id" not in str(info.value)


async def test_other_codes_on_the_first_call_get_no_company_hint() -> None:
    script = Script(httpx.Response(200, json={"code": "GATEWAY_CODE_006", "bizCode": "G", "msg": "empty"}))
    async with mock_client(script, retry=NO_RETRY) as client:
        with pytest.raises(mm.ValidationError) as info:
            await client.call(BASE_LIST, {"customerGroupId": 1})
    assert info.value.hint is None


async def test_the_hint_is_per_client() -> None:
    script = Script(
        ok([]), httpx.Response(200, json={"code": "GATEWAY_CODE_015", "bizCode": "G", "msg": "bad"})
    )
    async with mock_client(script, retry=NO_RETRY) as first:
        await first.call(BASE_LIST, {"customerGroupId": 1})
    async with mock_client(script, retry=NO_RETRY) as second:
        with pytest.raises(mm.ValidationError) as info:
            await second.call(BASE_LIST, {"customerGroupId": 1})
    assert info.value.hint == company_id_hint(439)
