"""``Simulator(replay=DIR)``: a directory recorded from one simulator, replayed into another.

The ticks, books and trades a client sees match the recorded ones in order; the exchange's prices
follow the replay (a market order fills at the replayed ask or bid); the pace is the recorded one
divided by ``replay_speed``, or the subscribers' (``None``); misuse fails with a message naming the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import pytest

import multimarkets_async as mm
from multimarkets_async.data._recorder import Recorder
from multimarkets_async.testing import Simulator
from tests._support import sim_client

pytestmark = pytest.mark.anyio

SYMBOLS = ["EURUSD", "XAUUSD"]
STEPS = 4


async def _take(subscription: mm.Subscription[Any], kind: type | None = None) -> Any:
    with anyio.fail_after(5):
        async for item in subscription:
            if kind is None or isinstance(item, kind):
                return item
    raise AssertionError("the subscription ended")


async def record_simulator(directory: Path, *, steps: int = STEPS, seed: int = 11) -> list[mm.Tick]:
    """Record ``steps`` price moves of a simulator (two products: ticks, books, trades) into
    ``directory``; returns the ticks recorded, snapshot first. Each move is taken before the next,
    so none is coalesced."""
    ticks_seen: list[mm.Tick] = []
    async with Simulator(seed=seed) as sim, sim_client(sim) as client:
        async with (
            client.quotes.tickers(SYMBOLS, trade_type=2) as ticks,
            client.quotes.market(SYMBOLS, trade_type=2, depth_level=3, trade_info_count=0) as books,
        ):
            with Recorder(directory) as recorder:
                for _ in SYMBOLS:  # the snapshots
                    ticks_seen.append(tick := await _take(ticks))
                    recorder.add(tick)
                    recorder.add(await _take(books))
                for _ in range(steps):
                    sim.tick()
                    for _ in SYMBOLS:
                        ticks_seen.append(tick := await _take(ticks))
                        recorder.add(tick)
                        recorder.add(await _take(books, mm.DepthBook))
                        recorder.add(await _take(books, mm.Trade))
    return ticks_seen


def _tick_fields(tick: mm.Tick) -> tuple[object, ...]:
    return (
        tick.symbol,
        tick.seq,
        tick.time_ms,
        tick.price,
        tick.bid,
        tick.ask,
        tick.bid_volume,
        tick.ask_volume,
    )


def _row_fields(row: dict[str, Any]) -> tuple[object, ...]:
    names = ("price", "bid", "ask", "bid_volume", "ask_volume")
    return (row["symbol"], row["seq"], row["time_ms"], *(Decimal(row[n]) for n in names))


@pytest.fixture
async def recording(tmp_path: Path) -> tuple[Path, list[mm.Tick]]:
    ticks = await record_simulator(tmp_path / "rec")
    return tmp_path / "rec", ticks


async def _step_until(sim: Simulator, kind: str) -> dict[str, Any]:
    while True:
        (event,) = sim.replay.step()
        if event.kind == kind:
            return dict(event.row)


async def test_replayed_ticks_match_the_recorded_ones_in_order(recording: tuple[Path, list[mm.Tick]]) -> None:
    directory, recorded = recording
    async with Simulator(replay=directory, replay_speed=None) as sim:
        sim.replay.pause()
        async with sim_client(sim) as client, client.quotes.tickers(SYMBOLS, trade_type=2) as ticks:
            for _ in SYMBOLS:
                await _take(ticks)  # the replaying simulator's own snapshot
            seen = []
            while not sim.replay.done:
                (event,) = sim.replay.step()
                if event.kind == "ticks":
                    seen.append(_tick_fields(await _take(ticks)))
    assert seen == [_tick_fields(t) for t in recorded]
    assert len(seen) == len(SYMBOLS) * (STEPS + 1)


async def test_replayed_books_and_trades_reach_market_subscribers(
    recording: tuple[Path, list[mm.Tick]],
) -> None:
    directory, _ = recording
    async with Simulator(replay=directory, replay_speed=None) as sim:
        sim.replay.pause()
        async with (
            sim_client(sim) as client,
            client.quotes.market(["EURUSD"], trade_type=2, depth_level=2) as md,
        ):
            await _take(md, mm.DepthBook)  # the snapshot
            row = await _step_until(sim, "depth")
            while row["symbol"] != "EURUSD":
                row = await _step_until(sim, "depth")
            book = await _take(md, mm.DepthBook)
            assert (book.seq, book.time_ms) == (row["seq"], row["time_ms"])
            expected = [mm.DepthLevel(Decimal(lv["price"]), Decimal(lv["volume"])) for lv in row["bids"][:2]]
            assert list(book.bids) == expected
            row = await _step_until(sim, "trades")
            while row["symbol"] != "EURUSD":
                row = await _step_until(sim, "trades")
            trade = await _take(md, mm.Trade)
            assert (trade.price, trade.volume, trade.direction.name) == (
                Decimal(row["price"]),
                Decimal(row["volume"]),
                row["direction"],
            )


async def test_a_market_order_fills_at_the_replayed_price(recording: tuple[Path, list[mm.Tick]]) -> None:
    directory, _ = recording
    async with Simulator(replay=directory, replay_speed=None) as sim, sim_client(sim) as client:
        sim.replay.pause()
        row = await _step_until(sim, "ticks")
        while row["symbol"] != "EURUSD":
            row = await _step_until(sim, "ticks")
        bought = await client.orders.market("EURUSD", side="buy", volume="0.10", trade_type=2)
        assert bought.execute_price == Decimal(row["ask"])
        row = await _step_until(sim, "ticks")
        while row["symbol"] != "EURUSD":
            row = await _step_until(sim, "ticks")
        sold = await client.orders.market("EURUSD", side="sell", volume="0.10", trade_type=2)
        assert sold.execute_price == Decimal(row["bid"])


async def test_as_fast_as_the_consumer_reads_replays_everything_in_order(
    recording: tuple[Path, list[mm.Tick]],
) -> None:
    directory, recorded = recording
    async with Simulator(replay=directory, replay_speed=0) as sim:
        assert sim.replay.position == 0  # nothing moves before a client subscribes
        async with sim_client(sim) as client, client.quotes.tickers(["EURUSD"], trade_type=2) as ticks:
            await _take(ticks)  # the snapshot
            seen: list[tuple[object, ...]] = []
            last = _tick_fields([t for t in recorded if t.symbol == "EURUSD"][-1])
            while not seen or seen[-1] != last:
                seen.append(_tick_fields(await _take(ticks)))
            await sim.replay.wait_done()
    wanted = [_tick_fields(t) for t in recorded if t.symbol == "EURUSD"]
    # A consumer slower than the socket may see a newer tick replace one it had not taken yet
    # (keep-latest); what it sees is the recorded ticks, in order, ending with the last.
    assert _is_subsequence(seen, wanted)


async def test_a_speed_factor_replays_at_the_recorded_pace_divided(tmp_path: Path) -> None:
    now = 1_700_000_000_000
    ticks = [_eurusd_tick(seq, now + seq * 1000) for seq in range(1, 4)]
    with Recorder(tmp_path) as recorder:
        for tick in ticks:
            recorder.add(tick, received_ms=tick.time_ms)
    async with Simulator(replay=tmp_path, replay_speed=100) as sim, sim_client(sim) as client:
        async with client.quotes.tickers(["EURUSD"], trade_type=2) as stream:
            await _take(stream)
            started = anyio.current_time()
            await sim.replay.wait_done()
            elapsed = anyio.current_time() - started
            assert sim.exchange.market.get(1001).bid == Decimal("1.10003")  # type: ignore[union-attr]
    # Two recorded seconds at 100x: 20 ms at least (an upper bound would measure the machine).
    assert elapsed >= 0.019


async def test_unknown_products_are_skipped_and_counted(tmp_path: Path) -> None:
    with Recorder(tmp_path) as recorder:
        recorder.add(_eurusd_tick(1, 1_700_000_000_000)._replace(symbol="NOSUCH", symbol_id=9999))
        recorder.add(_eurusd_tick(2, 1_700_000_000_100))
    sim = Simulator(replay=tmp_path, replay_speed=None)
    assert sim.replay.skipped == 1
    sim.replay.pause()
    sim.replay.step(2)
    assert sim.exchange.market.get(1001).ask == Decimal("1.10011")  # type: ignore[union-attr]


def _eurusd_tick(seq: int, time_ms: int) -> mm.Tick:
    bid = Decimal("1.10000") + Decimal(seq) / 100000
    return mm.Tick(
        1001, 2, 1, seq, time_ms, bid, bid, bid + Decimal("0.00009"), Decimal(5), Decimal(7), symbol="EURUSD"
    )


def _is_subsequence(items: Sequence[object], of: Sequence[object]) -> bool:
    it = iter(of)
    return all(any(item == candidate for candidate in it) for item in items)


def test_misuse_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="multimarkets record"):
        Simulator(replay=tmp_path)
    with pytest.raises(ValueError, match="exclude each other"):
        Simulator(replay=tmp_path, tick_interval_s=0.1)
    with pytest.raises(ValueError, match="replay_speed"):
        Simulator(replay_speed=-1)
    with pytest.raises(RuntimeError, match=r"Simulator\(replay=DIRECTORY\)"):
        _ = Simulator().replay
    with Recorder(tmp_path) as recorder:
        recorder.add(_eurusd_tick(1, 1_700_000_000_000))
    with pytest.raises(RuntimeError, match="pause"):
        Simulator(replay=tmp_path).replay.step()
