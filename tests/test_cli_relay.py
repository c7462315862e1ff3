"""``multimarkets relay`` as users run it: a real process against a simulator and a real NATS server,
its status lines, Ctrl-C (130) and SIGTERM (0) after publishing what it received, missing
credentials (1, one line), nothing to relay (2), and ``--help``.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import anyio
import nats
import pytest

from multimarkets_async.cli import main
from multimarkets_async.relay._payloads import decode_datapush
from multimarkets_async.relay._subjects import RelayNames
from multimarkets_async.testing import NatsServer, Simulator

if TYPE_CHECKING:
    from multimarkets_async.relay import Relay, RelayStats

ROOT = Path(__file__).resolve().parents[1]


def _env(sim: Simulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MULTIMARKETS_")}
    return env | sim.environment()


def _lines(stream: Any) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


def _wait_line(lines: queue.Queue[str], seen: list[str], wanted: Any) -> str:
    """The next stderr line for which ``wanted(line)`` holds (every line read is kept in ``seen``)."""
    while True:
        line = lines.get(timeout=20)
        seen.append(line)
        if wanted(line):
            return line


def _stored_kyc_ids(server: NatsServer, names: RelayNames) -> list[str]:
    async def read() -> list[str]:
        nc = await nats.connect(server.url)
        try:
            js = nc.jetstream()
            state = (await js.stream_info(names.datapush_stream)).state
            return [
                str(decode_datapush((await js.get_msg(names.datapush_stream, seq)).data or b"").id)
                for seq in range(state.first_seq, state.last_seq + 1)
                if state.messages
            ]
        finally:
            await nc.close()

    return anyio.run(read)


@pytest.mark.parametrize(
    ("stop", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 0)], ids=["ctrl-c", "sigterm"]
)
def test_the_command_relays_until_stopped_then_publishes_what_it_received(
    simulator: Simulator, nats_server: NatsServer, relay_prefix: str, stop: signal.Signals, status: int
) -> None:
    command = [sys.executable, "-m", "multimarkets_async", "relay", "--nats", nats_server.url]
    command += ["--tickers", "EURUSD,XAUUSD", "--trade-type", "2", "--data-push", "cli-relay"]
    command += ["--prefix", relay_prefix, "--status-every", "0.05", "--name", "cli"]
    seen: list[str] = []
    with subprocess.Popen(
        command, env=_env(simulator), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            lines = _lines(proc.stderr)
            _wait_line(lines, seen, lambda line: line.startswith("relay cli: active"))
            deadline = time.monotonic() + 10
            while not [s for s in simulator.sockets.datapush if s.group == "cli-relay"]:
                assert time.monotonic() < deadline, "the relay never connected its data-push group"
                time.sleep(0.02)
            for n in range(3):
                simulator.datapush.emit("kyc", {"id": f"c{n}", "companyId": simulator.company_id})

            def relayed_enough(line: str) -> bool:
                if not line.startswith("relayed "):
                    return False
                simulator.tick()
                published = line.removeprefix("relayed ").split(";", maxsplit=1)[0]
                counts = {
                    kind: int(count) for count, kind in (part.split() for part in published.split(", "))
                }
                return counts["tick"] >= 4 and counts["datapush"] >= 3

            _wait_line(lines, seen, relayed_enough)
            proc.send_signal(stop)
            assert proc.wait(timeout=30) == status
            _wait_line(lines, seen, lambda line: line.startswith("relay cli: stopped; relayed "))
        finally:
            proc.kill()
    assert not any("Traceback" in line for line in seen)
    assert sorted(_stored_kyc_ids(nats_server, RelayNames(simulator.company_id, relay_prefix))) == [
        "c0",
        "c1",
        "c2",
    ]


def test_missing_credentials_exit_1_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(os.environ):
        if name.startswith("MULTIMARKETS_"):
            monkeypatch.delenv(name)
    assert main(["relay", "--tickers", "EURUSD"]) == 1
    err = capsys.readouterr().err
    assert "MULTIMARKETS_BASE_URL" in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_nothing_to_relay_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["relay"]) == 2
    assert "nothing to relay" in capsys.readouterr().err


def test_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["relay", "--help"]) == 0
    text = capsys.readouterr().out
    for option in (
        "--nats", "--tickers", "--book", "--rolling", "--messages", "--data-push", "--trade-type",
        "--prefix", "--lease-ttl", "--name", "--kept-max-age", "--market-storage",
    ):  # fmt: skip
        assert option in text


@pytest.mark.anyio
async def test_the_standby_line_does_not_claim_another_relay_holds_the_lease(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A relay is in standby while another holds the lease, and also while it waits to try again after
    # a failed take-over (the warning before it says why).
    from multimarkets_async.cli._relay import _show_roles

    class _Roles:
        name = "r"

        def __init__(self) -> None:
            self.roles = ["standby", "active"]
            self.shown = anyio.Event()  # both lines are out once it asks for a third role

        async def next_role(self) -> str:
            if not self.roles:
                self.shown.set()
                await anyio.sleep_forever()
            return self.roles.pop(0)

    relay = _Roles()
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(_show_roles, cast("Relay", relay))
            await relay.shown.wait()
            tg.cancel_scope.cancel()
    err = capsys.readouterr().err.splitlines()
    assert err == ["relay r: standby, waiting for the lease", "relay r: active, publishing"]


def test_no_nats_server_is_one_line_saying_what_to_start(
    simulator: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in _env(simulator).items():
        monkeypatch.setenv(name, value)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"nats://127.0.0.1:{probe.getsockname()[1]}"
    # --status-every below the connect timeout: nothing was relayed, so no counter line either.
    assert main(["relay", "--nats", url, "--tickers", "EURUSD", "-t", "2", "--status-every", "0.05"]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: cannot connect to NATS at {url} (")
    assert line.endswith("is a NATS server with JetStream running there (nats-server -js)? Point --nats or "
                         "$MULTIMARKETS_NATS_URL at it")  # fmt: skip


class _Stats:
    """A ``RelayStats`` stand-in whose summary changes after ``quiet`` calls."""

    def __init__(self, quiet: int) -> None:
        self.calls = 0
        self.quiet = quiet
        self.done = anyio.Event()

    def summary(self) -> str:
        self.calls += 1
        if self.calls > self.quiet + 2:
            self.done.set()
        return "1 tick" if self.calls > self.quiet else "0 tick"


@pytest.mark.anyio
async def test_the_counters_show_once_something_was_relayed(capsys: pytest.CaptureFixture[str]) -> None:
    # A standby relay (or one still connecting to NATS) printed "relayed 0 tick, ..." after a few s.
    from multimarkets_async.cli._relay import _show_counters

    stats = _Stats(quiet=5)
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(_show_counters, cast("RelayStats", stats), 0.001)
            await stats.done.wait()
            tg.cancel_scope.cancel()
    assert capsys.readouterr().err.splitlines() == ["relayed 1 tick"]


def test_relay_notices_and_sdk_warnings_are_status_lines(capsys: pytest.CaptureFixture[str]) -> None:
    # The package's NullHandler swallowed them: a relay that lost NATS, gave its lease up and took it
    # again said nothing at all without -v.
    from multimarkets_async.cli._relay import _notices_on_stderr

    def log(name: str, level: int, message: str, func: str = "somewhere") -> None:
        logger = logging.getLogger(name)
        if logger.isEnabledFor(level):
            logger.handle(logger.makeRecord(name, level, __file__, 1, message, (), None, func=func))

    relay_logger = logging.getLogger("multimarkets_async.relay")
    before = relay_logger.level
    with _notices_on_stderr():
        log("multimarkets_async.relay", logging.INFO, "relay r: gave up the lease (NATS did not answer)")
        log("multimarkets_async.relay", logging.WARNING, "NATS connection lost; reconnecting")
        log("multimarkets_async.ws", logging.WARNING, "quote#1: reconnecting")
        log("multimarkets_async.relay", logging.INFO, "relay r: active (company 439)", func="_set_role")
        log("multimarkets_async.ws", logging.INFO, "quote#1: open")
        log("multimarkets_async.relay", logging.DEBUG, "relay r: lease renewal failed")
    log("multimarkets_async.relay", logging.WARNING, "after the command")
    assert capsys.readouterr().err.splitlines() == [
        "relay r: gave up the lease (NATS did not answer)",
        "NATS connection lost; reconnecting",
        "quote#1: reconnecting",
    ]
    assert relay_logger.level == before


def test_with_v_the_verbose_log_shows_the_notices_once(capsys: pytest.CaptureFixture[str]) -> None:
    from multimarkets_async.cli._app import set_verbosity
    from multimarkets_async.cli._relay import _notices_on_stderr

    set_verbosity(1)
    try:
        with _notices_on_stderr():
            logging.getLogger("multimarkets_async.relay").warning("NATS connection lost; reconnecting")
    finally:
        set_verbosity(0)
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith("WARNING multimarkets_async.relay: NATS connection lost; reconnecting")
