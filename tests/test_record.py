"""``multimarkets record`` and the library under it (``data._recorder``: ``Recorder`` and ``record``).

The files: one kind of event per file, rows with their receive time and the event's fields (prices
as decimal strings), rotated by UTC hour and by size, ``.part`` until finished. The command: Ctrl-C
(SIGINT to a real process) writes everything received, compared with what the simulator sent; bad
arguments exit 2, missing credentials exit 1 with one line naming the variable.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import multimarkets_async as mm
from multimarkets_async.cli import main
from multimarkets_async.data._recorder import Recorder, record
from multimarkets_async.testing import Simulator
from tests._support import sim_client

HOUR_MS = 3_600_000
T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z
ROOT = Path(__file__).resolve().parents[1]


def _tick(seq: int, *, bid: str = "1.08500", symbol: str = "EURUSD") -> mm.Tick:
    price = Decimal(bid)
    return mm.Tick(
        1001,
        2,
        1,
        seq,
        T0 + seq,
        price,
        price,
        price + Decimal("0.00012"),
        Decimal(3),
        Decimal("4.5"),
        symbol=symbol,
    )


def _rows(directory: Path, kind: str) -> list[dict[str, Any]]:
    return [
        row for path in sorted(directory.glob(f"{kind}-*.parquet")) for row in pq.read_table(path).to_pylist()
    ]


# -- the files --------------------------------------------------------------------------------------


def test_each_event_kind_has_its_file_with_receive_time_and_exact_decimals(tmp_path: Path) -> None:
    book = mm.DepthBook(
        1001, 2, 1, 9, T0, (mm.DepthLevel(Decimal("1.08500"), Decimal("2")),), (), symbol="EURUSD"
    )
    trade = mm.Trade(
        1001, 2, 1, 9, T0, Decimal("1.08501"), Decimal("0.5"), mm.TradeDirection.SELL, symbol="EURUSD"
    )
    update = mm.AccountUpdate(
        2, Decimal("-1.5"), Decimal(10), Decimal(90), Decimal("0.1"), Decimal(100), Decimal(101)
    )
    with Recorder(tmp_path) as recorder:
        for event in (_tick(1), book, trade, update):
            recorder.add(event, received_ms=T0 + 5)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"{kind}-20231114T22Z-000.parquet" for kind in ("depth", "messages", "ticks", "trades")
    ]
    schema = pq.read_schema(tmp_path / "ticks-20231114T22Z-000.parquet")
    assert schema.field("received_at").type == pa.timestamp("ms", tz="UTC")
    assert schema.field("bid").type == pa.string()
    (tick,) = _rows(tmp_path, "ticks")
    assert tick["received_at"] == datetime.fromtimestamp((T0 + 5) / 1000, UTC)
    assert (tick["symbol"], tick["seq"], tick["bid"], tick["ask"], tick["bid_volume"]) == (
        "EURUSD",
        1,
        "1.08500",
        "1.08512",
        "3",
    )
    assert tick["open"] is None
    (depth,) = _rows(tmp_path, "depth")
    assert (depth["bids"], depth["asks"]) == ([{"price": "1.08500", "volume": "2"}], [])
    (traded,) = _rows(tmp_path, "trades")
    assert (traded["price"], traded["volume"], traded["direction"]) == ("1.08501", "0.5", "SELL")
    (message,) = _rows(tmp_path, "messages")
    assert (message["type"], message["trade_type"]) == ("AccountUpdate", 2)
    assert '"profit_loss":"-1.5"' in message["data"]


def test_files_rotate_at_each_utc_hour(tmp_path: Path) -> None:
    hour = T0 - T0 % HOUR_MS
    with Recorder(tmp_path) as recorder:
        recorder.add(_tick(1), received_ms=hour + HOUR_MS - 1)
        recorder.add(_tick(2), received_ms=hour + HOUR_MS)
        assert [p.name for p in recorder.files] == ["ticks-20231114T22Z-000.parquet"]  # finished at once
    assert [p.name for p in recorder.files] == [
        "ticks-20231114T22Z-000.parquet",
        "ticks-20231114T23Z-000.parquet",
    ]
    assert [row["seq"] for row in _rows(tmp_path, "ticks")] == [1, 2]


def test_a_flush_finishes_the_files_of_an_hour_the_clock_has_left(tmp_path: Path) -> None:
    now = [T0]
    recorder = Recorder(tmp_path, clock_ms=lambda: now[0])
    recorder.add(_tick(1))
    recorder.flush()
    assert recorder.files == []  # the hour goes on: still .part
    now[0] += HOUR_MS
    recorder.flush()
    assert [p.name for p in recorder.files] == ["ticks-20231114T22Z-000.parquet"]
    recorder.close()


def test_files_rotate_by_size_and_keep_every_row(tmp_path: Path) -> None:
    with Recorder(tmp_path, max_bytes=1, batch_rows=2) as recorder:
        for seq in range(1, 8):
            recorder.add(_tick(seq), received_ms=T0 + seq)
    assert [p.name[-11:] for p in recorder.files] == [
        "000.parquet",
        "001.parquet",
        "002.parquet",
        "003.parquet",
    ]
    assert [row["seq"] for row in _rows(tmp_path, "ticks")] == list(range(1, 8))


def test_a_file_is_part_until_finished_and_close_writes_what_is_buffered(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path)
    recorder.add(_tick(1))
    recorder.flush()
    recorder.add(_tick(2))  # buffered, not written yet
    assert [p.suffix for p in tmp_path.iterdir()] == [".part"]
    recorder.close()
    recorder.close()
    assert [row["seq"] for row in _rows(tmp_path, "ticks")] == [1, 2]
    assert not list(tmp_path.glob("*.part"))
    with pytest.raises(RuntimeError, match="closed"):
        recorder.add(_tick(3))


def test_bad_recorder_arguments_name_the_fix(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(mm.InvalidArgumentError, match="is a file"):
        Recorder(tmp_path / "file")
    with pytest.raises(mm.InvalidArgumentError, match="max_bytes"):
        Recorder(tmp_path, max_bytes=0)
    with pytest.raises(TypeError, match="records Tick"):
        Recorder(tmp_path).add("not an event")  # type: ignore[arg-type]


# -- record(): the library's streaming loop -----------------------------------------------------------


class _Counting(Recorder):
    """A recorder whose ``wait_for(kind, count)`` returns once it holds ``count`` events of ``kind``."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self._more = anyio.Event()

    def add(self, event: Any, *, received_ms: int | None = None) -> None:
        super().add(event, received_ms=received_ms)
        self._more.set()

    async def wait_for(self, kind: str, count: int) -> None:
        with anyio.fail_after(5):
            while self.stats.events[kind] < count:  # type: ignore[index]
                self._more = anyio.Event()
                await self._more.wait()


