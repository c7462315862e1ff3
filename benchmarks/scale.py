"""Benchmark: 1,000 products on 10 quote connections at 5,000 ticks/s, and the memory of an idle client.

What is measured
    A quote server in its own process (``_scale_server.py``) pushes ``p(`` ticker records, one per
    text frame, at ``--rate`` pushes per second in total (default 5,000), spread evenly over
    ``--products`` products (default 1,000: 5 ticks a second each) in a fixed shuffled order, for
    ``--seconds``. Each push carries its send time (``time.time_ns()``) in the opaque ``seq`` field.
    The SDK puts at most ``StreamSettings.max_products_per_connection`` (100) products on one
    connection, so 1,000 products need 10 connections. Each client runs in a fresh child process, so
    its CPU and memory are its own:

    * ``SDK``: one ``client.quotes.tickers([...1,000 SymbolKeys])`` subscription (default ``maxsize``),
      which the SDK spreads over 10 connections, iterated with ``async for``.
    * ``SDK+picows``: the same on the optional picows backend (only when the ``[fast]`` extra is
      installed).
    * ``raw``: 10 ``websockets`` connections, each subscribed to its 100 products with one 14000
      command, read by 10 tasks that split each push's text (``frame[2:-2].split(",")``): the floor.

    (a) Load: after ``--warmup`` seconds (default 1), the child measures until the server's end
    sentinel (one per connection): its CPU time over wall time (``CPU %``, 100 = one core), its
    resident memory at the end (``RSS``, from ``/proc/self/status``, Linux only) and the one-way
    latency from the server's send to the consumer getting the tick (p50, p99, max).
    (b) Idle: the RSS of a child that only imported what the benchmark imports and ran an event loop
    (``bare``, the baseline); of one with a raw ``websockets`` connection subscribed to 10 products
    (``raw``); of one with an entered SDK client and no subscription (``SDK client``); and of one
    with an SDK client holding 10 one-product ticker subscriptions (``SDK``: one connection,
    heartbeats on), each after ``--idle`` seconds.

    Every case runs ``--repeat`` times (default 3), the order of the clients alternating; medians are
    printed, and each ratio is the median of the per-repetition ratios (runs of one repetition ran back
    to back, which cancels most of the drift of a shared machine).

How to read the output
    ``SDK / raw CPU %`` is what the SDK's connection manager, parsing into typed ``Tick`` values and
    subscription machinery cost at this load relative to a loop that only splits text; ``SDK / raw
    p99`` compares the tail latency; ``sdk / bare, RSS`` (and the MiB it adds) is the memory an idle
    client with 10 subscriptions adds to a process that already imported the SDK, and ``client / bare``
    the part of it the client alone costs (entering it imports the HTTP stack and builds its SSL
    context).

Run it with ``python benchmarks/scale.py [--quick] [--products N] [--rate R] [--seconds S]
[--repeat R] [--idle S]``. It only talks to 127.0.0.1 and stops the server process on exit, error or
Ctrl+C. Not a test: never in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio

# benchmarks/ is the script's directory, first on sys.path
from _common import read_json_line, run_with_server, stop_process
from websockets.asyncio.client import ClientConnection, connect

import multimarkets_async as mm
from multimarkets_async.models.market import SymbolKey

__all__ = ["main"]

SERVER = Path(__file__).with_name("_scale_server.py")
FIRST_SYMBOL = 1001
"""The server pumps symbol ids ``FIRST_SYMBOL ..``; see ``_scale_server.FIRST_SYMBOL``."""
IDLE_SYMBOL = 100_001
"""Idle clients subscribe to ids from here: outside the pumped range, so nothing is pushed to them."""
IDLE_SUBSCRIPTIONS = 10
PER_CONNECTION = mm.StreamSettings().max_products_per_connection
SERVER_TIMEOUT_S = 30.0
CHILD_TIMEOUT_S = 60.0
"""How long a child may take beyond its measured seconds (start-up, connecting, imports)."""

try:
    import picows  # noqa: F401

    HAVE_PICOWS = True
except ImportError:  # the [fast] extra is not installed: measure the default backend only
    HAVE_PICOWS = False


# -- measuring inside a child process ----------------------------------------------------------------


def memory_kib() -> tuple[int, int]:
    """This process's resident set size now and its peak (``VmRSS``, ``VmHWM``), in KiB (Linux)."""
    values = {"VmRSS:": -1, "VmHWM:": -1}
    for line in Path("/proc/self/status").read_text().splitlines():
        parts = line.split()  # "VmRSS:   123456 kB"
        if parts and parts[0] in values:
            values[parts[0]] = int(parts[1])
    return values["VmRSS:"], values["VmHWM:"]


