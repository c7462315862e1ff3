"""Follow an account's order fills on the message socket, through a dropped connection.

Run: python examples/follow_fills.py

Every reconnect fetches a fresh push token, logs in again and resubscribes; no fill is lost.
"""

from __future__ import annotations

import anyio

import multimarkets_async as mm
from multimarkets_async.testing import Simulator

ORDER = "tradeapi.app.OrderApiService.addMarketOrder"


async def place(client: mm.MultiMarkets, sim: Simulator, direction: int) -> int:
    info = mm.CustomerProfile.model_validate(
        await client.call("customer.app.CustomerWebApiService.findCustomerInfo")
    )
    account = info.account(trade_type=2)
    mid = sim.exchange.market.get(1001).mid  # type: ignore[union-attr]
    order = {
        "tradeType": 2, "symbolId": 1001, "accountId": account.account_id,
        "accountCurrency": account.currency, "accountDigits": account.digits, "bizType": 1,
        "direction": direction, "entryType": 1, "crossLevelNum": 100, "requestNum": "0.10",
        "requestPrice": str(int(mid.scaleb(5))), "requestTime": sim.now_ms(),
    }  # fmt: skip
    filled = await client.call(ORDER, order)
    return int(filled["orderId"])


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
                waiting = {await place(client, sim, direction=1)}
                async for event in events:
                    if isinstance(event, mm.ConnectionEvent):
                        print(f"  [{event.connection} {event.kind.value}]")
                        if event.kind is mm.ConnectionEventKind.RECONNECTED:
                            waiting.add(await place(client, sim, direction=2))
                    elif isinstance(event, mm.TradeEvent):
                        print(f"fill: order {event.order_id} {event.biz_type}", end=" ")
                        print(f"{event.deal_amount} @ {event.deal_price}")
                        waiting.discard(event.order_id or 0)
                        if len(waiting) == 0 and client.messages.connection.stats.reconnects:
                            break
                        print("-- fault: drop the message socket")
                        sim.socket_faults.drop_all("messages")
    print("done: every fill arrived")


if __name__ == "__main__":
    anyio.run(main)
