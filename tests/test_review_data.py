"""Review of issue 11's data path: history when the platform gives fewer bars than asked, exported
files' permissions, and one time resolution for frames whatever their length."""

from __future__ import annotations

import os
import stat
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import multimarkets_async as mm
from multimarkets_async.data import export_bars
from multimarkets_async.resources._history import download
from tests._support import EURUSD, XAUUSD

pytestmark = pytest.mark.anyio

FRIDAY = datetime(2023, 11, 10, tzinfo=UTC)


def weekday_minutes(start: int, end: int) -> list[int]:
    return [t for t in range(start, end, 60) if datetime.fromtimestamp(t, UTC).weekday() < 5]


class CappedPages:
    """Like 14012/14014, "count bars ending at the bar that holds end", but never more than ``cap``
    bars per product (a platform with a smaller page limit than asked)."""

    def __init__(self, opens: Sequence[int], *, cap: int) -> None:
        self.opens = sorted(opens)
        self.cap = cap
        self.requests = 0

    def page(self, key: mm.SymbolKey, count: int, end: int) -> list[mm.Kline]:
        held = [t for t in self.opens if t <= end][-min(count, self.cap) :]
        return [
            mm.Kline(
                key.symbol_id, key.trade_type, key.trade_mode, 1, t * 1000, *[Decimal(1)] * 5, None, None
            )
            for t in held
        ]

    async def klines(self, symbol: Any, *, count: int = 100, end: Any = None, **_: Any) -> list[mm.Kline]:
        self.requests += 1
        return self.page(symbol, count, end)

    async def batch_klines(
        self, symbols: Sequence[Any], *, count: int = 100, end: Any = None, **_: Any
    ) -> dict[mm.SymbolKey, list[mm.Kline]]:
        self.requests += 1
        return {key: self.page(key, count, end) for key in symbols}


