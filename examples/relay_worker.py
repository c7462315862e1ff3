"""A worker pool for the Manager's data-push events, read from a relay (``multimarkets relay``) on NATS.

Run it as many times as you like, on as many machines: every worker of one group shares the group's
events, each event goes to one worker, and it is acknowledged once the handler returned (a worker that
dies mid-event has it redelivered to another). With a relay running (docs/scaling-out.md):

    eval "$(multimarkets sim --env)"              # MULTIMARKETS_COMPANY_ID (and the relay's credentials)
    python examples/relay_worker.py               # NATS from $MULTIMARKETS_NATS_URL, else 127.0.0.1:4222
    python examples/relay_worker.py --tasks 4     # four handlers in this process, same group

Ctrl-C or SIGTERM stops it; an event in hand goes back to the group. Without a relay:

    python examples/relay_worker.py --demo        # simulator, NATS server and relay in this process
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections import Counter
from decimal import Decimal

import anyio

import multimarkets_async as mm
from multimarkets_async.testing import NatsServer, Simulator


def describe(event: mm.DataPushEvent) -> str:
    """What a back office would do with an event; here, one line about it."""
    if isinstance(event, mm.DepositEvent):
        return f"deposit {event.proposal_no}: {event.final_amount} to account {event.account_id}"
    if isinstance(event, mm.SubjectWaterEvent):
        moved = (event.amount_in or -(event.amount_out or 0)) * Decimal(10) ** -(event.digits or 0)
        return f"ledger entry {event.id}: {moved:+} on account {event.account_id}"
    if isinstance(event, mm.TradeDealEvent):
        return f"deal {event.id}: order {event.order_id} {event.symbol_name}"
    return f"{event.event_type} {event.id}"


class Tally:
    """Events handled per worker, and a condition to wait for a total."""

    def __init__(self) -> None:
        self.handled: Counter[str] = Counter()
        self.changed = anyio.Condition()

    async def add(self, name: str) -> None:
        async with self.changed:
            self.handled[name] += 1
            self.changed.notify_all()

    async def wait_total(self, total: int) -> None:
        async with self.changed:
            while sum(self.handled.values()) < total:
                await self.changed.wait()


async def work(feed: mm.relay.RelayFeed, group: str, name: str, tally: Tally) -> None:
    """One handler of the pool: each event it gets is acked when it asks for the next one."""
    async with feed.data_push(group=group) as events:
        print(f"{name}: waiting for the events of group {group}", flush=True)
        async for event in events:
            print(f"{name}: {describe(event)}", flush=True)
            await tally.add(name)


async def pool(feed: mm.relay.RelayFeed, group: str, tasks: int, tally: Tally) -> None:
    """``tasks`` handlers sharing one feed (one NATS connection), until cancelled."""
    async with anyio.create_task_group() as tg:
        for number in range(1, tasks + 1):
            tg.start_soon(work, feed, group, f"worker {os.getpid()}/{number}", tally)


async def run_worker(args: argparse.Namespace) -> None:
    """The worker: run the pool until Ctrl-C or SIGTERM."""
    nats = args.nats or os.environ.get("MULTIMARKETS_NATS_URL", mm.relay.DEFAULT_NATS_URL).split(",")
    company_id = args.company_id
    tally = Tally()
    with anyio.open_signal_receiver(signal.SIGTERM) as signals:
        async with mm.relay.connect(nats, company_id=company_id, prefix=args.prefix) as feed:
            async with anyio.create_task_group() as tg:
                tg.start_soon(pool, feed, args.group, args.tasks, tally)
                async for _ in signals:
                    tg.cancel_scope.cancel()
    print(f"stopped: {sum(tally.handled.values())} events handled", flush=True)


async def run_demo(tasks: int) -> None:
    """Everything in one process: a simulator, a NATS server, a relay, and the pool; three deposits."""
    with NatsServer() as server:
        async with Simulator() as sim, anyio.create_task_group() as tg:
            relay = mm.relay.Relay(
                nats=server.url,
                manager=lambda: mm.ManagerClient(
                    base_url=sim.base_url,
                    company_id=sim.company_id,
                    app_id=sim.manager_app_id,
                    app_secret=sim.manager_app_secret,
                ),
                data_push_group="ops",
            )
            tg.start_soon(relay.run)
            await relay.wait_role("active")
            await sim.sockets.wait_for(lambda: sim.sockets.datapush)
            before = len(sim.datapush.events)
            for amount in ("100", "250", "75"):
                sim.datapush.deposit(1031002, amount)  # a deposit, a ledger entry, a balance update
            emitted = len(sim.datapush.events) - before
            tally = Tally()
            async with mm.relay.connect(server.url, company_id=sim.company_id) as feed:
                tg.start_soon(pool, feed, "ops-workers", tasks, tally)
                with anyio.fail_after(30):
                    await tally.wait_total(emitted)  # a new group starts with what the stream holds
            tg.cancel_scope.cancel()
    print(f"done: {emitted} data-push events, each handled once, by {len(tally.handled)} of {tasks} workers")


def first_leaf(group: BaseExceptionGroup[mm.MultiMarketsError]) -> mm.MultiMarketsError:
    """The first error of a (possibly nested) exception group: the one worth a line."""
    found = group.exceptions[0]
    return found if isinstance(found, mm.MultiMarketsError) else first_leaf(found)


def main() -> None:
    parser = argparse.ArgumentParser(description="A worker pool for a relay's data-push events.")
    parser.add_argument("--nats", action="append", metavar="URL", help="NATS server (repeat for a cluster)")
    parser.add_argument("--company-id", type=int, help="default: $MULTIMARKETS_COMPANY_ID")
    parser.add_argument("--group", default="ops-workers", help="the pool's name (default ops-workers)")
    parser.add_argument("--prefix", default=mm.relay.DEFAULT_PREFIX, help="the relay's --prefix")
    parser.add_argument("--tasks", type=int, default=2, help="handlers in this process (default 2)")
    parser.add_argument("--demo", action="store_true", help="run a simulator, NATS and a relay in-process")
    args = parser.parse_args()
    if not args.demo and args.company_id is None:
        company_id = os.environ.get("MULTIMARKETS_COMPANY_ID", "")
        if not company_id.isdigit():
            parser.error("pass --company-id, or set MULTIMARKETS_COMPANY_ID (multimarkets sim --env does)")
        args.company_id = int(company_id)
    try:
        try:
            anyio.run(run_demo, 3) if args.demo else anyio.run(run_worker, args)
        except* mm.MultiMarketsError as failed:  # e.g. no relay has created the streams yet
            sys.exit(f"relay_worker: {first_leaf(failed)}")
    except KeyboardInterrupt:
        print("stopped (Ctrl-C)", flush=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
