"""Memory stays bounded on the stream paths: K-line replies hold at most what was asked, unsolicited
binary frames are not even inflated, ``last_ticks`` keeps only subscribed products, and the picows
backend limits a fragmented message as a whole."""

from __future__ import annotations

import json
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
import websockets
from websockets.asyncio.server import ServerConnection, serve

import multimarkets_async as mm
from multimarkets_async.models.market import Tick
from multimarkets_async.protocol import quote
from multimarkets_async.protocol.dialects import QuoteDialect
from multimarkets_async.protocol.quote import compress_kline_reply
from tests._support import EURUSD, XAUUSD, quote_client
from tests._support import quote_push as p
from tests.fake_quote_server import FakeQuoteServer

pytestmark = pytest.mark.anyio


def kline_reply(seq_id: int, bars: int, *, padding: int = 0) -> bytes:
    bar = {
        "timestamp": 1605509068,
        "open_price": "1.1",
        "close_price": "1.2",
        "high_price": "1.3",
        "low_price": "1.0",
        "transactions_number": "5",
    }
    reply = {
        "ret": 200,
        "msg": "ok" + " " * padding,
        "cmd_id": 14013,
        "seq_id": seq_id,
        "ext": f"kline-{seq_id}",
        "data": {"symbol_id": 1001, "trade_type": 2, "trade_mode": 1, "kline_list": [bar] * bars},
    }
    return compress_kline_reply(json.dumps(reply, separators=(",", ":")))


async def answer_klines(server: FakeQuoteServer, *frames: Any) -> None:
    """Wait for the client's 14012, then send ``frames`` (callables of its seq_id) instead of a reply."""
    try:
        await server.wait_for(lambda: server.commands(14012))
        seq = server.commands(14012)[-1]["seq_id"]
        assert isinstance(seq, int)
        for frame in frames:
            await server.sockets[0].send(frame(seq))
    finally:
        server.answer = True  # leaving the subscriptions waits for the cancel's reply


async def test_a_kline_reply_with_more_bars_than_asked_is_a_protocol_error() -> None:
    async with quote_client() as (client, server):
        async with client.quotes.tickers([EURUSD]):  # the connection is open; replies are ours to send
            server.answer = False  # until answer_klines has sent its frames
            async with anyio.create_task_group() as tg:
                tg.start_soon(answer_klines, server, lambda seq: kline_reply(seq, 15))
                with anyio.fail_after(5), pytest.raises(mm.ProtocolError, match="15 bars"):
                    await client.quotes.klines(EURUSD, count=10)


async def test_a_kline_reply_within_the_request_is_returned() -> None:
    async with quote_client() as (client, server):
        async with client.quotes.tickers([EURUSD]):
            server.answer = False  # until answer_klines has sent its frames
            async with anyio.create_task_group() as tg:
                tg.start_soon(answer_klines, server, lambda seq: kline_reply(seq, 10))
                with anyio.fail_after(5):
                    bars = await client.quotes.klines(EURUSD, count=10)
            assert len(bars) == 10


async def test_an_inflated_reply_past_its_bound_is_a_protocol_error() -> None:
    # 8 MB of blanks compress to a few KB: far more than ten bars can take.
    async with quote_client() as (client, server):
        async with client.quotes.tickers([EURUSD]):
            server.answer = False  # until answer_klines has sent its frames
            async with anyio.create_task_group() as tg:
                tg.start_soon(answer_klines, server, lambda seq: kline_reply(seq, 1, padding=8_000_000))
                with anyio.fail_after(5), pytest.raises(mm.ProtocolError, match="exceeds"):
                    await client.quotes.klines(EURUSD, count=10)


async def test_unsolicited_binary_frames_are_dropped_without_inflating() -> None:
    async with quote_client() as (client, server):
        async with client.quotes.tickers([EURUSD]) as ticks:
            (connection,) = client.quotes._feed.connections
            await server.sockets[0].send(zlib.compress(b"x" * 1_000_000))  # nobody asked for K-lines
            await server.sockets[0].send(kline_reply(999, 5))
            await server.push(p(EURUSD, 1, "1.08"))
            with anyio.fail_after(5):
                assert isinstance(await ticks.__anext__(), Tick)
            assert connection.dialect.unsolicited == 2
            assert connection.manager.stats.malformed == 0
            # A reply to a request that is no longer waiting is dropped as well.
            server.answer = False  # until answer_klines has sent its frames
            async with anyio.create_task_group() as tg:
                tg.start_soon(
                    answer_klines,
                    server,
                    lambda seq: kline_reply(seq + 100, 3),
                    lambda seq: kline_reply(seq, 3),
                )
                with anyio.fail_after(5):
                    assert len(await client.quotes.klines(EURUSD, count=3)) == 3
            assert connection.dialect.unsolicited == 3
            assert connection.dialect.klines == {}