@pytest.mark.anyio
async def test_a_cancelled_record_keeps_every_event_received(tmp_path: Path) -> None:
    async with Simulator() as sim, sim_client(sim) as client:
        recorder = _Counting(tmp_path)
        with recorder:
            async with anyio.create_task_group() as tg:
                # Never flushed by the timer: what reaches the files is what close() writes.
                tg.start_soon(
                    lambda: record(
                        client, ["EURUSD"], recorder, depth=False, trade_type=2, flush_interval_s=3600
                    )
                )
                await recorder.wait_for("ticks", 1)  # the snapshot
                for step in range(1, 4):
                    sim.tick()
                    await recorder.wait_for("ticks", 1 + step)
                tg.cancel_scope.cancel()
    assert [row["seq"] for row in _rows(tmp_path, "ticks")] == [0, 1, 2, 3]  # snapshot, 3 moves


@pytest.mark.anyio
async def test_with_messages_the_accounts_pushes_are_recorded(tmp_path: Path) -> None:
    async with Simulator() as sim, sim_client(sim) as client:
        recorder = _Counting(tmp_path)
        with recorder:
            async with anyio.create_task_group() as tg:
                tg.start_soon(
                    lambda: record(
                        client,
                        ["EURUSD"],
                        recorder,
                        depth=False,
                        trade_type=2,
                        messages=True,
                        message_trade_types=[2],
                    )
                )
                await sim.sockets.wait_for(lambda: any(s.trade_types for s in sim.sockets.messages))
                order = await client.orders.market("EURUSD", side="buy", volume="0.10", trade_type=2)
                await recorder.wait_for("messages", 1)
                tg.cancel_scope.cancel()
    types = [row["type"] for row in _rows(tmp_path, "messages")]
    assert "TradeEvent" in types
    trade = next(row for row in _rows(tmp_path, "messages") if row["type"] == "TradeEvent")
    assert f'"order_id":{order.order_id}' in trade["data"]


