"""``multimarkets tickers`` and ``multimarkets book``: live market data in the shell.

On a terminal each is a Rich table redrawn in place; with ``--json`` or when stdout is a pipe or a
file, one JSON object per update. Both run until Ctrl-C (status 130, no traceback) or ``--count``
updates.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.live import Live

import multimarkets_async as mm

from ._app import app, client_from_env, console, print_json_line, run, wants_json
from ._output import TickerRow, book_json, ladder, ticker_table

__all__ = ["book", "tickers"]

_TRADE_TYPE_HELP = "Choose among products listed under several tradeTypes (1, 2, 5 ...)."
_JSON_HELP = "One JSON object per update (the default when stdout is not a terminal)."
_COUNT_HELP = "Stop after this many updates (default: run until Ctrl-C)."
_REFRESH_PER_SECOND = 8


@app.command("tickers")
def tickers(
    symbols: Annotated[
        list[str],
        typer.Argument(metavar="SYMBOL...", help="Product names, e.g. EURUSD XAUUSD.", show_default=False),
    ],
    trade_type: Annotated[
        int | None, typer.Option("--trade-type", "-t", metavar="N", help=_TRADE_TYPE_HELP)
    ] = None,
    json_lines: Annotated[bool, typer.Option("--json", help=_JSON_HELP)] = False,
    count: Annotated[int | None, typer.Option("--count", "-n", metavar="N", min=1, help=_COUNT_HELP)] = None,
) -> None:
    """Live best bid and ask of products.

    Each row shows bid, ask, spread, the change since yesterday's close and the time of the last
    update. Works without credentials (a guest sees public prices).
    """
    as_json = wants_json(json_lines)

    async def main() -> None:
        rows: dict[str, TickerRow] = {}
        seen = 0
        async with (
            client_from_env() as client,
            client.quotes.tickers(symbols, trade_type=trade_type) as ticks,
        ):
            if as_json:
                async for tick in ticks:
                    print_json_line(TickerRow.update(rows, tick).as_json())
                    seen += 1
                    if count is not None and seen >= count:
                        return
            live: Live | None = None
            try:
                async for tick in ticks:
                    TickerRow.update(rows, tick)
                    if live is None:  # from the first tick on: no empty table while connecting
                        live = Live(
                            ticker_table(rows), console=console, refresh_per_second=_REFRESH_PER_SECOND
                        )
                        live.start()
                    else:
                        live.update(ticker_table(rows))
                    seen += 1
                    if count is not None and seen >= count:
                        return
            finally:
                if live is not None:
                    live.stop()

    run(main)


@app.command("book")
def book(
    symbol: Annotated[
        str, typer.Argument(metavar="SYMBOL", help="A product name, e.g. EURUSD.", show_default=False)
    ],
    trade_type: Annotated[
        int | None, typer.Option("--trade-type", "-t", metavar="N", help=_TRADE_TYPE_HELP)
    ] = None,
    levels: Annotated[
        int, typer.Option("--levels", "-l", metavar="N", min=1, max=10, help="Price levels per side.")
    ] = 10,
    json_lines: Annotated[bool, typer.Option("--json", help=_JSON_HELP)] = False,
    count: Annotated[int | None, typer.Option("--count", "-n", metavar="N", min=1, help=_COUNT_HELP)] = None,
) -> None:
    """The live order book of a product.

    The depth as a ladder: asks above (highest first), the spread, bids below (best first).
    """
    as_json = wants_json(json_lines)

    async def main() -> None:
        seen = 0
        async with (
            client_from_env() as client,
            client.quotes.market([symbol], depth_level=levels, trade_type=trade_type) as events,
        ):
            live: Live | None = None
            try:
                async for event in events:
                    if not isinstance(event, mm.DepthBook):
                        continue  # trades: not part of the ladder
                    if as_json:
                        print_json_line(book_json(event))
                    elif live is None:
                        live = Live(
                            ladder(event, levels), console=console, refresh_per_second=_REFRESH_PER_SECOND
                        )
                        live.start()
                    else:
                        live.update(ladder(event, levels))
                    seen += 1
                    if count is not None and seen >= count:
                        return
            finally:
                if live is not None:
                    live.stop()

    run(main)
