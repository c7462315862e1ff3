"""``multimarkets klines`` through the command's entry point, against the simulator (issue 11 §2).

The exported file holds exactly the bars the simulator served (the range, each once, no gap, over
three pages of 14012), as exact decimals; JSON lines and Parquet by extension; several products in
one file with a ``symbol`` column; a progress bar only on a terminal; an export interrupted by a
fault or by Ctrl-C leaves no file; bad arguments exit 2; missing credentials exit 1 in one line.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import signal
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import anyio
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rich.console import Console

import multimarkets_async as mm
from multimarkets_async.cli import _klines, main
from multimarkets_async.testing import Simulator
from tests._support import EURUSD, XAUUSD, sim_client

ROOT = Path(__file__).resolve().parent.parent
START, END = "2023-11-14T00:00:00Z", "2023-11-15T12:00:00Z"
T0, T1 = datetime(2023, 11, 14, tzinfo=UTC), datetime(2023, 11, 15, 12, tzinfo=UTC)
NOW_MS = int(datetime(2023, 11, 15, 13, 0, 7, tzinfo=UTC).timestamp() * 1000)
"""The simulator's frozen clock, so a bar is the same on every query."""
BARS = 36 * 60


def frozen_sim() -> Simulator:
    return Simulator(clock_ms=lambda: NOW_MS)


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("MULTIMARKETS_"):
            monkeypatch.delenv(name)


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    """A frozen-clock simulator served from a thread, its credentials in the environment."""
    with frozen_sim().serve_in_thread() as simulator:
        for name, value in simulator.environment().items():
            monkeypatch.setenv(name, value)
        yield simulator


def files_in(directory: Path) -> list[Path]:
    """The files in ``directory`` (a plain function: the async tests read the disk synchronously)."""
    return sorted(directory.iterdir())


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def served(sim: Simulator, *keys: mm.SymbolKey, interval: str = "1m") -> list[mm.Kline]:
    """The bars of the range, as the library downloads them from ``sim``."""

    async def download() -> list[mm.Kline]:
        async with sim_client(sim) as client:
            history = client.quotes.histories(list(keys), interval=interval, start=T0, end=T1)
            return [bar async for bar in history]

    return anyio.run(download)


def kline_requests(sim: Simulator, cmd: int = 14012) -> list[dict[str, object]]:
    """The data of every ``cmd`` frame the simulator's quote sockets received, closed ones included."""
    frames = [f for s in sim.sockets.history if s.kind == "quote" for f in s.received if isinstance(f, dict)]
    return [f["data"] for f in frames if f.get("cmd_id") == cmd]


