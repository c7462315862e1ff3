"""Quick start: reference data as a guest, then a password login, against the embedded simulator.

Run: python examples/quickstart.py
Against the real platform, replace the simulator's URL and credentials with yours.
"""

from __future__ import annotations

import anyio

import multimarkets_async as mm
from multimarkets_async.testing import Simulator


async def main() -> None:
    async with Simulator() as sim:
        async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id) as client:
            print("server clock offset (ms):", await client.sync_clock())
            symbols = await client.symbols.list()
            print("products:", ", ".join(sorted({row.symbol_code for row in symbols if row.symbol_code})))

            profile = await client.login(login_name=sim.login_name, password=sim.password)
            for account in profile.account_list:
                print(
                    f"account {account.account_id}: tradeType {account.trade_type}, "
                    f"{account.balance} {account.currency}"
                )
            await client.logout()


if __name__ == "__main__":
    anyio.run(main)
