"""Market data that says what it is: events carry their product's name, K-line ends and bar times say
their unit, and each product streams on its socket (``/quote_stock`` for stock, ``/quote`` logged in)."""

from __future__ import annotations

from datetime import UTC, datetime

import anyio
import pytest

import multimarkets_async as mm
from multimarkets_async.testing import Simulator
from tests._support import EURUSD, XAUUSD, next_item, quote_client, quote_push, sim_client

pytestmark = pytest.mark.anyio

ETH_STOCK = mm.SymbolKey(1004, 6, 4)
"""ETHUSDT, listed under tradeType 6 (stock) by ``list_as_stock`` for these tests."""


def list_as_stock(sim: Simulator) -> None:
    """List the simulator's ETHUSDT under tradeType 6 as well, so that a stock product exists."""
    symbol = sim.exchange.market.get(1004)
    assert symbol is not None
    symbol.trade_types = (*symbol.trade_types, 6)


async def test_every_market_event_carries_the_product_name() -> None:
    async with Simulator() as sim, sim_client(sim) as client:
        async with client.quotes.tickers(["EURUSD"], trade_type=2) as by_name:
            tick = await next_item(by_name, sim)
            assert (tick.symbol, tick.key) == ("EURUSD", EURUSD)
        async with client.quotes.tickers([XAUUSD]) as by_key:  # a key is named from the catalogue
            assert (await next_item(by_key, sim)).symbol == "XAUUSD"
        async with client.quotes.market([EURUSD], merge_accuracy="0.00001") as market:
            book = await next_item(market, sim, kind=mm.DepthBook)
            trade = await next_item(market, sim, kind=mm.Trade)
            assert (book.symbol, trade.symbol) == ("EURUSD", "EURUSD")
        async with client.quotes.rolling_24h([EURUSD]) as stats:
            assert (await next_item(stats, sim)).symbol == "EURUSD"
        assert (await client.quotes.latest(mm.SymbolKey(1003, 2, 2))).symbol == "BTCUSDT"
        bars = await client.quotes.klines(EURUSD, count=3)
        assert {bar.symbol for bar in bars} == {"EURUSD"}
        batch = await client.quotes.batch_klines([EURUSD, XAUUSD], count=2)
        assert {key: {bar.symbol for bar in bars} for key, bars in batch.items()} == {
            EURUSD: {"EURUSD"},
            XAUUSD: {"XAUUSD"},
        }


async def test_a_guest_subscribing_by_key_makes_no_request_and_gets_unnamed_events() -> None:
    async with quote_client() as (client, server), client.quotes.tickers([EURUSD]) as ticks:
        await server.push(quote_push(EURUSD, 1, "1.08"))
        tick = await ticks.__anext__()
        assert (tick.symbol_id, tick.symbol) == (1001, None)


async def test_kline_end_takes_an_aware_datetime_or_epoch_seconds() -> None:
    async with Simulator() as sim, sim_client(sim) as client:
        latest = await client.quotes.klines(EURUSD, count=10)
        end_s = latest[-4].time_ms // 1000
        by_seconds = await client.quotes.klines(EURUSD, count=3, end=end_s)
        by_datetime = await client.quotes.klines(EURUSD, count=3, end=datetime.fromtimestamp(end_s, tz=UTC))
        assert by_seconds == by_datetime == latest[-6:-3]
        with pytest.raises(mm.InvalidArgumentError, match="tzinfo"):
            await client.quotes.klines(EURUSD, end=datetime(2024, 1, 1))
        with pytest.raises(mm.InvalidArgumentError, match="milliseconds"):
            await client.quotes.klines(EURUSD, end=latest[-1].time_ms)
        with pytest.raises(mm.InvalidArgumentError, match="epoch seconds"):
            await client.quotes.batch_klines([EURUSD], end=True)


async def test_stock_products_stream_on_quote_stock_with_the_login_token() -> None:
    async with Simulator() as sim, sim_client(sim, signed=False) as client:
        list_as_stock(sim)
        with pytest.raises(mm.InvalidArgumentError, match="login"):
            async with client.quotes.tickers([ETH_STOCK]):
                pass
        assert not sim.sockets.quote
        await client.login(login_name=sim.login_name, password=sim.password)
        async with client.quotes.tickers([ETH_STOCK, EURUSD]) as ticks:
            paths = {session.path: session.tickers for session in sim.sockets.quote}
            assert paths == {"/apiQuote/quote_stock": [(1004, 6, 4)], "/apiQuote/quote": [(1001, 2, 1)]}
            seen = set()
            while len(seen) < 2:
                tick = await next_item(ticks, sim)
                seen.add((tick.key, tick.symbol))
            assert seen == {(ETH_STOCK, "ETHUSDT"), (EURUSD, "EURUSD")}
        bars = await client.quotes.klines(ETH_STOCK, count=2)
        assert [bar.key for bar in bars] == [ETH_STOCK, ETH_STOCK]


async def test_the_quote_socket_of_a_guest_moves_to_quote_after_login() -> None:
    async with Simulator() as sim, sim_client(sim, signed=False) as client:
        async with client.quotes.tickers([EURUSD]) as first:
            (guest,) = sim.sockets.quote
            assert guest.guest
            await client.login(login_name=sim.login_name, password=sim.password)
            async with client.quotes.tickers([XAUUSD]) as second:
                with anyio.fail_after(5):
                    await sim.sockets.wait_for(
                        lambda: [s for s in sim.sockets.quote if not s.guest and len(s.tickers) == 2]
                    )
                (session,) = sim.sockets.quote
                assert session.path == "/apiQuote/quote"
                assert (await next_item(first, sim)).key == EURUSD
                assert (await next_item(second, sim)).key == XAUUSD
