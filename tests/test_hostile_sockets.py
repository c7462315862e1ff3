"""A hostile server, end to end: HTTP answers end in ``ProtocolError``; sockets skip and count the
frame and keep serving (the RPC socket answers the next call, data-push subscribers get the next
event)."""

from __future__ import annotations

import anyio
import httpx
import pytest

import multimarkets_async as mm
from multimarkets_async.testing import Simulator
from tests._support import mock_client, sim_manager

pytestmark = pytest.mark.anyio

READ = "tradeapi.app.OrderApiService.queryOrderPage"
INFO = "customer.app.CustomerWebApiService.findCustomerInfo"
TOKEN = "74e6e8df-9399-4bec-85aa-217c9b93e38eapp"
DEEP = 5000
NESTED = '{"code":"0","trace":"x","data":' + "[" * DEEP + "]" * DEEP + "}"
HOSTILE_BODIES = {
    "overflowing tm": b'{"code":"0","msg":"Success","tm":1e400,"data":{"token":"' + TOKEN.encode() + b'"}}',
    "negative overflow": b'{"code":"0","data":[-1e400]}',
    "NaN": b'{"code":"0","tm":NaN,"data":null}',
    "5000-digit number": b'{"code":"0","tm":1' + b"0" * 5000 + b"}",
    "deep nesting": NESTED.encode(),
    "deep nesting in an error": b'{"code":"E1","msg":' + b"[" * DEEP + b"]" * DEEP + b"}",
    "truncated": b'{"code":"0","data":{"token":"' + TOKEN.encode(),
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
async def test_a_hostile_http_answer_is_a_protocol_error(body: bytes) -> None:
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    async with mock_client(answer, retry=mm.RetryPolicy(max_retries=0)) as client:
        with pytest.raises(mm.ProtocolError) as info:
            await client.call(READ, {})
    assert type(info.value) is mm.ProtocolError
    assert str(info.value).startswith("malformed HTTP response (")
    assert TOKEN not in str(info.value)
    assert info.value.trace == requests[0].headers["trace"]  # the handle to quote to support


async def test_the_rpc_socket_skips_a_hostile_frame_and_answers_the_next_call() -> None:
    async with Simulator() as sim:
        async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id) as client:
            await client.login(login_name=sim.login_name, password=sim.password)
            async with client.rpc.connect() as rpc:
                await rpc.call(INFO, {})
                (session,) = sim.sockets.rpc
                for frame in (NESTED, '{"code":"0","trace":"x","tm":1e400}', '{"bizType":"pong","trace":['):
                    assert session.push(frame)
                with anyio.fail_after(5):
                    info = await rpc.call(INFO, {})
                assert info["customerNo"] == sim.customer_no
                assert rpc.connection.stats.malformed == 3
                assert rpc.connection.stats.reconnects == 0
                assert sim.sockets.rpc == [session]  # the same connection served on


async def test_data_push_subscribers_get_the_event_after_a_hostile_frame() -> None:
    async with Simulator() as sim, sim_manager(sim) as manager:
        async with manager.data_push.events(group="bo", event_types={"kyc"}) as events:
            (session,) = await sim.sockets.wait_for(lambda: sim.sockets.datapush)
            hostile = [
                '{"eventType":"kyc","data":' + "[" * DEEP + "]" * DEEP + "}",  # 10 KB of nesting
                '{"eventType":"kyc","data":{"id":1,"updateTime":1e400}}',
                '{"eventType":"kyc","data":{"id":' + "[" * 900 + "]" * 900 + "}}",
            ]
            for frame in hostile:
                assert session.push(frame)
            sim.datapush.emit("kyc", {"id": "42", "companyId": sim.company_id})
            with anyio.fail_after(5):
                event = await events.__anext__()
            assert isinstance(event, mm.KycEvent)
            assert event.id == "42"
            connection = manager.data_push.connection("bo")
            assert connection is not None
            assert connection.stats.malformed == len(hostile)
            assert connection.stats.reconnects == 0
