"""``getMsgPushToken``: the documented URL first (``/api/global/...``, signed), the Open API's once on
"unknown operation", and the base that worked remembered; against the simulator serving either."""

from __future__ import annotations

import httpx
import pytest

import multimarkets_async as mm
from multimarkets_async.protocol.crypto import verify_open_api_signature
from multimarkets_async.protocol.operations import Family, signed_bases
from multimarkets_async.testing import Simulator
from multimarkets_async.testing._keys import SIGN_DEMO
from tests._support import Script, mock_client, ok, sim_client

pytestmark = pytest.mark.anyio

CLIENT_PATH = "/api/global/getMsgPushToken"
OPEN_PATH = "/openapi-c/global/getMsgPushToken"


def push_token_paths(sim: Simulator) -> list[tuple[str, str | None]]:
    """(path, answered code) of every getMsgPushToken request the simulator received, in order."""
    return [(r.path, r.code) for r in sim.requests if r.biz_type == "getMsgPushToken"]


def test_the_documented_base_comes_first() -> None:
    assert signed_bases("getMsgPushToken") == (Family.CLIENT, Family.OPEN)
    assert signed_bases("tradeapi.app.OrderApiService.queryOrderPage") == (Family.OPEN,)


async def test_the_documented_path_is_signed_and_served() -> None:
    async with Simulator() as sim, sim_client(sim) as client:
        token = await client.messages.push_token()
        assert sim.push_tokens[token] == sim.customer_id
        assert push_token_paths(sim) == [(CLIENT_PATH, "0")]
        (request,) = [r for r in sim.requests if r.biz_type == "getMsgPushToken"]
        assert request.headers["apikey"] == sim.api_key
        assert request.headers.get("signature")
        assert request.headers.get("token") is None


async def test_the_signature_covers_the_empty_body_on_the_client_base() -> None:
    script = Script(ok("t-push"))
    async with mock_client(script, signed=True) as client:
        assert await client.messages.push_token() == "t-push"
    (request,) = script.requests
    assert str(request.url) == "https://api.example.test/api/global/getMsgPushToken"
    assert request.content == b"{}"
    assert verify_open_api_signature(
        SIGN_DEMO.public_key, {}, int(request.headers["timestamp"]), request.headers["signature"]
    )
    assert request.headers["recvWindow"] == "5000"
    assert "token" not in request.headers


async def test_falls_back_to_the_open_api_once_and_remembers_it() -> None:
    async with Simulator(push_token_bases=frozenset({"open"})) as sim, sim_client(sim) as client:
        first = await client.messages.push_token()
        second = await client.messages.push_token()
        assert {first, second} <= set(sim.push_tokens)
        assert push_token_paths(sim) == [
            (CLIENT_PATH, "GATEWAY_CODE_002"),
            (OPEN_PATH, "0"),
            (OPEN_PATH, "0"),  # cached: the documented path is not asked again
        ]


async def test_the_remembered_base_falls_back_to_the_other_when_it_stops_serving() -> None:
    async with Simulator(push_token_bases=frozenset({"client"})) as sim, sim_client(sim) as client:
        await client.messages.push_token()
        # The client base now answers as if it did not know the operation: the Open API's is tried.
        sim.faults.fail_next("GATEWAY_CODE_002", biz_type="getMsgPushToken", family="client")
        with pytest.raises(mm.UnknownOperationError):
            await client.messages.push_token()  # the Open API does not serve it here either
        assert push_token_paths(sim) == [
            (CLIENT_PATH, "0"),
            (CLIENT_PATH, "GATEWAY_CODE_002"),
            (OPEN_PATH, "GATEWAY_CODE_002"),  # one fallback, not a loop
        ]


async def test_a_client_base_asking_for_a_login_token_falls_back_too() -> None:
    async with Simulator() as sim, sim_client(sim) as client:
        # A gateway that takes no signature here says the token is missing (GATEWAY_CODE_001).
        sim.faults.fail_next("GATEWAY_CODE_001", biz_type="getMsgPushToken", family="client")
        await client.messages.push_token()
        assert push_token_paths(sim) == [(CLIENT_PATH, "GATEWAY_CODE_001"), (OPEN_PATH, "0")]


async def test_the_message_feed_logs_in_with_a_token_from_the_fallback() -> None:
    async with Simulator(push_token_bases=frozenset({"open"})) as sim, sim_client(sim) as client:
        async with client.messages.subscribe(trade_types=[2]):
            await sim.sockets.wait_for(lambda: sim.sockets.messages and sim.sockets.messages[0].trade_types)
        assert [path for path, _ in push_token_paths(sim)] == [CLIENT_PATH, OPEN_PATH]
        assert len(sim.push_tokens) == 1


async def test_a_login_client_sends_its_token_to_the_client_base_without_fallback() -> None:
    script = Script(httpx.Response(200, json={"code": "GATEWAY_CODE_002", "bizCode": "G", "msg": "no"}))
    async with mock_client(script, token="tok-1") as client:
        with pytest.raises(mm.UnknownOperationError):
            await client.call("getMsgPushToken", {})
    (request,) = script.requests
    assert request.url.path == CLIENT_PATH
    assert request.headers["token"] == "tok-1"
