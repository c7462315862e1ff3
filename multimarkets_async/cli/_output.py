"""What the commands show: Rich tables of accounts, positions and orders, the live ticker table, the
order-book ladder, and the JSON objects the same data becomes with ``--json``.

Prices stay ``Decimal`` end to end: tables print them as received, JSON carries them as strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from rich import box
from rich.table import Table

import multimarkets_async as mm

__all__ = [
    "TickerRow",
    "account_table",
    "book_json",
    "ladder",
    "orders_table",
    "pending_table",
    "positions_table",
    "ticker_table",
    "utc",
]

_DASH = "-"


def utc(time_ms: int | None) -> datetime | None:
    """Epoch milliseconds as an aware UTC ``datetime`` (``None`` stays ``None``)."""
    return None if time_ms is None else datetime.fromtimestamp(time_ms / 1000, tz=UTC)


def _text(value: object) -> str:
    if value is None:
        return _DASH
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.strftime("%m-%d %H:%M:%S")
    return str(value)


def _side(direction: int | None) -> str:
    try:
        return mm.Side(direction).name if direction is not None else _DASH
    except ValueError:
        return str(direction)


def _status(status: int | None) -> str:
    try:
        return mm.OrderStatus(status).name.lower() if status is not None else _DASH
    except ValueError:
        return str(status)


def _table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for i, name in enumerate(columns):
        if i == 0:  # the id gives way first on a narrow terminal: folded, never cut
            table.add_column(name, overflow="fold", min_width=7)
        else:
            table.add_column(name, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(*(_text(cell) for cell in row))
    return table


def account_table(accounts: Sequence[mm.Account]) -> Table:
    """The customer's trading accounts and balances."""
    return _table(
        "Accounts",
        ["account", "type", "ccy", "balance", "equity", "margin", "free", "profit"],
        (
            [a.account_id, a.trade_type, a.currency, a.balance, a.equity, a.margin, a.free_margin, a.profit]
            for a in accounts
        ),
    )


def positions_table(positions: Sequence[mm.Position]) -> Table:
    """Open positions."""
    return _table(
        "Open positions",
        ["position", "symbol", "side", "volume", "open", "SL", "TP", "profit"],
        (
            [
                p.position_id,
                p.symbol_name or p.symbol_id,
                _side(p.direction),
                p.volume,
                p.open_price,
                p.stop_loss_decimal,
                p.take_profit_decimal,
                p.profit,
            ]
            for p in positions
        ),
    )


def pending_table(orders: Sequence[mm.PendingOrder]) -> Table:
    """Pending (limit and stop) orders."""
    return _table(
        "Pending orders",
        ["pending", "symbol", "side", "volume", "price", "expires", "placed (UTC)"],
        (
            [
                o.pending_id,
                o.symbol_code or o.symbol_name or o.symbol_id,
                _side(o.direction),
                o.request_volume,
                o.open_price,
                o.expire_type.name.lower() if o.expire_type is not None else None,
                utc(o.order_time_ms),
            ]
            for o in orders
        ),
    )


def orders_table(orders: Sequence[mm.Order]) -> Table:
    """Order history, newest first."""
    return _table(
        "Orders",
        ["order", "symbol", "side", "volume", "price", "status", "profit", "time (UTC)"],
        (
            [
                o.order_id,
                o.symbol_name or o.symbol_id,
                _side(o.direction),
                o.execute_num if o.execute_num is not None else o.request_num,
                o.execute_price,
                _status(o.status),
                o.pnl,
                utc(o.execute_time_ms or o.create_time_ms),
            ]
            for o in orders
        ),
    )


@dataclass
class TickerRow:
    """The latest state of one product in ``multimarkets tickers``."""

    symbol: str
    bid: Decimal
    ask: Decimal
    price: Decimal
    time_ms: int
    reference: Decimal | None = None
    """Yesterday's close from the snapshot: what ``change`` is measured from."""

    @classmethod
    def update(cls, rows: dict[str, TickerRow], tick: mm.Tick) -> TickerRow:
        """Fold ``tick`` into ``rows`` (keyed by product name) and return its row."""
        name = tick.symbol or str(tick.symbol_id)
        row = rows.get(name)
        reference = tick.yesterday_close if tick.yesterday_close else (row.reference if row else None)
        rows[name] = row = cls(name, tick.bid, tick.ask, tick.price, tick.time_ms, reference)
        return row

    @property
    def spread(self) -> Decimal:
        return self.ask - self.bid

    @property
    def change(self) -> Decimal | None:
        return None if self.reference is None else self.price - self.reference

    @property
    def change_percent(self) -> Decimal | None:
        change = self.change
        if change is None or not self.reference:
            return None
        return (change * 100 / self.reference).quantize(Decimal("0.01"))

    def as_json(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "time": utc(self.time_ms),
            "bid": self.bid,
            "ask": self.ask,
            "spread": self.spread,
            "price": self.price,
            "change": self.change,
        }


def ticker_table(rows: Mapping[str, TickerRow]) -> Table:
    """The live ticker table: one row per product, in the order the products were asked for."""
    table = Table(title="Tickers", title_justify="left", caption="Ctrl-C to stop", box=box.SIMPLE_HEAD)
    for i, name in enumerate(["symbol", "bid", "ask", "spread", "change", "time (UTC)"]):
        table.add_column(name, justify="left" if i == 0 else "right", no_wrap=True)
    for row in rows.values():
        change, percent = row.change, row.change_percent
        shown = _DASH
        if change is not None:
            style = "green" if change > 0 else "red" if change < 0 else ""
            text = f"{change:+f}" + (f" ({percent:+}%)" if percent is not None else "")
            shown = f"[{style}]{text}[/]" if style else text
        when = utc(row.time_ms)
        table.add_row(
            row.symbol,
            _text(row.bid),
            _text(row.ask),
            _text(row.spread),
            shown,
            when.strftime("%H:%M:%S.%f")[:-3] if when else _DASH,
        )
    return table


def ladder(book: mm.DepthBook, levels: int) -> Table:
    """The order book as a ladder: asks above (highest first), the spread, bids below (best first)."""
    name = book.symbol or str(book.symbol_id)
    when = utc(book.time_ms)
    stamp = when.strftime("%H:%M:%S") if when else ""
    table = Table(title=f"{name} {stamp} UTC", caption="Ctrl-C to stop")
    table.add_column("bid volume", justify="right", style="green", no_wrap=True)
    table.add_column("price", justify="right", no_wrap=True)
    table.add_column("ask volume", justify="right", style="red", no_wrap=True)
    for level in reversed(book.asks[:levels]):
        table.add_row("", _text(level.price), _text(level.volume))
    if book.asks and book.bids:
        table.add_row("", f"[dim]spread {_text(book.asks[0].price - book.bids[0].price)}[/]", "")
    for level in book.bids[:levels]:
        table.add_row(_text(level.volume), _text(level.price), "")
    return table


def book_json(book: mm.DepthBook) -> dict[str, object]:
    """One book as a JSON object: levels as ``[price, volume]`` pairs, best first."""
    return {
        "symbol": book.symbol or str(book.symbol_id),
        "time": utc(book.time_ms),
        "bids": [[level.price, level.volume] for level in book.bids],
        "asks": [[level.price, level.volume] for level in book.asks],
    }
