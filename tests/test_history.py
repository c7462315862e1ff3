"""``client.quotes.history()`` / ``histories()``: exact-range, paged K-line downloads (issue 11 §3).

Against the simulator with a frozen clock (so a bar is the same on every query): the exact range,
each bar once, no gaps, across several 14012/14014 pages, equal to what smaller queries serve; the
progress callback; argument checks before any request. Against a scripted page source: a market
with gaps (weekends), repeated bars and a server that counts its pages differently.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

import multimarkets_async as mm
from multimarkets_async.resources._history import INTERVALS, download
from multimarkets_async.testing import Simulator
from tests._support import EURUSD, XAUUSD, sim_client

pytestmark = pytest.mark.anyio

START = datetime(2023, 11, 14, tzinfo=UTC)
END = datetime(2023, 11, 15, 12, tzinfo=UTC)
NOW_MS = int(datetime(2023, 11, 15, 13, 0, 7, tzinfo=UTC).timestamp() * 1000)
"""The simulator's frozen clock: an hour after END, so the range is history."""
MINUTE_MS = 60_000
RANGE_MINUTES = 36 * 60  # 2,160 bars: three pages of 14012


def frozen_sim() -> Simulator:
    return Simulator(clock_ms=lambda: NOW_MS)


def minutes(start: datetime, end: datetime) -> list[int]:
    return list(range(int(start.timestamp() * 1000), int(end.timestamp() * 1000), MINUTE_MS))


def kline_frames(sim: Simulator, cmd: int) -> list[dict[str, Any]]:
    return [
        frame["data"]
        for session in sim.sockets.quote
        for frame in session.received
        if isinstance(frame, dict) and frame.get("cmd_id") == cmd
    ]


async def test_history_is_the_exact_range_each_bar_once_across_three_pages() -> None:
    async with frozen_sim() as sim, sim_client(sim) as client:
        bars = [bar async for bar in client.quotes.history(EURUSD, interval="1m", start=START, end=END)]
        assert [bar.time_ms for bar in bars] == minutes(START, END)  # exact, oldest first, no gap
        assert len(bars) == RANGE_MINUTES > 2000
        pages = kline_frames(sim, 14012)
        assert len(pages) == 3
        assert {page["query_kline_num"] for page in pages} == {1000}
        # The same bars as the simulator serves to smaller queries ending anywhere in the range.
        for end in (START + timedelta(minutes=10), START + timedelta(minutes=1000), END):
            served = await client.quotes.klines(EURUSD, count=200, end=end - timedelta(seconds=1))
            by_time = {bar.time_ms: bar for bar in bars}
            assert served
            assert all(by_time[bar.time_ms] == bar for bar in served if bar.time_ms in by_time)
            assert sum(bar.time_ms in by_time for bar in served) >= 10


async def test_a_range_inside_one_bar_and_a_range_off_the_minute() -> None:
    async with frozen_sim() as sim, sim_client(sim) as client:
        start = START + timedelta(seconds=30)  # the 00:00 bar opened before start: not wanted
        end = START + timedelta(minutes=5, seconds=1)  # the 00:05 bar opened before end: wanted
        bars = [bar async for bar in client.quotes.history(EURUSD, interval="1m", start=start, end=end)]
        assert [bar.time_ms for bar in bars] == minutes(
            START + timedelta(minutes=1), START + timedelta(minutes=6)
        )
        inside = [b async for b in client.quotes.history(EURUSD, interval="1h", start=start, end=end)]
        assert inside == []


async def test_progress_reports_bars_done_and_the_estimate_and_ends_complete() -> None:
    calls: list[tuple[int, int]] = []
    async with frozen_sim() as sim, sim_client(sim) as client:
        history = client.quotes.history(
            EURUSD, interval=mm.KlineType.MIN_1, start=START, end=END, progress=lambda *c: calls.append(c)
        )
        bars = [bar async for bar in history]
    assert calls[0] == (1000, RANGE_MINUTES)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert calls[-1] == (len(bars), len(bars))


async def test_histories_batch_several_products_through_14014() -> None:
    async with frozen_sim() as sim, sim_client(sim) as client:
        bars = [
            bar
            async for bar in client.quotes.histories([EURUSD, XAUUSD], interval="1m", start=START, end=END)
        ]
        assert len(kline_frames(sim, 14012)) == 0
        batches = kline_frames(sim, 14014)
        assert len(batches) == 3
        assert all(len(batch["data_list"]) == 2 for batch in batches)
        for key in (EURUSD, XAUUSD):
            assert [bar.time_ms for bar in bars if bar.key == key] == minutes(START, END)
        # Oldest first; bars of one time in the order the products were given.
        assert [bar.key for bar in bars[:4]] == [EURUSD, XAUUSD, EURUSD, XAUUSD]
        assert [bar.time_ms for bar in bars] == sorted(bar.time_ms for bar in bars)
        alone = [bar async for bar in client.quotes.history(XAUUSD, interval="1m", start=START, end=END)]
        assert alone == [bar for bar in bars if bar.key == XAUUSD]


