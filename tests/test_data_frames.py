"""Bars as data (the ``data`` extra): ``mm.to_pandas``, ``mm.to_arrow`` and ``data.export_bars``.

Frames keep prices exact by default and index by a UTC ``time``; files are CSV / JSON lines / Parquet
by extension, exact decimals, ISO 8601 ``Z`` times, written all or nothing; without pandas or pyarrow
the error names the install command.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import multimarkets_async as mm
from multimarkets_async.data import COLUMNS, export_bars, format_of
from multimarkets_async.testing import Simulator
from tests._support import EURUSD, XAUUSD, sim_client

T0 = int(datetime(2023, 11, 14, tzinfo=UTC).timestamp() * 1000)
NOW_MS = int(datetime(2023, 11, 15, 13, tzinfo=UTC).timestamp() * 1000)


def bar(
    minute: int, price: str, *, symbol: str = "EURUSD", digits: int | None = 5, **fields: object
) -> mm.Kline:
    p = Decimal(price)
    values: dict[str, object] = {
        "symbol_id": 1001,
        "trade_type": 2,
        "trade_mode": 1,
        "kline_type": 1,
        "time_ms": T0 + minute * 60_000,
        "open": p,
        "high": p + Decimal("0.00010"),
        "low": p - Decimal("0.00001"),
        "close": p,
        "volume": Decimal("12345.6"),
        "last_tick_time_ms": T0 + minute * 60_000 + 59_999,
        "last_tick_seq": 7,
        "price_digits": digits,
        "symbol": symbol,
    }
    return mm.Kline(**(values | fields))  # type: ignore[arg-type]


BARS = [bar(0, "1.08543"), bar(1, "1.08551"), bar(2, "1.1")]


def files_in(directory: Path) -> list[Path]:
    """The files in ``directory`` (a plain function: the async tests read the disk synchronously)."""
    return sorted(directory.iterdir())


async def aiter_of(bars: Iterable[mm.Kline]) -> AsyncIterator[mm.Kline]:
    for item in bars:
        yield item


def test_to_pandas_indexes_by_utc_time_and_keeps_decimals_exact() -> None:
    frame = mm.to_pandas(BARS)
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert frame.index.name == "time"
    assert str(frame.index.tz) == "UTC"
    assert frame.index[0] == pd.Timestamp("2023-11-14T00:00:00Z")
    assert list(frame.columns) == list(COLUMNS[1:])
    assert frame["open"].dtype == object
    assert list(frame["open"]) == [b.open for b in BARS]
    assert all(isinstance(v, Decimal) for v in frame["high"])
    assert frame["last_tick_time"].iloc[0] == pd.Timestamp("2023-11-14T00:00:59.999Z")
    assert frame["symbol_id"].dtype == "Int64"


def test_to_pandas_floats_on_request_and_nulls_for_fields_left_out() -> None:
    frame = mm.to_pandas(
        [*BARS, bar(3, "1.2", last_tick_time_ms=None, last_tick_seq=None, digits=None)], prices="float"
    )
    assert frame["close"].dtype == "float64"
    assert frame["close"].iloc[0] == 1.08543
    assert pd.isna(frame["last_tick_time"].iloc[3])
    assert pd.isna(frame["price_digits"].iloc[3])
    empty = mm.to_pandas([])
    assert len(empty) == 0
    assert isinstance(empty.index, pd.DatetimeIndex)
    with pytest.raises(mm.InvalidArgumentError, match="prices="):
        mm.to_pandas(BARS, prices="double")  # type: ignore[arg-type]


def test_to_arrow_types_decimal_prices_and_utc_millisecond_times() -> None:
    table = mm.to_arrow(BARS)
    schema = table.schema
    assert table.column_names == list(COLUMNS)
    assert schema.field("time").type == pa.timestamp("ms", tz="UTC")
    assert schema.field("last_tick_time").type == pa.timestamp("ms", tz="UTC")
    assert pa.types.is_decimal(schema.field("open").type)
    assert schema.field("open").type.scale == 5  # the most precise price, so none is rounded
    assert table.column("high").to_pylist() == [b.high for b in BARS]
    assert schema.field("volume").type.scale == 1
    assert mm.to_arrow(BARS, prices="float").schema.field("open").type == pa.float64()
    strings = mm.to_arrow(BARS, prices="string")
    assert strings.column("open").to_pylist() == ["1.08543", "1.08551", "1.1"]


def test_without_the_data_extra_the_error_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r'pip install "multimarkets-async\[data\]"'):
        mm.to_pandas(BARS)
    with pytest.raises(ImportError, match=r'pip install "multimarkets-async\[data\]"'):
        mm.to_arrow(BARS)


@pytest.mark.anyio
async def test_csv_has_the_columns_iso_times_and_exact_decimals(tmp_path: Path) -> None:
    target = tmp_path / "bars.csv"
    assert await export_bars(aiter_of(BARS), target) == 3
    lines = target.read_text().splitlines()
    assert lines[0].startswith("time,open,high,low,close,volume,")
    rows = list(csv.DictReader(lines))
    assert rows[0]["time"] == "2023-11-14T00:00:00Z"
    assert rows[0]["last_tick_time"] == "2023-11-14T00:00:59.999Z"
    assert [r["open"] for r in rows] == ["1.08543", "1.08551", "1.1"]
    assert rows[0]["high"] == "1.08553"
    assert rows[0]["symbol"] == "EURUSD"
    assert files_in(tmp_path) == [target]  # no temporary file left


@pytest.mark.anyio
async def test_jsonl_is_one_object_per_bar_with_decimal_text(tmp_path: Path) -> None:
    target = tmp_path / "bars.JSONL"
    assert await export_bars(aiter_of(BARS), target) == 3
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert list(rows[0]) == list(COLUMNS)
    assert rows[2]["close"] == "1.1"
    assert rows[1]["time"] == "2023-11-14T00:01:00Z"
    assert rows[1]["symbol_id"] == 1001


@pytest.mark.anyio
async def test_parquet_has_decimal128_prices_and_a_utc_timestamp(tmp_path: Path) -> None:
    target = tmp_path / "bars.parquet"
    await export_bars(aiter_of(BARS), target)
    table = pq.read_table(target)
    assert table.schema.field("time").type == pa.timestamp("ms", tz="UTC")
    assert pa.types.is_decimal(table.schema.field("close").type)
    assert table.column("close").to_pylist() == [b.close for b in BARS]
    frame = table.to_pandas()
    assert frame["time"].iloc[0] == pd.Timestamp("2023-11-14T00:00:00Z")


@pytest.mark.anyio
async def test_a_failing_download_leaves_no_file_and_the_old_one_untouched(tmp_path: Path) -> None:
    async def failing() -> AsyncIterator[mm.Kline]:
        yield BARS[0]
        raise mm.RequestTimeoutError("no reply")

    for name in ("bars.csv", "bars.jsonl", "bars.parquet"):
        with pytest.raises(mm.RequestTimeoutError):
            await export_bars(failing(), tmp_path / name)
    assert files_in(tmp_path) == []
    kept = tmp_path / "kept.csv"
    kept.write_text("old\n")
    with pytest.raises(mm.RequestTimeoutError):
        await export_bars(failing(), kept)
    assert kept.read_text() == "old\n"
    assert files_in(tmp_path) == [kept]


def test_the_format_follows_the_extension() -> None:
    assert format_of("a.CSV") == "csv"
    assert format_of(Path("x/b.jsonl")) == "jsonl"
    assert format_of("c.parquet") == "parquet"
    with pytest.raises(mm.InvalidArgumentError, match=r"name it \.csv, \.jsonl, \.parquet"):
        format_of("bars.xlsx")


@pytest.mark.anyio
async def test_frames_of_bars_the_simulator_served() -> None:
    start, end = datetime(2023, 11, 14, tzinfo=UTC), datetime(2023, 11, 14, 6, tzinfo=UTC)
    async with Simulator(clock_ms=lambda: NOW_MS) as sim, sim_client(sim) as client:
        bars = [
            b async for b in client.quotes.histories([EURUSD, XAUUSD], interval="5m", start=start, end=end)
        ]
    frame = mm.to_pandas(bars)
    assert len(frame) == 2 * 72
    assert set(frame["symbol"]) == {"EURUSD", "XAUUSD"}
    assert frame.index.is_monotonic_increasing
    assert frame.loc[frame["symbol"] == "XAUUSD", "close"].tolist() == [
        b.close for b in bars if b.key == XAUUSD
    ]
    table = mm.to_arrow(bars)
    assert table.column("close").to_pylist() == [b.close for b in bars]
