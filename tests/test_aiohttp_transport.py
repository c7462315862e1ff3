"""The SDK over aiohttp (``http_client=mm.AiohttpClient()``) against the simulator: signed and sealed
calls, retries after injected faults, timeouts and refused connections as the SDK's errors, lost
answers that stay unknown, and closing that releases the aiohttp session."""

from __future__ import annotations

import gc
import inspect
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import anyio
import httpx
import httpx_aiohttp
import pytest

import multimarkets_async as mm
from multimarkets_async._http import map_httpx_exception
from multimarkets_async._http._aiohttp import httpx_class_for
from multimarkets_async.protocol.backoff import Failure
from multimarkets_async.testing import Simulator
from tests._support import sim_order

pytestmark = pytest.mark.anyio

INFO = "customer.app.CustomerWebApiService.findCustomerInfo"
ORDER = "tradeapi.app.OrderApiService.addMarketOrder"
FAST = mm.RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.02, max_retry_after=1)


@asynccontextmanager
async def bot(sim: Simulator, **kwargs: Any) -> AsyncIterator[mm.MultiMarkets]:
    options: dict[str, Any] = {"retry": FAST, "api_key": sim.api_key, "secret_key": sim.secret_key}
    options.update(kwargs)
    if "http_client" not in options:
        options["http_client"] = mm.AiohttpClient()
    async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id, **options) as client:
        yield client


def aiohttp_session(http: httpx.AsyncClient) -> aiohttp.ClientSession:
    session = http._transport.inner.client  # type: ignore[attr-defined]
    assert isinstance(session, aiohttp.ClientSession)
    return session


# -- calls ----------------------------------------------------------------------------------------


async def test_signed_calls_go_through_aiohttp() -> None:
    http = mm.AiohttpClient()
    async with Simulator() as sim, bot(sim, http_client=http) as client:
        async with anyio.create_task_group() as tg:  # concurrent calls share aiohttp's pool
            for _ in range(8):
                tg.start_soon(client.call, INFO, {})
        assert (await client.call(INFO, {}))["customerNo"] == sim.customer_no
        assert not aiohttp_session(http).closed
    signed = [r for r in sim.requests if r.biz_type == INFO]
    assert len(signed) == 9
    assert all(r.headers["signature"] and r.headers["user-agent"].startswith("multimarkets") for r in signed)


async def test_sealed_client_api_calls_go_through_aiohttp() -> None:
    async with (
        Simulator(require_encryption=True) as sim,
        mm.MultiMarkets(
            base_url=sim.base_url,
            company_id=sim.company_id,
            public_key=sim.company_public_key,
            http_client=mm.AiohttpClient(),
        ) as client,
    ):
        await client.login(login_name=sim.login_name, password=sim.password)
        assert (await client.call(INFO, {}))["customerNo"] == sim.customer_no
    assert all(r.headers["trace"].startswith("x-") for r in sim.requests if r.path.startswith("/api/global"))


# -- faults ---------------------------------------------------------------------------------------


async def test_5xx_and_dropped_connections_are_retried_for_reads() -> None:
    async with Simulator() as sim, bot(sim) as client:
        sim.faults.http_status_next(503, biz_type="findCustomerInfo")
        sim.faults.drop_next(biz_type="findCustomerInfo")
        assert (await client.call(INFO, {}))["customerNo"] == sim.customer_no
    assert len([r for r in sim.requests if r.biz_type == INFO]) == 3


async def test_429_waits_for_retry_after_then_succeeds() -> None:
    async with Simulator() as sim, bot(sim) as client:
        sim.faults.http_status_next(429, headers={"Retry-After": "0"}, biz_type="findCustomerInfo")
        assert (await client.call(INFO, {}))["customerNo"] == sim.customer_no


# The lost-answer retry over aiohttp: test_client_integration, parametrized over both transports.


async def test_a_dropped_order_without_a_key_is_unknown_not_resent() -> None:
    # httpx-aiohttp alone reports a connection closed after the request as ConnectTimeout ("never
    # sent"), which would send the order again; the SDK's mapping keeps the outcome unknown.
    async with Simulator() as sim, bot(sim) as client:
        body = await sim_order(client, sim)
        sim.faults.drop_next(after_processing=True, biz_type="addMarketOrder")
        with pytest.raises(mm.OrderStateUnknownError) as info:
            await client.call(ORDER, body, idempotency_key=None)
    assert info.value.body == body
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)
    assert isinstance(info.value.__cause__.__cause__, aiohttp.ServerDisconnectedError)
    assert len([r for r in sim.requests if r.biz_type == ORDER]) == 1
    assert len(sim.exchange.orders) == 1


