"""The relay across real processes: ``multimarkets relay`` processes against the simulator (served from
this test's thread) and a real NATS server, read by consumer processes (``tests/_relay_worker.py``).

Each test follows the children through their output only: the relay's stderr status lines (role
changes, counters, the final ``stopped; relayed ...`` line) and the workers' JSON lines. Nothing
sleeps for luck: every wait is for a line or for the simulator's socket state, with a deadline, and
every child is killed when a test fails.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, TypeVar

from multimarkets_async.testing import NatsServer, Simulator
from multimarkets_async.testing._sockets.kinds import DataPushSession

ROOT = Path(__file__).resolve().parents[1]
WORKER = ROOT / "tests" / "_relay_worker.py"
EURUSD_ID = 1001
TICKERS = ("--kind", "tickers", "--symbol", "EURUSD", "--trade-type", "2")
LEASE_TTL_S = 2.0
DEADLINE_S = 20.0
"""How long any one wait may take (a generous bound for a loaded 2-core CI machine, not a target)."""

T = TypeVar("T")


class Child:
    """A child process whose stdout and stderr lines are collected by two reader threads."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.out: list[str] = []
        self.err: list[str] = []
        self._changed = threading.Condition()
        self.proc = subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._readers = [
            threading.Thread(target=self._read, args=(stream, into), daemon=True)
            for stream, into in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: IO[str] | None, into: list[str]) -> None:
        assert stream is not None
        for line in stream:
            with self._changed:
                into.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, found: Callable[[], T | None], what: str, timeout: float = DEADLINE_S) -> T:
        """Wait until ``found()`` (looking at the collected lines) returns something; return it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (value := found()):
                left = deadline - time.monotonic()
                ended = self.proc.poll() is not None and not any(r.is_alive() for r in self._readers)
                if left <= 0 or ended:
                    raise AssertionError(f"{self.name}: no {what}; stderr:\n" + "\n".join(self.err[-20:]))
                self._changed.wait(min(left, 0.5))
            return value

    def err_line(self, prefix: str) -> str:
        """The first stderr line starting with ``prefix`` (waiting for it)."""
        return self.wait_for(lambda: next((x for x in self.err if x.startswith(prefix)), None), repr(prefix))

    def events(self) -> list[dict[str, Any]]:
        """The JSON lines printed so far, but the ``ready`` and ``stopped`` ones."""
        with self._changed:
            lines = [json.loads(line) for line in self.out if line.startswith("{")]
        return [line for line in lines if "ready" not in line and "stopped" not in line]

    def stop(self, how: signal.Signals = signal.SIGTERM) -> int:
        """Send ``how`` and wait for the exit status, then for the last lines."""
        self.proc.send_signal(how)
        status = self.proc.wait(timeout=DEADLINE_S)
        for reader in self._readers:
            reader.join(timeout=DEADLINE_S)
        return status

    def kill(self) -> None:
        """SIGKILL it unless it has exited; wait for it and close its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=DEADLINE_S)
        for reader in self._readers:
            reader.join(timeout=DEADLINE_S)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


