"""The product catalogue: ``Symbol`` rows of ``getSymbolBaseList`` and ``SymbolDetail``."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from ._base import WireModel
from .market import SymbolKey

__all__ = ["Symbol", "SymbolDetail", "TradeTime"]


class TradeTime(WireModel):
    """One trading session of a week (``tradeTimeList``)."""

    day_of_week: int | None = None
    """1 Monday ... 7 Sunday."""
    start_time: int | None = None
    """Seconds from midnight."""
    end_time: int | None = None
    """Seconds from midnight."""


class Symbol(WireModel):
    """One product as listed for a tradeType (endpoints.md §4.1)."""

    symbol_id: int
    """Product id."""
    trade_type: int
    """The account family this row applies to; a product may be listed once per tradeType."""
    symbol_code: str | None = None
    """Text code, e.g. ``EURUSD``."""
    symbol_name: str | None = None
    """Display name."""
    symbol_digits: int = 0
    """Price decimals; order prices are scaled by 10**symbol_digits."""
    deal_mode: int = 0
    """Execution model (1 MM, 2 butterfly MM, 3 matching, 4 aggregation); the quote socket's trade_mode."""
    base_currency: str | None = None
    """Base currency."""
    profit_currency: str | None = None
    """Profit (quote) currency."""
    ask_spread: Decimal | None = None
    """Ask spread."""
    bid_spread: Decimal | None = None
    """Bid spread."""
    labels: str | None = None
    """Category labels, e.g. ``cryptocurrency``."""
    in_trade_time: int | None = None
    """1 while inside trading hours."""
    trade_time_list: list[TradeTime] = Field(default_factory=list)
    """Weekly trading sessions."""

    @property
    def key(self) -> SymbolKey:
        """The key that identifies this product on the quote socket."""
        return SymbolKey(self.symbol_id, self.trade_type, self.deal_mode)


class SymbolDetail(WireModel):
    """Trading rules of one product (``getSymbolDetail``, endpoints.md §4.2)."""

    symbol_digits: int | None = None
    """Price decimals."""
    number_digits: int | None = None
    """Quantity decimals."""
    contract_size: Decimal | None = None
    """Units per lot."""
    min_volume: Decimal | None = None
    """Smallest order, in lots."""
    max_volume: Decimal | None = None
    """Largest order, in lots."""
    volume_step: Decimal | None = None
    """Lot increment."""
    stop_loss_min_point: int | None = None
    """Smallest stop-loss/take-profit distance, in points."""
    stop_loss_max_point: int | None = None
    """Largest stop-loss/take-profit distance, in points."""
    lever_ratio: str | None = None
    """Allowed leverage, e.g. ``"1-100"``."""
    trade_enable: int | None = None
    """Whether trading is allowed."""
