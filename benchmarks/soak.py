"""Soak test: streams with subscriber churn and socket drops for a long time; resources must stay flat.

Runs against the simulator (served from its own thread, as the pytest fixture does):

* tickers: a long-lived subscription, plus churn (a new subscription every ``--churn`` seconds that
  reads a few ticks and leaves);
* private messages: a long-lived subscription, fed by a market order opened and closed every second;
* Manager data push: a long-lived group subscription, fed by the same orders;
* faults: every ``--drop-every`` seconds the simulator aborts every socket; the SDK must reconnect,
  resubscribe and keep delivering.

Prints RSS, the number of asyncio tasks and the error count at the start, every ``--report``
seconds, and at the end; exits 1 when the run ends with errors, more tasks than it started with, or
a stream that stopped delivering.

    python benchmarks/soak.py --minutes 10
    nox -s soak -- --minutes 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio

import multimarkets_async as mm
from multimarkets_async.testing import Simulator

SYMBOLS = ["EURUSD", "XAUUSD", "BTCUSDT", "ETHUSDT"]
FAST_RECONNECT = mm.ReconnectPolicy(initial_delay=0.05, max_delay=0.5, healthy_after=1.0)


def rss_mib() -> float:
    """The process's resident set size now (Linux), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    last_seen: dict[str, float] = field(default_factory=dict)

    def saw(self, what: str) -> None:
        self.counts[what] += 1
        self.last_seen[what] = time.monotonic()

    def failed(self, what: str, exc: BaseException) -> None:
        self.errors[f"{what}: {type(exc).__name__}"] += 1
        logging.getLogger("soak").warning("%s failed: %r", what, exc)


def simulator_records(sim: Simulator) -> dict[str, int]:
    """What the simulator keeps by design (every request, session and event): its share of the RSS."""
    return {
        "sim_requests": len(sim.requests),
        "sim_sessions": len(sim.sockets.history),
        "sim_events": len(sim.datapush.events),
    }


def memory_by_owner(start: tracemalloc.Snapshot, end: tracemalloc.Snapshot) -> dict[str, float]:
    """Growth of traced memory (KiB) between two snapshots: the simulator's, the SDK's, the rest's."""
    owners: Counter[str] = Counter()
    sdk_lines: Counter[str] = Counter()
    for stat in end.compare_to(start, "traceback"):
        files = [frame.filename for frame in stat.traceback]
        if any("/testing/" in f or "uvicorn" in f or "starlette" in f for f in files):
            owner = "simulator"
        elif any("multimarkets_async" in f for f in files):
            owner = "sdk"
            frame = next(fr for fr in stat.traceback if "multimarkets_async" in fr.filename)
            where = f"{frame.filename.rsplit('multimarkets_async/', 1)[-1]}:{frame.lineno}"
            sdk_lines[where] += stat.size_diff
        else:
            owner = "other"
        owners[owner] += stat.size_diff
    for where, size in sdk_lines.most_common(5):
        print(f"  sdk growth {size / 1024:8.1f} KiB at {where}")
    return {owner: round(size / 1024, 1) for owner, size in owners.items()}