class Cluster:
    """Starts relays and workers for one simulator, NATS server and prefix; kills them all at the end."""

    def __init__(self, sim: Simulator, server: NatsServer, prefix: str, stack: ExitStack) -> None:
        self.sim = sim
        self.server = server
        self.prefix = prefix
        self._stack = stack
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MULTIMARKETS_")}
        self.env |= sim.environment() | {"PYTHONUNBUFFERED": "1"}

    def _start(self, name: str, command: list[str]) -> Child:
        child = Child(name, command, self.env)
        self._stack.callback(child.kill)
        return child

    def relay(self, name: str, *options: str) -> Child:
        """``multimarkets relay`` with counter lines every 0.1 s."""
        command = [sys.executable, "-m", "multimarkets_async", "relay", "--nats", self.server.url]
        command += ["--prefix", self.prefix, "--name", name, "--status-every", "0.1", *options]
        return self._start(name, command)

    def workers(self, *specs: tuple[str, ...]) -> list[Child]:
        """Consumer processes (``(name, *options)`` each), started together; returns once every one's
        subscription is entered."""
        started = [self._start_worker(name, *options) for name, *options in specs]
        for child in started:
            child.wait_for(lines_with(child, '{"ready":true}', 1), "ready line")
        return started

    def worker(self, name: str, *options: str) -> Child:
        """A consumer process; returns once its subscription is entered."""
        (child,) = self.workers((name, *options))
        return child

    def _start_worker(self, name: str, *options: str) -> Child:
        command = [sys.executable, str(WORKER), "--nats", self.server.url, "--prefix", self.prefix]
        command += ["--company-id", str(self.sim.company_id), *options]
        return self._start(name, command)

    def example_worker(self, name: str) -> Child:
        """``examples/relay_worker.py`` as the docs run it: NATS and company from the environment."""
        env = self.env | {"MULTIMARKETS_NATS_URL": self.server.url}
        command = [sys.executable, str(ROOT / "examples" / "relay_worker.py"), "--prefix", self.prefix]
        child = Child(name, command, env)
        self._stack.callback(child.kill)
        return child

    def datapush_session(self, group: str) -> DataPushSession:
        """The simulator's live data-push connection of ``group`` (waiting for one)."""
        return poll(lambda: next((s for s in self.sim.sockets.datapush if s.group == group), None), group)

    def emit(self, *ids: str) -> None:
        for event_id in ids:
            self.sim.datapush.emit("kyc", {"id": event_id, "companyId": self.sim.company_id, "updateTime": 1})


@contextmanager
def cluster(sim: Simulator, server: NatsServer, prefix: str) -> Iterator[Cluster]:
    with ExitStack() as stack:
        yield Cluster(sim, server, prefix, stack)


def poll(found: Callable[[], T | None], what: str) -> T:
    """Poll the simulator's state (another thread's) until ``found()`` returns something."""
    deadline = time.monotonic() + DEADLINE_S
    while not (value := found()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)
    return value


def ids(worker: Child) -> list[str]:
    return [str(event["id"]) for event in worker.events()]


def lines_with(worker: Child, text: str, count: int) -> Callable[[], bool]:
    return lambda: sum(text in line for line in worker.out) >= count


def saw(worker: Child, seq: int) -> Callable[[], bool]:
    return lambda: seq in seqs(worker)


def has_ids(worker: Child, count: int) -> Callable[[], bool]:
    return lambda: len(worker.events()) >= count


def seqs(worker: Child) -> list[int]:
    return [int(event["seq"]) for event in worker.events()]


def relayed(line: str) -> dict[str, int]:
    """The counters of a relay status line: ``{"tick": 12, ..., "dropped": 0, "duplicates": 2}``."""
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", line.split("relayed ", 1)[1])}
    return {"duplicates": 0} | counts


def test_ticks_reach_two_consumer_processes_and_a_late_one_gets_the_latest_at_once(
    simulator: Simulator, nats_server: NatsServer, relay_prefix: str
) -> None:
    with cluster(simulator, nats_server, relay_prefix) as c:
        relay = c.relay("ticks", "--tickers", "EURUSD", "--trade-type", "2")
        relay.err_line("relay ticks: active")
        first, second = c.workers(("w1", *TICKERS), ("w2", *TICKERS))
        sent = []
        for _ in range(8):  # one tick at a time, each seen by both, so both see every one
            quote = next(q for q in simulator.tick()[0] if q.symbol_id == EURUSD_ID)
            sent.append({"seq": quote.seq, "time_ms": quote.time_ms, "bid": quote.bid, "ask": quote.ask})
            for worker in (first, second):
                worker.wait_for(saw(worker, quote.seq), f"tick {quote.seq}")

        def received(worker: Child) -> list[dict[str, Any]]:
            got = [e for e in worker.events() if e["seq"] >= sent[0]["seq"]]
            assert {e["symbol"] for e in got} == {"EURUSD"}
            return [
                {"seq": e["seq"], "time_ms": e["time_ms"], "bid": Decimal(e["bid"]), "ask": Decimal(e["ask"])}
                for e in got
            ]

        assert received(first) == received(second) == sent

        late = c.worker("late", *TICKERS)
        late.wait_for(late.events, "a tick")
        (latest,) = received(late)  # before any new tick: the relay's latest, and nothing else
        assert latest == sent[-1]
        assert relay.stop() == 0
        assert not any("Traceback" in line for child in (relay, first, second, late) for line in child.err)


