"""The ``multimarkets`` command through its entry point: global options, exit statuses, errors in one
line, credentials from the environment, ``account`` / ``positions`` / ``orders``, and ``sim`` (``--env``
and serving until Ctrl-C) against the simulator."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import multimarkets_async as mm
from multimarkets_async.cli import _app, main
from multimarkets_async.testing import Simulator

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with no MULTIMARKETS_* variable, whatever the shell running pytest holds."""
    for name in list(os.environ):
        if name.startswith("MULTIMARKETS_"):
            monkeypatch.delenv(name)


@pytest.fixture
def sim_env(simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    """The simulator's credentials in the environment, as ``eval "$(multimarkets sim --env)"`` sets them."""
    for name, value in simulator.environment().items():
        monkeypatch.setenv(name, value)
    return simulator


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


# -- the app ------------------------------------------------------------------------------------------


def test_help_lists_every_command_in_plain_words(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--help")
    assert code == 0
    for command in ("account", "positions", "orders", "tickers", "book", "klines", "record", "demo", "sim"):
        assert f"  {command} " in out
    for command in ("tickers", "book", "account", "positions", "orders", "sim", "demo"):
        code, text, _ = cli(capsys, command, "--help")
        assert code == 0
        assert "Usage: multimarkets " + command in text
        assert "``" not in text
        assert ":class:" not in text
        assert "Args:" not in text
        assert "Raises:" not in text


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "--version") == (0, f"multimarkets-async {mm.__version__}\n", "")


@pytest.mark.parametrize(
    "args",
    [
        ["no-such-command"],
        ["tickers"],
        ["book", "EURUSD", "--levels", "0"],
        ["account", "--trade-type", "two"],
        ["sim", "--env", "--port", "0"],
    ],
)
def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = cli(capsys, *args)
    assert code == 2
    assert "Usage: multimarkets" in err
    assert "Traceback" not in err
    assert out == ""


def test_missing_base_url_is_one_line_naming_the_variable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "account")
    assert (code, out) == (1, "")
    assert err.splitlines() == [err.strip()]
    assert err.startswith("error: MULTIMARKETS_BASE_URL is not set")


def test_missing_credentials_name_the_variables(
    capsys: pytest.CaptureFixture[str], simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MULTIMARKETS_BASE_URL", simulator.base_url)
    monkeypatch.setenv("MULTIMARKETS_COMPANY_ID", str(simulator.company_id))
    for command in ("account", "positions", "orders"):
        code, _, err = cli(capsys, command)
        assert code == 1
        assert err.count("\n") == 1
        assert "MULTIMARKETS_API_KEY and MULTIMARKETS_SECRET_KEY" in err


def test_a_half_set_pair_is_named_and_its_value_never_shown(
    capsys: pytest.CaptureFixture[str], sim_env: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MULTIMARKETS_SECRET_KEY")
    code, out, err = cli(capsys, "account")
    assert (code, out) == (1, "")
    assert "MULTIMARKETS_API_KEY is set but MULTIMARKETS_SECRET_KEY is not" in err
    assert sim_env.api_key not in err


def test_debug_adds_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "--debug", "account")
    assert code == 1
    assert "Traceback" in err
    assert "ConfigurationError" in err
    assert err.splitlines()[-1].startswith("error: MULTIMARKETS_BASE_URL is not set")


def test_a_failure_of_the_platform_is_one_line(
    capsys: pytest.CaptureFixture[str], sim_env: Simulator
) -> None:
    code, _, err = cli(capsys, "account", "--trade-type", "9")
    assert code == 1
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_verbose_turns_on_the_sdk_loggers_only(
    capsys: pytest.CaptureFixture[str], sim_env: Simulator
) -> None:
    code, _, err = cli(capsys, "-vv", "account", "--json")
    assert code == 0
    logged = [line.split()[3] for line in err.splitlines() if len(line.split()) > 3]
    assert logged, err
    assert all(name.startswith("multimarkets_async") for name in logged), err
    code, _, err = cli(capsys, "account", "--json")
    assert (code, err) == (0, "")  # the handler went with the invocation


# -- account, positions, orders ------------------------------------------------------------------------


def test_account_as_json_lines_when_stdout_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str], sim_env: Simulator
) -> None:
    code, out, err = cli(capsys, "account")  # no --json: captured stdout is not a terminal
    assert (code, err) == (0, "")
    rows = json_lines(out)
    assert [row["account_id"] for row in rows] == [1031001, 1031002, 1031005]
    assert rows[1]["balance"] == "10000.0000"  # a decimal, as a string


def test_account_table_on_a_terminal(
    capsys: pytest.CaptureFixture[str], sim_env: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_app, "stdout_is_terminal", lambda: True)
    code, out, _ = cli(capsys, "account", "--trade-type", "2")
    assert code == 0
    assert "Accounts" in out
    assert "balance" in out
    assert "free" in out
    assert "1031002" in out
    assert "10000.0000" in out
    assert "1031001" not in out