async def test_last_ticks_keeps_only_subscribed_products() -> None:
    async with quote_client() as (client, server):
        async with client.quotes.tickers([EURUSD]) as ticks:
            (connection,) = client.quotes._feed.connections
            await server.push(p(XAUUSD, 1, "2350"))  # pushed, never subscribed
            await server.push(p(EURUSD, 1, "1.08"))
            with anyio.fail_after(5):
                assert isinstance(await ticks.__anext__(), Tick)
            assert set(connection.last_ticks) == {(1001, 2, 1)}


async def test_last_ticks_forgets_a_product_when_its_last_subscriber_leaves() -> None:
    async with quote_client() as (client, server):
        async with client.quotes.tickers([EURUSD]) as eur:
            (connection,) = client.quotes._feed.connections
            async with client.quotes.tickers([XAUUSD]) as gold:
                await server.push(p(XAUUSD, 1, "2350"))
                await server.push(p(EURUSD, 1, "1.08"))
                with anyio.fail_after(5):
                    assert isinstance(await gold.__anext__(), Tick)
                    assert isinstance(await eur.__anext__(), Tick)
                assert set(connection.last_ticks) == {(1001, 2, 1), (1002, 2, 1)}
            assert set(connection.last_ticks) == {(1001, 2, 1)}
            assert client.quotes._feed.latest(XAUUSD) is None


# ---------------------------------------------------------------------------------------- picows


@asynccontextmanager
async def fragment_server(*messages: list[str]) -> AsyncIterator[tuple[str, list[int | None], anyio.Event]]:
    """A websockets server that sends each message as the given fragments; records close codes."""
    codes: list[int | None] = []
    ended = anyio.Event()

    async def handler(ws: ServerConnection) -> None:
        try:
            for fragments in messages:
                await ws.send(fragments)
            await ws.wait_closed()
        except websockets.exceptions.ConnectionClosed:
            pass
        codes.append(ws.close_code)
        ended.set()

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}", codes, ended


async def test_picows_limits_a_fragmented_message_as_a_whole() -> None:
    pytest.importorskip("picows")
    chunk = "x" * 300_000
    async with fragment_server([chunk] * 2, [chunk] * 4) as (url, codes, ended):
        backend = mm.PicowsBackend(max_message_size=1_000_000)
        conn = await backend.connect(url, headers={}, open_timeout=5)
        try:
            with anyio.fail_after(5):
                assert len(await conn.recv()) == 600_000  # under the limit: reassembled
                with pytest.raises(mm.ProtocolError, match="exceeded 1000000 bytes"):
                    await conn.recv()  # 1.2 MB in four frames, each far below max_frame_size
                with pytest.raises(mm.ProtocolError):
                    await conn.recv()  # the connection stays failed
        finally:
            await conn.close()
        with anyio.fail_after(5):
            await ended.wait()
        assert codes == [1009]


def test_a_batch_reply_is_bounded_per_product_before_any_bar_is_built() -> None:
    bar = {"timestamp": 1, "open_price": "1", "close_price": "1", "high_price": "1", "low_price": "1",
           "transactions_number": "1"}  # fmt: skip
    entries = [{"symbol_id": i, "trade_type": 2, "kline_list": [bar] * n} for i, n in ((1, 5), (2, 6))]
    reply = {
        "ret": 200,
        "msg": "ok",
        "cmd_id": 14015,
        "seq_id": 4,
        "ext": "e",
        "data": {"data_list": entries},
    }
    frame = compress_kline_reply(json.dumps(reply))
    assert len(quote.decode_frame(frame, max_kline_bars=6).events) == 11
    bounded = quote.decode_frame(frame, max_kline_bars=5)
    assert bounded.events == ()
    assert bounded.reply is not None
    assert isinstance(bounded.reply.error, mm.ProtocolError)
    # The dialect checks products too: two products answered where one was asked.
    dialect = QuoteDialect(new_ext=lambda: "x")
    dialect.klines[4] = (6, 1)
    assert isinstance(dialect.decode(frame).error, mm.ProtocolError)
    dialect.klines[4] = (6, 2)
    inbound = dialect.decode(frame)
    assert inbound.error is None
    assert inbound.events == ()  # the bars go to the caller through the reply only