def test_a_data_push_stream_survives_a_relay_restart_with_nothing_lost_or_repeated(
    simulator: Simulator, nats_server: NatsServer, relay_prefix: str
) -> None:
    with cluster(simulator, nats_server, relay_prefix) as c:
        relay = c.relay("first", "--data-push", "ops")
        relay.err_line("relay first: active")
        worker = c.worker("worker", "--kind", "data-push", "--group", "workers")
        session = c.datapush_session("ops")
        c.emit("e0", "e1", "e2")
        worker.wait_for(has_ids(worker, 3), "the first three events")

        assert relay.stop(signal.SIGTERM) == 0
        assert relayed(relay.err_line("relay first: stopped;"))["datapush"] == 3
        poll(lambda: session.closed, "the relay's data-push connection to close")
        c.emit("e3", "e4", "e5")  # nobody connected: the platform keeps them for the group
        simulator.datapush.redeliver_on_connect(2)  # and repeats e1, e2 on the next connection

        again = c.relay("second", "--data-push", "ops")
        again.err_line("relay second: active")
        assert c.datapush_session("ops") is not session
        c.emit("e6", "e7")
        worker.wait_for(has_ids(worker, 8), "eight events")
        assert again.stop(signal.SIGTERM) == 0
        final = relayed(again.err_line("relay second: stopped;"))
        assert worker.stop(signal.SIGTERM) == 0
    assert ids(worker) == [f"e{n}" for n in range(8)]  # every event once, in order
    assert (final["datapush"], final["duplicates"], final["dropped"]) == (7, 2, 0)  # e1, e2 seen again


def test_two_relays_fail_over_without_a_gap_or_a_duplicate(
    simulator: Simulator, nats_server: NatsServer, relay_prefix: str
) -> None:
    ttl = ["--lease-ttl", str(LEASE_TTL_S)]
    with cluster(simulator, nats_server, relay_prefix) as c:
        active = c.relay("one", "--data-push", "ops", *ttl)
        active.err_line("relay one: active")
        standby = c.relay("two", "--data-push", "ops", *ttl)
        worker = c.worker("worker", "--kind", "data-push", "--group", "workers")
        standby.err_line("relay two: standby")
        session = c.datapush_session("ops")
        c.emit("b0", "b1", "b2")
        worker.wait_for(has_ids(worker, 3), "the events before")

        simulator.datapush.redeliver_on_connect(2)  # the standby's connection gets b1, b2 again
        active.kill()  # SIGKILL: no drain, no release; the lease expires
        killed_at = time.monotonic()
        # An event pushed to the dying connection would count as delivered: wait until it is gone.
        poll(lambda: session.closed, "the killed relay's data-push connection to close")
        c.emit("d0", "d1", "d2")
        standby.err_line("relay two: active")
        took_over_in = time.monotonic() - killed_at
        c.emit("a0", "a1", "a2")
        worker.wait_for(has_ids(worker, 9), "nine events")
        assert standby.stop(signal.SIGTERM) == 0
        final = relayed(standby.err_line("relay two: stopped;"))
        assert worker.stop(signal.SIGTERM) == 0
    assert ids(worker) == ["b0", "b1", "b2", "d0", "d1", "d2", "a0", "a1", "a2"]
    assert (final["datapush"], final["duplicates"], final["dropped"]) == (8, 2, 0)
    # Within the lease's TTL and one renewal interval (TTL / 3), plus room for a loaded machine to
    # start the platform connections: not a timing target, a bound that says "it did not hang".
    assert took_over_in < LEASE_TTL_S + LEASE_TTL_S / 3 + 5.0


