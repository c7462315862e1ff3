"""Orders, positions, pending orders, deals and their closed vocabularies (endpoints.md §5).

Prices in these models are human decimals where the platform sends them so (``openPrice``,
``executePrice``); the raw integer-scaled ``stopLoss``/``takeProfit`` of order and position queries are
kept as sent, next to their human ``*_decimal`` forms.
"""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum
from typing import Generic, TypeVar

from pydantic import Field

from ._base import WireModel

__all__ = [
    "Deal",
    "ExpireType",
    "LedgerEntry",
    "Order",
    "OrderBizType",
    "OrderDetail",
    "OrderResult",
    "OrderStatus",
    "Page",
    "PendingOrder",
    "Position",
    "Side",
    "TrialResult",
]

T = TypeVar("T")


class Side(IntEnum):
    """Order direction (``direction``)."""

    BUY = 1
    """Buy (long)."""
    SELL = 2
    """Sell (short)."""

    @property
    def opposite(self) -> Side:
        """The side that closes a position opened on this side."""
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderBizType(IntEnum):
    """The order's business type (the ``bizType`` body field of order placement)."""

    MARKET_OPEN = 1
    """Market open."""
    MARKET_CLOSE = 2
    """Market close."""
    STOP_LOSS_CLOSE = 3
    """Closed by its stop-loss."""
    TAKE_PROFIT_CLOSE = 4
    """Closed by its take-profit."""
    FORCED_CLOSE = 5
    """Forced close (stop-out)."""
    EXPIRY_CLOSE = 6
    """Closed at expiry."""
    ACCOUNT_CLOSURE_CLOSE = 7
    """Closed with the account."""
    MANUAL_FORCED_CLOSE = 8
    """Closed by the operator."""
    DELAYED_ORDER = 9
    """Delayed order."""
    LIMIT_PENDING = 10
    """Limit pending order."""
    STOP_PENDING = 11
    """Stop pending order."""
    LIMIT_OPEN = 12
    """Limit open (full margin)."""
    AGGREGATE_LIMIT_OPEN = 13
    """Aggregate limit open (isolated margin)."""
    AGGREGATE_LIMIT_CLOSE = 14
    """Aggregate limit close (isolated margin)."""


class ExpireType(IntEnum):
    """How long a pending order lives (``expireType``)."""

    DAY = 1
    """One day."""
    WEEK = 2
    """One week (the platform's default)."""
    DAYS_30 = 3
    """30 days."""
    DAYS_90 = 4
    """90 days."""


class OrderStatus(IntEnum):
    """Order status (``status``/``orderStatus``)."""

    RECEIVED = 1
    """Received."""
    COMPLETED = 2
    """Completed."""
    PARTLY_COMPLETED = 3
    """Partly completed."""
    CANCELLED = 4
    """Cancelled."""
    PARTLY_CANCELLED = 5
    """Partly cancelled."""
    REJECTED = 6
    """Rejected."""
    EXPIRED = 7
    """Expired."""


class Page(WireModel, Generic[T]):
    """One page of a paged query (``records``, ``total``, ``size``, ``current``)."""

    records: list[T] = Field(default_factory=list)
    """The items of this page."""
    total: int = 0
    """Items in all pages."""
    size: int = 20
    """Page size."""
    current: int = 1
    """This page's number, from 1."""


class OrderResult(WireModel):
    """What placing, closing or modifying an order answers (endpoints.md §5.2)."""

    order_id: int
    """The order id; match it with ``TradeEvent.order_id`` on the message socket."""
    position_id: int | None = None
    """The position opened or affected."""
    trade_volume: Decimal | None = None
    """Lots traded."""
    execute_price: Decimal | None = None
    """Fill price."""
    open_price: Decimal | None = None
    """The position's open price."""
    direction: int | None = None
    """This order's side (1 buy, 2 sell)."""
    open_direction: int | None = None
    """The position's side."""
    open_or_close: int | None = None
    """1 open, 2 close."""
    symbol_id: int | None = None
    """Product id."""
    symbol_name: str | None = None
    """Product name."""
    digits: int | None = None
    """Price decimals."""
    stop_loss: str | None = None
    """Stop-loss as sent (scaled)."""
    take_profit: str | None = None
    """Take-profit as sent (scaled)."""
    fee: Decimal | None = None
    """Commission; negative means charged."""
    interest: Decimal | None = None
    """Interest (closes only)."""
    profit: Decimal | None = None
    """Realised profit (closes only)."""


