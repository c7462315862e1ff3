"""Relay throughput and latency: ticks through ``Relay`` -> NATS JetStream -> ``relay.connect`` feeds,
against the direct SDK stream (``client.quotes.tickers``) measured in the same run.

Every piece is its own process on 127.0.0.1: the feed server (``_relay_feed_server.py``), a NATS
server with JetStream (``multimarkets_async.testing.NatsServer``), the relay and the consumers
(``_relay_children.py``). Three cases, each a fresh set of child processes per repetition, the
order alternating:

* **direct**: one consumer process, ``client.quotes.tickers`` on the feed server (the baseline);
* **relay x1**: feed -> relay process -> NATS -> one consumer process (``connect(...).tickers``);
* **relay x8**: the same with 8 consumers, each its own NATS connection, in 8 processes (or 8 feeds
  in one process with ``--one-process``). Separate processes is the deployment the relay exists for
  (many workers, each its own process); it also keeps the 8 consumers' decoding from being
  serialised on one event loop, which would measure one Python process rather than the fan-out. On
  a 2-core machine the 8 processes, the relay and nats-server still share the same 2 cores.

Each relay run uses a fresh subject prefix (fresh streams), so nothing from an earlier run (the
latest message per subject, JetStream's duplicate window) is seen again. Consumers subscribe before
the feed starts: the feed server holds its pushes until the parent's "go", sent once the relay is
active and every consumer is subscribed. The feed cycles through ``--products`` products (default
100) and ends with one sentinel push (``seq`` 0) per product; a consumer stops at the last sentinel.

What is counted, (a) throughput: ``--n`` pushes written as fast as the relay's (or the direct
client's) socket takes them.

* **fed/s**: ``n`` / the consumer's wall time from its first event to its last sentinel: how fast
  the whole chain digests the feed (for the direct client: the SDK's parse rate).
* **published/s**: ticks the relay published / the time between its first and last publish (a
  watcher samples the counter every 2 ms). **lost** = ``n`` - published: the relay's platform
  subscription keeps every event up to 10,000 waiting ones, then drops the oldest.
* **received/s**: messages a consumer's subscription took from NATS (its reader coalesces a burst
  to the latest per subject, and the market stream keeps one message per subject, so a consumer
  that falls behind receives fewer than were published); for direct, the pushes the SDK parsed.
* **delivered/s**: events the consumer's ``async for`` yielded (the subscription keeps the latest
  per product for a consumer that is behind, so this is at most received).
* CPU microseconds: the relay process's per published tick (its own ``process_time`` between its
  first and last publish); nats-server's per fed push (``/proc``, Linux, 10 ms resolution: use a
  large ``--n``); the consumer processes' per fed push, summed over the consumers (from "go" to
  their last sentinel).

Ratios are relay / direct per repetition, the median (min..max) over repetitions. (b) Latency:
``--rate`` pushes per second (default 2,000) for ``--seconds``, each carrying its send time
(``time.time_ns()``) in the opaque ``seq`` field; one-way latency is taken when the consumer's
iterator yields the tick (the clock is shared: every process is on this machine); p50/p99/max
pooled over the consumers of a run; the differences relay - direct per repetition.

``--profile`` runs one relay x1 throughput case with the relay process under cProfile and prints
where its time goes. Not a test: never in CI. Every child process is stopped on exit, on error and
on Ctrl+C (each also exits by itself when its parent dies: it watches its stdin).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# benchmarks/ is the script's directory, first on sys.path
from _common import load_parser, read_json_line, run_with_server, stop_process

from multimarkets_async.testing import NatsServer

__all__ = ["main"]

HERE = Path(__file__).parent
SERVER = HERE / "_relay_feed_server.py"
CHILDREN = HERE / "_relay_children.py"
START_TIMEOUT_S = 60.0
"""How long a child may take to start, subscribe, or apply a command (8 processes import at once)."""
RUN_TIMEOUT_S = 300.0


# -- the processes ---------------------------------------------------------------------------------


class Child:
    """A child process and its JSON-lines channel."""

    def __init__(self, argv: list[str], what: str) -> None:
        self.what = what
        # Its own session: a Ctrl+C at the terminal reaches only this process, which stops the child
        # through its stdin (in order, after the child has printed what it has).
        self.proc = subprocess.Popen(
            [sys.executable, *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=HERE,
            start_new_session=True,
        )

    def read(self, timeout: float = START_TIMEOUT_S) -> dict[str, Any]:
        return read_json_line(self.proc.stdout, timeout, self.what)

    def send(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return self.read()

    def finish(self) -> dict[str, Any]:
        """Close stdin (the stop signal) and read the child's last line."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.read()

    def stop(self) -> None:
        stop_process(self.proc)


