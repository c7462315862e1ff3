"""Review of the streams area (issue 9): per-call timeouts of the socket-side typed methods, K-line
ends the wire would misread, and guest quote connections that must move to ``/quote`` after login
whichever connection the next subscription lands on."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import anyio
import httpx
import pytest

import multimarkets_async as mm
from multimarkets_async.resources.quotes import kline_end_seconds
from multimarkets_async.testing import Simulator
from tests._support import EURUSD, mock_client, next_item, ok, sim_client, sim_order
from tests.test_quote_naming import ETH_STOCK, list_as_stock

pytestmark = pytest.mark.anyio


async def test_push_token_takes_a_per_call_timeout() -> None:
    seen: list[object] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"]["read"])
        return ok("push-token")

    async with mock_client(handler, signed=True) as client:
        assert await client.messages.push_token(timeout=3.5) == "push-token"
        assert await client.messages.push_token() == "push-token"
    assert seen[0] == 3.5
    assert seen[-1] != 3.5  # the client's own timeout when none is given


@pytest.mark.parametrize(
    "end",
    [0, 0.5, -1, datetime(1970, 1, 1, tzinfo=UTC), datetime(1969, 12, 31, tzinfo=UTC), math.nan],
)
def test_kline_ends_the_wire_reads_as_now_or_cannot_carry_are_refused(end: object) -> None:
    # kline_timestamp_end 0 means "the latest bars": an end at or before the epoch must not become it.
    with pytest.raises(mm.InvalidArgumentError, match="epoch seconds"):
        kline_end_seconds(end)  # type: ignore[arg-type]


def test_kline_end_error_names_the_fix() -> None:
    with pytest.raises(mm.InvalidArgumentError, match="None, not 0"):
        kline_end_seconds(0)
    with pytest.raises(mm.InvalidArgumentError, match="milliseconds"):
        kline_end_seconds(1_700_000_000_000)
    assert kline_end_seconds(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)) == 1
    assert kline_end_seconds(1_700_000_000.9) == 1_700_000_000


async def test_klines_with_end_zero_is_refused_not_answered_with_the_latest_bars() -> None:
    async with Simulator() as sim, sim_client(sim) as client:
        with pytest.raises(mm.InvalidArgumentError):
            await client.quotes.klines(EURUSD, count=2, end=0)


async def test_klines_take_a_per_call_timeout() -> None:
    async with Simulator() as sim, sim_client(sim) as client:
        bars = await client.quotes.klines(EURUSD, count=2, timeout=5)
        assert len(bars) == 2
        batch = await client.quotes.batch_klines([EURUSD], count=2, timeout=None)
        assert len(batch[EURUSD]) == 2
        with sim.socket_faults.go_silent("quote"), anyio.fail_after(3):  # not the 30 s default
            with pytest.raises(mm.RequestTimeoutError):
                await client.quotes.klines(EURUSD, count=2, timeout=0.2)
            with pytest.raises(mm.RequestTimeoutError):
                await client.quotes.batch_klines([EURUSD], count=2, timeout=0.2)


async def test_a_guest_connection_moves_to_quote_when_the_next_subscription_lands_elsewhere() -> None:
    async with Simulator() as sim, sim_client(sim, signed=False) as client:
        list_as_stock(sim)
        async with client.quotes.tickers([EURUSD]) as first:
            (guest,) = sim.sockets.quote
            assert guest.guest
            await client.login(login_name=sim.login_name, password=sim.password)
            # The stock product goes to a /quote_stock connection: the guest one is not in its plan.
            async with client.quotes.tickers([ETH_STOCK]) as stock:
                with anyio.fail_after(5):
                    await sim.sockets.wait_for(
                        lambda: [s for s in sim.sockets.quote if s.path == "/apiQuote/quote" and s.tickers]
                    )
                assert not any(s.guest for s in sim.sockets.quote)
                assert (await next_item(first, sim)).key == EURUSD
                assert (await next_item(stock, sim)).key == ETH_STOCK


async def test_login_moves_a_live_guest_subscription_without_a_new_subscription() -> None:
    async with Simulator() as sim, sim_client(sim, signed=False) as client:
        async with client.quotes.tickers([EURUSD]) as ticks:
            await client.login(login_name=sim.login_name, password=sim.password)
            with anyio.fail_after(5):
                await sim.sockets.wait_for(
                    lambda: [s for s in sim.sockets.quote if not s.guest and s.tickers == [(1001, 2, 1)]]
                )
            assert [s.path for s in sim.sockets.quote] == ["/apiQuote/quote"]
            tick = await next_item(ticks, sim)
            assert (tick.key, tick.symbol) == (EURUSD, None)  # subscribed by key as a guest: unnamed
            await client.quotes._follow_login()  # already on /quote: nothing moves
            assert client.quotes.connections[0].stats.reconnects == 1
            await client.logout()  # and back to /quote_guest
            with anyio.fail_after(5):
                await sim.sockets.wait_for(
                    lambda: [s for s in sim.sockets.quote if s.guest and s.tickers == [(1001, 2, 1)]]
                )
            assert (await next_item(ticks, sim)).key == EURUSD


ORDER = "tradeapi.app.OrderApiService.addMarketOrder"
INFO = "customer.app.CustomerWebApiService.findCustomerInfo"


async def test_an_order_over_the_rpc_socket_whose_reply_is_lost_is_an_unknown_outcome() -> None:
    async with Simulator() as sim, sim_client(sim, signed=False) as client:
        await client.login(login_name=sim.login_name, password=sim.password)
        body = await sim_order(client, sim)
        async with client.rpc.connect() as rpc:
            assert (await rpc.call(INFO, {}))["customerNo"] == sim.customer_no
            with sim.socket_faults.go_silent("rpc"):
                # A read may simply be called again: it stays a timeout.
                with pytest.raises(mm.RequestTimeoutError):
                    await rpc.call(INFO, {}, timeout=0.2)
                # An order may have been applied: "call again" would be unsafe advice.
                with pytest.raises(mm.OrderStateUnknownError, match="reconcile") as caught:
                    await rpc.call(ORDER, body, timeout=0.2)
            assert caught.value.biz_type == ORDER
            assert isinstance(caught.value.__cause__, mm.RequestTimeoutError)


async def test_a_catalogue_outage_costs_one_lookup_not_one_per_key() -> None:
    keys = [mm.SymbolKey(1001, 2, 1), mm.SymbolKey(1002, 2, 1), mm.SymbolKey(1003, 2, 2)]
    async with Simulator() as sim, sim_client(sim, retry=0) as client:
        outage = sim.faults.http_status_next(503, times=50, biz_type="getSymbolBaseList")
        async with client.quotes.tickers(keys) as ticks:
            tick = await next_item(ticks, sim)
            assert tick.symbol is None  # unnamed, but streaming
        assert 50 - outage.times == 1


async def test_names_survive_a_reconnect_and_a_resubscription_by_key() -> None:
    async with Simulator() as sim, sim_client(sim) as client:
        async with client.quotes.tickers(["EURUSD"], trade_type=2, connection_events=True) as by_name:
            assert (await next_item(by_name, sim, kind=mm.Tick)).symbol == "EURUSD"
            sim.socket_faults.drop_all("quote")
            await next_item(by_name, sim, kind=mm.ConnectionEvent)
            assert (await next_item(by_name, sim, kind=mm.Tick)).symbol == "EURUSD"  # the replayed snapshot
            async with client.quotes.tickers([EURUSD]) as by_key:
                assert (await next_item(by_key, sim)).symbol == "EURUSD"
        async with client.quotes.tickers([EURUSD]) as again:
            assert (await next_item(again, sim)).symbol == "EURUSD"