def test_csv_export_is_exactly_the_bars_served_across_three_pages(
    sim: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "eurusd.csv"
    code, out, err = cli(capsys, "klines", "EURUSD", "--trade-type", "2", "--interval", "1m",
                         "--start", START, "--end", END, "-o", str(target))  # fmt: skip
    assert (code, out, err) == (0, "", "")  # not a terminal: nothing but the file
    assert len(kline_requests(sim)) == 3
    with target.open(newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames is not None
        assert reader.fieldnames[:6] == ["time", "open", "high", "low", "close", "volume"]
        rows = list(reader)
    expected = served(sim, EURUSD)
    assert len(rows) == len(expected) == BARS
    times = [datetime.fromisoformat(row["time"]) for row in rows]
    assert times[0] == T0
    assert all(b - a == (times[1] - times[0]) for a, b in itertools.pairwise(times))  # no gap
    assert len(set(times)) == len(times)
    assert times[-1] < T1
    assert all(row["time"].endswith("Z") for row in rows)
    for row, bar in zip(rows, expected, strict=True):  # exact decimals, as served
        assert (row["open"], row["high"], row["low"], row["close"], row["volume"]) == tuple(
            format(v, "f") for v in (bar.open, bar.high, bar.low, bar.close, bar.volume)
        )
        assert row["symbol"] == "EURUSD"
    assert [p.name for p in tmp_path.iterdir()] == ["eurusd.csv"]


def test_jsonl_export(sim: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "bars.jsonl"
    code, _, _ = cli(capsys, "klines", "EURUSD", "--trade-type", "2", "-i", "1h",
                     "--start", START, "--end", END, "-o", str(target))  # fmt: skip
    assert code == 0
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    expected = served(sim, EURUSD, interval="1h")
    assert [row["time"] for row in rows][:2] == ["2023-11-14T00:00:00Z", "2023-11-14T01:00:00Z"]
    assert [row["close"] for row in rows] == [format(bar.close, "f") for bar in expected]


def test_parquet_export_types(sim: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "bars.parquet"
    code, _, _ = cli(capsys, "klines", "EURUSD", "--trade-type", "2", "-i", "5m",
                     "--start", START, "--end", END, "-o", str(target))  # fmt: skip
    assert code == 0
    table = pq.read_table(target)
    assert table.schema.field("time").type == pa.timestamp("ms", tz="UTC")
    assert pa.types.is_decimal(table.schema.field("open").type)
    assert table.column("close").to_pylist() == [bar.close for bar in served(sim, EURUSD, interval="5m")]


def test_several_symbols_share_one_file_with_a_symbol_column(
    sim: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "both.csv"
    code, _, _ = cli(capsys, "klines", "EURUSD", "XAUUSD", "--trade-type", "2",
                     "--start", START, "--end", END, "-o", str(target))  # fmt: skip
    assert code == 0
    assert len(kline_requests(sim, 14014)) == 3
    with target.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["symbol"] for row in rows[:4]] == ["EURUSD", "XAUUSD", "EURUSD", "XAUUSD"]
    expected = served(sim, EURUSD, XAUUSD)
    assert [(row["symbol"], row["close"]) for row in rows] == [
        (b.symbol, format(b.close, "f")) for b in expected
    ]


def test_a_progress_bar_on_a_terminal_stderr(
    sim: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(
        _klines, "err_console", Console(file=screen, force_terminal=True, width=100, highlight=False)
    )
    code, out, _ = cli(capsys, "klines", "EURUSD", "--trade-type", "2",
                       "--start", START, "--end", END, "-o", str(tmp_path / "a.csv"))  # fmt: skip
    assert code == 0
    assert out == ""
    shown = screen.getvalue()
    assert f"{BARS}/{BARS}" in shown  # the bar, complete
    assert f"{BARS} bars written to" in shown


@pytest.mark.anyio
async def test_a_fault_mid_download_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with frozen_sim() as sim:
        for name, value in sim.environment().items():
            monkeypatch.setenv(name, value)
        held = sim.socket_faults.delay_replies(3600, kind="quote")  # every quote reply waits ...
        argv = [
            "klines",
            "EURUSD",
            "--trade-type",
            "2",
            "--start",
            START,
            "--end",
            END,
            "-o",
            str(tmp_path / "x.csv"),
        ]
        async with anyio.create_task_group() as tg:
            codes: list[int] = []

            async def export() -> None:
                codes.append(await anyio.to_thread.run_sync(main, argv))

            tg.start_soon(export)
            await held.wait_hit()  # ... so the first page is on its way when the fault is armed
            failing = sim.socket_faults.fail_quote_commands(14012, ret=500, times=None)
            held.release()
        assert codes == [1]
        assert failing.hits >= 1  # a request after the first page's failed
        assert files_in(tmp_path) == []  # neither x.csv nor its temporary file


@pytest.mark.anyio
async def test_ctrl_c_mid_download_exits_130_and_leaves_no_file(tmp_path: Path) -> None:
    async with frozen_sim() as sim:
        held = sim.socket_faults.delay_replies(3600, kind="quote")
        env = {k: v for k, v in os.environ.items() if not k.startswith("MULTIMARKETS_")} | sim.environment()
        argv = ["klines", "EURUSD", "--trade-type", "2", "--start", START, "--end", END, "-o", "x.parquet"]
        process = await anyio.open_process(
            [sys.executable, "-m", "multimarkets_async", *argv],
            cwd=tmp_path,
            env=env | {"PYTHONPATH": str(ROOT)},
        )
        async with process:
            await held.wait_hit()  # the download is under way: its temporary file exists
            assert [p.suffix for p in files_in(tmp_path)] == [".part"]
            process.send_signal(signal.SIGINT)
            code = await process.wait()
            held.release()
            assert process.stderr is not None
            err = (await process.stderr.receive()).decode() if code != 130 else ""
        assert code == 130, err
        assert files_in(tmp_path) == []


@pytest.mark.parametrize(
    "args",
    [
        ["EURUSD", "--start", START, "--end", END],  # no -o
        ["EURUSD", "--start", START, "--end", END, "-o", "bars.xlsx"],
        ["EURUSD", "--start", "yesterday", "-o", "bars.csv"],
        ["EURUSD", "--start", START, "--end", "2023-11-13", "-o", "bars.csv"],
        ["EURUSD", "--start", START, "-i", "3m", "-o", "bars.csv"],
        ["EURUSD", "--start", START, "--trade-type", "0", "-o", "bars.csv"],
        ["--start", START, "-o", "bars.csv"],  # no symbol
    ],
)
def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str]) -> None:
    os.chdir(tmp_path)
    code, out, err = cli(capsys, "klines", *args)
    assert code == 2
    assert out == ""
    assert "Usage:" in err
    assert files_in(tmp_path) == []


def test_missing_credentials_fail_in_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = cli(capsys, "klines", "EURUSD", "--start", START, "-o", str(tmp_path / "a.csv"))
    assert code == 1
    assert out == ""
    assert "MULTIMARKETS_BASE_URL" in err
    assert len(err.strip().splitlines()) == 1
    assert files_in(tmp_path) == []


def test_an_unknown_product_fails_in_one_line(
    sim: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = cli(
        capsys, "klines", "NOSUCH", "--start", START, "--end", END, "-o", str(tmp_path / "a.csv")
    )
    assert code == 1
    assert err.startswith("error: ")
    assert "NOSUCH" in err
    assert len(err.strip().splitlines()) == 1
    assert files_in(tmp_path) == []