async def test_an_httpx_aiohttp_transport_passed_as_transport_is_mapped_the_same_way() -> None:
    transport = httpx_aiohttp.AiohttpTransport()
    async with Simulator() as sim, bot(sim, http_client=None, transport=transport) as client:
        body = await sim_order(client, sim)
        sim.faults.drop_next(after_processing=True, biz_type="addMarketOrder")
        with pytest.raises(mm.OrderStateUnknownError):
            await client.call(ORDER, body, idempotency_key=None)
    assert len(sim.exchange.orders) == 1
    assert isinstance(transport.client, aiohttp.ClientSession)
    assert transport.client.closed  # the SDK's own client closed its transport


# -- timeouts and refused connections --------------------------------------------------------------


async def test_a_slow_answer_is_a_request_timeout_with_the_clients_timeouts() -> None:
    async with Simulator() as sim, bot(sim, retry=0, timeouts=0.2) as client:
        held = sim.faults.delay_next(30, biz_type="findCustomerInfo")
        try:
            with anyio.fail_after(10), pytest.raises(mm.RequestTimeoutError) as info:
                await client.call(INFO, {})
        finally:
            held.release()
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


async def test_a_per_call_timeout_overrides_the_clients() -> None:
    async with Simulator() as sim, bot(sim, retry=0) as client:
        held = sim.faults.delay_next(30, biz_type="findCustomerInfo")
        try:
            with anyio.fail_after(10), pytest.raises(mm.RequestTimeoutError):
                await client.call(INFO, {}, timeout=0.2)
        finally:
            held.release()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_a_refused_connection_is_a_connect_error_after_the_retries() -> None:
    http = mm.AiohttpClient()
    async with mm.MultiMarkets(
        base_url=f"http://127.0.0.1:{_closed_port()}", company_id=1, retry=FAST, http_client=http
    ) as client:
        with pytest.raises(mm.ConnectError) as info:
            await client.call(INFO, {})
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert isinstance(info.value.__cause__.__cause__, aiohttp.ClientConnectorError)
    assert http.is_closed


# -- closing ----------------------------------------------------------------------------------------


async def test_closing_the_client_closes_the_aiohttp_session() -> None:
    http = mm.AiohttpClient()
    async with Simulator() as sim:
        async with bot(sim, http_client=http) as client:
            await client.call(INFO, {})
            session = aiohttp_session(http)
            connector = session.connector
            assert connector is not None
            assert not connector.closed
        assert http.is_closed
        assert session.closed
        assert connector.closed
        await http.aclose()  # closing it yourself as well is harmless
    del http, session, connector, client
    # A session or connector nobody closed warns "Unclosed ..." when collected; the suite turns that
    # into an error of this test (filterwarnings=error, pytest's unraisable-exception check).
    gc.collect()


async def test_a_shared_client_is_closed_by_the_last_client() -> None:
    http = mm.AiohttpClient()
    async with Simulator() as sim:
        first = mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id, http_client=http)
        second = mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id, http_client=http)
        async with first, second:
            await first.server_time()
            await first.aclose()
            await first.aclose()  # a second close does not release twice
            assert not http.is_closed
            await second.server_time()
        assert http.is_closed
        with pytest.raises(RuntimeError, match="closed"):
            mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id, http_client=http)


async def test_a_plain_httpx_client_is_still_the_callers_to_close() -> None:
    async with Simulator() as sim, httpx.AsyncClient() as http:
        async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id, http_client=http) as c:
            await c.server_time()
        assert not http.is_closed


# -- the exception seam -----------------------------------------------------------------------------


def _aiohttp_exception_classes() -> list[type[BaseException]]:
    return [
        cls for _, cls in inspect.getmembers(aiohttp, inspect.isclass) if issubclass(cls, aiohttp.ClientError)
    ]


@pytest.mark.parametrize("cls", _aiohttp_exception_classes(), ids=lambda c: c.__name__)
def test_every_aiohttp_exception_is_mapped_and_only_unsent_ones_may_be_resent(
    cls: type[BaseException],
) -> None:
    mapped = httpx_class_for(cls)
    assert mapped is not None
    assert issubclass(mapped, httpx.TransportError)
    failure, error = map_httpx_exception(mapped("boom"))
    assert isinstance(error, mm.TransportError)
    if failure is Failure.NOT_SENT:
        assert issubclass(cls, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError), cls
    written = (
        aiohttp.ServerDisconnectedError,
        aiohttp.SocketTimeoutError,
        aiohttp.ClientPayloadError,
        aiohttp.ClientConnectionResetError,
    )
    if issubclass(cls, written):
        assert failure is Failure.NO_ANSWER, cls


def test_a_timeout_outside_aiohttp_is_a_request_timeout() -> None:
    mapped = httpx_class_for(TimeoutError)
    assert mapped is httpx.TimeoutException
    assert map_httpx_exception(mapped("slow"))[0] is Failure.NO_ANSWER


def test_without_the_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx_aiohttp", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "multimarkets_async._http._aiohttp")
    with pytest.raises(ImportError, match=r"multimarkets-async\[aiohttp\]"):
        mm.AiohttpClient  # noqa: B018
