"""``mm.relay`` feeds against a real NATS server: what a relay would publish (written here with the codec
and a ``NatsLink``, no relay needed) comes out of ``connect()``'s subscriptions as typed events, with
the delivery rules of each stream (latest per product; ack after the handler; redelivery; groups)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, assert_type, cast

import anyio
import pytest
import pytest_asyncio

from multimarkets_async.errors import ConnectError, InvalidArgumentError, StreamError
from multimarkets_async.models.datapush import DataPushEvent
from multimarkets_async.models.market import (
    DepthBook,
    DepthLevel,
    Rolling24h,
    SymbolKey,
    Tick,
    Trade,
    TradeDirection,
)
from multimarkets_async.models.push import AccountUpdate, MessageEvent, NoticeEvent
from multimarkets_async.protocol.datapush import decode_event
from multimarkets_async.relay._feed import RelayFeed, connect
from multimarkets_async.relay._feed_subscriptions import FeedSubscription, MarketSubscription
from multimarkets_async.relay._nats import NatsLink, ensure_streams, put_products
from multimarkets_async.relay._payloads import RelayedProduct, RelayEvent, decode_market, encode
from multimarkets_async.relay._settings import Retention
from multimarkets_async.relay._subjects import MarketKind, RelayNames
from multimarkets_async.testing import NatsServer

COMPANY = 439
ALL_KINDS: frozenset[MarketKind] = frozenset({"tick", "book", "trade", "rolling"})
EURUSD = RelayedProduct("EURUSD", 1001, 2, 1, 5, ALL_KINDS)
GBPUSD = RelayedProduct("GBPUSD", 1002, 2, 1, 5, frozenset({"tick"}))
GOLD_1 = RelayedProduct("XAUUSD", 2001, 1, 1, 2, frozenset({"tick"}))
GOLD_2 = RelayedProduct("XAUUSD", 2001, 2, 1, 2, frozenset({"tick"}))
PRODUCTS = (EURUSD, GBPUSD, GOLD_1, GOLD_2)
T0 = 1_700_000_000_000


def tick(product: RelayedProduct, seq: int) -> Tick:
    bid = Decimal("1.08") + Decimal(seq).scaleb(-5)
    one = Decimal(1)
    key = (product.symbol_id, product.trade_type, product.trade_mode)
    return Tick(*key, seq, T0 + seq, bid, bid, bid + Decimal("0.0002"), one, one)


def notice(seq: int) -> NoticeEvent:
    return NoticeEvent(timestamp_ms=T0 + seq, trace=f"tr{seq}", seq_id=seq, update_type=1, trade_type=2)


def deposit(n: int) -> DataPushEvent:
    frame = f'{{"eventType":"deposit","data":{{"id":"{n}","companyId":{COMPANY},"updateTime":{T0 + n}}}}}'
    event = decode_event(frame)
    assert event is not None
    return event


class Relay:
    """Publishes as a relay would: the streams, the symbol table, and encoded events."""

    def __init__(self, link: NatsLink, names: RelayNames) -> None:
        self.link = link
        self.names = names

    async def publish(self, *events: RelayEvent) -> None:
        for event in events:
            envelope = encode(event, self.names)
            if envelope.kept:
                assert await self.link.publish_acked(
                    envelope.subject, envelope.payload, msg_id=envelope.msg_id
                )
            else:
                await self.link.publish(envelope.subject, envelope.payload, msg_id=envelope.msg_id)
        await self.link.flush()

    async def raw(self, subject: str, payload: bytes, *, kept: bool) -> None:
        if kept:
            await self.link.publish_acked(subject, payload, msg_id=f"raw:{subject}:{len(payload)}")
        else:
            await self.link.publish(subject, payload, msg_id=f"raw:{subject}:{len(payload)}")
        await self.link.flush()


@pytest.fixture
async def relay(nats_server: NatsServer, relay_prefix: str) -> AsyncIterator[Relay]:
    names = RelayNames(COMPANY, relay_prefix)
    link = await NatsLink.open(nats_server.url)
    async with link:
        await ensure_streams(link, names, Retention())
        await put_products(link, names, PRODUCTS)
        yield Relay(link, names)


def feed_of(nats_server: NatsServer, relay_prefix: str, **options: Any) -> RelayFeed:
    return connect(nats_server.url, company_id=COMPANY, prefix=relay_prefix, **options)


@pytest.fixture
async def feed(nats_server: NatsServer, relay_prefix: str, relay: Relay) -> AsyncIterator[RelayFeed]:
    async with feed_of(nats_server, relay_prefix) as feed:
        yield feed


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll a real condition with a deadline (events a background task produces)."""
    with anyio.fail_after(timeout):
        while not condition():  # noqa: ASYNC110 (the condition is another task's state, no event to wait on)
            await anyio.sleep(0.005)


