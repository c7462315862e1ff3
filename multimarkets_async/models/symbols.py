"""The product catalogue: ``Symbol`` rows of ``getSymbolBaseList`` and ``SymbolDetail``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from pydantic import Field

from ._base import WireModel
from ._renamed import renamed
from .market import SymbolKey

__all__ = ["HolidayTime", "MarginInfo", "Symbol", "SymbolDetail", "TradeTime"]


class TradeTime(WireModel):
    """One trading (or quoting) session of a week (``tradeTimeList``, ``quoteTimeList``)."""

    day_of_week: int | None = None
    """1 Monday ... 7 Sunday."""
    start_time_s: int | None = Field(default=None, alias="startTime")
    """Start, in seconds from midnight."""
    end_time_s: int | None = Field(default=None, alias="endTime")
    """End, in seconds from midnight."""

    start_time: ClassVar[Any] = renamed("start_time", "start_time_s")
    end_time: ClassVar[Any] = renamed("end_time", "end_time_s")


class HolidayTime(WireModel):
    """One holiday without trading (``holidayTimeList``)."""

    start_time_ms: int | None = Field(default=None, alias="startTime")
    """Start, epoch ms."""
    end_time_ms: int | None = Field(default=None, alias="endTime")
    """End, epoch ms."""


class Symbol(WireModel):
    """One product as listed for a tradeType (``getSymbolBaseList``)."""

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
    point_ratio: int | None = None
    """Points per pip ("bigger point ratio")."""
    contract_size: Decimal | None = None
    """Units per lot, when the row carries it (``SymbolDetail`` always does)."""
    customer_group_ids: str | None = None
    """Customer groups that see the product (comma list), or ``None`` for all."""
    symbol_group_ids: str | None = None
    """Product groups it belongs to (comma list), or ``None``."""
    etf: bool | None = None
    """Whether it is an ETF."""
    fund_id: int | None = None
    """The associated fund (0: none)."""
    labels: str | None = None
    """Category labels, e.g. ``cryptocurrency``."""
    sort_num: int | None = None
    """Display order."""
    enable_short_loan: int | None = None
    """1 when short selling on loan is allowed."""
    enable_long_loan: int | None = None
    """1 when buying on margin financing is allowed."""
    dividend: int | None = None
    """1 when the product pays dividends."""
    in_trade_time: int | None = None
    """1 while inside trading hours."""
    in_holiday_time: int | None = None
    """1 while inside a holiday."""
    trade_time_list: list[TradeTime] = Field(default_factory=list)
    """Weekly trading sessions."""
    holiday_time_list: list[HolidayTime] = Field(default_factory=list)
    """Holidays without trading."""

    @property
    def key(self) -> SymbolKey:
        """The key that identifies this product on the quote socket."""
        return SymbolKey(self.symbol_id, self.trade_type, self.deal_mode)


class MarginInfo(WireModel):
    """How a product's margin is set (``marginInfo``)."""

    type: str | None = None
    """``"1"`` margin ratio, ``"2"`` leverage range."""
    values: str | None = None
    """The ratio or range, e.g. ``"1-100"``."""
    margin_vo_list: list[dict[str, object]] = Field(default_factory=list)
    """Per-group details, as sent."""


class SymbolDetail(WireModel):
    """Trading rules of one product (``getSymbolDetail``): volume limits, digits, leverage, hours."""

    symbol_id: int | None = None
    """Product id."""
    symbol_code: str | None = None
    """Text code."""
    symbol_name: str | None = None
    """Display name."""
    trade_type: int | None = None
    """The account family."""
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
    min_trade_unit: Decimal | None = None
    """Smallest trading unit."""
    stop_loss_min_point: int | None = None
    """Smallest stop-loss/take-profit distance, in points."""
    stop_loss_max_point: int | None = None
    """Largest stop-loss/take-profit distance, in points."""
    price_min_limit: Decimal | None = None
    """Smallest distance of a limit price from the market."""
    price_max_limit: Decimal | None = None
    """Largest distance of a limit price from the market."""
    ask_spread: Decimal | None = None
    """Ask spread."""
    bid_spread: Decimal | None = None
    """Bid spread."""
    lever_ratio: str | None = None
    """Allowed leverage, e.g. ``"1-100"``."""
    margin_info: MarginInfo | None = None
    """How the margin is set."""
    buy_interest: Decimal | None = None
    """Overnight interest rate of a buy position."""
    sell_interest: Decimal | None = None
    """Overnight interest rate of a sell position."""
    eod_time: str | None = None
    """Interest settlement time of day, ``HH:MM:SS``."""
    fee_method: int | None = None
    """How the commission is collected."""
    fee_rate: Decimal | None = None
    """Commission rate."""
    trade_time_list: list[TradeTime] = Field(default_factory=list)
    """Weekly trading sessions."""
    quote_time_list: list[TradeTime] = Field(default_factory=list)
    """Weekly quoting sessions."""
    holiday_time_list: list[HolidayTime] = Field(default_factory=list)
    """Holidays without trading."""
    buy_max_position_volumes: Decimal | None = None
    """Largest buy position, in lots."""
    sell_max_position_volumes: Decimal | None = None
    """Largest sell position, in lots."""
    account_position_total_volumes: Decimal | None = None
    """Largest total position of an account, in lots."""
    trade_enable: int | None = None
    """Whether trading is allowed."""
    deal_mode: int | None = None
    """Execution model (see ``Symbol.deal_mode``)."""
    trade_direction: str | None = None
    """Allowed directions (``0``: both)."""
