"""Orders and their closed vocabularies: what placing an order answers, pending orders, sides.

Prices in these models are human decimals where the platform sends them so (``openPrice``,
``executePrice``); the raw integer-scaled ``stopLoss``/``takeProfit``/``requestPrice`` are kept as sent.
What does not exist yet is ``None``, never zero (see ``_absent``). ``Position`` lives in ``positions``,
the order and deal records in ``order_records``; both are re-exported here.
"""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeAlias, TypeVar

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from ._absent import AbsentIfZero, OptionalId, OptionalMs, OptionalPrice, OptionalScaled, none_if_zero
from ._base import WireModel
from ._renamed import renamed
from .funds import LedgerEntry  # moved to models.funds; re-exported here
from .order_records import Deal, Order, OrderDetail
from .positions import Position

__all__ = [
    "Deal",
    "ExpireType",
    "LedgerEntry",
    "Order",
    "OrderBizType",
    "OrderDetail",
    "OrderOperation",
    "OrderResult",
    "OrderStatus",
    "Page",
    "PendingOrder",
    "PendingOrderResult",
    "Position",
    "Side",
    "SideLike",
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


class OrderOperation(IntEnum):
    """What ``orders.status`` asks about (the ``operatorType`` of ``checkOrderStatus``)."""

    LEVERAGE_CHANGE = 1
    """A leverage change."""
    MARGIN_CHANGE = 2
    """An isolated-margin change."""
    EXECUTION = 3
    """The order's execution."""


SideLike: TypeAlias = Side | Literal["buy", "sell", "BUY", "SELL", "Buy", "Sell"]
"""What ``side=`` takes: a ``Side``, or ``"buy"``/``"sell"`` (any case is accepted at run time)."""


class Page(WireModel, Generic[T]):
    """One page of a paged query (``records``, ``total``, ``size``, ``current``, ``pages``)."""

    records: list[T] = Field(default_factory=list)
    """The items of this page."""
    total: int = 0
    """Items in all pages."""
    size: int = 20
    """Page size."""
    current: int = 1
    """This page's number, from 1."""
    pages: int | None = None
    """How many pages there are; ``None`` when the answer does not say (a bare list of rows)."""


class OrderResult(WireModel):
    """What placing or closing an order at market answers (``addMarketOrder``).

    ``interest`` and ``profit`` exist for closes only: they are ``None`` on an open (the platform sends
    ``"0"`` there).
    """

    order_id: int
    """The order id; match it with ``TradeEvent.order_id`` on the message socket."""
    position_id: OptionalId = None
    """The position opened or affected; ``None`` while there is none (a pending open)."""
    trade_volume: Decimal | None = None
    """Lots traded."""
    execute_price: OptionalPrice = None
    """Fill price; ``None`` while nothing was filled."""
    open_price: OptionalPrice = None
    """The position's open price (a pending order's limit or trigger price)."""
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
    stop_loss: OptionalScaled = None
    """Stop-loss as sent, raw integer-scaled; ``None`` when none."""
    take_profit: OptionalScaled = None
    """Take-profit as sent, raw integer-scaled; ``None`` when none."""
    fee: Decimal | None = None
    """Commission; negative means charged."""
    interest: Decimal | None = None
    """Interest (closes only; ``None`` on an open)."""
    profit: Decimal | None = None
    """Realised profit (closes only; ``None`` on an open)."""
    source: str | None = None
    """Where the order came from (isolated margin answers carry it)."""
    trade_type: int | None = None
    """Account family. The platform's answer does not carry it: the SDK sets it from the order it sent
    (``None`` on a result read from a raw answer), so ``orders.status()`` and ``cancel()`` know it."""

    @field_validator("interest", "profit", mode="before")
    @classmethod
    def _closes_only(cls, value: object, info: ValidationInfo) -> object:
        return None if info.data.get("open_or_close") == 1 else value


class PendingOrderResult(OrderResult):
    """What placing or changing a pending order answers (``limit``, ``stop``, ``aggregate_limit``,
    ``aggregate_limit_close``, ``modify``): the order layout of nothing traded yet, plus the pending
    order's own id.

    Pass it to ``orders.cancel()`` or ``orders.modify()``. ``execute_price``, ``position_id`` (of an
    opening order), ``fee``, ``interest`` and ``profit`` are ``None``: they exist once it fires.
    """

    pending_id: str = Field(alias="pboId")
    """The pending order's id (``pboId``, ``PendingOrder.pending_id``); ``order_id`` is the order it
    becomes when it fires."""
    order_status: int | None = None
    """An ``OrderStatus`` value: 1 (received) while it waits."""

    @field_validator("fee", "interest", "profit", mode="before")
    @classmethod
    def _not_yet(cls, value: object) -> object:
        return none_if_zero(value)


def _expire_type(value: object) -> object:
    """``expireType`` travels as text (``"2"``) on pending rows."""
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else value


_ScaledInt = Annotated[int | None, AbsentIfZero]


class PendingOrder(WireModel):
    """A pending order waiting for its price, as listed by ``queryPBOOrderPage``.

    It has two ids: ``pending_id`` (the wire's ``id``, the ``pboId`` that ``modify`` and ``cancel``
    send) and ``order_id`` (the order it becomes when it fires, as on ``TradeEvent.order_id``).
    Renamed in this release (the old names still read, with a ``DeprecationWarning``): ``id`` ->
    ``pending_id``, ``order_time`` -> ``order_time_ms``.
    """

    pending_id: str = Field(alias="id")
    """The pending order's id (``pboId``), a string."""
    order_id: OptionalId = None
    """The order id it was placed under and keeps when it fires."""
    symbol_id: int
    """Product id."""
    symbol_code: str | None = None
    """Product code (``"EURUSD"``)."""
    symbol_name: str | None = None
    """Product name."""
    type: int | None = None
    """9 pending order, 10 delayed order, 11 stop-loss/take-profit order, 0 market order."""
    biz_type: int | None = None
    """Its order business type (10 limit, 11 stop, 13/14 aggregate limit, ...)."""
    direction: int
    """1 buy, 2 sell."""
    state: int | None = None
    """1 once it has become a market order, 0 while it waits."""
    status: int | None = None
    """An ``OrderStatus`` value (1 while it waits)."""
    trade_type: int
    """Account family."""
    trade_model: int | None = None
    """The product's dealing mode."""
    request_price: _ScaledInt = None
    """Limit or trigger price, raw integer-scaled."""
    open_price: OptionalPrice = None
    """Limit or trigger price as a human decimal."""
    digits: int | None = None
    """Price decimals."""
    request_volume: Decimal | None = None
    """Lots."""
    stop_loss: _ScaledInt = None
    """Stop-loss, raw integer-scaled; ``None`` when none."""
    take_profit: _ScaledInt = None
    """Take-profit, raw integer-scaled; ``None`` when none."""
    stop_loss_target: OptionalPrice = None
    """Stop-loss as a human price; ``None`` when none."""
    take_profit_target: OptionalPrice = None
    """Take-profit as a human price; ``None`` when none."""
    expire_type: Annotated[ExpireType | None, BeforeValidator(_expire_type)] = None
    """Its lifetime."""
    expire_time_ms: OptionalMs = Field(default=None, alias="expireTime")
    """When it expires, ms since the epoch."""
    order_time_ms: OptionalMs = Field(default=None, alias="orderTime")
    """When it was placed, ms since the epoch."""
    delay_time_ms: OptionalMs = Field(default=None, alias="delayTime")
    """Delayed orders: the delay, ms; ``None`` otherwise."""
    delay_end_time_ms: OptionalMs = Field(default=None, alias="delayEndTime")
    """Delayed orders: when the delay ends, ms since the epoch; ``None`` otherwise."""
    exchange_time_ms: OptionalMs = Field(default=None, alias="exchangeTime")
    """When it became a market order, ms since the epoch; ``None`` while it waits."""
    customer_group_id: int | None = None
    """The customer's group."""
    contract_size: int | None = None
    """Units per lot."""
    cross_level_num: int | None = None
    """Leverage."""
    loan_amount: Decimal | None = None
    """Amount borrowed."""
    position_id: OptionalId = None
    """The position a closing pending order (bizType 14) targets; ``None`` for an opening one."""
    remark: str | None = None
    """Note."""
    reserve: str | None = None
    """Reserved."""
    account_id: int | None = None
    """The account."""
    customer_no: str | None = None
    """Owner."""
    customer_id: int | None = None
    """Owner id."""
    source: str | None = None
    """Where it came from."""
    third_party_order: str | None = None
    """Your client order id, when you sent one."""

    id: ClassVar[Any] = renamed("id", "pending_id")
    order_time: ClassVar[Any] = renamed("order_time", "order_time_ms")


class TrialResult(WireModel):
    """Expected figures of an order that is not placed (``calculateMarketOrder``)."""

    margin: Decimal | None = None
    """Margin it would take, in account currency."""
    calculate_price: Decimal | None = None
    """The price it would fill at."""
    fee: Decimal | None = None
    """Commission."""
