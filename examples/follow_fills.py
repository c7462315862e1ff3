"""Follow an account's order fills on the message socket, through a dropped connection.

Run: python examples/follow_fills.py

Every reconnect fetches a fresh push token, logs in again and resubscribes; no fill is lost.
"""

from __future__ import annotations

import anyio

import multimarkets_async as mm
from multimarkets_async.testing import Simulator


async def place(client: mm.MultiMarkets, side: mm.Side) -> int:
    """Open 0.10 lots of EURUSD at market; the order id, to match with its fill push."""
    filled = await client.orders.market("EURUSD", side=side, volume="0.10", trade_type=2)
    return filled.order_id


async def main() -> None:
    async with Simulator() as sim:
        async with mm.MultiMarkets(
            base_url=sim.base_url,
            company_id=sim.company_id,
            api_key=sim.api_key,
            secret_key=sim.secret_key,
            reconnect=mm.ReconnectPolicy(initial_delay=0.05),
        ) as client:
            async with client.messages.subscribe(trade_types=[2], connection_events=True) as events:
                waiting = {await place(client, mm.Side.BUY)}
                async for event in events:
                    if isinstance(event, mm.ConnectionEvent):
                        print(f"  [{event.connection} {event.kind.value}]")
                        if event.kind is mm.ConnectionEventKind.RECONNECTED:
                            waiting.add(await place(client, mm.Side.SELL))
                    elif isinstance(event, mm.TradeEvent):
                        print(
                            f"fill: {event.symbol_name} order {event.order_id} {event.biz_type} "
                            f"{event.deal_amount} @ {event.deal_price}"
                        )
                        waiting.discard(event.order_id or 0)
                        if len(waiting) == 0 and client.messages.connection.stats.reconnects:
                            break
                        print("-- fault: drop the message socket")
                        sim.socket_faults.drop_all("messages")
    print("done: every fill arrived")


if __name__ == "__main__":
    anyio.run(main)
