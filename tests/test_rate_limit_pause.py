"""One 429 pauses the key (issue #8, section 4): no call sharing its budget is sent until the wait ends.

The pause state is pure (``RateLimitPause``); the session is driven with a fake clock whose ``sleep``
moves time forward, against scripted transports and the simulator's own limiter, so nothing sleeps.
"""

from __future__ import annotations

import httpx
import pytest

import multimarkets_async as mm
from multimarkets_async.protocol.throttle import KEY_SCOPE, RateLimitPause
from multimarkets_async.testing import Simulator
from multimarkets_async.testing._keys import SIGN_DEMO
from tests._support import FakeClock, Script, mock_client, ok, sim_client

pytestmark = pytest.mark.anyio

READ = "tradeapi.app.OrderApiService.queryOrderPage"
OTHER = "customer.app.CustomerWebApiService.findCustomerInfo"
PAGE = {"tradeType": 2, "current": 1, "size": 10}


class Server(Script):
    """Answers from a script and records (path, clock time) for each request."""

    def __init__(self, clock: FakeClock, *answers: httpx.Response) -> None:
        super().__init__(*answers)
        self.clock = clock
        self.seen: list[tuple[str, float]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.url.path.rsplit("/", 1)[-1], self.clock.now))
        return super().__call__(request)


def with_fake_time(client: mm.MultiMarkets | mm.BridgeClient, clock: FakeClock) -> None:
    client._session._clock = clock
    client._session._sleep = clock.sleep


def signed(server: Server, *, retries: int = 0) -> mm.MultiMarkets:
    client = mock_client(server, signed=True, retry=retries)
    with_fake_time(client, server.clock)
    return client


# -- the pure state ----------------------------------------------------------------------------------


def test_a_pause_holds_its_scope_until_it_ends_and_is_never_shortened() -> None:
    pauses = RateLimitPause()
    assert pauses.wait_for(KEY_SCOPE, 100.0) == 0.0
    pauses.pause(KEY_SCOPE, 105.0)
    pauses.pause(KEY_SCOPE, 102.0)  # a later, shorter Retry-After does not shorten the pause
    assert pauses.wait_for(KEY_SCOPE, 100.2) == pytest.approx(4.8)
    assert pauses.wait_for("client:/global/x", 100.2) == 0.0  # other scopes are not held
    pauses.pause(KEY_SCOPE, 107.0)
    assert pauses.wait_for(KEY_SCOPE, 106.0) == pytest.approx(1.0)
    assert pauses.wait_for(KEY_SCOPE, 107.0) == 0.0
    assert pauses.wait_for(KEY_SCOPE, 0.0) == 0.0  # an ended pause is forgotten


# -- the session ----------------------------------------------------------------------------------------


async def test_after_a_429_an_independent_signed_call_waits_for_the_retry_after() -> None:
    clock = FakeClock()
    start = clock.now
    server = Server(clock, httpx.Response(429, headers={"Retry-After": "5"}), ok(1))
    async with signed(server) as client:
        with pytest.raises(mm.TooManyRequestsError):
            await client.call(READ, {})
        clock.now += 0.2
        assert await client.call(OTHER, {}) == 1
    _first, (other, sent_at) = server.seen
    assert other == OTHER
    assert sent_at >= start + 5  # held back until the server's wait was over, not sent at +0.2 s
    assert clock.sleeps == [pytest.approx(4.8)]


async def test_a_429_on_the_bridge_holds_back_every_bridge_call() -> None:
    clock = FakeClock()
    server = Server(clock, httpx.Response(429, headers={"Retry-After": "3"}), ok([]))
    async with mm.BridgeClient(
        base_url="https://api.example.test",
        company_id=439,
        api_key="a" * 32,
        secret_key=SIGN_DEMO.private_key,
        retry=0,
        transport=httpx.MockTransport(server),
    ) as client:
        with_fake_time(client, clock)
        with pytest.raises(mm.TooManyRequestsError):
            await client.call("tradeapi.admin.OrderAdminApiService.queryDirectOrderPage", {})
        await client.call("customer.admin.WhiteCustomerAdminApiService.page", {})
    assert server.seen[1][1] >= server.seen[0][1] + 3


async def test_client_api_429_holds_back_that_endpoint_only() -> None:
    clock = FakeClock()
    server = Server(clock, httpx.Response(429, headers={"Retry-After": "4"}), ok(1))
    client = mock_client(server, retry=0)
    with_fake_time(client, clock)
    async with client:
        with pytest.raises(mm.TooManyRequestsError):
            await client.call(READ, {})
        assert await client.call(OTHER, {}) == 1  # another endpoint has its own budget (http.md 7.2)
        assert clock.sleeps == []
        assert await client.call(READ, {}) == 1
    assert clock.sleeps == [pytest.approx(4.0)]


async def test_a_call_waiting_out_a_429_is_not_sent_if_a_418_arrived_meanwhile() -> None:
    clock = FakeClock()
    server = Server(clock, httpx.Response(429, headers={"Retry-After": "5"}), ok(1))
    async with signed(server) as client:
        session = client._session

        async def sleep_while_another_call_meets_418(seconds: float) -> None:
            await clock.sleep(seconds)
            session.locked_until = clock.now + 300

        session._sleep = sleep_while_another_call_meets_418
        with pytest.raises(mm.TooManyRequestsError):
            await client.call(READ, {})
        with pytest.raises(mm.LockedOutError):
            await client.call(OTHER, {})
    assert len(server.seen) == 1


async def test_a_pause_longer_than_worth_waiting_refuses_without_sending() -> None:
    clock = FakeClock()
    server = Server(clock, httpx.Response(429, headers={"Retry-After": "600"}), ok(1))
    async with signed(server) as client:
        with pytest.raises(mm.TooManyRequestsError):
            await client.call(READ, {})
        with pytest.raises(mm.TooManyRequestsError, match="held back after HTTP 429") as info:
            await client.call(OTHER, {})
    assert info.value.retry_after == pytest.approx(600)
    assert len(server.seen) == 1
    assert clock.sleeps == []


async def test_simulator_a_429_does_not_become_a_five_minute_lockout() -> None:
    clock = FakeClock()
    async with Simulator(open_api_rate_per_min=2, clock_ms=clock.ms) as sim:
        async with sim_client(sim, retry=0) as client:
            with_fake_time(client, clock)
            await client.call(READ, PAGE)
            await client.call(READ, PAGE)
            with pytest.raises(mm.TooManyRequestsError):  # the third call of the window
                await client.call(READ, PAGE)
            clock.now += 0.2
            # Sent at once, this would meet 418 and lock the key for 5 minutes; it waits instead.
            await client.call(READ, PAGE)
            assert client.locked_until is None
    statuses = [r.status for r in sim.requests if r.family == "open"]
    assert statuses == [200, 200, 429, 200]


async def test_a_spent_budget_waits_a_margin_past_the_minute() -> None:
    # The server counts arrivals: a call sent exactly a minute after the first of the window can
    # arrive inside that window when the first one was delayed on its way (a 429, then 418s).
    clock = FakeClock()
    server = Server(clock, ok([]))
    client = mock_client(server, signed=True, rate_limit=mm.RateLimitPolicy(open_api_per_minute=3))
    with_fake_time(client, clock)
    async with client:
        for _ in range(4):
            await client.call(READ, PAGE)
    first, fourth = server.seen[0][1], server.seen[3][1]
    assert fourth - first >= 60 + mm.RateLimitPolicy().window_margin
    with pytest.raises(mm.ConfigurationError, match="window_margin"):
        mm.RateLimitPolicy(window_margin=-1)