# -- the command --------------------------------------------------------------------------------------


def _counts(line: str) -> dict[str, int] | None:
    found = re.fullmatch(r"recorded (\d+) ticks, (\d+) depth, (\d+) trades, (\d+) messages", line.strip())
    return (
        None
        if found is None
        else dict(zip(("ticks", "depth", "trades", "messages"), map(int, found.groups()), strict=True))
    )


def _lines(stream: Any) -> tuple[queue.Queue[str], threading.Thread]:
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True)
    reader.start()
    return lines, reader


def _wait_counts(lines: queue.Queue[str], done: Any) -> dict[str, int]:
    while True:
        counts = _counts(lines.get(timeout=20))
        if counts is not None and done(counts):
            return counts


def _sim_env(sim: Simulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MULTIMARKETS_")}
    return env | {"MULTIMARKETS_BASE_URL": sim.base_url, "MULTIMARKETS_COMPANY_ID": str(sim.company_id)}


@pytest.mark.parametrize(
    ("stop", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"]
)
def test_ctrl_c_writes_everything_the_simulator_sent(
    simulator: Simulator, tmp_path: Path, stop: signal.Signals, status: int
) -> None:
    command = [sys.executable, "-m", "multimarkets_async", "record", "EURUSD", "XAUUSD", "--trade-type", "2"]
    command += ["-o", str(tmp_path), "--flush-every", "0.05", "--depth-level", "3"]
    with subprocess.Popen(
        command,
        env=_sim_env(simulator),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        lines, reader = _lines(proc.stderr)
        try:
            start = _wait_counts(lines, lambda c: c["ticks"] >= 2 and c["depth"] >= 2)  # the snapshots
            sent = []
            for step in range(1, 6):
                quotes, _ = simulator.tick()
                sent += [(q.symbol_id, q.seq, q.bid, q.ask) for q in quotes if q.symbol_id in (1001, 1002)]
                want = {kind: start[kind] + 2 * step for kind in ("ticks", "depth", "trades")}
                _wait_counts(lines, lambda c, want=want: all(c[k] >= n for k, n in want.items()))
            proc.send_signal(stop)
            assert proc.wait(timeout=30) == status
        finally:
            proc.kill()
            reader.join(timeout=10)
    last = ""
    while not lines.empty():
        last = lines.get()
    assert last.startswith("recorded ")
    assert " files in " in last
    assert not list(tmp_path.glob("*.part"))
    ticks = _rows(tmp_path, "ticks")
    assert len(ticks) == start["ticks"] + len(sent)  # nothing lost, nothing twice
    recorded = [
        (r["symbol_id"], r["seq"], Decimal(r["bid"]), Decimal(r["ask"])) for r in ticks[start["ticks"] :]
    ]
    assert sorted(recorded) == sorted(sent)
    assert {(r["symbol_id"], r["seq"]) for r in _rows(tmp_path, "depth")} >= {s[:2] for s in sent}
    assert len([r for r in _rows(tmp_path, "trades") if r["seq"] is not None]) == len(sent)
    assert all(r["received_at"].tzinfo is not None for r in ticks)


def test_bad_arguments_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["record", "EURUSD"]) == 2
    assert "--output" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert main(["record", "EURUSD", "-o", str(tmp_path / "file")]) == 2
    assert "is a file" in capsys.readouterr().err
    assert main(["record", "-o", str(tmp_path)]) == 2


def test_an_unknown_product_exits_1_in_one_line(
    simulator: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in _sim_env(simulator).items():
        monkeypatch.setenv(name, value)
    assert main(["record", "NOSUCH", "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "NOSUCH" in err
    assert len(err.strip().splitlines()) == 1


def test_missing_credentials_exit_1_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(os.environ):
        if name.startswith("MULTIMARKETS_"):
            monkeypatch.delenv(name)
    assert main(["record", "EURUSD", "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "MULTIMARKETS_BASE_URL" in err
    assert "Traceback" not in err
    monkeypatch.setenv("MULTIMARKETS_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MULTIMARKETS_COMPANY_ID", "439")
    assert main(["record", "EURUSD", "-o", str(tmp_path), "--messages"]) == 1
    assert "MULTIMARKETS_" in capsys.readouterr().err