def test_a_slow_consumer_does_not_slow_the_relay_or_a_fast_consumer(
    simulator: Simulator, nats_server: NatsServer, relay_prefix: str
) -> None:
    bursts, steps = 30, 10
    with cluster(simulator, nats_server, relay_prefix) as c:
        relay = c.relay("ticks", "--tickers", "EURUSD", "--trade-type", "2")
        relay.err_line("relay ticks: active")
        slow, fast = c.workers(("slow", *TICKERS, "--sleep", "0.2"), ("fast", *TICKERS))
        last = 0
        for _ in range(bursts):  # each burst pushed at once; the fast consumer has to keep up
            last = next(q for q in simulator.tick(steps)[0] if q.symbol_id == EURUSD_ID).seq
            fast.wait_for(saw(fast, last), f"tick {last}")
        slow.wait_for(saw(slow, last), "the latest tick, in the end")

        assert relay.stop(signal.SIGTERM) == 0
        final = relayed(relay.err_line("relay ticks: stopped;"))
        assert worker_stats(slow)["delivered"] == len(seqs(slow))
        for worker in (fast, slow):
            assert seqs(worker) == sorted(set(seqs(worker)))  # in order, none twice
    assert final["tick"] >= bursts * steps  # the relay published every tick the platform sent
    assert final["dropped"] == 0
    assert len(seqs(slow)) < len(seqs(fast))  # the slow one lagged and got the latest tick instead


def worker_stats(worker: Child) -> dict[str, int]:
    """A worker's ``FeedStats`` (stops it with SIGTERM)."""
    assert worker.stop(signal.SIGTERM) == 0
    (stopped,) = [json.loads(line) for line in worker.out if '"stopped"' in line]
    return dict(stopped["stats"])


def test_the_example_worker_pool_shares_the_events_across_processes(
    simulator: Simulator, nats_server: NatsServer, relay_prefix: str
) -> None:
    sent = [f"k{n}" for n in range(12)]
    with cluster(simulator, nats_server, relay_prefix) as c:
        relay = c.relay("relay", "--data-push", "ops")
        relay.err_line("relay relay: active")
        c.datapush_session("ops")
        workers = [c.example_worker("one"), c.example_worker("two")]
        for worker in workers:  # two handlers each, ready once subscribed
            worker.wait_for(lines_with(worker, ": waiting for the events", 2), "ready lines")
        c.emit(*sent)

        def handled() -> list[str]:
            return [
                m for w in workers for m in re.findall(r"^worker \d+/\d: kyc (\S+)$", "\n".join(w.out), re.M)
            ]

        workers[0].wait_for(lambda: len(handled()) >= len(sent), "every event handled")
        for worker in workers:
            assert worker.stop(signal.SIGTERM) == 0
            assert worker.out[-1].startswith("stopped: ")
            assert not worker.err
    assert sorted(handled()) == sorted(sent)  # each event once, by one worker of the pool


def test_the_example_worker_ends_on_ctrl_c_with_130_and_no_traceback(
    simulator: Simulator, nats_server: NatsServer, relay_prefix: str
) -> None:
    with cluster(simulator, nats_server, relay_prefix) as c:
        c.relay("relay", "--data-push", "ops").err_line("relay relay: active")
        worker = c.example_worker("one")
        worker.wait_for(lines_with(worker, ": waiting for the events", 2), "ready lines")
        assert worker.stop(signal.SIGINT) == 130  # as a shell expects of Ctrl-C (the relay's status too)
        assert worker.out[-1] == "stopped (Ctrl-C)"
        assert not worker.err


def test_the_example_worker_says_in_one_line_that_no_relay_made_the_streams(
    simulator: Simulator, nats_server: NatsServer, relay_prefix: str
) -> None:
    # The stream error comes out of nested task groups; the user sees it, not "unhandled errors in a
    # TaskGroup (2 sub-exceptions)".
    with cluster(simulator, nats_server, relay_prefix) as c:
        worker = c.example_worker("early")
        assert worker.proc.wait(timeout=DEADLINE_S) == 1
        worker.kill()  # joins the readers
    (line,) = worker.err
    assert line.startswith(f"relay_worker: there is no stream {relay_prefix.upper()}_")
    assert "start `multimarkets relay`" in line


def test_the_example_worker_without_a_company_id_says_what_to_set(nats_server: NatsServer) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MULTIMARKETS_")}
    command = [sys.executable, str(ROOT / "examples" / "relay_worker.py"), "--nats", nats_server.url]
    done = subprocess.run(
        command, check=False, env=env, cwd=ROOT, capture_output=True, text=True, timeout=DEADLINE_S
    )
    assert done.returncode == 2
    assert "MULTIMARKETS_COMPANY_ID" in done.stderr
    assert "--company-id" in done.stderr
    assert "Traceback" not in done.stderr