def snapshot(label: str, tally: Tally) -> dict[str, Any]:
    gc.collect()
    row = {
        "at": label,
        "rss_mib": round(rss_mib(), 1),
        "tasks": len(asyncio.all_tasks()),
        "errors": sum(tally.errors.values()),
        **{k: tally.counts[k] for k in ("tick", "churn", "message", "datapush", "order", "drop")},
    }
    print("  ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return row


async def follow_tickers(client: mm.MultiMarkets, tally: Tally) -> None:
    async with client.quotes.tickers(SYMBOLS, trade_type=2) as ticks:
        async for _ in ticks:
            tally.saw("tick")


async def churn(client: mm.MultiMarkets, tally: Tally, every: float, stop: anyio.Event) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        symbols = SYMBOLS[n % len(SYMBOLS) :] or SYMBOLS
        try:
            with anyio.fail_after(10):
                async with client.quotes.tickers(symbols, trade_type=2) as ticks:
                    for _ in range(3):
                        await ticks.__anext__()
            tally.saw("churn")
        except (mm.MultiMarketsError, TimeoutError) as exc:
            tally.failed("churn", exc)
        await anyio.sleep(every)


async def follow_messages(client: mm.MultiMarkets, tally: Tally) -> None:
    async with client.messages.subscribe(trade_types=[2]) as events:
        async for _ in events:
            tally.saw("message")


async def follow_data_push(manager: mm.ManagerClient, tally: Tally) -> None:
    async with manager.data_push.events(group="soak") as events:
        async for _ in events:
            tally.saw("datapush")


async def trade(client: mm.MultiMarkets, tally: Tally, stop: anyio.Event) -> None:
    while not stop.is_set():
        try:
            opened = await client.orders.market("EURUSD", side=mm.Side.BUY, volume="0.01", trade_type=2)
            position = await client.positions.get(opened.position_id, trade_type=2)
            if position is not None:
                await client.positions.close(position)
            tally.saw("order")
        except mm.MultiMarketsError as exc:
            tally.failed("order", exc)
        await anyio.sleep(1)


async def drops(sim: Simulator, tally: Tally, every: float, stop: anyio.Event) -> None:
    while not stop.is_set():
        with anyio.move_on_after(every):
            await stop.wait()
        if not stop.is_set():
            sim.socket_faults.drop_all()
            tally.saw("drop")


async def soak(
    minutes: float, churn_every: float, drop_every: float, report_every: float, trace_memory: bool
) -> int:
    tally = Tally()
    with Simulator(tick_interval_s=0.02).serve_in_thread() as sim:
        client = mm.MultiMarkets(
            base_url=sim.base_url,
            company_id=sim.company_id,
            api_key=sim.api_key,
            secret_key=sim.secret_key,
            reconnect=FAST_RECONNECT,
        )
        manager = mm.ManagerClient(
            base_url=sim.base_url,
            company_id=sim.company_id,
            app_id=sim.manager_app_id,
            app_secret=sim.manager_app_secret,
            reconnect=FAST_RECONNECT,
        )
        tasks_before = len(asyncio.all_tasks())
        stop = anyio.Event()
        async with client, manager, anyio.create_task_group() as tg:
            for name, follow in (
                ("tickers", follow_tickers(client, tally)),
                ("messages", follow_messages(client, tally)),
                ("datapush", follow_data_push(manager, tally)),
            ):
                tg.start_soon(_guard, name, follow, tally)
            tg.start_soon(churn, client, tally, churn_every, stop)
            tg.start_soon(trade, client, tally, stop)
            tg.start_soon(drops, sim, tally, drop_every, stop)
            await anyio.sleep(min(10.0, minutes * 60))  # warm up: every connection open and delivering
            first = snapshot("start", tally)
            records_first = simulator_records(sim)
            traced = tracemalloc.take_snapshot() if trace_memory else None
            deadline = time.monotonic() + minutes * 60
            while (left := deadline - time.monotonic()) > 0:
                await anyio.sleep(min(report_every, left))
                snapshot(f"{(time.monotonic() - deadline) / 60 + minutes:.1f}min", tally)
            last = snapshot("end", tally)
            records_last = simulator_records(sim)
            growth = memory_by_owner(traced, tracemalloc.take_snapshot()) if traced is not None else None
            stop.set()
            tg.cancel_scope.cancel()
        tasks_after = len(asyncio.all_tasks())

    now = time.monotonic()
    stale = [what for what in ("tick", "message", "datapush") if now - tally.last_seen.get(what, 0) > 15]
    print(f"RSS {first['rss_mib']} -> {last['rss_mib']} MiB; tasks {first['tasks']} -> {last['tasks']}")
    print(f"tasks before the clients {tasks_before}, after closing them {tasks_after}")
    print(f"errors: {dict(tally.errors) or 'none'}; streams silent at the end: {stale or 'none'}")
    print(f"simulator records {records_first} -> {records_last}")
    if growth is not None:
        print(f"traced memory growth by owner (KiB): {growth}")
    return 1 if tally.errors or stale or last["tasks"] > first["tasks"] or tasks_after > tasks_before else 0


async def _guard(name: str, follow: Any, tally: Tally) -> None:
    with contextlib.suppress(anyio.get_cancelled_exc_class()):
        try:
            await follow
        except mm.MultiMarketsError as exc:
            tally.failed(name, exc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--churn", type=float, default=0.5, help="seconds between churn subscriptions")
    parser.add_argument("--drop-every", type=float, default=20.0, help="seconds between socket drops")
    parser.add_argument("--report", type=float, default=60.0, help="seconds between reports")
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument(
        "--trace-memory",
        action="store_true",
        help="attribute memory growth to the simulator, the SDK and the rest (tracemalloc; slower)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    if args.trace_memory:
        tracemalloc.start(25)
    raise SystemExit(
        asyncio.run(soak(args.minutes, args.churn, args.drop_every, args.report, args.trace_memory))
    )


if __name__ == "__main__":
    main()