def stop_all(children: list[Child]) -> None:
    """Stop ``children`` at once: every stdin closed first, so their shutdowns overlap."""
    for child in children:
        with contextlib.suppress(OSError):
            if child.proc.stdin is not None:
                child.proc.stdin.close()
    for child in children:
        child.stop()


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    import os

    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(slots=True)
class Servers:
    """The long-lived processes: the feed server and NATS."""

    feed: Child
    nats: NatsServer
    port: int = 0

    @property
    def feed_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def nats_pid(self) -> int:
        process = self.nats._process  # the benchmark reads its CPU time; NatsServer does not expose it
        return process.pid if process is not None else 0


@contextlib.contextmanager
def servers() -> Iterator[Servers]:
    """Start the feed server and a NATS server; always stop both."""
    feed = Child([str(SERVER)], "the feed server")
    try:
        port = int(feed.read()["port"])
        with NatsServer() as nats:
            yield Servers(feed, nats, port)
    finally:
        feed.stop()


# -- one run ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Run:
    """One case's run: the consumers' readings and what the relay did."""

    n: int
    products: int
    readings: list[dict[str, Any]] = field(default_factory=list)
    consumer_cpu_s: float = 0.0
    relay: dict[str, Any] = field(default_factory=dict)
    nats_cpu_s: float = 0.0

    @property
    def fed_rate(self) -> float:
        return float(statistics.median(self.n / r["wall"] for r in self.readings))

    @property
    def received_rate(self) -> float:
        return float(statistics.median(r["received"] / r["wall"] for r in self.readings))

    @property
    def delivered_rate(self) -> float:
        return float(statistics.median(r["delivered"] / r["wall"] for r in self.readings))

    @property
    def published_rate(self) -> float:
        relay = self.relay
        span = relay["last"] - relay["first"]
        return (relay["published"] - relay["first_count"]) / span if span > 0 else 0.0

    @property
    def relay_cpu_us(self) -> float:
        """The relay process's CPU per published tick, between its first and last publish."""
        relay = self.relay
        count = relay["published"] - relay["first_count"]
        return (relay["last_cpu"] - relay["first_cpu"]) / count * 1e6 if count > 0 else 0.0

    @property
    def lost(self) -> int:
        """Pushes the relay did not publish (the sentinels, one per product, are published too)."""
        return self.n + self.products - int(self.relay["total"])

    @property
    def seen(self) -> float:
        """Latencies taken per consumer (events its iterator yielded)."""
        return sum(len(r["latencies_ns"]) for r in self.readings) / len(self.readings)

    def latency_us(self, q: float) -> float:
        pooled = sorted(x for r in self.readings for x in r["latencies_ns"])
        return pooled[min(len(pooled) - 1, int(q * len(pooled)))] / 1e3 if pooled else float("nan")


def run_case(
    srv: Servers, case: str, n: int, args: argparse.Namespace, latency: bool, profile: str | None = None
) -> Run:
    """Start the case's children, let the feed go, collect the readings, stop the children."""
    run = Run(n, args.products)
    consumers = 1 if case in ("direct", "relay x1") else args.consumers
    started: list[Child] = []  # every child, stopped whatever happens
    readers: list[Child] = []
    try:
        relay: Child | None = None
        prefix = "bench" + uuid.uuid4().hex[:10]
        if case == "direct":
            url, mode = srv.feed_url, "direct"
        else:
            url, mode = srv.nats.url, "relay"
            argv = [str(CHILDREN), "relay", "--feed", srv.feed_url, "--nats", url]
            argv += ["--prefix", prefix, "--products", str(args.products)]
            if profile:
                argv += ["--profile", profile]
            relay = Child(argv, "the relay")
            started.append(relay)
            relay.read()  # {"active": true}
        per_process = [consumers] if args.one_process else [1] * consumers
        for feeds in per_process:
            argv = [str(CHILDREN), "consumer", "--mode", mode, "--url", url, "--prefix", prefix]
            argv += ["--products", str(args.products), "--feeds", str(feeds)]
            readers.append(Child(argv + (["--latency"] if latency else []), "a consumer"))
            started.append(readers[-1])
        for child in readers:
            child.read()  # {"ready": true}
        nats_cpu0 = proc_cpu_s(srv.nats_pid)
        answer = srv.feed.send({"go": True})
        if not answer.get("ok"):
            raise RuntimeError(f"the feed server did not start: {answer.get('error')}")
        for child in readers:
            result = child.read(RUN_TIMEOUT_S)
            run.readings += result["readings"]
            run.consumer_cpu_s += result["cpu"]
        run.nats_cpu_s = proc_cpu_s(srv.nats_pid) - nats_cpu0
        if relay is not None:
            run.relay = relay.finish()
    finally:
        stop_all(started)
    return run


