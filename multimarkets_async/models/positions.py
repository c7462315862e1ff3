"""``Position``: an open or closed position, as position queries, ``updateOrder`` and the
closed-position history answer it.

Prices are human decimals except ``stop_loss``/``take_profit``, which stay the raw integer-scaled
text the platform sends (their human forms are ``stop_loss_decimal``/``take_profit_decimal``). What a
position does not have yet is ``None``, never zero: ``close_price`` and ``close_time_ms`` while it is
open, ``stop_loss`` when no stop-loss is set.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from pydantic import Field

from ._absent import OptionalId, OptionalMs, OptionalPrice, OptionalScaled
from ._base import WireModel
from ._renamed import renamed

__all__ = ["Position"]


class Position(WireModel):
    """An open or closed position.

    Renamed in this release (the old names still read, with a ``DeprecationWarning``):
    ``open_time`` -> ``open_time_ms``, ``close_time`` -> ``close_time_ms``.
    """

    position_id: int
    """Position id."""
    order_id: OptionalId = None
    """The opening order (``updateOrder`` needs it)."""
    deal_id: OptionalId = None
    """The opening deal."""
    status: str | None = None
    """``"0"`` initialising, ``"1"`` open, ``"2"`` closed, ``"3"`` partly closed."""
    direction: int
    """1 buy, 2 sell."""
    symbol_id: int
    """Product id."""
    symbol_name: str | None = None
    """Product name."""
    trade_type: int
    """Account family."""
    open_price: OptionalPrice = None
    """Open price."""
    open_num: Decimal | None = None
    """Opening quantity (lots, or the amount for orders entered by amount)."""
    open_volume: Decimal | None = None
    """Lots at opening."""
    volume: Decimal | None = None
    """Current lots."""
    close_num: Decimal | None = None
    """Quantity closed so far."""
    close_volume: Decimal | None = None
    """Lots closed so far."""
    min_volume: Decimal | None = None
    """The product's smallest order, in lots."""
    close_price: OptionalPrice = None
    """The latest close price; ``None`` while nothing was closed."""
    profit: Decimal | None = None
    """Floating (open) or realised (closed) profit, in account currency."""
    margin: Decimal | None = None
    """Margin in use now."""
    open_margin: Decimal | None = None
    """Margin taken at opening."""
    occupy_the_margin: Decimal | None = None
    """Isolated margin added to the position."""
    maintenance_margin: Decimal | None = None
    """Maintenance margin (isolated margin)."""
    warning_margin: Decimal | None = None
    """Margin level that warns (isolated margin)."""
    single_margin: Decimal | None = None
    """Margin of one lot (isolated margin)."""
    can_reduce_margin: Decimal | None = None
    """Margin that may be taken out (isolated margin)."""
    interest: Decimal | None = None
    """Interest (swap) so far."""
    open_fee: Decimal | None = None
    """Commission charged at opening."""
    close_fee: Decimal | None = None
    """Commission charged by closes so far."""
    stop_loss: OptionalScaled = None
    """Stop-loss, raw integer-scaled text (``"108000"``); ``None`` when none is set."""
    take_profit: OptionalScaled = None
    """Take-profit, raw integer-scaled text; ``None`` when none is set."""
    stop_loss_decimal: OptionalPrice = None
    """Stop-loss as a human price; ``None`` when none is set."""
    take_profit_decimal: OptionalPrice = None
    """Take-profit as a human price; ``None`` when none is set."""
    open_symbol_digits: int | None = None
    """Price decimals at opening."""
    close_symbol_digits: int | None = None
    """Price decimals at closing."""
    open_account_digits: int | None = None
    """Account money decimals at opening."""
    close_account_digits: int | None = None
    """Account money decimals at closing."""
    close_free_digits: int | None = None
    """Decimals of the closing commission."""
    open_contract_size: int | None = None
    """Units per lot at opening."""
    cross_level_num: int | None = None
    """Leverage."""
    adjust_cross_level: str | None = None
    """The leverage range allowed, e.g. ``"1-100"``."""
    margin_set_type: str | None = None
    """``"1"`` margin by ratio, ``"2"`` by range."""
    open_time_ms: OptionalMs = Field(default=None, alias="openTime")
    """Open time, milliseconds since the epoch."""
    close_time_ms: OptionalMs = Field(default=None, alias="closeTime")
    """Close time, milliseconds since the epoch; ``None`` while the position is open."""
    remark: str | None = None
    """Note."""
    source: str | None = None
    """Where the opening order came from (``H5``, ``PC_Web``, ...)."""
    third_party_order: str | None = None
    """Your client order id of the opening order, when you sent one."""
    account_id: int | None = None
    """The account."""
    company_id: int | None = None
    """The white label."""

    open_time: ClassVar[Any] = renamed("open_time", "open_time_ms")
    close_time: ClassVar[Any] = renamed("close_time", "close_time_ms")
