"""The child processes of ``relay_throughput.py``: the relay, and the consumers (direct or through NATS).

Each runs in a fresh process, talks to its parent in JSON lines on stdout, and ends when its stdin
closes (the parent's stop signal; Ctrl+C is ignored here, the parent owns it):

* ``relay``: a ``Relay`` reading the feed server's tickers for ``--products`` products (one SDK
  client, catalogue rows given, so no HTTP) and publishing them on NATS under ``--prefix``. Prints
  ``{"active": true}`` once it holds the lease and its subscription is entered. A watcher task
  samples the relay's tick counter every ``WATCH_S`` seconds and keeps the time and process CPU of
  the first and last change, so the publish rate is measured between the first and the last publish
  (to about ``WATCH_S``). When stdin closes it cancels the relay (which drains and releases its
  lease) and prints ``{"published": ..., "first": ..., "last": ..., ...}``. ``--profile PATH``
  runs the whole process under cProfile and dumps the statistics to ``PATH``.
* ``consumer``: ``--feeds`` subscriptions read concurrently in one process: ``--mode direct``, one
  ``client.quotes.tickers`` each (its own ``MultiMarkets`` client on the feed server), or ``--mode
  relay``, one ``connect(...).tickers`` each (its own NATS connection). Prints ``{"ready": true}``
  once every subscription is entered, then reads until it has seen the sentinel (``seq`` 0) of
  every product, and prints per subscription: events yielded, messages received, the wall time from
  its first event to its last sentinel, and (``--latency``) the one-way latency of every event.

Run by ``relay_throughput.py``; ``python benchmarks/_relay_children.py relay|consumer --help``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import anyio

import multimarkets_async as mm
from multimarkets_async.models.market import SymbolKey, Tick
from multimarkets_async.relay import Relay, connect

__all__ = ["main", "product_rows"]

FIRST_SYMBOL = 1001  # the same as _relay_feed_server.FIRST_SYMBOL (no websockets import here)
COMPANY_ID = 1
WATCH_S = 0.002
RUN_TIMEOUT_S = 300.0


def product_rows(products: int) -> list[mm.Symbol]:
    """The catalogue rows of the feed server's products (``P1001`` ...): the SDK names ticks from them."""
    return [
        mm.Symbol.model_validate(
            {
                "symbolId": FIRST_SYMBOL + i,
                "tradeType": 1,
                "dealMode": 1,
                "symbolCode": f"P{FIRST_SYMBOL + i}",
            }
        )
        for i in range(products)
    ]