def run_rounds(srv: Servers, args: argparse.Namespace, latency: bool) -> dict[str, list[Run]]:
    n = max(1, int(args.rate * args.seconds)) if latency else args.n
    if latency:
        srv.feed.send({"mode": "latency", "n": n, "rate": args.rate, "products": args.products})
    else:
        srv.feed.send({"mode": "throughput", "n": n, "products": args.products})
    cases = ("direct", "relay x1", f"relay x{args.consumers}")
    results: dict[str, list[Run]] = {case: [] for case in cases}
    for rep in range(args.repeat):
        for case in cases if rep % 2 == 0 else tuple(reversed(cases)):
            results[case].append(run_case(srv, case, n, args, latency))
            print(f"  {'latency' if latency else 'throughput'} rep {rep + 1} {case}: done", file=sys.stderr)
    return results


# -- the report ------------------------------------------------------------------------------------


def _spread(values: list[float], fmt: str = "{:.3f}x") -> str:
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}..{fmt.format(max(values))})"


def _med(runs: list[Run], value: Callable[[Run], float]) -> float:
    return statistics.median(value(run) for run in runs)


def _cell(relayed: bool, runs: list[Run], value: Callable[[Run], float], fmt: str, width: int) -> str:
    """A column of the relayed cases (``-`` for the direct one)."""
    return f"{format(_med(runs, value), fmt) if relayed else '-':>{width}}"


def report_throughput(n: int, args: argparse.Namespace, results: dict[str, list[Run]]) -> None:
    print(f"\n(a) throughput: {n} pushes over {args.products} products per run, {args.repeat} runs (medians)")
    print(
        f"  {'case':<9} {'fed/s':>9} {'published/s':>12} {'lost':>7} {'received/s':>11} {'delivered/s':>12}"
        f" {'relay us':>9} {'nats us':>8} {'consumers us':>13}"
        "  (CPU: relay per published tick; nats and consumers per fed push)"
    )
    for case, runs in results.items():
        relayed = case != "direct"
        print(
            f"  {case:<9} {_med(runs, lambda r: r.fed_rate):>9.0f}"
            f" {_cell(relayed, runs, lambda r: r.published_rate, '.0f', 12)}"
            f" {_cell(relayed, runs, lambda r: r.lost, '.0f', 7)}"
            f" {_med(runs, lambda r: r.received_rate):>11.0f} {_med(runs, lambda r: r.delivered_rate):>12.0f}"
            f" {_cell(relayed, runs, lambda r: r.relay_cpu_us, '.2f', 9)}"
            f" {_cell(relayed, runs, lambda r: r.nats_cpu_s / r.n * 1e6, '.2f', 8)}"
            f" {_med(runs, lambda r: r.consumer_cpu_s / r.n * 1e6):>13.2f}"
        )
    direct = results["direct"]
    print("  ratios relay / direct, median (min..max) over runs:")
    for case, runs in results.items():
        if case == "direct":
            continue
        pairs = list(zip(runs, direct, strict=True))
        print(f"    {case:<9} fed/s        {_spread([a.fed_rate / b.fed_rate for a, b in pairs])}")
        print(f"    {case:<9} published/s  {_spread([a.published_rate / b.fed_rate for a, b in pairs])}")
        print(
            f"    {case:<9} delivered/s  {_spread([a.delivered_rate / b.delivered_rate for a, b in pairs])}"
        )


