"""Stream tickers through injected network faults; the consumer only sees ticks and, because it asks
for them, connection events.

Run: python examples/stream_tickers.py

The simulator drops the connection, then goes silent while keeping the socket open (a dead peer),
then sends garbage frames. The SDK reconnects, resubscribes and skips the garbage by itself.
"""

from __future__ import annotations

from collections.abc import Callable

import anyio

import multimarkets_async as mm
from multimarkets_async.testing import Simulator

# Short heartbeats so the dead peer is noticed within a second (the platform's defaults: 10 s / 30 s).
STREAMS = mm.StreamSettings(quote_ping_interval=0.2, quote_dead_after=0.6)


async def main() -> None:
    async with Simulator(tick_interval_s=0.02) as sim:
        async with mm.MultiMarkets(
            base_url=sim.base_url, company_id=sim.company_id, streams=STREAMS
        ) as client:
            faults: list[tuple[str, Callable[[], object]]] = [
                ("drop every quote connection", lambda: sim.socket_faults.drop_all("quote")),
                ("go silent (a dead peer)", lambda: sim.socket_faults.go_silent("quote")),
                ("send garbage frames", lambda: sim.socket_faults.send_malformed(3, kind="quote")),
            ]
            ticks_seen = 0
            async with client.quotes.tickers(
                ["EURUSD", "XAUUSD"], trade_type=2, connection_events=True
            ) as ticks:
                async for item in ticks:
                    if isinstance(item, mm.ConnectionEvent):
                        print(f"  [{item.connection} {item.kind.value}]")
                        continue
                    ticks_seen += 1
                    if ticks_seen % 10 == 0:
                        print(f"tick #{ticks_seen}: {item.symbol} bid={item.bid} ask={item.ask}")
                    if ticks_seen % 30 == 0:
                        if not faults:
                            break
                        name, fault = faults.pop(0)
                        print(f"-- fault: {name}")
                        fault()
            (manager,) = client.quotes.connections
            print(
                f"done: {ticks_seen} ticks, {manager.stats.reconnects} reconnects, "
                f"{manager.stats.malformed} malformed frames skipped"
            )


if __name__ == "__main__":
    anyio.run(main)
