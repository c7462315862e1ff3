"""A relay consumer program for the cross-process tests (``tests/test_relay_processes.py``): it reads
one feed subscription and prints one JSON line per event on stdout, flushed, so the test can follow it.

    python tests/_relay_worker.py --nats URL --company-id 1 --prefix P --kind tickers --symbol EURUSD
    python tests/_relay_worker.py --nats URL --company-id 1 --prefix P --kind data-push --group workers

Lines, in order:

* ``{"ready": true}`` once the subscription is entered (its NATS consumer exists);
* one per event: ``{"symbol", "seq", "time_ms", "bid", "ask", "price"}`` for a tick,
  ``{"type", "id"}`` for a data-push event;
* ``{"stopped": true, "stats": {...}}`` (the subscription's ``FeedStats``) when SIGTERM or SIGINT
  stopped it; then it exits 0.

``--sleep S`` makes it a slow consumer: it waits ``S`` seconds after each event before it asks for the
next one (a data-push event is acknowledged when it asks). Errors go to stderr with exit status 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
from collections.abc import Sequence
from typing import Any

import anyio

import multimarkets_async as mm


def emit(line: dict[str, Any]) -> None:
    """One JSON line on stdout, flushed at once (the test reads it through a pipe)."""
    sys.stdout.write(json.dumps(line, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--nats", required=True, help="NATS server URL")
    parser.add_argument("--company-id", type=int, required=True)
    parser.add_argument("--prefix", default=mm.relay.DEFAULT_PREFIX)
    parser.add_argument("--kind", choices=("tickers", "data-push"), required=True)
    parser.add_argument("--symbol", action="append", default=[], help="tickers: a product (repeatable)")
    parser.add_argument("--trade-type", type=int, default=None)
    parser.add_argument("--group", default=None, help="data-push: the worker pool's group")
    parser.add_argument("--sleep", type=float, default=0.0, help="seconds spent on each event")
    args = parser.parse_args(argv)
    if args.kind == "tickers" and not args.symbol:
        parser.error("--kind tickers needs --symbol")
    return args


async def read(feed: mm.relay.RelayFeed, args: argparse.Namespace, stats: list[mm.relay.FeedStats]) -> None:
    """Print every event of the chosen subscription until cancelled."""
    if args.kind == "tickers":
        async with feed.tickers(args.symbol, trade_type=args.trade_type) as ticks:
            stats.append(ticks.stats)
            emit({"ready": True})
            async for tick in ticks:
                emit(
                    {
                        "symbol": tick.symbol,
                        "seq": tick.seq,
                        "time_ms": tick.time_ms,
                        "bid": str(tick.bid),
                        "ask": str(tick.ask),
                        "price": str(tick.price),
                    }
                )
                await anyio.sleep(args.sleep)
        return
    async with feed.data_push(group=args.group) as events:
        stats.append(events.stats)
        emit({"ready": True})
        async for event in events:
            emit({"type": event.event_type, "id": event.id})
            await anyio.sleep(args.sleep)  # the event is acked when the loop asks for the next one


async def main(args: argparse.Namespace) -> None:
    stats: list[mm.relay.FeedStats] = []
    async with mm.relay.connect(args.nats, company_id=args.company_id, prefix=args.prefix) as feed:
        async with anyio.create_task_group() as tg:

            async def stop_on_signal() -> None:
                with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
                    async for _ in signals:
                        tg.cancel_scope.cancel()
                        return

            tg.start_soon(stop_on_signal)
            await read(feed, args, stats)
            tg.cancel_scope.cancel()  # the subscription ended by itself (the feed closed)
    emit({"stopped": True, "stats": dataclasses.asdict(stats[0]) if stats else {}})


if __name__ == "__main__":
    try:
        anyio.run(main, parse(sys.argv[1:]))
    except mm.MultiMarketsError as exc:
        sys.stderr.write(f"worker: {type(exc).__name__}: {exc}\n")
        sys.exit(1)
