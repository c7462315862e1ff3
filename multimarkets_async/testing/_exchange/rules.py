"""The exchange's trading rules as pure functions: volumes, stop levels, P&L, pending-order prices.

Nothing here changes state. A rule that refuses raises ``TradingError`` with the ``E0000nn``
number; the caller adds the bizCode of the tradeType. Prices compared here are the scaled integers
of the wire (the human price times 10^symbolDigits), quantities are ``Decimal`` lots.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from .market import SimSymbol
from .records import BUY, CLOSE_PENDING_TYPES, SimPendingOrder, SimPosition, TradingError

__all__ = [
    "EXPIRE_MS",
    "check_pending_price",
    "check_stops",
    "check_stops_at",
    "check_volume",
    "fmt",
    "pending_fires",
    "pnl",
]

_DAY_MS: Final = 86_400_000
EXPIRE_MS: Final[dict[int, int]] = {1: _DAY_MS, 2: 7 * _DAY_MS, 3: 30 * _DAY_MS, 4: 90 * _DAY_MS}
"""``expireType`` -> lifetime of a pending order (1 day, 2 week (default), 3 30 days,
4 90 days). A day is 24 hours of the server clock."""

_LIMIT_TYPES: Final = frozenset({10, 12, 13, 14})
_STOP_TYPES: Final = frozenset({11})


def fmt(value: Decimal) -> str:
    """Shortest plain decimal text (``Decimal("0.10")`` -> ``"0.1"``)."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def pnl(position: SimPosition, price: Decimal, volume: Decimal) -> Decimal:
    """P&L of closing ``volume`` lots of ``position`` at ``price``, in account currency (1:1)."""
    sign = 1 if position.direction == BUY else -1
    return (price - position.open_price) * volume * position.contract_size * sign


def check_volume(symbol: SimSymbol, volume: Decimal) -> None:
    """An order size must be within the product's limits and a multiple of its step.

    Raises:
        TradingError: ``E000026`` with the limits as message parameters.
    """
    if not symbol.min_volume <= volume <= symbol.max_volume or volume % symbol.volume_step != 0:
        raise TradingError(
            "E000026", (fmt(symbol.min_volume), fmt(symbol.max_volume), fmt(symbol.volume_step))
        )


def check_stops_at(direction: int, bid: int, ask: int, stop_loss: int, take_profit: int) -> None:
    """Stop-loss and take-profit (scaled; 0 = none) must lie on the losing / winning side of the
    price a position of ``direction`` would close at.

    Raises:
        TradingError: ``E000009`` (stop-loss) or ``E000010`` (take-profit) on the wrong side.
    """
    if direction == BUY:
        if stop_loss and stop_loss >= bid:
            raise TradingError("E000009")
        if take_profit and take_profit <= ask:
            raise TradingError("E000010")
    else:
        if stop_loss and stop_loss <= ask:
            raise TradingError("E000009")
        if take_profit and take_profit >= bid:
            raise TradingError("E000010")


def check_stops(symbol: SimSymbol, direction: int, stop_loss: int, take_profit: int) -> None:
    """``check_stops_at`` against the product's current bid and ask."""
    check_stops_at(direction, symbol.scale(symbol.bid), symbol.scale(symbol.ask), stop_loss, take_profit)


def _fires(biz_type: int, direction: int, price: int, bid: int, ask: int) -> bool:
    if biz_type in _STOP_TYPES:
        return ask >= price if direction == BUY else bid <= price
    # Limit types: buy at or below the price, sell at or above it.
    return ask <= price if direction == BUY else bid >= price


def pending_fires(pending: SimPendingOrder, symbol: SimSymbol) -> bool:
    """Whether the current price reaches a pending order's price (Assumption pending_price_is_limit).

    A buy trades at the ask and a sell at the bid: a limit buy (10, 12, 13, or a 14 closing a sell)
    fires when the ask falls to the price, a limit sell when the bid rises to it; a stop buy (11) fires
    when the ask rises to the price, a stop sell when the bid falls to it.
    """
    bid, ask = symbol.scale(symbol.bid), symbol.scale(symbol.ask)
    return _fires(pending.biz_type, pending.direction, pending.request_price, bid, ask)


def check_pending_price(
    symbol: SimSymbol, biz_type: int, direction: int, price: int, *, stop_loss: int, take_profit: int
) -> None:
    """Checks a new (or modified) pending order's price and its stop levels.

    The price must not be reachable already (a limit buy below the ask, a stop buy above it, and so
    on), so the order really waits; the stop levels are checked against the order's own price, where
    the position will open.

    Raises:
        TradingError: ``E000024`` for a zero price, ``E000007`` for a price the market already
            reaches, ``E000009``/``E000010`` for stop levels on the wrong side of the price.
    """
    if price <= 0:
        raise TradingError("E000024")
    bid, ask = symbol.scale(symbol.bid), symbol.scale(symbol.ask)
    if biz_type not in _LIMIT_TYPES | _STOP_TYPES or _fires(biz_type, direction, price, bid, ask):
        raise TradingError("E000007")
    if biz_type not in CLOSE_PENDING_TYPES:
        spread = ask - bid
        # The position opens at `price` (ask for a buy); it closes on the other side of the spread.
        open_bid, open_ask = (price - spread, price) if direction == BUY else (price, price + spread)
        check_stops_at(direction, open_bid, open_ask, stop_loss, take_profit)
