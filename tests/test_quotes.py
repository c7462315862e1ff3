"""client.quotes on a scripted server: merged subscriptions, replace semantics, the 100-product limit,
reconnect replay, keep-latest delivery and clean shutdown."""

from __future__ import annotations

from decimal import Decimal

import anyio
import pytest

import multimarkets_async as mm
from multimarkets_async.models.market import SymbolKey, Tick
from multimarkets_async.models.stream import ConnectionEvent, ConnectionEventKind
from tests._support import EURUSD, XAUUSD, quote_client
from tests._support import quote_push as p

pytestmark = pytest.mark.anyio

BTCUSDT = SymbolKey(1003, 2, 2)


async def test_tickers_subscribe_stream_and_unsubscribe() -> None:
    async with quote_client() as (client, server):
        async with client.quotes.tickers([EURUSD]) as ticks:
            assert server.backend.sockets[1].url == "ws://127.0.0.1:9/apiQuote/quote_guest"
            assert server.last_symbols(14000) == [1001]
            await server.push(p(EURUSD, 1, "1.08"))
            tick = await ticks.__anext__()
            assert isinstance(tick, Tick)
            assert (tick.symbol_id, tick.bid, tick.seq) == (1001, Decimal("1.08"), 1)
        # Leaving the only subscription cancels the ticker pushes (14006, cancel_type 1).
        await server.wait_for(lambda: server.commands(14006))
        assert server.commands(14006)[-1]["data"] == {"cancel_type": 1}


async def test_subscribers_share_one_connection_and_the_merged_list_is_resent() -> None:
    async with quote_client() as (client, server):
        async with client.quotes.tickers([EURUSD]) as a:
            async with client.quotes.tickers([XAUUSD, EURUSD]) as b:
                assert server.last_symbols(14000) == [1001, 1002]
                assert len(server.sockets) == 1
                await server.push(p(XAUUSD, 1, "2350"))
                await server.push(p(EURUSD, 2, "1.09"))
                assert (await a.__anext__()).symbol_id == 1001  # a never sees XAUUSD
                got_b = {(await b.__anext__()).symbol_id, (await b.__anext__()).symbol_id}
                assert got_b == {1001, 1002}
            await server.wait_for(lambda: server.last_symbols(14000) == [1001])
            assert len(server.commands(14000)) == 3


async def test_past_the_product_limit_another_connection_opens() -> None:
    async with quote_client(max_products_per_connection=2) as (client, server):
        async with client.quotes.tickers([EURUSD, XAUUSD, BTCUSDT]):
            assert len(server.sockets) == 2
            assert server.last_symbols(14000, socket=0) == [1001, 1002]
            assert server.last_symbols(14000, socket=1) == [1003]


async def test_products_fill_connections_in_order_and_stay_where_they_are() -> None:
    keys = [SymbolKey(2000 + i, 2, 1) for i in range(5)]
    async with quote_client(max_products_per_connection=2) as (client, server):
        async with client.quotes.tickers(keys[:3]), client.quotes.tickers([keys[1], *keys[3:]]):
            # keys[1] stays on the first connection; the new ones fill the second, then a third.
            assert [server.last_symbols(14000, socket=i) for i in range(3)] == [
                [2000, 2001],
                [2002, 2003],
                [2004],
            ]


async def test_keep_latest_holds_every_product_even_past_maxsize() -> None:
    keys = [SymbolKey(2000 + i, 2, 1) for i in range(6)]
    async with quote_client() as (client, server):
        async with client.quotes.tickers(keys, maxsize=2) as ticks:
            for seq in (1, 2):
                for key in keys:
                    await server.push(p(key, seq, f"1.0{seq}"))
            await anyio.wait_all_tasks_blocked()
            # A slow consumer gets the latest tick of each of the 6 products, none dropped.
            latest = [ticks.get_nowait() for _ in keys]
            assert [(t.symbol_id, t.seq) for t in latest] == [(k.symbol_id, 2) for k in keys]  # type: ignore[union-attr]
            assert (ticks.stats.dropped, ticks.stats.replaced) == (0, 6)