def report_latency(n: int, args: argparse.Namespace, results: dict[str, list[Run]]) -> None:
    print(
        f"\n(b) latency at {args.rate:.0f} pushes/s over {args.products} products: {n} pushes per run, "
        f"{args.repeat} runs (medians; pooled over a run's consumers)"
    )
    print(
        f"  {'case':<9} {'p50 us':>9} {'p99 us':>9} {'max us':>9} {'seen':>9}"
        f" {'relay us':>9} {'nats us':>8} {'consumers us':>13}  (CPU per push, as in (a))"
    )
    for case, runs in results.items():
        p50, p99 = _med(runs, lambda r: r.latency_us(0.5)), _med(runs, lambda r: r.latency_us(0.99))
        top, seen = _med(runs, lambda r: r.latency_us(1.0)), _med(runs, lambda r: r.seen)
        relayed = case != "direct"
        print(
            f"  {case:<9} {p50:>9.0f} {p99:>9.0f} {top:>9.0f} {seen:>9.0f}"
            f" {_cell(relayed, runs, lambda r: r.relay_cpu_us, '.2f', 9)}"
            f" {_cell(relayed, runs, lambda r: r.nats_cpu_s / r.n * 1e6, '.2f', 8)}"
            f" {_med(runs, lambda r: r.consumer_cpu_s / r.n * 1e6):>13.2f}"
        )
    direct = results["direct"]
    print("  relay - direct (and relay / direct), median (min..max) over runs:")
    for case, runs in results.items():
        if case == "direct":
            continue
        pairs = list(zip(runs, direct, strict=True))
        for q in (0.5, 0.99):
            diff = [a.latency_us(q) - b.latency_us(q) for a, b in pairs]
            ratio = [a.latency_us(q) / b.latency_us(q) for a, b in pairs]
            label = f"{case} p{round(q * 100)}"
            print(f"    {label:<14} {_spread(diff, '{:+.0f} us')}   {_spread(ratio)}")


def profile_relay(srv: Servers, args: argparse.Namespace) -> None:
    """One relay x1 throughput run with the relay process under cProfile; print where its time goes."""
    import pstats

    srv.feed.send({"mode": "throughput", "n": args.n, "products": args.products})
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "relay.prof")
        run = run_case(srv, "relay x1", args.n, args, latency=False, profile=path)
        deadline = time.monotonic() + 10
        while not Path(path).exists() and time.monotonic() < deadline:  # written as the child exits
            time.sleep(0.05)
        print(
            f"profiled relay: {run.relay['total']} published, {run.published_rate:.0f}/s under the "
            f"profiler; consumer fed/s {run.fed_rate:.0f}"
        )
        stats = pstats.Stats(path, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(45)


def benchmark(srv: Servers, args: argparse.Namespace) -> None:
    if args.profile:
        profile_relay(srv, args)
        return
    results = run_rounds(srv, args, latency=False)
    report_throughput(args.n, args, results)
    latency = run_rounds(srv, args, latency=True)
    report_latency(max(1, int(args.rate * args.seconds)), args, latency)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, start the servers, run the benchmark, stop every process."""
    parser = load_parser(
        __doc__,
        quick="a short smoke run (under a minute)",
        n="pushes per throughput run (default 100000; quick 20000)",
        repeat="repetitions of every case (default 3; quick 1)",
        profile="cProfile the relay process over one relay x1 throughput run instead",
    )
    parser.add_argument("--rate", type=float, default=2000.0, help="latency run: pushes per second")
    parser.add_argument("--seconds", type=float, help="latency run: duration (default 3; quick 1)")
    parser.add_argument("--products", type=int, default=100, help="products the feed cycles through (1-100)")
    parser.add_argument("--consumers", type=int, default=8, help="consumers of the fan-out case (default 8)")
    parser.add_argument("--one-process", action="store_true", help="run the consumers in one process")
    args = parser.parse_args(argv)
    args.n = args.n or (20_000 if args.quick else 100_000)
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.seconds = args.seconds or (1.0 if args.quick else 3.0)
    if min(args.n, args.repeat, args.rate, args.seconds) <= 0:
        parser.error("--n, --repeat, --rate and --seconds must be positive")
    if args.consumers < 2:
        parser.error("--consumers must be at least 2 (the fan-out case; relay x1 always runs)")
    if not 1 <= args.products <= 100:
        parser.error("--products must be 1 to 100 (one platform connection)")
    print(
        f"relay_throughput: n={args.n} pushes, {args.products} products, repeat={args.repeat}, "
        f"{args.consumers} consumers ({'one process' if args.one_process else 'one process each'}), "
        f"latency at {args.rate:.0f}/s for {args.seconds:g} s"
    )
    return run_with_server(
        servers(),
        lambda srv: f"feed server on 127.0.0.1:{srv.port}, NATS at {srv.nats.url}",
        lambda srv: benchmark(srv, args),
        "every child process",
    )


if __name__ == "__main__":
    raise SystemExit(main())