async def test_names_are_resolved_and_stamped_on_the_bars() -> None:
    async with frozen_sim() as sim, sim_client(sim) as client:
        history = client.quotes.history("EURUSD", interval="1h", start=START, end=END, trade_type=2)
        bars = [bar async for bar in history]
        assert len(bars) == 36
        assert {bar.symbol for bar in bars} == {"EURUSD"}
        with pytest.raises(mm.InvalidArgumentError, match="trade_type"):
            [bar async for bar in client.quotes.history("EURUSD", interval="1h", start=START, end=END)]


async def test_daily_weekly_and_monthly_bars_open_where_the_calendar_says() -> None:
    async with frozen_sim() as sim, sim_client(sim) as client:
        days = [
            b
            async for b in client.quotes.history(
                EURUSD, interval="1d", start=datetime(2023, 1, 1, tzinfo=UTC), end=START
            )
        ]
        assert len(days) == (START - datetime(2023, 1, 1, tzinfo=UTC)).days
        months = [
            b
            async for b in client.quotes.history(
                EURUSD, interval="1M", start=datetime(2020, 1, 1, tzinfo=UTC), end=START
            )
        ]
        opens = [datetime.fromtimestamp(b.time_ms / 1000, UTC) for b in months]
        assert opens[0] == datetime(2020, 1, 1, tzinfo=UTC)
        assert opens[-1] == datetime(2023, 11, 1, tzinfo=UTC)
        assert len(opens) == 47
        assert all(t.day == 1 for t in opens)
        weeks = [
            b
            async for b in client.quotes.history(
                EURUSD, interval="1w", start=datetime(2023, 1, 1, tzinfo=UTC), end=START
            )
        ]
        assert all(datetime.fromtimestamp(b.time_ms / 1000, UTC).weekday() == 0 for b in weeks)
        assert len(weeks) == 46  # the Mondays from 2023-01-02 to 2023-11-13


async def test_a_range_ending_in_the_future_stops_at_the_open_bar() -> None:
    async with frozen_sim() as sim, sim_client(sim) as client:
        start = datetime(2023, 11, 15, 12, 30, tzinfo=UTC)
        history = client.quotes.history(
            EURUSD, interval="1m", start=start, end=datetime(2100, 1, 1, tzinfo=UTC)
        )
        bars = [bar async for bar in history]
        assert bars[0].time_ms == int(start.timestamp() * 1000)
        assert bars[-1].time_ms == NOW_MS - NOW_MS % MINUTE_MS  # the still-open bar
        assert len(kline_frames(sim, 14012)) == 1


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"start": datetime(2023, 11, 14), "end": END}, "start= is a naive datetime"),
        ({"start": START, "end": datetime(2023, 11, 15)}, "end= is a naive datetime"),
        ({"start": END, "end": START}, "must be after start"),
        ({"start": START, "end": START}, "must be after start"),
        ({"start": START, "end": END, "interval": "1min"}, "interval= must be one of 1m 5m"),
        ({"start": START, "end": END, "interval": 11}, "interval= must be a KlineType"),
        ({"start": 1699920000, "end": END}, "start= must be an aware datetime"),
    ],
)
async def test_bad_arguments_are_refused_at_the_call_before_any_request(
    options: dict[str, Any], match: str
) -> None:
    async with frozen_sim() as sim, sim_client(sim) as client:
        with pytest.raises(mm.InvalidArgumentError, match=match):
            client.quotes.history(EURUSD, **({"interval": "1m"} | options))
        with pytest.raises(mm.InvalidArgumentError):
            client.quotes.histories([], interval="1m", start=START, end=END)
        assert kline_frames(sim, 14012) == []


def test_the_ten_interval_names() -> None:
    assert list(INTERVALS) == ["1m", "5m", "15m", "30m", "1h", "2h", "4h", "1d", "1w", "1M"]
    assert list(INTERVALS.values()) == list(mm.KlineType)


async def test_aware_datetimes_in_any_zone_mean_the_same_instants() -> None:
    tokyo = timezone(timedelta(hours=9))
    async with frozen_sim() as sim, sim_client(sim) as client:
        utc = [b async for b in client.quotes.history(EURUSD, interval="5m", start=START, end=END)]
        local = [
            b
            async for b in client.quotes.history(
                EURUSD, interval="5m", start=START.astimezone(tokyo), end=END.astimezone(tokyo)
            )
        ]
        assert utc == local
        assert len(utc) == 36 * 12