# ---------------------------------------------------------------- every method, typed events


@pytest.mark.anyio
async def test_every_method_yields_the_typed_events_published(feed: RelayFeed, relay: Relay) -> None:
    assert {p.symbol for p in await feed.products()} == {"EURUSD", "GBPUSD", "XAUUSD"}
    book = DepthBook(1001, 2, 1, 7, T0, (DepthLevel(Decimal("1.1"), Decimal(2)),), (), 5, "EURUSD")
    trade = Trade(1001, 2, 1, 8, T0, Decimal("1.1"), Decimal("0.5"), TradeDirection.BUY, "EURUSD")
    one = Decimal(1)
    rolling = Rolling24h(1001, 2, 1, one, one, one, one, Decimal(10), Decimal(11), "EURUSD")
    update = AccountUpdate(2, Decimal("-1.5"), one, Decimal(99), Decimal("0.01"), Decimal(100), Decimal(101))
    sent: list[RelayEvent] = [tick(EURUSD, 1), book, trade, rolling, notice(1), update, deposit(1)]
    await relay.publish(*sent)
    got: list[object] = []
    with anyio.fail_after(10):
        async with feed.tickers(["EURUSD"]) as ticks:
            async for a_tick in ticks:
                assert a_tick.symbol == "EURUSD"  # named from the symbol table
                got.append(a_tick._replace(symbol=None))
                break
        async with feed.book([SymbolKey(1001, 2, 1)]) as books:
            got.append(await anext(aiter(books)))
        async with feed.trades([EURUSD]) as trades:
            got.append(await anext(aiter(trades)))
        async with feed.rolling_24h(["eurusd"], trade_type=2) as stats:
            got.append(await anext(aiter(stats)))
        async with feed.messages(trade_types=[2], deliver="all") as messages:
            iterator = aiter(messages)
            got += [await anext(iterator), await anext(iterator)]
        async with feed.data_push(deliver="all", event_types=["deposit"]) as pushes:
            got.append(await anext(aiter(pushes)))
    assert got == sent
    assert messages.stats.acked == 2  # the last one on leaving
    assert messages.stats.delivered == 2


@pytest.mark.anyio
async def test_the_events_are_typed_for_mypy(feed: RelayFeed, relay: Relay) -> None:
    await relay.publish(tick(EURUSD, 1), notice(1), deposit(1))
    with anyio.fail_after(10):
        async with feed.tickers(["EURUSD"]) as ticks:
            async for a_tick in ticks:
                assert_type(a_tick, Tick)  # checked by mypy --strict on this file
                assert a_tick.ask > a_tick.bid
                break
        async with feed.messages(deliver="all") as messages:
            async for message in messages:
                assert_type(message, MessageEvent | AccountUpdate)
                break
        async with feed.data_push(deliver="all") as pushes:
            async for push in pushes:
                assert_type(push, DataPushEvent)
                break


# ---------------------------------------------------------------- market data


@pytest.mark.anyio
async def test_a_late_reader_gets_each_products_latest_tick_first(feed: RelayFeed, relay: Relay) -> None:
    await relay.publish(*(tick(EURUSD, seq) for seq in (1, 2, 3)), tick(GBPUSD, 1))
    with anyio.fail_after(10):
        async with feed.tickers(["EURUSD", "GBPUSD"]) as ticks:
            iterator = aiter(ticks)
            first = {(t.symbol, t.seq) for t in [await anext(iterator), await anext(iterator)]}
            assert first == {("EURUSD", 3), ("GBPUSD", 1)}
            await relay.publish(tick(EURUSD, 4))
            assert (await anext(iterator)).seq == 4