@dataclass(slots=True)
class Window:
    """The measured part of a load run: it starts ``warmup`` seconds after the subscriptions."""

    warmup: float
    measure_from_ns: int = 0
    """Pushes sent (stamped) before this are not counted in the latencies."""
    latencies_ns: list[int] = field(default_factory=list)
    cpu0: float = 0.0
    wall0: float = 0.0
    cpu: float = 0.0
    wall: float = 0.0
    subscribe_s: float = field(default_factory=time.perf_counter)
    """From the window's creation (just before subscribing) to ``subscribed()``: then the duration."""

    def subscribed(self) -> None:
        """The subscriptions are in place: the server starts pushing now."""
        self.subscribe_s = time.perf_counter() - self.subscribe_s
        self.measure_from_ns = time.time_ns() + int(self.warmup * 1e9)

    async def open_after_warmup(self) -> None:
        await anyio.sleep(self.warmup)
        self.cpu0, self.wall0 = time.process_time(), time.perf_counter()

    def close(self) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall0, time.process_time() - self.cpu0

    def result(self, **extra: object) -> dict[str, object]:
        rss, peak = memory_kib()
        ordered = sorted(self.latencies_ns)

        def pct(q: float) -> float:
            if not ordered:
                return float("nan")
            return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e3

        return {
            "ticks": len(ordered),
            "cpu_pct": 100.0 * self.cpu / self.wall if self.wall > 0 else float("nan"),
            "cpu_us_per_tick": 1e6 * self.cpu / max(1, len(ordered)),
            "rss_kib": rss,
            "peak_kib": peak,
            "p50_us": pct(0.50),
            "p99_us": pct(0.99),
            "max_us": pct(1.0),
            "subscribe_s": self.subscribe_s,
            **extra,
        }


def product_keys(products: int, first: int = FIRST_SYMBOL) -> list[SymbolKey]:
    return [SymbolKey(first + i, 1, 1) for i in range(products)]


async def sdk_load(port: int, products: int, warmup: float, picows: bool) -> dict[str, object]:
    """One SDK client, one ticker subscription over every product; ends after every sentinel."""
    now_ns = time.time_ns
    expected = math.ceil(products / PER_CONNECTION)
    sentinels = 0
    backend = mm.PicowsBackend() if picows else None
    url = f"http://127.0.0.1:{port}"
    async with mm.MultiMarkets(base_url=url, company_id=1, socket_backend=backend) as client:
        window = Window(warmup)  # the subscribe time starts here
        latencies = window.latencies_ns
        async with client.quotes.tickers(product_keys(products)) as ticks, anyio.create_task_group() as tg:
            window.subscribed()
            measure_from = window.measure_from_ns
            tg.start_soon(window.open_after_warmup)
            async for tick in ticks:
                seq = tick.seq  # type: ignore[union-attr]
                if seq == 0:
                    sentinels += 1
                    if sentinels == expected:
                        break
                    continue
                if seq >= measure_from:
                    latencies.append(now_ns() - seq)
            window.close()
            stats = ticks.stats
            result = window.result(  # RSS while the client and its subscription are still open
                connections=len(client.quotes._feed.connections),
                received=stats.received,
                delivered=stats.delivered,
                replaced=stats.replaced,
                dropped=stats.dropped,
            )
    return result


