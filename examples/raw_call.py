"""``client.call()``: any Client or Open API operation by its bizType, answered as plain JSON.

Run: python examples/raw_call.py

The typed namespaces (``client.orders``, ``client.positions``, ``client.symbols``, ...) cover the
operations used most, with ``Decimal`` prices and attribute access; every other example uses them.
``call()`` reaches every operation, typed or not. It signs, retries and raises typed errors exactly as
the typed methods do, but returns the envelope's ``data`` as the platform sent it: dicts with
camelCase keys, and order prices as integers scaled by the product's ``symbolDigits``.
"""

from __future__ import annotations

import anyio

import multimarkets_async as mm
from multimarkets_async.testing import Simulator

PRODUCTS = "config.app.AppSymbolDubboService.getSymbolBaseList"


async def main() -> None:
    async with Simulator() as sim:
        async with mm.MultiMarkets(
            base_url=sim.base_url, company_id=sim.company_id, api_key=sim.api_key, secret_key=sim.secret_key
        ) as client:
            # The raw answer: a list of dicts, keys and values exactly as on the wire.
            rows = await client.call(PRODUCTS, {"customerGroupId": sim.customer_group_id})
            raw = rows[0]
            print("raw:  ", raw["symbolCode"], "symbolId", raw["symbolId"], "tradeType", raw["tradeType"])

            # Any answer row becomes a typed model (snake_case attributes) with model_validate;
            # fields the model does not declare stay readable in .raw.
            row = mm.Symbol.model_validate(raw)
            print(f"typed: {row.symbol_code} tradeType {row.trade_type}, {row.symbol_digits} price decimals")

            # What the typed namespace answers for the same operation.
            names = sorted({s.symbol_code for s in await client.symbols.list() if s.symbol_code})
            print("client.symbols.list():", ", ".join(names))


if __name__ == "__main__":
    anyio.run(main)