async def _trade(sim: Simulator) -> None:
    async with mm.MultiMarkets.from_env(sim.environment()) as client:
        await client.orders.market("EURUSD", side="buy", volume="0.1", trade_type=2)
        await client.orders.limit("XAUUSD", side="buy", volume="0.2", price="1000", trade_type=2)


@pytest.fixture
def traded(sim_env: Simulator) -> Simulator:
    import anyio

    anyio.run(_trade, sim_env)
    return sim_env


def test_positions(
    capsys: pytest.CaptureFixture[str], traded: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = cli(capsys, "positions", "--json")
    assert code == 0
    [position] = json_lines(out)
    assert (position["symbol_name"], position["volume"], position["trade_type"]) == ("EURUSD", "0.1", 2)
    monkeypatch.setattr(_app, "stdout_is_terminal", lambda: True)
    code, out, _ = cli(capsys, "positions")
    assert code == 0
    assert "Open positions" in out
    assert "EURUSD" in out
    assert "BUY" in out


def test_orders_pending_and_history(
    capsys: pytest.CaptureFixture[str], traded: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = cli(capsys, "orders")
    assert code == 0
    [pending] = json_lines(out)
    assert (pending["symbol_code"], pending["open_price"], pending["request_volume"]) == (
        "XAUUSD",
        "1000.00",
        "0.2",
    )
    code, out, _ = cli(capsys, "orders", "--history", "--trade-type", "2")
    assert code == 0
    assert {row["symbol_name"] for row in json_lines(out)} == {"EURUSD", "XAUUSD"}
    monkeypatch.setattr(_app, "stdout_is_terminal", lambda: True)
    code, out, _ = cli(capsys, "orders", "--history")
    assert code == 0
    assert "Orders" in out
    assert "completed" in out
    code, out, _ = cli(capsys, "orders")
    assert code == 0
    assert "Pending orders" in out
    assert "1000.00" in out
    assert "week" in out


def test_the_login_set_is_enough_for_account(
    capsys: pytest.CaptureFixture[str], sim_env: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MULTIMARKETS_API_KEY")
    monkeypatch.delenv("MULTIMARKETS_SECRET_KEY")
    code, out, _ = cli(capsys, "account", "--json")
    assert code == 0
    assert len(json_lines(out)) == 3


# -- sim -----------------------------------------------------------------------------------------------


def test_sim_env_prints_exports_for_the_two_shell_workflow(
    capsys: pytest.CaptureFixture[str], simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = simulator.base_url.rsplit(":", 1)[1]
    code, out, err = cli(capsys, "sim", "--env", "--port", port)
    assert (code, err) == (0, "")
    exported = {}
    for line in out.splitlines():  # what eval "$(multimarkets sim --env --port P)" runs
        assert line.startswith("export MULTIMARKETS_")
        name, _, value = line.removeprefix("export ").partition("=")
        exported[name] = shlex.split(value)[0]
    assert exported == simulator.environment()
    assert {
        "MULTIMARKETS_LOGIN_NAME",
        "MULTIMARKETS_APP_ID",
        "MULTIMARKETS_BRIDGE_API_KEY",
    } <= exported.keys()
    for name, value in exported.items():
        monkeypatch.setenv(name, value)
    code, out, _ = cli(capsys, "account", "--json")
    assert code == 0
    assert json_lines(out)[0]["account_id"] == 1031001


def test_sim_env_says_when_nothing_serves_there(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "sim", "--env", "--port", "1")
    assert code == 0
    assert "export MULTIMARKETS_BASE_URL=http://127.0.0.1:1" in out
    assert "no simulator answers on 127.0.0.1:1" in err


@pytest.fixture
def clean_env() -> Iterator[dict[str, str]]:
    return {name: value for name, value in os.environ.items() if not name.startswith("MULTIMARKETS_")}


def _kill_after(proc: subprocess.Popen[str], seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, proc.kill)  # a hung command fails the test instead of hanging it
    timer.start()
    return timer


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_sim_serves_until_ctrl_c(clean_env: dict[str, str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "multimarkets_async", "sim", "--port", "0"],
        cwd=ROOT,
        env=clean_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    timer = _kill_after(proc, 60)
    try:
        assert proc.stdout is not None
        lines = []
        while not lines or lines[-1] != "Press Ctrl+C to stop.":
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            lines.append(line.rstrip("\n"))
        base_url = lines[0].removeprefix("MultiMarkets simulator on ")
        port = base_url.rsplit(":", 1)[1]
        assert f'In another shell: eval "$(multimarkets sim --env --port {port})"' in lines
        env = clean_env | Simulator(port=int(port)).environment()
        account = subprocess.run(
            [sys.executable, "-m", "multimarkets_async", "account"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert account.returncode == 0, account.stderr
        assert json.loads(account.stdout.splitlines()[0])["account_id"] == 1031001
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        timer.cancel()
    assert proc.returncode == 130
    assert "Traceback" not in err