class Position(WireModel):
    """An open or closed position (endpoints.md §5.8)."""

    position_id: int
    """Position id."""
    order_id: int | None = None
    """The opening order."""
    deal_id: int | None = None
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
    open_price: Decimal | None = None
    """Open price."""
    volume: Decimal | None = None
    """Current lots."""
    open_volume: Decimal | None = None
    """Lots at opening."""
    close_price: Decimal | None = None
    """Close price (closed positions)."""
    profit: Decimal | None = None
    """Floating or realised profit."""
    margin: Decimal | None = None
    """Margin in use."""
    stop_loss: str | None = None
    """Stop-loss, raw scaled (``"0"`` when none)."""
    take_profit: str | None = None
    """Take-profit, raw scaled."""
    stop_loss_decimal: Decimal | None = None
    """Stop-loss as a human price."""
    take_profit_decimal: Decimal | None = None
    """Take-profit as a human price."""
    open_symbol_digits: int | None = None
    """Price decimals at opening."""
    cross_level_num: int | None = None
    """Leverage."""
    open_time: int | None = None
    """Open time, ms."""
    close_time: int | None = None
    """Close time, ms (0 while open)."""
    account_id: int | None = None
    """The account."""


class PendingOrder(WireModel):
    """A pending (limit or stop) order as listed by ``queryPBOOrderPage`` (endpoints.md §5.5)."""

    id: str
    """The pending-order id (``pboId``), a string."""
    symbol_id: int
    """Product id."""
    direction: int
    """1 buy, 2 sell."""
    trade_type: int
    """Account family."""
    request_price: int | None = None
    """Limit or trigger price, raw scaled."""
    open_price: Decimal | None = None
    """Limit or trigger price as a human decimal."""
    digits: int | None = None
    """Price decimals."""
    request_volume: Decimal | None = None
    """Lots."""
    stop_loss: int | None = None
    """Stop-loss, raw scaled."""
    take_profit: int | None = None
    """Take-profit, raw scaled."""
    expire_type: str | None = None
    """Lifetime (``ExpireType`` as text)."""
    order_time: int | None = None
    """When it was placed, ms."""
    biz_type: int | None = None
    """Its order business type (10 limit, 11 stop, ...)."""
    account_id: int | None = None
    """The account."""
    customer_no: str | None = None
    """Owner."""
    customer_id: int | None = None
    """Owner id."""


class Order(WireModel):
    """An order record of ``queryOrderPage`` (endpoints.md §5.9)."""

    id: int
    """Order id."""
    biz_type: int | None = None
    """Order business type."""
    direction: int | None = None
    """1 buy, 2 sell."""
    status: int | None = None
    """An ``OrderStatus`` value."""
    symbol_id: int | None = None
    """Product id."""
    symbol_name: str | None = None
    """Product name."""
    request_price: Decimal | None = None
    """Requested price."""
    request_num: Decimal | None = None
    """Requested lots."""
    execute_price: Decimal | None = None
    """Fill price."""
    execute_num: Decimal | None = None
    """Filled lots."""
    position_id: int | None = None
    """The position."""
    fee: Decimal | None = None
    """Commission."""
    execute_time: int | None = None
    """Fill time, ms."""
    third_party_order: str | None = None
    """Your client order id, when you sent one."""


class OrderDetail(WireModel):
    """One order in detail (``queryOrderDetail``)."""

    order_id: int
    """Order id."""
    busii_type: int | None = None
    """Order business type (the platform spells it ``busiiType``)."""
    direction: int | None = None
    """1 buy, 2 sell."""
    status: int | None = None
    """An ``OrderStatus`` value."""
    symbol_id: int | None = None
    """Product id."""
    request_price: Decimal | None = None
    """Requested price."""
    request_num: Decimal | None = None
    """Requested lots."""
    execute_price: Decimal | None = None
    """Fill price."""
    position_id: int | None = None
    """The position."""
    fee: Decimal | None = None
    """Commission."""


class Deal(WireModel):
    """A trade record (``queryTradeRecordPage``)."""

    deal_id: int
    """Deal id."""
    order_id: int | None = None
    """Order id."""
    position_id: int | None = None
    """Position id."""
    symbol_id: int | None = None
    """Product id."""
    direction: int | None = None
    """1 buy, 2 sell."""
    execute_price: Decimal | None = None
    """Fill price."""
    execute_num: Decimal | None = None
    """Lots."""
    commission: Decimal | None = None
    """Commission."""
    profit_loss: Decimal | None = None
    """Realised profit."""
    execute_time: int | None = None
    """Fill time, ms."""


class LedgerEntry(WireModel):
    """A fund-flow record (``queryCapitalFlowList``)."""

    id: int
    """Entry id."""
    account_id: int | None = None
    """The account."""
    currency: str | None = None
    """Currency."""
    amount: Decimal | None = None
    """Signed amount."""
    amount_after: Decimal | None = None
    """Balance after the entry."""
    business_type: int | None = None
    """Business type (6 trade, 1 deposit, ...)."""
    business_type_name: str | None = None
    """Its label."""
    create_time: int | None = None
    """When, ms."""


class TrialResult(WireModel):
    """Expected figures of an order that is not placed (``calculateMarketOrder``)."""

    margin: Decimal | None = None
    """Margin it would take, in account currency."""
    calculate_price: Decimal | None = None
    """The price it would fill at."""
    fee: Decimal | None = None
    """Commission."""
