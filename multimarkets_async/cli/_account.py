"""``multimarkets account``, ``positions`` and ``orders``: the customer's trading state as tables, or
as JSON lines (one object per account, position or order) with ``--json`` or a non-terminal stdout.

They need credentials (``MULTIMARKETS_API_KEY`` + ``MULTIMARKETS_SECRET_KEY``, ``MULTIMARKETS_TOKEN`` or
``MULTIMARKETS_LOGIN_NAME`` + ``MULTIMARKETS_PASSWORD``). Positions and orders cover the margin trade
types (1 and 2) of the customer's accounts unless ``--trade-type`` picks one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

import multimarkets_async as mm

from ._app import app as cli_app
from ._app import client_from_env, console, jsonable, print_json_line, run, wants_json
from ._output import account_table, orders_table, pending_table, positions_table

__all__ = ["account", "orders", "positions"]

_MARGIN_TRADE_TYPES = (1, 2)
"""The trade types with positions and pending orders (full and isolated margin)."""
_PAGE_SIZE = 100

_JSON_HELP = "One JSON object per line (the default when stdout is not a terminal)."
_TRADE_TYPE_HELP = "Only this trade type (1 full margin, 2 isolated margin ...)."
TradeTypeOption = Annotated[
    int | None, typer.Option("--trade-type", "-t", metavar="N", help=_TRADE_TYPE_HELP)
]
JsonOption = Annotated[bool, typer.Option("--json", help=_JSON_HELP)]


def _signed_in() -> mm.MultiMarkets:
    return client_from_env(require_credentials=True)


def _emit(records: Sequence[object], as_json: bool, table: object) -> None:
    if as_json:
        for record in records:
            print_json_line(jsonable(record))
    else:
        console.print(table)


async def _trade_types(client: mm.MultiMarkets, trade_type: int | None) -> list[int]:
    if trade_type is not None:
        return [trade_type]
    profile = await client.account.profile(cached=True)
    held = {row.trade_type for row in profile.account_list}
    return [kind for kind in _MARGIN_TRADE_TYPES if kind in held]


@cli_app.command("account")
def account(trade_type: TradeTypeOption = None, json_lines: JsonOption = False) -> None:
    """Your trading accounts and balances.

    Balance, equity, margin, free margin and profit per account.
    """
    as_json = wants_json(json_lines)

    async def main() -> None:
        async with _signed_in() as client:
            if trade_type is not None:
                rows = [await client.account.get(trade_type=trade_type)]
            else:
                rows = list((await client.account.profile()).account_list)
        _emit(rows, as_json, account_table(rows))

    run(main)


@cli_app.command("positions")
def positions(trade_type: TradeTypeOption = None, json_lines: JsonOption = False) -> None:
    """Your open positions."""
    as_json = wants_json(json_lines)

    async def main() -> None:
        rows: list[mm.Position] = []
        async with _signed_in() as client:
            for kind in await _trade_types(client, trade_type):
                page_no = 1
                while True:
                    page = await client.positions.list(trade_type=kind, page=page_no, size=_PAGE_SIZE)
                    rows.extend(page.records)
                    if not page.records or page_no * _PAGE_SIZE >= page.total:
                        break
                    page_no += 1
        _emit(rows, as_json, positions_table(rows))

    run(main)


@cli_app.command("orders")
def orders(
    trade_type: TradeTypeOption = None,
    history: Annotated[
        bool,
        typer.Option("--history", help="Show the order history (newest first) instead of pending orders."),
    ] = False,
    limit: Annotated[
        int,
        typer.Option("--limit", metavar="N", min=1, max=100, help="Orders per trade type with --history."),
    ] = 20,
    json_lines: JsonOption = False,
) -> None:
    """Your pending orders, or the order history.

    Pending limit and stop orders by default; --history lists executed and cancelled orders, newest
    first.
    """
    as_json = wants_json(json_lines)

    async def main() -> None:
        async with _signed_in() as client:
            kinds = await _trade_types(client, trade_type)
            if history:
                done: list[mm.Order] = []
                for kind in kinds:
                    done.extend((await client.orders.list(trade_type=kind, size=limit)).records)
                _emit(done, as_json, orders_table(done))
            else:
                waiting: list[mm.PendingOrder] = []
                for kind in kinds:
                    waiting.extend(await client.orders.pending(trade_type=kind))
                _emit(waiting, as_json, pending_table(waiting))

    run(main)
