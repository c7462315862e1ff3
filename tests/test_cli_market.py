"""``multimarkets tickers`` and ``multimarkets book`` through the entry point against the simulator:
JSON lines on a pipe, the live table and the ladder on a terminal, Ctrl-C, bad symbols."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from multimarkets_async.cli import _app, main
from multimarkets_async.testing import Simulator

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def sim_env(simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    for name in list(os.environ):
        if name.startswith("MULTIMARKETS_"):
            monkeypatch.delenv(name)
    for name, value in simulator.environment().items():
        monkeypatch.setenv(name, value)
    return simulator


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def child_env(sim: Simulator) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("MULTIMARKETS_")}
    return env | sim.environment()


# -- tickers -------------------------------------------------------------------------------------------


def test_tickers_json_lines_by_name_with_spread_and_change(
    capsys: pytest.CaptureFixture[str], sim_env: Simulator
) -> None:
    code, out, err = cli(capsys, "tickers", "EURUSD", "XAUUSD", "--trade-type", "2", "--count", "2")
    assert (code, err) == (0, "")
    rows = [json.loads(line) for line in out.splitlines()]
    assert {row["symbol"] for row in rows} == {"EURUSD", "XAUUSD"}  # names, not ids
    for row in rows:
        bid, ask = Decimal(row["bid"]), Decimal(row["ask"])
        assert Decimal(row["spread"]) == ask - bid > 0
        assert row["change"] is not None  # the snapshot carries yesterday's close
        assert row["time"].endswith("Z")


def test_tickers_table_on_a_terminal(
    capsys: pytest.CaptureFixture[str], sim_env: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_app, "stdout_is_terminal", lambda: True)
    code, out, _ = cli(capsys, "tickers", "EURUSD", "XAUUSD", "-t", "2", "-n", "2")
    assert code == 0
    assert "Tickers" in out
    for column in ("symbol", "bid", "ask", "spread", "change", "time (UTC)"):
        assert column in out
    assert "EURUSD" in out
    assert "XAUUSD" in out
    assert "{" not in out


def test_tickers_json_flag_wins_on_a_terminal(
    capsys: pytest.CaptureFixture[str], sim_env: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_app, "stdout_is_terminal", lambda: True)
    code, out, _ = cli(capsys, "tickers", "BTCUSDT", "--json", "-t", "2", "-n", "1")
    assert code == 0
    assert json.loads(out)["symbol"] == "BTCUSDT"


def test_an_ambiguous_or_unknown_symbol_is_one_line(
    capsys: pytest.CaptureFixture[str], sim_env: Simulator
) -> None:
    code, _, err = cli(capsys, "tickers", "EURUSD", "-n", "1")
    assert code == 1
    assert err.count("\n") == 1
    assert "listed under tradeTypes [1, 2]; pass --trade-type" in err
    code, _, err = cli(capsys, "tickers", "NOPE", "-n", "1")
    assert (code, err) == (1, "error: unknown symbol 'NOPE'\n")


def _watchdog(proc: subprocess.Popen[bytes] | subprocess.Popen[str]) -> threading.Timer:
    timer = threading.Timer(60, proc.kill)  # a hung command fails the test instead of hanging it
    timer.start()
    return timer


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_tickers_ctrl_c_exits_130_cleanly_after_the_lines_printed(simulator: Simulator) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "multimarkets_async", "tickers", "EURUSD", "XAUUSD", "-t", "2"],
        cwd=ROOT,
        env=child_env(simulator),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    timer = _watchdog(proc)
    try:
        assert proc.stdout is not None
        printed = [proc.stdout.readline(), proc.stdout.readline()]  # the snapshot: a pipe gets JSON lines
        simulator.tick()
        printed.append(proc.stdout.readline())  # a push
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
    finally:
        timer.cancel()
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert "Task was destroyed" not in err
    assert "Unclosed" not in err
    rows = [json.loads(line) for line in printed + rest.splitlines()]  # every line whole
    assert {row["symbol"] for row in rows} == {"EURUSD", "XAUUSD"}


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal")
def test_tickers_live_table_refreshes_in_place_on_a_real_terminal(simulator: Simulator) -> None:
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "multimarkets_async", "tickers", "EURUSD", "-t", "2", "-n", "3"],
        cwd=ROOT,
        env=child_env(simulator) | {"COLUMNS": "100", "TERM": "xterm"},
        stdout=follower,
        stderr=subprocess.PIPE,
    )
    os.close(follower)
    timer = _watchdog(proc)
    screen = b""
    try:
        while proc.poll() is None or screen.count(b"EURUSD") < 1:
            simulator.tick()
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the command
                break
            screen += chunk
        proc.wait(timeout=60)
    finally:
        timer.cancel()
        os.close(leader)
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        proc.stderr.close()
    assert proc.returncode == 0, err
    text = screen.decode(errors="replace")
    assert "Tickers" in text
    assert "EURUSD" in text
    assert "{" not in text
    assert "\x1b[1A" in text or "\x1b[2K" in text  # Rich moved the cursor up to redraw in place


# -- book ----------------------------------------------------------------------------------------------


def test_book_json_lines(capsys: pytest.CaptureFixture[str], sim_env: Simulator) -> None:
    code, out, _ = cli(capsys, "book", "EURUSD", "-t", "2", "--levels", "3", "-n", "1")
    assert code == 0
    [book] = [json.loads(line) for line in out.splitlines()]
    assert book["symbol"] == "EURUSD"
    assert book["time"].endswith("Z")
    bids = [Decimal(price) for price, _ in book["bids"]]
    asks = [Decimal(price) for price, _ in book["asks"]]
    assert 0 < len(bids) <= 3
    assert 0 < len(asks) <= 3
    assert bids == sorted(bids, reverse=True)
    assert asks == sorted(asks)
    assert bids[0] < asks[0]


def test_book_ladder_on_a_terminal(
    capsys: pytest.CaptureFixture[str], sim_env: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_app, "stdout_is_terminal", lambda: True)
    code, out, _ = cli(capsys, "book", "XAUUSD", "-t", "2", "--levels", "2", "-n", "1")
    assert code == 0
    assert re.search(r"XAUUSD \d\d:\d\d:\d\d UTC", out)
    assert "bid volume" in out
    assert "ask volume" in out
    lines = out.splitlines()
    spread = next(i for i, line in enumerate(lines) if "spread" in line)
    prices = [
        Decimal(line.split("│")[2].strip())
        for line in lines
        if line.count("│") == 4 and "." in line and "spread" not in line
    ]
    assert prices == sorted(prices, reverse=True)  # asks above bids, highest first
    assert 0 < spread < len(lines) - 1
