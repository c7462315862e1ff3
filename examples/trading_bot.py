"""A small trading bot on the typed API: watch ticks, trade a moving-average crossover, follow the fill
through the message push, then close the position.

Run: python examples/trading_bot.py

``trade_crossover`` only needs a ``mm.MultiMarkets`` client, so it runs unchanged against the real
platform; ``main`` wires it to the embedded simulator, whose prices move every 20 ms.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterable
from decimal import Decimal

import anyio

import multimarkets_async as mm
from multimarkets_async.testing import Simulator

__all__ = ["crossover_signal", "main", "trade_crossover", "wait_for_fill"]


async def wait_for_fill(events: AsyncIterable[object], order_id: int) -> mm.TradeEvent:
    """The next ``trade`` push about ``order_id`` (pushes for other orders are skipped)."""
    async for event in events:
        if isinstance(event, mm.TradeEvent) and event.order_id == order_id:
            return event
    raise RuntimeError("the message stream ended before the fill arrived")


async def crossover_signal(
    client: mm.MultiMarkets, symbol: str, *, trade_type: int, fast: int, slow: int
) -> mm.Side:
    """Watch mid prices until the ``fast``-tick average crosses the ``slow``-tick one; return the side."""
    mids: deque[Decimal] = deque(maxlen=slow)
    above: bool | None = None  # was the fast average above the slow one on the previous tick?
    async with client.quotes.tickers([symbol], trade_type=trade_type) as ticks:
        async for tick in ticks:
            mids.append((tick.bid + tick.ask) / 2)
            if len(mids) < slow:
                continue
            fast_avg = sum(list(mids)[-fast:]) / fast
            slow_avg = sum(mids) / slow
            now_above = fast_avg > slow_avg
            if above is not None and now_above != above:
                return mm.Side.BUY if now_above else mm.Side.SELL
            above = now_above
    raise RuntimeError("the ticker stream ended before a signal")


async def trade_crossover(
    client: mm.MultiMarkets,
    symbol: str = "EURUSD",
    *,
    volume: str = "0.10",
    trade_type: int = 2,
    fast: int = 5,
    slow: int = 20,
) -> Decimal | None:
    """Open one position on a moving-average crossover, confirm the fill, then close it.

    Returns:
        The realised profit the close reported (``None`` when the platform did not say).
    """
    print(f"watching {symbol}: trade when the {fast}-tick average crosses the {slow}-tick average")
    # Subscribe to the pushes before placing the order, so the fill cannot slip past us.
    async with client.messages.subscribe(trade_types=[trade_type]) as events:
        side = await crossover_signal(client, symbol, trade_type=trade_type, fast=fast, slow=slow)
        print(f"signal: {side.name}")

        opened = await client.orders.market(symbol, side=side, volume=volume, trade_type=trade_type)
        fill = await wait_for_fill(events, opened.order_id)
        print(f"fill: order {opened.order_id} {fill.biz_type} {fill.deal_amount} @ {fill.deal_price}")

        assert opened.position_id is not None  # a market open always names its position
        position = await client.positions.get(opened.position_id, trade_type=trade_type)
        print(f"position {position.position_id}: {mm.Side(position.direction).name} {position.volume}")

        closed = await client.positions.close(position)
        fill = await wait_for_fill(events, closed.order_id)
        print(f"fill: order {closed.order_id} {fill.biz_type} @ {fill.deal_price}, profit {closed.profit}")

    still_open = await client.positions.list(trade_type=trade_type)
    assert all(p.position_id != position.position_id for p in still_open.records)
    print(f"done: position {position.position_id} closed, {len(still_open.records)} open")
    return closed.profit


async def main() -> None:
    """Run the bot against the embedded simulator, with its API key."""
    async with Simulator(tick_interval_s=0.02) as sim:
        async with mm.MultiMarkets(
            base_url=sim.base_url, company_id=sim.company_id, api_key=sim.api_key, secret_key=sim.secret_key
        ) as client:
            with anyio.fail_after(30):  # a safety net for a demo; a real bot runs until stopped
                await trade_crossover(client)


if __name__ == "__main__":
    anyio.run(main)
