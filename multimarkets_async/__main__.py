"""The ``multimarkets`` command: ``demo`` (the SDK against the embedded simulator) and ``sim`` (serve it).

This is an application entry point, so it is the one place that starts an event loop; the library
itself never calls ``asyncio.run``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from decimal import Decimal

import anyio

__all__ = ["main"]


def _print(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


async def demo() -> None:
    """Walk through the SDK against a simulator started in this process."""
    import multimarkets_async as mm
    from multimarkets_async.testing import Simulator

    async with Simulator() as sim:
        _print(f"Simulator listening on {sim.base_url} (company {sim.company_id})")
        _print()
        _print("1. A guest reads reference data and the server clock")
        async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id) as guest:
            offset = await guest.sync_clock()
            _print(f"   server clock offset: {offset} ms")
            symbols = await guest.call(
                "config.app.AppSymbolDubboService.getSymbolBaseList",
                {"customerGroupId": sim.customer_group_id},
            )
            for row in symbols[:4]:
                _print(
                    f"   {row['symbolCode']:<10} id={row['symbolId']:<6} tradeType={row['tradeType']} "
                    f"digits={row['symbolDigits']}"
                )

        _print()
        _print("2. A customer logs in with a password (sent as its MD5 hash)")
        async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id) as client:
            profile = await client.login(login_name=sim.login_name, password=sim.password)
            _print(f"   {profile.customer_no}: {len(profile.account_list)} accounts; repr hides the token:")
            _print(f"   {client!r}")
            await client.logout()

        _print()
        _print("3. A bot trades over the Open API (every request signed with SHA1withRSA)")
        async with mm.MultiMarkets(
            base_url=sim.base_url, company_id=sim.company_id, api_key=sim.api_key, secret_key=sim.secret_key
        ) as bot:
            info = mm.CustomerProfile.model_validate(
                await bot.call("customer.app.CustomerWebApiService.findCustomerInfo", {})
            )
            account = info.account(trade_type=2)
            symbol = next(s for s in symbols if s["symbolCode"] == "EURUSD")
            digits = int(symbol["symbolDigits"])
            quote = sim.exchange.market.get(symbol["symbolId"])
            price = quote.mid if quote is not None else Decimal(1)
            order = {
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
                "requestPrice": str(int(price.scaleb(digits).to_integral_value())),
                "requestTime": sim.now_ms(),
            }
            _print(f"   balance before: {account.balance} {account.currency}")
            filled = await bot.call("tradeapi.app.OrderApiService.addMarketOrder", order)
            _print(
                f"   bought {filled['tradeVolume']} {filled['symbolName']} at {filled['executePrice']}: "
                f"order {filled['orderId']}, position {filled['positionId']}"
            )

            _print("   the simulator now drops the answer to the next order after executing it...")
            sim.faults.drop_next(after_processing=True, biz_type="addMarketOrder")
            again = await bot.call("tradeapi.app.OrderApiService.addMarketOrder", order)
            _print(
                f"   ...the SDK retried with the same idempotency-key and got order {again['orderId']} "
                f"back, executed once ({len(sim.exchange.orders)} orders on the exchange)"
            )

            _print("   a price with too many decimals is refused with a typed error:")
            try:
                await bot.call(
                    "tradeapi.app.OrderApiService.addMarketOrder", {**order, "requestPrice": "1.5"}
                )
            except mm.APIError as exc:
                _print(f"   {type(exc).__name__}: {exc}")
    _print()
    _print("Done: the simulator stopped and every connection closed.")


async def serve(port: int) -> None:
    """Run the simulator in the foreground until interrupted."""
    from multimarkets_async.testing import Simulator

    async with Simulator(port=port) as sim:
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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    try:
        if args.command == "demo":
            anyio.run(demo)
        else:
            anyio.run(serve, args.port)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