async def test_slow_consumer_sees_the_latest_tick_and_replacements_are_counted() -> None:
    async with quote_client() as (client, server):
        async with client.quotes.tickers([EURUSD]) as ticks:
            for seq in range(1, 6):
                await server.push(p(EURUSD, seq, f"1.0{seq}"))
            await anyio.wait_all_tasks_blocked()
            tick = await ticks.__anext__()
            assert isinstance(tick, Tick)
            assert tick.seq == 5
            assert ticks.stats.replaced == 4


async def test_reconnect_replays_subscriptions_and_reports_in_band() -> None:
    async with quote_client() as (client, server):
        async with client.quotes.tickers([EURUSD], connection_events=True) as ticks:
            await server.sockets[0].close()
            event = await ticks.__anext__()
            assert isinstance(event, ConnectionEvent)
            assert event.kind is ConnectionEventKind.DISCONNECTED
            event = await ticks.__anext__()
            assert isinstance(event, ConnectionEvent)
            assert event.kind is ConnectionEventKind.RECONNECTED
            await server.wait_for(lambda: server.commands(14000, socket=1))
            assert server.last_symbols(14000, socket=1) == [1001]
            await server.push(p(EURUSD, 7, "1.1"), socket=1)
            tick = await ticks.__anext__()
            assert isinstance(tick, Tick)
            assert tick.seq == 7


async def test_without_opting_in_a_reconnect_is_invisible() -> None:
    async with quote_client() as (client, server):
        async with client.quotes.tickers([EURUSD]) as ticks:
            await server.sockets[0].close()
            await server.wait_for(lambda: len(server.commands(14000)) == 2)
            await server.push(p(EURUSD, 8, "1.1"), socket=1)
            tick = await ticks.__anext__()
            assert isinstance(tick, Tick)
            assert tick.seq == 8


async def test_market_subscription_carries_depth_parameters() -> None:
    async with quote_client() as (client, server):
        market = client.quotes.market([EURUSD], depth_level=5, merge_accuracy="0.0001", trade_info_count=3)
        async with market as book:
            (request,) = server.commands(14010)
            assert request["data"] == {
                "symbol_list": [
                    {
                        "symbol_id": 1001,
                        "trade_type": 2,
                        "trade_mode": 1,
                        "depth_level": 5,
                        "merge_accuracy": "0.0001",
                        "trade_info_count": 3,
                    }
                ]
            }
            await server.push("pd(1001,2,1,9,1700000000000);(1.08,5)(1.07,6);(1.09,7);")
            depth = await book.__anext__()
            assert isinstance(depth, mm.models.market.DepthBook)
            assert [level.price for level in depth.bids] == [Decimal("1.08"), Decimal("1.07")]


async def test_leaving_the_client_ends_iterators_in_other_tasks() -> None:
    finished = anyio.Event()
    async with quote_client() as (client, _server):
        subscription = client.quotes.tickers([EURUSD])
        await subscription.__aenter__()

        async def consume() -> None:
            async for _ in subscription:
                pass
            finished.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(consume)
            await anyio.wait_all_tasks_blocked()
            client.quotes.close()
        await subscription.__aexit__(None, None, None)
    assert finished.is_set()


async def test_streams_need_async_with() -> None:
    client = mm.MultiMarkets(base_url="http://127.0.0.1:9", company_id=1)
    with pytest.raises(RuntimeError, match="async with"):
        async with client.quotes.tickers([EURUSD]):
            pass
    await client.aclose()


async def test_symbol_names_resolve_through_the_catalogue() -> None:
    with pytest.raises(mm.InvalidArgumentError, match="list"):
        await mm.MultiMarkets(base_url="http://127.0.0.1:9", company_id=1).symbols.resolve("EURUSD")
