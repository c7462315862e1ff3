"""Benchmark: ticker stream throughput and latency through the SDK, against a raw websockets loop.

What is measured
    A feed server in its own process (``_feed_server.py``) answers the quote socket's 14000 subscribe
    and 14008 heartbeats, then pushes ``p(1001,1,1,<seq>,<ms>,1.08500,1.08499,1.08501,100,200);``
    records, one per text frame, then a sentinel push (``seq`` 0). Three clients read the same feed,
    one after the other, in this process:

    * ``SDK``: ``client.quotes.tickers([SYMBOL])`` (product 1001 as a catalogue row named ``EURUSD``)
      iterated with ``async for``: the connection manager's reader, ``decode_frame`` into a ``Tick``
      (five ``Decimal`` fields and the product's name), the feed's dispatch, ``Subscription.push``
      (keep-latest per symbol) and the consumer's wake-up.
    * ``raw``: ``websockets.asyncio.client.connect`` and a loop of ``await ws.recv()`` that splits each
      push's text (``frame[2:-2].split(",")``): the floor any Python websockets client pays.
    * ``raw+decode``: the raw loop calling the SDK's sans-I/O ``decode_frame`` on each frame: the
      parsing cost without the SDK's connection and subscription machinery (for the breakdown).
    * ``raw+dialect``: the raw loop calling ``QuoteDialect.decode``, the decoder the SDK's reader
      actually calls (``decode_frame`` also classifies the frame and wraps it in a ``QuoteFrame``).
    * ``SDK+picows``: the SDK iterator on ``PicowsBackend`` (when the ``[fast]`` extra is installed).

    (a) Throughput: the server writes ``--n`` pushes as fast as the socket takes them; the rate is the
    pushes *parsed* by the client (for the SDK: ``stats.received`` of the subscription) over the time
    from the subscription's reply to the sentinel. A keep-latest subscription only keeps the newest
    tick per symbol for a consumer that falls behind, so the consumer may *see* fewer ticks than were
    parsed; that count (``stats.delivered``) is printed too.
    (b) Latency: the server sends ``--rate`` pushes per second (default 2,000) for ``--seconds``, each
    carrying its send time (``time.time_ns()``, the same clock on the same machine) in the opaque
    ``seq`` field; the client computes the one-way latency when its consumer gets the tick.

    Every run is repeated ``--repeat`` times, the order of the clients alternating to cancel drift;
    medians are printed. The client's heartbeat keeps its default period (10 s).

How to read the output
    Throughput: messages/s parsed per client, the client-process CPU microseconds per message, and the
    ratios against the raw loop, each the median of the per-repetition ratios, with the targets of
    issue #12 and whether each is met: SDK / raw >= 0.70, SDK+picows / raw >= 1.20 (faster than a
    websockets loop that does no work), raw+decode / raw >= 0.75 (the decoder's cost).
    Latency: p50/p99/max one-way latency in microseconds per client, then per SDK client how far its
    p50 and p99 are above the raw loop's of the same repetition (median over repetitions; targets
    +15 us at p50 and +30 us at p99).
    The feed repeats the same prices, and the decoder caches the ``Decimal`` of each number string it
    has seen (``protocol/_quote_push.py``), so throughput here is its best case: with every number
    new (all cache misses) ``parse_ticks`` alone is 1.22x faster than before, against 1.7x here.

Run it with ``python benchmarks/stream_throughput.py [--quick] [--n N] [--repeat R] [--profile]``.
``--profile`` runs the SDK throughput case under cProfile and prints where its time goes. It only
talks to 127.0.0.1 and stops the server process on exit, error or Ctrl+C. Not a test: never in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio

# benchmarks/ is the script's directory, first on sys.path
from _common import load_parser, print_profile, read_json_line, run_with_server, stop_process
from websockets.asyncio.client import ClientConnection, connect

import multimarkets_async as mm
from multimarkets_async.models.market import SymbolKey, Tick
from multimarkets_async.protocol.dialects import QuoteDialect
from multimarkets_async.protocol.quote import decode_frame

__all__ = ["main"]

SERVER = Path(__file__).with_name("_feed_server.py")
KEY = SymbolKey(1001, 1, 1)
SYMBOL = mm.Symbol.model_validate({"symbolId": 1001, "tradeType": 1, "dealMode": 1, "symbolCode": "EURUSD"})
"""The product as a catalogue row: the SDK names its ticks (``tick.symbol``) from it, as it does for
every subscription by name, so the measured path includes the naming."""
SUBSCRIBE = json.dumps(
    {
        "cmd_id": 14000,
        "seq_id": 1,
        "ext": "bench",
        "data": {"symbol_list": [{"symbol_id": 1001, "trade_type": 1, "trade_mode": 1}]},
    },
    separators=(",", ":"),
)
RUN_TIMEOUT_S = 120.0
SERVER_TIMEOUT_S = 60.0
"""How long the feed server may take to start or to apply a command (it builds the frames then)."""
TARGETS = {
    "SDK / raw, msgs/s": 0.70,
    "SDK+picows / raw, msgs/s": 1.20,
    "raw+decode / raw, msgs/s": 0.75,
}
"""Throughput ratios to reach (issue #12): each is the median of the per-repetition ratios."""
LATENCY_TARGETS_US = {0.50: 15.0, 0.99: 30.0}
"""Latency at ``--rate``: how far above the raw loop's p50 and p99 an SDK client may be (microseconds)."""


# -- the server process ----------------------------------------------------------------------------


class FeedServer:
    """The feed server child process and its stdin/stdout command channel."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.port = int(self._read()["port"])

    def _read(self) -> dict[str, Any]:
        return read_json_line(self.proc.stdout, SERVER_TIMEOUT_S, "the feed server")

    def configure(self, **command: object) -> None:
        """Set the mode of the next connections; returns once the server has applied it."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        if not self._read().get("ok"):
            raise RuntimeError(f"the feed server refused {command}")

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/apiQuote/quote_guest"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def feed_server() -> Iterator[FeedServer]:
    """Start ``_feed_server.py`` in a child process; always stop it."""
    proc = subprocess.Popen(
        [sys.executable, str(SERVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        yield FeedServer(proc)
    finally:
        stop_process(proc)


# -- the clients -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Run:
    """One client's run over one feed."""

    parsed: int = 0
    """Pushes the client parsed (the sentinel excluded)."""
    seen: int = 0
    """Pushes the consumer got (fewer than parsed when keep-latest coalesced some)."""
    wall: float = 0.0
    cpu: float = 0.0
    latencies_ns: list[int] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.parsed / self.wall

    @property
    def cpu_per_message(self) -> float:
        return self.cpu / max(1, self.parsed)

    def latency_us(self, q: float) -> float:
        ordered = sorted(self.latencies_ns)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e3


Client = Callable[[FeedServer, bool], Awaitable[Run]]


async def sdk_client(server: FeedServer, latency: bool, backend: mm.SocketBackend | None = None) -> Run:
    """Read the feed through ``client.quotes.tickers`` (the default websockets backend)."""
    run = Run()
    latencies = run.latencies_ns
    now_ns = time.time_ns
    async with (
        mm.MultiMarkets(base_url=server.base_url, company_id=1, socket_backend=backend) as client,
        client.quotes.tickers([SYMBOL], maxsize=1 << 20) as ticks,
    ):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        async for tick in ticks:
            seq = tick.seq
            if seq == 0:
                break
            if latency:
                latencies.append(now_ns() - seq)
        run.wall, run.cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        run.parsed = ticks.stats.received - 1
        run.seen = ticks.stats.delivered - 1
    return run


async def _raw_connect(server: FeedServer) -> ClientConnection:
    ws = await connect(
        server.url, compression=None, ping_interval=None, max_size=16 * 1024 * 1024, proxy=None
    )
    await ws.send(SUBSCRIBE)
    while True:  # until the subscription's reply
        frame = await ws.recv()
        if isinstance(frame, str) and frame.startswith("{") and json.loads(frame).get("cmd_id") == 14001:
            return ws


async def raw_client(server: FeedServer, latency: bool) -> Run:
    """Read the feed with a bare websockets loop that splits each push."""
    run = Run()
    latencies = run.latencies_ns
    now_ns = time.time_ns
    count = 0
    ws = await _raw_connect(server)
    try:
        recv = ws.recv
        cpu0, wall0 = time.process_time(), time.perf_counter()
        while True:
            frame = await recv(True)  # text frames come back as str either way; this types it
            if frame[0] != "p":  # a reply (none are expected during the run)
                continue
            fields = frame[2:-2].split(",")
            if fields[3] == "0":
                break
            count += 1
            if latency:
                latencies.append(now_ns() - int(fields[3]))
        run.wall, run.cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    finally:
        await ws.close()
    run.parsed = run.seen = count
    return run


async def _raw_decoding_client(
    server: FeedServer, latency: bool, decode: Callable[[str | bytes], object]
) -> Run:
    """The raw loop, parsing each frame with ``decode`` (which returns the events as a tuple)."""
    run = Run()
    latencies = run.latencies_ns
    now_ns = time.time_ns
    count = 0
    ws = await _raw_connect(server)
    try:
        recv = ws.recv
        cpu0, wall0 = time.process_time(), time.perf_counter()
        while True:
            events = decode(await recv())
            if type(events) is not tuple or not events:  # a reply (none are expected during the run)
                continue
            tick = events[0]
            assert isinstance(tick, Tick)
            seq = tick.seq
            if seq == 0:
                break
            count += 1
            if latency:
                latencies.append(now_ns() - seq)
        run.wall, run.cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    finally:
        await ws.close()
    run.parsed = run.seen = count
    return run


async def raw_decode_client(server: FeedServer, latency: bool) -> Run:
    """The raw loop, parsing each frame with the SDK's ``decode_frame`` (sans-I/O, typed ``Tick``)."""
    return await _raw_decoding_client(server, latency, lambda frame: decode_frame(frame).events)


async def raw_dialect_client(server: FeedServer, latency: bool) -> Run:
    """The raw loop, parsing each frame with ``QuoteDialect.decode``: the decoder the SDK's reader calls."""
    return await _raw_decoding_client(server, latency, QuoteDialect(new_ext=lambda: "bench").decode)


async def sdk_picows_client(server: FeedServer, latency: bool) -> Run:
    """The same SDK iterator on the optional picows backend ([fast] extra)."""
    return await sdk_client(server, latency, backend=mm.PicowsBackend())


CLIENTS: dict[str, Client] = {
    "SDK": sdk_client,
    "raw": raw_client,
    "raw+decode": raw_decode_client,
    "raw+dialect": raw_dialect_client,
}
try:
    import picows  # noqa: F401

    CLIENTS["SDK+picows"] = sdk_picows_client
except ImportError:  # the [fast] extra is not installed: measure the default backend only
    pass


async def timed(client: Client, server: FeedServer, latency: bool) -> Run:
    with anyio.fail_after(RUN_TIMEOUT_S):
        return await client(server, latency)


# -- the report ------------------------------------------------------------------------------------


def _ratio_line(label: str, ratios: list[float]) -> str:
    target = TARGETS.get(label)
    verdict = ""
    if target is not None:
        met = statistics.median(ratios) >= target
        verdict = f"  target >= {target:.2f}x: {'met' if met else 'NOT met'}"
    return (
        f"  {label:<34} {statistics.median(ratios):.3f}x  "
        f"(runs: {min(ratios):.3f}..{max(ratios):.3f}){verdict}"
    )


def _ratios(a: list[Run], b: list[Run]) -> list[float]:
    return [x.rate / y.rate for x, y in zip(a, b, strict=True)]


def report_throughput(n: int, results: dict[str, list[Run]]) -> None:
    runs = len(results["SDK"])
    print(f"\n(a) throughput: {n} pushes per run, {runs} runs (medians)")
    print(f"  {'client':<11} {'msgs/s':>10} {'cpu us/msg':>11} {'consumer saw':>13}")
    for name, items in results.items():
        rate = statistics.median(r.rate for r in items)
        cpu = statistics.median(r.cpu_per_message for r in items) * 1e6
        seen = statistics.median(r.seen for r in items)
        print(f"  {name:<11} {rate:>10.0f} {cpu:>11.2f} {seen:>13.0f}")
    raw = results["raw"]
    print(_ratio_line("SDK / raw, msgs/s", _ratios(results["SDK"], raw)))
    if "SDK+picows" in results:
        print(_ratio_line("SDK+picows / raw, msgs/s", _ratios(results["SDK+picows"], raw)))
    print(_ratio_line("raw+decode / raw, msgs/s", _ratios(results["raw+decode"], raw)))
    print(_ratio_line("raw+dialect / raw, msgs/s", _ratios(results["raw+dialect"], raw)))
    print(_ratio_line("SDK / raw+dialect, msgs/s", _ratios(results["SDK"], results["raw+dialect"])))


def report_latency(n: int, rate: float, results: dict[str, list[Run]]) -> None:
    runs = len(results["SDK"])
    print(f"\n(b) latency at {rate:.0f} msgs/s: {n} pushes per run, {runs} runs (medians)")
    print(f"  {'client':<11} {'p50 us':>9} {'p99 us':>9} {'max us':>9} {'seen':>9}")
    for name, items in results.items():
        p50 = statistics.median(r.latency_us(0.50) for r in items)
        p99 = statistics.median(r.latency_us(0.99) for r in items)
        top = statistics.median(r.latency_us(1.0) for r in items)
        got = statistics.median(len(r.latencies_ns) for r in items)
        print(f"  {name:<11} {p50:>9.0f} {p99:>9.0f} {top:>9.0f} {got:>9.0f}")
    raw = results["raw"]
    for name in ("SDK", "SDK+picows"):
        if name not in results:
            continue
        for q, limit in LATENCY_TARGETS_US.items():
            # Per repetition, the client's percentile minus the raw loop's from the same repetition.
            extra = [a.latency_us(q) - b.latency_us(q) for a, b in zip(results[name], raw, strict=True)]
            median = statistics.median(extra)
            verdict = "met" if median <= limit else "NOT met"
            print(
                f"  {name + ' - raw, p' + str(round(q * 100)):<34} {median:+.1f} us "
                f"(runs: {min(extra):+.1f}..{max(extra):+.1f})  target <= +{limit:g} us: {verdict}"
            )


# -- the benchmark ---------------------------------------------------------------------------------


async def run_rounds(server: FeedServer, repeat: int, latency: bool) -> dict[str, list[Run]]:
    results: dict[str, list[Run]] = {name: [] for name in CLIENTS}
    for rep in range(repeat):
        order = list(CLIENTS) if rep % 2 == 0 else list(reversed(CLIENTS))
        for name in order:
            results[name].append(await timed(CLIENTS[name], server, latency))
    return results


async def benchmark(server: FeedServer, args: argparse.Namespace) -> None:
    warmup = min(args.n, 20_000)
    server.configure(mode="throughput", n=warmup)
    for client in CLIENTS.values():
        await timed(client, server, False)

    if args.profile:
        await profile_sdk(server, args.n)
        return

    server.configure(mode="throughput", n=args.n)
    report_throughput(args.n, await run_rounds(server, args.repeat, latency=False))

    count = max(1, int(args.rate * args.seconds))
    server.configure(mode="latency", n=count, rate=args.rate)
    report_latency(count, args.rate, await run_rounds(server, args.repeat, latency=True))


async def profile_sdk(server: FeedServer, n: int) -> None:
    """cProfile one SDK throughput run; print the functions that take the time."""
    server.configure(mode="throughput", n=n)
    await print_profile(
        lambda: timed(sdk_client, server, False),
        lambda run: f"profiled SDK run: {run.parsed} parsed, {run.rate:.0f} msgs/s under the profiler",
        own=30,
        cumulative=45,
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the options, start the feed server process, run the benchmark, stop the process."""
    parser = load_parser(
        __doc__,
        quick="a short smoke run",
        n="pushes per throughput run (default 200000; quick 50000)",
        repeat="repetitions of every run (default 3; quick 2)",
        profile="cProfile the SDK throughput run instead",
    )
    parser.add_argument("--rate", type=float, default=2000.0, help="latency run: pushes per second")
    parser.add_argument("--seconds", type=float, help="latency run: duration (default 3; quick 1)")
    args = parser.parse_args(argv)
    args.n = args.n or (50_000 if args.quick else 200_000)
    args.repeat = args.repeat or (2 if args.quick else 3)
    args.seconds = args.seconds or (1.0 if args.quick else 3.0)
    if args.n < 1 or args.repeat < 1 or args.rate <= 0 or args.seconds <= 0:
        parser.error("--n, --repeat, --rate and --seconds must be positive")
    print(
        f"stream_throughput: n={args.n} pushes, repeat={args.repeat}, "
        f"latency at {args.rate:.0f}/s for {args.seconds:g} s"
    )
    return run_with_server(
        feed_server(),
        lambda server: f"feed server process on 127.0.0.1:{server.port}",
        lambda server: anyio.run(benchmark, server, args),
        "the feed server process",
    )


if __name__ == "__main__":
    raise SystemExit(main())