@pytest.mark.anyio
async def test_a_slow_reader_gets_the_latest_per_product(feed: RelayFeed, relay: Relay) -> None:
    with anyio.fail_after(10):
        async with feed.tickers(["EURUSD", "GBPUSD"]) as ticks:
            await relay.publish(tick(EURUSD, 1))
            assert (await anext(aiter(ticks))).seq == 1
            # The reader does not read while 50 ticks arrive; the marker comes after them on the stream.
            await relay.publish(*(tick(EURUSD, seq) for seq in range(2, 52)), tick(GBPUSD, 1))
            await wait_until(lambda: ticks.pending == 2)  # pending: the marker and one EURUSD tick
            latest, marker = ticks.get_nowait(), ticks.get_nowait()
            assert latest is not None
            assert marker is not None
            assert (latest.symbol, latest.seq, marker.symbol) == ("EURUSD", 51, "GBPUSD")
            assert ticks.get_nowait() is None
            assert ticks.stats.delivered == 3  # 1, 51 and the marker: 2..50 were coalesced away
            assert ticks.stats.dropped == 0
            stats = ticks.stats  # every message that reached this process is accounted for
            assert stats.received == stats.delivered + stats.replaced + stats.dropped + stats.undecodable


class CoalescingReader:
    """A ``LatestReader`` stand-in whose one batch comes after it coalesced ``replaced`` messages."""

    def __init__(self, batch: list[tuple[str, bytes]], replaced: int) -> None:
        self.batches = [batch]
        self.replaced = 0
        self.later = replaced

    async def next_batch(self) -> list[tuple[str, bytes]]:
        if not self.batches:
            await anyio.sleep_forever()
        self.replaced = self.later
        return self.batches.pop()


@pytest.mark.anyio
async def test_what_the_nats_reader_coalesced_counts_as_replaced(relay: Relay) -> None:
    subject = relay.names.market("tick", EURUSD.symbol_id, EURUSD.trade_type)
    reader = CoalescingReader([(subject, encode(tick(EURUSD, 5), relay.names).payload)], replaced=4)

    async def routes() -> dict[str, str | None]:
        return {subject: "EURUSD"}

    ticks = MarketSubscription(
        cast("Any", None), "tickers", kind=Tick, stream="S", routes=routes, decode=decode_market, maxsize=None
    )
    async with anyio.create_task_group() as tg:
        await tg.start(ticks._pump, reader)
        await wait_until(lambda: ticks.pending == 1)
        tg.cancel_scope.cancel()
    assert (ticks.stats.received, ticks.stats.replaced) == (5, 4)  # ticks 1..4 never reached the buffer
    assert ticks.stats.received == ticks.stats.replaced + ticks.pending


