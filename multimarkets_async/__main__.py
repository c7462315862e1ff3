"""The ``multimarkets`` command: ``demo`` (the SDK against the embedded simulator) and ``sim`` (serve it).

This is an application entry point, so it is the one place that starts an event loop; the library
itself never calls ``asyncio.run``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

import anyio

__all__ = ["main"]

_ORDER = "tradeapi.app.OrderApiService.addMarketOrder"


def _print(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


async def demo() -> None:
    """Walk through the SDK against a simulator started in this process."""
    import multimarkets_async as mm
    from multimarkets_async.testing import Simulator

    # Prices move every 50 ms, so the streams below have something to show.
    async with Simulator(tick_interval_s=0.05) as sim:
        _print(f"Simulator listening on {sim.base_url} (company {sim.company_id})")
        symbols = await _demo_guest(mm, sim)
        await _demo_login(mm, sim)
        async with mm.MultiMarkets(
            base_url=sim.base_url, company_id=sim.company_id, api_key=sim.api_key, secret_key=sim.secret_key
        ) as bot:
            order = await _demo_orders(mm, sim, bot, symbols)
            await _demo_tickers(mm, sim, bot)
            await _demo_pushes(mm, bot, order)
    _print()
    _print("Done: the simulator stopped and every connection closed.")


async def _demo_guest(mm: Any, sim: Any) -> list[dict[str, Any]]:
    _print()
    _print("1. A guest reads reference data and the server clock")
    async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id) as guest:
        offset = await guest.sync_clock()
        _print(f"   server clock offset: {offset} ms")
        symbols: list[dict[str, Any]] = await guest.call(
            "config.app.AppSymbolDubboService.getSymbolBaseList", {"customerGroupId": sim.customer_group_id}
        )
        for row in symbols[:4]:
            _print(
                f"   {row['symbolCode']:<10} id={row['symbolId']:<6} tradeType={row['tradeType']} "
                f"digits={row['symbolDigits']}"
            )
    return symbols


async def _demo_login(mm: Any, sim: Any) -> None:
    _print()
    _print("2. A customer logs in with a password (sent as its MD5 hash)")
    async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id) as client:
        profile = await client.login(login_name=sim.login_name, password=sim.password)
        _print(f"   {profile.customer_no}: {len(profile.account_list)} accounts; repr hides the token:")
        _print(f"   {client!r}")
        await client.logout()


async def _demo_orders(mm: Any, sim: Any, bot: Any, symbols: list[dict[str, Any]]) -> dict[str, Any]:
    _print()
    _print("3. A bot trades over the Open API (every request signed with SHA1withRSA)")
    info = mm.CustomerProfile.model_validate(
        await bot.call("customer.app.CustomerWebApiService.findCustomerInfo")
    )
    account = info.account(trade_type=2)
    symbol = next(s for s in symbols if s["symbolCode"] == "EURUSD")
    quote = sim.exchange.market.get(symbol["symbolId"])
    order: dict[str, Any] = {
        "tradeType": 2,
        "symbolId": symbol["symbolId"],
        "accountId": account.account_id,
        "accountCurrency": account.currency,
        "accountDigits": account.digits,
        "bizType": 1,
        "direction": 1,
        "entryType": 1,
        "crossLevelNum": 100,
        "expireType": 1,
        "requestNum": "0.1",
        "requestPrice": str(int(quote.mid.scaleb(int(symbol["symbolDigits"])).to_integral_value())),
        "requestTime": sim.now_ms(),
    }
    _print(f"   balance before: {account.balance} {account.currency}")
    filled = await bot.call(_ORDER, order)
    _print(
        f"   bought {filled['tradeVolume']} {filled['symbolName']} at {filled['executePrice']}: "
        f"order {filled['orderId']}, position {filled['positionId']}"
    )
    _print("   the simulator now drops the answer to the next order after executing it...")
    sim.faults.drop_next(after_processing=True, biz_type="addMarketOrder")
    again = await bot.call(_ORDER, order)
    _print(
        f"   ...the SDK retried with the same idempotency-key and got order {again['orderId']} back, "
        f"executed once ({len(sim.exchange.orders)} orders on the exchange)"
    )
    _print("   a price with too many decimals is refused with a typed error:")
    try:
        await bot.call(_ORDER, {**order, "requestPrice": "1.5"})
    except mm.APIError as exc:
        _print(f"   {type(exc).__name__}: {exc}")
    return order


async def _demo_tickers(mm: Any, sim: Any, bot: Any) -> None:
    _print()
    _print("4. Tickers stream as an async iterator, through a dropped connection")
    keys = [mm.SymbolKey(1001, 2, 1), mm.SymbolKey(1002, 2, 1)]
    shown = 0
    async with bot.quotes.tickers(keys, connection_events=True) as ticks:
        async for item in ticks:
            if isinstance(item, mm.ConnectionEvent):
                _print(f"   -- {item.connection} {item.kind.value} --")
                continue
            shown += 1
            _print(f"   tick {item.symbol_id}: bid {item.bid} ask {item.ask} (seq {item.seq})")
            if shown == 3:
                _print("   the simulator now drops every quote connection...")
                sim.socket_faults.drop_all("quote")
            if shown == 6:
                break
        stats = bot.quotes.connections[0].stats
        _print(f"   {stats.reconnects} reconnect; {ticks.stats.replaced} stale ticks replaced by newer ones")


async def _demo_pushes(mm: Any, bot: Any, order: dict[str, Any]) -> None:
    _print()
    _print("5. An order's fill arrives as a typed push on the message socket")
    async with bot.messages.subscribe(trade_types=[2]) as events:
        placed = await bot.call(_ORDER, {**order, "direction": 2})
        _print(f"   sold 0.1 EURUSD: order {placed['orderId']}")
        async for event in events:
            if isinstance(event, mm.TradeEvent) and event.order_id == placed["orderId"]:
                _print(
                    f"   push: {event.biz_type} order {event.order_id}, {event.deal_amount} lots "
                    f"at {event.deal_price}, position {event.position_id}"
                )
            elif isinstance(event, mm.NoticeEvent):
                _print(f"   push: notice, refresh {mm.NoticeUpdateType(event.update_type or 0).name.lower()}")
                if event.update_type == mm.NoticeUpdateType.FUNDS:
                    break


async def serve(port: int, tick_interval: float | None) -> None:
    """Run the simulator in the foreground until interrupted."""
    from multimarkets_async.testing import Simulator

    async with Simulator(port=port, tick_interval_s=tick_interval) as sim:
        _print(f"MultiMarkets simulator on {sim.base_url}")
        _print(f"  company_id={sim.company_id}")
        _print(f"  api_key={sim.api_key}")
        _print(f"  secret_key={sim.secret_key}   (a published vendor TEST key)")
        _print(f"  login_name={sim.login_name} password={sim.password}")
        _print("Press Ctrl+C to stop.")
        await anyio.sleep_forever()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``multimarkets`` command."""
    parser = argparse.ArgumentParser(prog="multimarkets", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log the SDK's debug output")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the SDK demo against the embedded simulator")
    sim = commands.add_parser("sim", help="serve the simulator for your own bot")
    sim.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (default: any free port)")
    sim.add_argument(
        "--tick-interval", type=float, default=0.5, help="seconds between price moves (0 keeps prices still)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    try:
        if args.command == "demo":
            anyio.run(demo)
        else:
            anyio.run(serve, args.port, args.tick_interval or None)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