# -- a scripted server: gaps, repeats, another way of counting ----------------------------------------


class ScriptedPages:
    """Answers "count bars ending at end" from a fixed list of open times (seconds), like 14012.

    ``inclusive``: whether the bar opening exactly at ``end`` counts (the simulator's reading is the bar
    that holds ``end``); ``repeat``: answer each page with its newest bar twice.
    """

    def __init__(self, opens: Sequence[int], *, inclusive: bool = True, repeat: bool = False) -> None:
        self.opens = sorted(opens)
        self.inclusive = inclusive
        self.repeat = repeat
        self.requests: list[tuple[int, int]] = []

    def bar(self, t: int) -> mm.Kline:
        price = Decimal(t % 997) / 100
        return mm.Kline(1001, 2, 1, 1, t * 1000, price, price, price, price, Decimal(1), None, None)

    async def klines(self, symbol: object, *, count: int = 100, end: Any = None, **_: Any) -> list[mm.Kline]:
        self.requests.append((end, count))
        held = [t for t in self.opens if (t <= end if self.inclusive else t < end)][-count:]
        bars = [self.bar(t) for t in held]
        return bars + bars[-1:] if self.repeat else bars

    async def batch_klines(
        self, symbols: Sequence[object], **options: Any
    ) -> dict[mm.SymbolKey, list[mm.Kline]]:
        return {EURUSD: await self.klines(symbols[0], **options)}


def weekdays_only(start: int, end: int) -> list[int]:
    """Minute opens from ``start`` to ``end`` (s), leaving out Saturdays and Sundays (UTC)."""
    return [t for t in range(start, end, 60) if datetime.fromtimestamp(t, UTC).weekday() < 5]


async def collect(pages: ScriptedPages, start: datetime, end: datetime) -> list[int]:
    history = download(
        pages, [EURUSD], interval="1m", start=start, end=end, batch=False, clock=(lambda: NOW_MS * 10, None)
    )
    return [bar.time_ms // 1000 async for bar in history]


@pytest.mark.parametrize("inclusive", [True, False])
@pytest.mark.parametrize("repeat", [False, True])
async def test_gaps_repeats_and_either_way_of_counting_give_each_bar_once(
    inclusive: bool, repeat: bool
) -> None:
    friday = datetime(2023, 11, 10, tzinfo=UTC)  # a weekend inside the range: 2,880 minutes without bars
    start, end = friday, friday + timedelta(days=4)
    opens = weekdays_only(int(start.timestamp()) - 86_400, int(end.timestamp()) + 86_400)
    pages = ScriptedPages(opens, inclusive=inclusive, repeat=repeat)
    got = await collect(pages, start, end)
    assert got == [t for t in opens if start.timestamp() <= t < end.timestamp()]
    assert all(end_s % 60 == 59 for end_s, _ in pages.requests)  # never exactly on a bar's open


async def test_a_range_before_the_history_begins_is_empty() -> None:
    pages = ScriptedPages(weekdays_only(1_700_000_000, 1_700_100_000))
    assert await collect(pages, datetime(2023, 1, 1, tzinfo=UTC), datetime(2023, 1, 2, tzinfo=UTC)) == []


async def test_a_clock_that_cannot_be_measured_falls_back_to_the_local_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def unreachable() -> int:
        raise mm.ConnectError("could not connect")

    opens = list(range(1_700_000_040, 1_700_003_600, 60))
    pages = ScriptedPages(opens)
    end = datetime.fromtimestamp(1_700_003_600, UTC)
    history = download(
        pages,
        [EURUSD],
        interval="1m",
        start=end - timedelta(hours=1),
        end=end,
        batch=False,
        clock=(lambda: 1_700_003_600_000, unreachable),
    )
    assert [bar.time_ms // 1000 async for bar in history] == opens
    assert "could not measure the server clock" in caplog.text


async def test_histories_ask_for_100_products_a_request() -> None:
    chunks: list[int] = []

    class Batches(ScriptedPages):
        async def batch_klines(
            self, symbols: Sequence[object], **options: Any
        ) -> dict[mm.SymbolKey, list[mm.Kline]]:
            chunks.append(len(symbols))
            return {}

    keys = [mm.SymbolKey(i, 2, 1) for i in range(1, 151)]
    history = download(
        Batches([]), keys, interval="1d", start=START, end=END, batch=True, clock=(lambda: NOW_MS, None)
    )
    assert [bar async for bar in history] == []
    assert chunks == [100, 50]