def subscribe_frame(keys: list[SymbolKey]) -> str:
    symbols = [
        {"symbol_id": k.symbol_id, "trade_type": k.trade_type, "trade_mode": k.trade_mode} for k in keys
    ]
    return json.dumps(
        {"cmd_id": 14000, "seq_id": 1, "ext": "bench", "data": {"symbol_list": symbols}},
        separators=(",", ":"),
    )


async def raw_connect(port: int, keys: list[SymbolKey]) -> ClientConnection:
    """A bare websockets connection subscribed to ``keys`` (returns after the 14001 reply)."""
    ws = await connect(
        f"ws://127.0.0.1:{port}/apiQuote/quote_guest",
        compression=None,
        ping_interval=None,
        max_size=16 * 1024 * 1024,
        proxy=None,
    )
    await ws.send(subscribe_frame(keys))
    while True:
        frame = await ws.recv()
        if isinstance(frame, str) and frame.startswith("{") and json.loads(frame).get("cmd_id") == 14001:
            return ws


async def raw_load(port: int, products: int, warmup: float) -> dict[str, object]:
    """Bare websockets connections of 100 products each, one reader task per connection."""
    window = Window(warmup)
    latencies = window.latencies_ns
    now_ns = time.time_ns
    keys = product_keys(products)
    connections = [
        await raw_connect(port, keys[i : i + PER_CONNECTION]) for i in range(0, products, PER_CONNECTION)
    ]
    window.subscribed()
    measure_from = window.measure_from_ns

    async def reader(ws: ClientConnection) -> None:
        recv = ws.recv
        while True:
            frame = await recv(True)
            if frame[0] != "p":  # a reply (none are expected during the run)
                continue
            seq = int(frame[2:-2].split(",")[3])
            if seq == 0:
                return
            if seq >= measure_from:
                latencies.append(now_ns() - seq)

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(window.open_after_warmup)
            for ws in connections:
                tg.start_soon(reader, ws)
        window.close()
        return window.result(connections=len(connections))  # RSS with the connections still open
    finally:
        for ws in connections:
            await ws.close()


async def idle(port: int, kind: str, seconds: float) -> dict[str, object]:
    """``bare``: an event loop only; ``raw``: one websockets connection, 10 products; ``client``: an
    SDK client, no subscription; ``sdk``: an SDK client with 10 one-product ticker subscriptions.
    RSS after ``seconds`` of idling."""
    keys = product_keys(IDLE_SUBSCRIPTIONS, IDLE_SYMBOL)
    async with contextlib.AsyncExitStack() as stack:
        if kind == "raw":
            ws = await raw_connect(port, keys)
            stack.push_async_callback(ws.close)
        elif kind in ("client", "sdk"):
            client = await stack.enter_async_context(
                mm.MultiMarkets(base_url=f"http://127.0.0.1:{port}", company_id=1)
            )
            for key in keys if kind == "sdk" else ():
                await stack.enter_async_context(client.quotes.tickers([key]))
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await anyio.sleep(seconds)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        rss, peak = memory_kib()
        return {"rss_kib": rss, "peak_kib": peak, "cpu_pct": 100.0 * cpu / wall}


def child_main(args: argparse.Namespace) -> int:
    """Run one measurement in this (child) process and print its result as one JSON line."""
    mode = args.child
    result: dict[str, object]
    if mode in ("sdk", "sdk+picows"):
        result = anyio.run(sdk_load, args.port, args.products, args.warmup, mode == "sdk+picows")
    elif mode == "raw":
        result = anyio.run(raw_load, args.port, args.products, args.warmup)
    else:
        result = anyio.run(idle, args.port, mode.removeprefix("idle-"), args.idle)
    print(json.dumps(result))
    return 0


# -- the parent: the server process, the children, the report ----------------------------------------