def say(line: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


async def stdin_closed() -> None:
    """Return when the parent closes our stdin (or dies)."""
    while await anyio.to_thread.run_sync(sys.stdin.readline, abandon_on_cancel=True):
        pass


# -- the relay ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Watch:
    """The relay's tick counter at its first and last change, with the time and process CPU then."""

    published: int = 0
    first_count: int = 0
    first: float = 0.0
    last: float = 0.0
    first_cpu: float = 0.0
    last_cpu: float = 0.0

    async def run(self, count: Callable[[], int]) -> None:
        seen = count()
        while True:
            await anyio.sleep(WATCH_S)
            now = count()
            if now == seen:
                continue
            t, cpu = time.perf_counter(), time.process_time()
            if not self.first:
                self.first, self.first_cpu, self.first_count = t, cpu, now
            self.last, self.last_cpu, self.published, seen = t, cpu, now, now


async def run_relay(args: argparse.Namespace) -> None:
    rows = product_rows(args.products)
    relay = Relay(
        nats=args.nats,
        client=lambda: mm.MultiMarkets(base_url=args.feed, company_id=COMPANY_ID),
        company_id=COMPANY_ID,
        tickers=rows,
        prefix=args.prefix,
        name="bench-relay",
    )
    watch = Watch()
    async with anyio.create_task_group() as tg:
        tg.start_soon(relay.run)
        await relay.wait_role("active")
        say({"active": True})
        tg.start_soon(watch.run, lambda: relay.stats.published["tick"])
        await stdin_closed()
        tg.cancel_scope.cancel()
    say({**asdict(watch), "total": relay.stats.published["tick"], "dropped": relay.stats.dropped})


# -- the consumers --------------------------------------------------------------------------------


@dataclass(slots=True)
class Reading:
    """What one subscription got."""

    delivered: int = 0
    """Events the iterator yielded (sentinels excluded)."""
    received: int = 0
    """Messages the subscription took (parsed pushes for the SDK, NATS messages for a relay feed)."""
    wall: float = 0.0
    """Seconds from its first event to its last sentinel."""
    latencies_ns: list[int] = field(default_factory=list)


async def read_ticks(
    ticks: mm.Subscription[Tick] | Any, products: int, latency: bool, reading: Reading
) -> None:
    """Iterate until every product's sentinel came; fill ``reading``."""
    ended: set[int] = set()
    latencies = reading.latencies_ns
    now_ns = time.time_ns
    delivered = 0
    start = 0.0
    async for tick in ticks:
        if not start:
            start = time.perf_counter()
        seq = tick.seq
        if seq == 0:
            ended.add(tick.symbol_id)
            if len(ended) == products:
                break
            continue
        delivered += 1
        if latency:
            latencies.append(now_ns() - seq)
    reading.wall = time.perf_counter() - start
    reading.delivered = delivered
    reading.received = ticks.stats.received - products


async def consume_direct(args: argparse.Namespace, reading: Reading, ready: Callable[[], None]) -> None:
    async with (
        mm.MultiMarkets(base_url=args.url, company_id=COMPANY_ID) as client,
        client.quotes.tickers(product_rows(args.products)) as ticks,
    ):
        ready()
        await read_ticks(ticks, args.products, args.latency, reading)


async def consume_relay(args: argparse.Namespace, reading: Reading, ready: Callable[[], None]) -> None:
    keys = [SymbolKey(FIRST_SYMBOL + i, 1, 1) for i in range(args.products)]
    async with (
        connect(args.url, company_id=COMPANY_ID, prefix=args.prefix, name="bench-consumer") as feed,
        feed.tickers(keys) as ticks,
    ):
        ready()
        await read_ticks(ticks, args.products, args.latency, reading)


async def run_consumers(args: argparse.Namespace) -> None:
    readings = [Reading() for _ in range(args.feeds)]
    consume = consume_direct if args.mode == "direct" else consume_relay
    entered = 0
    all_ready = anyio.Event()

    def ready() -> None:
        nonlocal entered
        entered += 1
        if entered == args.feeds:
            all_ready.set()

    async with anyio.create_task_group() as outer:
        outer.start_soon(_cancel_on_eof, outer.cancel_scope)
        with anyio.fail_after(RUN_TIMEOUT_S):
            async with anyio.create_task_group() as tg:
                for reading in readings:
                    tg.start_soon(consume, args, reading, ready)
                await all_ready.wait()
                cpu0 = time.process_time()
                say({"ready": True})
            cpu = time.process_time() - cpu0
        say({"cpu": cpu, "readings": [asdict(r) for r in readings]})
        outer.cancel_scope.cancel()


async def _cancel_on_eof(scope: anyio.CancelScope) -> None:
    await stdin_closed()
    scope.cancel()


# -- the command line -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    relay = commands.add_parser("relay", help="run the relay")
    relay.add_argument("--feed", required=True, help="the feed server's base URL (http://127.0.0.1:N)")
    relay.add_argument("--nats", required=True)
    relay.add_argument("--prefix", required=True)
    relay.add_argument("--products", type=int, required=True)
    relay.add_argument("--profile", help="cProfile the process; dump the statistics to this file")
    consumer = commands.add_parser("consumer", help="read ticks, directly or through the relay")
    consumer.add_argument("--mode", choices=("direct", "relay"), required=True)
    consumer.add_argument("--url", required=True, help="the feed server's base URL, or the NATS URL")
    consumer.add_argument("--prefix", default="multimarkets")
    consumer.add_argument("--products", type=int, required=True)
    consumer.add_argument("--feeds", type=int, default=1)
    consumer.add_argument("--latency", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "consumer":
        anyio.run(run_consumers, args)
    elif args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        try:
            anyio.run(run_relay, args)
        finally:
            profiler.disable()
            profiler.dump_stats(args.profile)
    else:
        anyio.run(run_relay, args)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl+C and closes our stdin
    with contextlib.suppress(BrokenPipeError):
        main()