async def times(pages: CappedPages, symbols: list[mm.SymbolKey], start: datetime, end: datetime) -> list[Any]:
    history = download(
        pages, symbols, interval="1m", start=start, end=end, batch=len(symbols) > 1,
        clock=(lambda: 10**13, None),
    )  # fmt: skip
    return [(bar.time_ms // 1000, bar.symbol_id) async for bar in history]


@pytest.mark.parametrize("cap", [1000, 400, 1])
async def test_a_platform_giving_fewer_bars_than_asked_loses_none(cap: int) -> None:
    start, end = FRIDAY, FRIDAY + timedelta(days=4)  # a weekend inside
    opens = weekday_minutes(int(start.timestamp()) - 86_400, int(end.timestamp()) + 86_400)
    got = await times(CappedPages(opens, cap=cap), [EURUSD], start, end)
    assert got == [(t, EURUSD.symbol_id) for t in opens if start.timestamp() <= t < end.timestamp()]


async def test_histories_with_fewer_bars_than_asked_lose_none() -> None:
    start, end = FRIDAY, FRIDAY + timedelta(days=1)
    opens = weekday_minutes(int(start.timestamp()) - 86_400, int(end.timestamp()))
    got = await times(CappedPages(opens, cap=300), [EURUSD, XAUUSD], start, end)
    wanted = [t for t in opens if start.timestamp() <= t < end.timestamp()]
    assert got == [(t, key.symbol_id) for t in wanted for key in (EURUSD, XAUUSD)]


async def test_a_history_that_begins_inside_the_range_costs_one_request_more() -> None:
    first = int(FRIDAY.timestamp()) + 3600  # no bar before this
    opens = list(range(first, first + 3000 * 60, 60))
    pages = CappedPages(opens, cap=1000)
    start, end = FRIDAY - timedelta(days=1), datetime.fromtimestamp(first + 3000 * 60, UTC)
    got = await times(pages, [EURUSD], start, end)
    assert [t for t, _ in got] == opens
    windows = -(-int((end - start).total_seconds()) // 60_000)
    assert pages.requests == windows + 1


async def _bars() -> AsyncIterator[mm.Kline]:
    yield mm.Kline(1001, 2, 1, 1, 0, *[Decimal("1.5")] * 5, None, None)


@pytest.mark.parametrize("name", ["bars.csv", "bars.jsonl", "bars.parquet"])
async def test_an_export_gets_a_new_files_permissions_or_keeps_the_old_ones(
    tmp_path: Path, name: str
) -> None:
    umask = os.umask(0o022)
    try:
        target = tmp_path / name
        await export_bars(_bars(), target)
        assert stat.S_IMODE(target.stat().st_mode) == 0o644  # not mkstemp's 0600: others can read it
        target.chmod(0o640)
        await export_bars(_bars(), target)
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
    finally:
        os.umask(umask)


def test_to_pandas_has_one_time_resolution_empty_or_not() -> None:
    bar = mm.Kline(1001, 2, 1, 1, 60_000, *[Decimal(1)] * 5, 61_000, 1)
    empty, full = mm.to_pandas([]), mm.to_pandas([bar])
    assert str(empty.index.dtype) == str(full.index.dtype) == "datetime64[ms, UTC]"
    assert str(empty["last_tick_time"].dtype) == str(full["last_tick_time"].dtype) == "datetime64[ms, UTC]"
    assert full.index[0] == datetime(1970, 1, 1, 0, 1, tzinfo=UTC)


class EmptyAt(CappedPages):
    """A platform whose answers number ``empty`` come empty (a glitch), the others whole."""

    def __init__(self, opens: Sequence[int], *, empty: set[int]) -> None:
        super().__init__(opens, cap=1000)
        self.empty = empty

    async def klines(self, symbol: Any, *, count: int = 100, end: Any = None, **_: Any) -> list[mm.Kline]:
        self.requests += 1
        return [] if self.requests in self.empty else self.page(symbol, count, end)


@pytest.mark.parametrize("glitch", [1, 2, 5, 6])
async def test_an_empty_page_mid_range_is_asked_again_and_loses_nothing(glitch: int) -> None:
    start, end = FRIDAY, FRIDAY + timedelta(days=4)  # six windows of 1,000 minutes
    opens = weekday_minutes(int(start.timestamp()) - 86_400, int(end.timestamp()) + 86_400)
    got = await times(EmptyAt(opens, empty={glitch}), [EURUSD], start, end)
    assert got == [(t, EURUSD.symbol_id) for t in opens if start.timestamp() <= t < end.timestamp()]


async def test_a_platform_that_keeps_answering_empty_is_an_error_not_a_gap() -> None:
    start, end = FRIDAY, FRIDAY + timedelta(days=4)
    opens = weekday_minutes(int(start.timestamp()) - 86_400, int(end.timestamp()) + 86_400)
    with pytest.raises(mm.ProtocolError, match="answered no bar up to 2023-11-1"):
        await times(EmptyAt(opens, empty=set(range(6, 100))), [EURUSD], start, end)


async def test_a_range_that_starts_in_a_weekend_asks_one_request_a_window() -> None:
    start, end = FRIDAY + timedelta(days=1, hours=12), FRIDAY + timedelta(days=5)  # Saturday noon
    opens = weekday_minutes(int(FRIDAY.timestamp()) - 86_400, int(end.timestamp()) + 86_400)
    pages = EmptyAt(opens, empty=set())
    got = await times(pages, [EURUSD], start, end)
    assert got == [(t, EURUSD.symbol_id) for t in opens if start.timestamp() <= t < end.timestamp()]
    assert pages.requests == -(-int((end - start).total_seconds()) // 60_000)


def _recorded_seqs(directory: Path) -> list[int]:
    import pyarrow.parquet as pq

    files = sorted(directory.glob("ticks-*.parquet"))
    return [row["seq"] for path in files for row in pq.read_table(path).to_pylist()]


async def test_a_burst_of_ticks_is_recorded_tick_by_tick(tmp_path: Path) -> None:
    import anyio

    from multimarkets_async.data import record
    from multimarkets_async.testing import Simulator
    from tests._support import sim_client
    from tests.test_record import _Counting

    async with Simulator() as sim, sim_client(sim) as client:
        with _Counting(tmp_path) as recorder:
            async with anyio.create_task_group() as tg:
                tg.start_soon(
                    lambda: record(
                        client, ["EURUSD"], recorder, depth=False, trade_type=2, flush_interval_s=3600
                    )
                )
                await recorder.wait_for("ticks", 1)  # the snapshot
                for _ in range(50):  # faster than the recorder reads: each tick must still be kept
                    sim.tick()
                await recorder.wait_for("ticks", 51)
                tg.cancel_scope.cancel()
    assert _recorded_seqs(tmp_path) == list(range(51))