class ScaleServer:
    """The ``_scale_server.py`` child process; it prints its port, then one line per push session."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.port = int(self.read()["port"])

    def read(self, timeout: float = SERVER_TIMEOUT_S) -> dict[str, Any]:
        return read_json_line(self.proc.stdout, timeout, "the scale server")


@contextlib.contextmanager
def scale_server(args: argparse.Namespace) -> Iterator[ScaleServer]:
    """Start ``_scale_server.py`` in a child process; always stop it (closing its stdin)."""
    command = [sys.executable, str(SERVER), "--products", str(args.products), "--rate", str(args.rate)]
    command += ["--seconds", str(args.warmup + args.seconds)]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        yield ScaleServer(proc)
    finally:
        stop_process(proc)


def run_child(mode: str, server: ScaleServer, args: argparse.Namespace) -> dict[str, Any]:
    """One measurement in a fresh process (killed if it overruns); its JSON result."""
    command = [sys.executable, __file__, "--child", mode, "--port", str(server.port)]
    command += ["--products", str(args.products), "--warmup", str(args.warmup), "--idle", str(args.idle)]
    limit = args.warmup + args.seconds + args.idle + CHILD_TIMEOUT_S
    done = subprocess.run(command, capture_output=True, text=True, timeout=limit, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {mode} child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if not mode.startswith("idle"):
        result["server"] = server.read(timeout=limit)  # the session this child read
    return result


def _median(items: list[dict[str, Any]], name: str) -> float:
    return statistics.median(float(item[name]) for item in items)


def _ratio_line(label: str, ratios: list[float]) -> str:
    return f"  {label:<30} {statistics.median(ratios):.3f}x  (runs: {min(ratios):.3f}..{max(ratios):.3f})"


def report_load(args: argparse.Namespace, results: dict[str, list[dict[str, Any]]]) -> None:
    runs = len(results["raw"])
    conns = math.ceil(args.products / PER_CONNECTION)
    print(
        f"\n(a) load: {args.products} products on {conns} connections, {args.rate:.0f} ticks/s for "
        f"{args.seconds:g} s after {args.warmup:g} s warm-up, {runs} runs (medians)"
    )
    print(
        f"  {'client':<11} {'ticks':>7} {'CPU %':>7} {'us/tick':>8} {'RSS MiB':>8} {'peak MiB':>9}"
        f" {'p50 us':>8} {'p99 us':>8} {'max us':>8} {'subscribe s':>12}"
    )
    for name, items in results.items():
        print(
            f"  {name:<11} {_median(items, 'ticks'):>7.0f} {_median(items, 'cpu_pct'):>7.1f}"
            f" {_median(items, 'cpu_us_per_tick'):>8.1f} {_median(items, 'rss_kib') / 1024:>8.1f}"
            f" {_median(items, 'peak_kib') / 1024:>9.1f} {_median(items, 'p50_us'):>8.0f}"
            f" {_median(items, 'p99_us'):>8.0f} {_median(items, 'max_us'):>8.0f}"
            f" {_median(items, 'subscribe_s'):>12.3f}"
        )
    sessions = [item["server"] for items in results.values() for item in items]
    achieved = statistics.median(s["sent"] / s["seconds"] for s in sessions)
    server_cpu = statistics.median(100.0 * s["cpu_s"] / s["seconds"] for s in sessions)
    print(f"  server: {achieved:.0f} pushes/s achieved (target {args.rate:.0f}), {server_cpu:.0f} % CPU")
    for name in [n for n in results if n.startswith("SDK")]:
        sdk, raw = results[name], results["raw"]
        counts = sdk[0]
        print(
            f"  {name}: {counts['connections']} connections; run 1 received {counts['received']},"
            f" delivered {counts['delivered']}, replaced {counts['replaced']}, dropped {counts['dropped']}"
        )
        for label, key in (("CPU %", "cpu_pct"), ("p99", "p99_us"), ("p50", "p50_us"), ("RSS", "rss_kib")):
            ratios = [a[key] / b[key] for a, b in zip(sdk, raw, strict=True)]
            print(_ratio_line(f"{name} / raw, {label}", ratios))


def report_idle(args: argparse.Namespace, results: dict[str, list[dict[str, Any]]]) -> None:
    runs = len(results["idle-bare"])
    print(f"\n(b) idle: RSS after {args.idle:g} s, {IDLE_SUBSCRIPTIONS} subscriptions, {runs} runs (medians)")
    print(f"  {'process':<38} {'RSS MiB':>8} {'peak MiB':>9} {'CPU %':>7}")
    labels = {
        "idle-bare": "bare: the same imports, event loop",
        "idle-raw": "raw: 1 websockets conn, 10 products",
        "idle-client": "SDK client, no subscription",
        "idle-sdk": "SDK: client + 10 ticker subscriptions",
    }
    for mode, items in results.items():
        print(
            f"  {labels[mode]:<38} {_median(items, 'rss_kib') / 1024:>8.1f}"
            f" {_median(items, 'peak_kib') / 1024:>9.1f} {_median(items, 'cpu_pct'):>7.2f}"
        )
    bare = results["idle-bare"]
    for mode in ("idle-raw", "idle-client", "idle-sdk"):
        items = results[mode]
        extra = statistics.median(
            (a["rss_kib"] - b["rss_kib"]) / 1024 for a, b in zip(items, bare, strict=True)
        )
        ratios = [a["rss_kib"] / b["rss_kib"] for a, b in zip(items, bare, strict=True)]
        print(_ratio_line(f"{mode.removeprefix('idle-')} / bare, RSS", ratios) + f"  (+{extra:.1f} MiB)")


def benchmark(server: ScaleServer, args: argparse.Namespace) -> None:
    load_modes = ["SDK", *(["SDK+picows"] if HAVE_PICOWS else []), "raw"]
    load: dict[str, list[dict[str, Any]]] = {name: [] for name in load_modes}
    idle_modes = ["idle-bare", "idle-raw", "idle-client", "idle-sdk"]
    idle_results: dict[str, list[dict[str, Any]]] = {mode: [] for mode in idle_modes}
    for rep in range(args.repeat):
        for name in load_modes if rep % 2 == 0 else reversed(load_modes):
            load[name].append(run_child(name.lower(), server, args))
        for mode in idle_modes if rep % 2 == 0 else reversed(idle_modes):
            idle_results[mode].append(run_child(mode, server, args))
        print(f"  repetition {rep + 1}/{args.repeat} done", flush=True)
    report_load(args, load)
    report_idle(args, idle_results)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, start the server process, run every case in child processes, report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run (3 s of load per case)")
    parser.add_argument("--products", type=int, default=1000, help="products subscribed (default 1000)")
    parser.add_argument("--rate", type=float, default=5000.0, help="pushes per second in total")
    parser.add_argument("--seconds", type=float, help="measured load per run (default 10; quick 3)")
    parser.add_argument("--warmup", type=float, default=1.0, help="load before measuring (default 1 s)")
    parser.add_argument("--idle", type=float, help="idle time before the RSS reading (default 3; quick 1)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of every case (default 3)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.seconds = args.seconds or (3.0 if args.quick else 10.0)
    args.idle = args.idle or (1.0 if args.quick else 3.0)
    if args.child:
        return child_main(args)
    if args.products < 1 or args.rate <= 0 or args.seconds <= 0 or args.repeat < 1 or args.warmup < 0:
        parser.error("--products, --rate, --seconds and --repeat must be positive")
    print(
        f"scale: {args.products} products, {args.rate:.0f} ticks/s, {args.seconds:g} s per run, "
        f"repeat={args.repeat}, picows={'yes' if HAVE_PICOWS else 'no'}"
    )
    return run_with_server(
        scale_server(args),
        lambda server: f"scale server process on 127.0.0.1:{server.port}",
        lambda server: benchmark(server, args),
        "the server process",
    )


if __name__ == "__main__":
    raise SystemExit(main())