@pytest.mark.anyio
async def test_an_undecodable_payload_is_skipped_counted_and_not_logged(
    feed: RelayFeed, relay: Relay, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = b'{"v":1,"type":"Tick","password":"hunter2"'
    with anyio.fail_after(10):
        async with feed.tickers(["GBPUSD", "EURUSD"]) as ticks:
            # Another product's subject: a newer message of the same product would replace it unread.
            await relay.raw(relay.names.market("tick", 1002, 2), secret, kept=False)
            await relay.publish(tick(EURUSD, 9))
            assert (await anext(aiter(ticks))).seq == 9
            assert ticks.stats.undecodable == 1
        async with feed.messages(deliver="new") as messages:
            await relay.raw(relay.names.account(2), secret, kept=True)
            await relay.publish(notice(5))
            assert await anext(aiter(messages)) == notice(5)
            assert messages.stats.undecodable == 1
    assert "hunter2" not in caplog.text
    assert "undecodable" in caplog.text


# ---------------------------------------------------------------- kept streams


@pytest.mark.anyio
async def test_two_workers_of_a_group_share_the_events_without_duplicates(
    nats_server: NatsServer, relay_prefix: str, relay: Relay
) -> None:
    events = [deposit(n) for n in range(1, 21)]
    await relay.publish(*events)
    seen: dict[str, list[str | None]] = {"a": [], "b": []}
    b_has_one = anyio.Event()

    async def worker(label: str) -> None:
        async with feed_of(nats_server, relay_prefix) as feed, feed.data_push(group="pool") as pushes:
            async for event in pushes:
                seen[label].append(event.id)
                if label == "b":
                    b_has_one.set()
                else:
                    await b_has_one.wait()  # "a" holds its first event until "b" has had one
                if sum(map(len, seen.values())) == len(events):
                    break
        if label == "a":
            b_has_one.set()

    with anyio.fail_after(15):
        async with anyio.create_task_group() as tg:
            tg.start_soon(worker, "a")
            tg.start_soon(worker, "b")
            await wait_until(lambda: sum(map(len, seen.values())) == len(events), timeout=14)
            tg.cancel_scope.cancel()
    assert seen["a"]
    assert seen["b"]
    everything = seen["a"] + seen["b"]
    assert sorted(everything, key=lambda i: int(i or 0)) == [e.id for e in events]  # each exactly once


@pytest.mark.anyio
async def test_the_workers_of_a_group_must_read_the_same_events(feed: RelayFeed) -> None:
    async with feed.data_push(group="pool", event_types=["deposit"]):
        with pytest.raises(InvalidArgumentError, match=r"group 'pool'.*another group name"):
            async with feed.data_push(group="pool"):
                pass
        async with feed.data_push(group="pool", event_types=["deposit"], ack_wait=60):
            pass  # the same events: one more worker of the pool
        async with feed.messages(group="pool", trade_types=[2]):
            pass  # another stream: another consumer
    with pytest.raises(InvalidArgumentError, match=r"delete"):  # a durable group keeps its filter
        async with feed.data_push(group="pool", event_types=["withdrawal"]):
            pass


@pytest.mark.anyio
async def test_a_worker_that_raises_hands_its_event_to_the_next(
    nats_server: NatsServer, relay_prefix: str, relay: Relay
) -> None:
    await relay.publish(deposit(1))
    with anyio.fail_after(10):
        async with feed_of(nats_server, relay_prefix) as first:
            pushes = first.data_push(group="g")

            async def handle_and_fail() -> None:
                async with pushes:
                    async for _event in pushes:
                        raise ZeroDivisionError  # the handler fails: nak, at once (before ack_wait=30)

            with pytest.raises(ZeroDivisionError):
                await handle_and_fail()
            assert pushes.stats.nacked == 1
        async with feed_of(nats_server, relay_prefix) as second, second.data_push(group="g") as again:
            event = await anext(aiter(again))
            assert event == deposit(1)
            assert again.stats.redelivered == 1


@pytest.mark.anyio
async def test_max_deliver_ends_the_redeliveries_of_an_event_that_keeps_failing(
    feed: RelayFeed, relay: Relay
) -> None:
    await relay.publish(deposit(1), deposit(2))

    async def fail(pushes: FeedSubscription[DataPushEvent]) -> None:
        async with pushes:
            assert (await anext(aiter(pushes))).id == "1"
            raise ZeroDivisionError  # the handler fails: nak'ed

    with anyio.fail_after(10):
        for attempt in (1, 2):
            pushes = feed.data_push(group="g", max_deliver=2)
            with pytest.raises(ZeroDivisionError):
                await fail(pushes)
            assert (pushes.stats.nacked, pushes.stats.redelivered) == (1, attempt - 1)
        async with feed.data_push(group="g", max_deliver=2) as pushes:
            assert (await anext(aiter(pushes))).id == "2"  # "1" was delivered twice: no more


@pytest.mark.anyio
async def test_an_abandoned_event_comes_back_after_ack_wait(
    nats_server: NatsServer, relay_prefix: str, relay: Relay
) -> None:
    await relay.publish(deposit(1), deposit(2))
    with anyio.fail_after(10):
        async with feed_of(nats_server, relay_prefix) as dying:
            async with dying.data_push(group="g", ack_wait=0.5) as held:
                assert (await anext(aiter(held))).id == "1"
                await dying.aclose()  # the process dies holding event 1: no ack, no nak
        async with feed_of(nats_server, relay_prefix) as other:
            async with other.data_push(group="g", ack_wait=0.5) as pushes:
                iterator = aiter(pushes)
                ids = {(await anext(iterator)).id, (await anext(iterator)).id}
                assert ids == {"1", "2"}
                assert pushes.stats.redelivered >= 1


@pytest.mark.anyio
async def test_a_durable_group_goes_on_where_it_stopped(
    nats_server: NatsServer, relay_prefix: str, relay: Relay
) -> None:
    await relay.publish(*(notice(n) for n in range(1, 4)))
    with anyio.fail_after(10):
        async with feed_of(nats_server, relay_prefix) as feed:
            async with feed.messages(group="book", durable=True) as messages:
                iterator = aiter(messages)
                assert [await anext(iterator), await anext(iterator)] == [notice(1), notice(2)]
            assert messages.stats.acked == 2  # the second one on leaving normally
        await relay.publish(notice(4))
        async with feed_of(nats_server, relay_prefix) as feed:
            async with feed.messages(group="book", durable=True) as messages:
                iterator = aiter(messages)
                assert [await anext(iterator), await anext(iterator)] == [notice(3), notice(4)]
                assert messages.stats.redelivered == 0


@pytest.mark.anyio
async def test_a_nats_restart_loses_and_repeats_nothing(tmp_path: Path, relay_prefix: str) -> None:
    names = RelayNames(COMPANY, relay_prefix)
    with NatsServer(directory=tmp_path) as server:
        async with (
            await NatsLink.open(server.url) as link,
            connect(server.url, company_id=COMPANY, prefix=relay_prefix) as feed,
        ):
            relay = Relay(link, names)
            await ensure_streams(link, names, Retention())
            await put_products(link, names, PRODUCTS)
            await relay.publish(tick(EURUSD, 1), *(deposit(n) for n in (1, 2, 3)))
            with anyio.fail_after(30):
                async with feed.tickers(["EURUSD"]) as ticks, feed.data_push(group="g") as pushes:
                    events = aiter(pushes)
                    ids = [(await anext(events)).id, (await anext(events)).id]  # "2" is in hand
                    assert (await anext(aiter(ticks))).seq == 1
                    server.restart()
                    await wait_until(lambda: link.is_connected and link.reconnects == 1, timeout=20)
                    await ensure_streams(link, names, Retention())  # as the relay does: MARKET is in memory
                    await relay.publish(tick(EURUSD, 2), deposit(4))
                    ids += [(await anext(events)).id, (await anext(events)).id]
                    assert (await anext(aiter(ticks))).seq == 2
            assert ids == ["1", "2", "3", "4"]
            assert (pushes.stats.acked, pushes.stats.redelivered) == (4, 0)


# ---------------------------------------------------------------- symbols and errors


@pytest.mark.anyio
async def test_symbol_errors_name_the_fix(feed: RelayFeed) -> None:
    with pytest.raises(InvalidArgumentError, match=r"unknown symbol 'USDJPY'.*multimarkets relay"):
        async with feed.tickers(["USDJPY"]):
            pass
    with pytest.raises(InvalidArgumentError, match=r"tradeTypes \[1, 2\]; pass trade_type="):
        async with feed.tickers(["XAUUSD"]):
            pass
    with pytest.raises(InvalidArgumentError, match=r"--book GBPUSD"):
        async with feed.book(["GBPUSD"]):
            pass
    with pytest.raises(InvalidArgumentError, match=r"product 9 of tradeType 2"):
        async with feed.tickers([SymbolKey(9, 2, 1)]):
            pass
    with pytest.raises(InvalidArgumentError, match="a list of symbols"):
        feed.tickers("EURUSD")
    with pytest.raises(InvalidArgumentError, match="ack_wait"):
        feed.messages(ack_wait=0)
    with pytest.raises(InvalidArgumentError, match="trade_types"):
        feed.messages(trade_types=[4])
    async with feed.tickers(["XAUUSD"], trade_type=1) as gold:  # chosen: subscribes fine
        assert not gold.closed


@pytest.mark.anyio
async def test_no_symbol_table_says_to_start_the_relay(nats_server: NatsServer, relay_prefix: str) -> None:
    async with feed_of(nats_server, relay_prefix, products_timeout=0.2) as feed:
        with pytest.raises(StreamError, match=r"start `multimarkets relay` for this company and prefix"):
            async with feed.tickers(["EURUSD"]):
                pass


@pytest.mark.anyio
async def test_kept_streams_before_any_relay_say_to_start_the_relay(
    nats_server: NatsServer, relay_prefix: str
) -> None:
    async with feed_of(nats_server, relay_prefix) as empty:
        for subscription in (empty.data_push(group="ops"), empty.messages()):
            with pytest.raises(StreamError, match="start `multimarkets relay`"):
                async with subscription:
                    pass


@pytest.mark.anyio
async def test_unreachable_nats_is_a_connect_error_without_the_password() -> None:
    with pytest.raises(ConnectError) as info:
        async with connect("nats://user:s3cret@127.0.0.1:1", company_id=COMPANY, connect_timeout=0.5):
            pass
    assert "s3cret" not in str(info.value)


# ---------------------------------------------------------------- closing


@pytest.mark.anyio
async def test_closing_the_feed_from_another_task_ends_every_iteration(
    nats_server: NatsServer, relay_prefix: str, relay: Relay
) -> None:
    before = set(asyncio.all_tasks())
    await relay.publish(tick(EURUSD, 1))
    ended: list[str] = []
    feed = feed_of(nats_server, relay_prefix)
    await feed.__aenter__()

    entered = {"tickers": anyio.Event(), "messages": anyio.Event()}

    async def read(name: str, subscription: Any) -> None:
        async with subscription:
            entered[name].set()
            async for _event in subscription:
                pass
        ended.append(name)

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            ticks = feed.tickers(["EURUSD"])
            messages = feed.messages(group="closing")
            tg.start_soon(read, "tickers", ticks)
            tg.start_soon(read, "messages", messages)
            await entered["messages"].wait()
            await wait_until(lambda: ticks.stats.delivered == 1)
            tg.start_soon(feed.aclose)  # from another task
    assert sorted(ended) == ["messages", "tickers"]
    assert set(asyncio.all_tasks()) <= before | {asyncio.current_task()}
    await feed.aclose()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        async with feed.tickers(["EURUSD"]):
            pass


@pytest.mark.anyio
async def test_feed_and_subscriptions_close_in_any_order(feed: RelayFeed, relay: Relay) -> None:
    await relay.publish(tick(EURUSD, 1))
    ticks = feed.tickers(["EURUSD"])
    with pytest.raises(RuntimeError, match="async with"):
        aiter(ticks)
    async with ticks:
        with pytest.raises(RuntimeError, match="already entered"):
            await ticks.__aenter__()
        messages = await feed.messages().__aenter__()
        await feed.aclose()  # the feed first, its subscriptions after
        assert [t async for t in ticks] in ([], [tick(EURUSD, 1)._replace(symbol="EURUSD")])
        assert [m async for m in messages] == []
        await messages.__aexit__(None, None, None)
    with pytest.raises(RuntimeError, match="entered once"):
        await feed.__aenter__()


@pytest.mark.anyio
async def test_get_nowait_is_for_market_subscriptions(feed: RelayFeed) -> None:
    async with feed.messages() as messages:
        with pytest.raises(RuntimeError, match="async for"):
            messages.get_nowait()


# ---------------------------------------------------------------- pytest-asyncio


@pytest_asyncio.fixture
async def asyncio_feed(nats_server: NatsServer, relay_prefix: str) -> AsyncIterator[RelayFeed]:
    async with feed_of(nats_server, relay_prefix) as feed:
        yield feed  # pytest-asyncio tears this down in another task


@pytest.mark.asyncio
async def test_under_pytest_asyncio(
    asyncio_feed: RelayFeed, nats_server: NatsServer, relay_prefix: str
) -> None:
    names = RelayNames(COMPANY, relay_prefix)
    async with await NatsLink.open(nats_server.url) as link:
        await ensure_streams(link, names, Retention())
        await put_products(link, names, PRODUCTS)
        publisher = Relay(link, names)
        await publisher.publish(tick(EURUSD, 1))
        async with asyncio_feed.tickers(["EURUSD"]) as ticks:
            assert (await anext(aiter(ticks))).seq == 1
