"""Order and deal records: ``Order`` (``queryOrderPage``), ``OrderDetail`` (``queryOrderDetail``) and
``Deal`` (``queryTradeRecordPage``).

Fill prices are human decimals; ``request_price``, ``stop_loss`` and ``take_profit`` are the raw
integer-scaled prices as sent. What an order does not have yet is ``None``, never zero: a pending
order's ``execute_price``, ``execute_time_ms`` and ``deal_id`` until it fires, ``position_id`` until it
opens one, ``pending_id`` for an order that never waited.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import Field

from ._absent import AbsentIfZero, OptionalId, OptionalMs, OptionalPrice, OptionalScaled
from ._base import WireModel
from ._renamed import renamed

__all__ = ["Deal", "Order", "OrderDetail"]

_PendingId = Annotated[str | None, AbsentIfZero]
_ScaledInt = Annotated[int | None, AbsentIfZero]


class Order(WireModel):
    """An order record of ``queryOrderPage``.

    Renamed in this release (the old names still read, with a ``DeprecationWarning``): ``id`` ->
    ``order_id``, ``execute_time`` -> ``execute_time_ms``.
    """

    order_id: int = Field(alias="id")
    """Order id (the wire's ``id``)."""
    deal_id: OptionalId = None
    """Its deal; ``None`` until it executes."""
    biz_type: int | None = None
    """Order business type (an ``OrderBizType`` value)."""
    direction: int | None = None
    """1 buy, 2 sell."""
    status: int | None = None
    """An ``OrderStatus`` value."""
    customer_group_id: int | None = None
    """The customer's group."""
    trade_type: int | None = None
    """Account family."""
    account_id: int | None = None
    """The account."""
    account_digits: int | None = None
    """Account money decimals."""
    symbol_id: int | None = None
    """Product id."""
    symbol_name: str | None = None
    """Product name."""
    digits: int | None = None
    """Price decimals."""
    contract_size: int | None = None
    """Units per lot."""
    request_price: _ScaledInt = None
    """Requested (or limit/trigger) price, raw integer-scaled."""
    request_num: Decimal | None = None
    """Requested lots."""
    execute_price: OptionalPrice = None
    """Fill price; ``None`` until it executes."""
    execute_num: Decimal | None = None
    """Filled lots."""
    cancel_num: Decimal | None = None
    """Lots cancelled (cancelled, refused or expired orders)."""
    request_time_ms: OptionalMs = Field(default=None, alias="requestTime")
    """When the client sent it, ms since the epoch."""
    execute_time_ms: OptionalMs = Field(default=None, alias="executeTime")
    """Fill time, ms since the epoch; ``None`` until it executes."""
    create_time_ms: OptionalMs = Field(default=None, alias="createTime")
    """When the platform received it, ms since the epoch."""
    update_time_ms: OptionalMs = Field(default=None, alias="updateTime")
    """Last change, ms since the epoch."""
    fee: Decimal | None = None
    """Commission; negative means charged."""
    execute_margin: Decimal | None = None
    """Margin it took."""
    interest: Decimal | None = None
    """Interest."""
    pnl: Decimal | None = None
    """Realised profit (closes)."""
    position_id: OptionalId = None
    """The position; ``None`` until it opens or targets one."""
    pending_id: _PendingId = None
    """The pending order it came from (``PendingOrder.pending_id``); ``None`` for a market order."""
    stop_loss: OptionalScaled = None
    """Stop-loss, raw integer-scaled; ``None`` when none."""
    take_profit: OptionalScaled = None
    """Take-profit, raw integer-scaled; ``None`` when none."""
    seq: int | None = None
    """The quote sequence number it executed at."""
    remark: str | None = None
    """Note."""
    source: str | None = None
    """Where it came from (``H5``, ``PC_Web``, ...)."""
    third_party_order: str | None = None
    """Your client order id, when you sent one."""

    id: ClassVar[Any] = renamed("id", "order_id")
    execute_time: ClassVar[Any] = renamed("execute_time", "execute_time_ms")


class OrderDetail(WireModel):
    """One order in detail (``queryOrderDetail``).

    Renamed in this release (the old name still reads, with a ``DeprecationWarning``): ``busii_type``
    -> ``biz_type`` (the platform spells the wire field ``busiiType``).
    """

    order_id: int
    """Order id."""
    biz_type: int | None = Field(default=None, alias="busiiType")
    """Order business type (the wire's ``busiiType``, sic)."""
    direction: int | None = None
    """1 buy, 2 sell."""
    status: int | None = None
    """An ``OrderStatus`` value."""
    user_group_id: int | None = None
    """The customer's group."""
    account_id: int | None = None
    """The account."""
    trade_type: int | None = None
    """Account family."""
    symbol_id: int | None = None
    """Product id."""
    symbol_name: str | None = None
    """Product name."""
    digits: int | None = None
    """Price decimals."""
    contract_size: int | None = None
    """Units per lot."""
    request_price: _ScaledInt = None
    """Requested (or limit/trigger) price, raw integer-scaled."""
    request_num: Decimal | None = None
    """Requested lots."""
    request_time_ms: OptionalMs = Field(default=None, alias="requestTime")
    """When the client sent it, ms since the epoch."""
    execute_price: OptionalPrice = None
    """Fill price; ``None`` until it executes."""
    execute_num: Decimal | None = None
    """Filled lots."""
    execute_time_ms: OptionalMs = Field(default=None, alias="executeTime")
    """Fill time, ms since the epoch; ``None`` until it executes."""
    execute_rate: Decimal | None = None
    """Exchange rate applied at execution."""
    rate_digits: int | None = None
    """Decimals of ``execute_rate``."""
    execute_margin_rate: Decimal | None = None
    """Margin exchange rate applied at execution."""
    execute_margin_rate_digits: int | None = None
    """Decimals of ``execute_margin_rate``."""
    spread: int | None = None
    """Spread at execution, in points."""
    point_ratio: int | None = None
    """Point ratio of the product."""
    fee: Decimal | None = None
    """Commission; negative means charged."""
    fee_digits: int | None = None
    """Decimals of ``fee``."""
    create_time_ms: OptionalMs = Field(default=None, alias="createTime")
    """When the platform received it, ms since the epoch."""
    update_time_ms: OptionalMs = Field(default=None, alias="updateTime")
    """Last change, ms since the epoch."""
    position_id: OptionalId = None
    """The position; ``None`` until it opens or targets one."""
    pending_id: _PendingId = None
    """The pending order it came from; ``None`` for a market order."""
    stop_loss: OptionalScaled = None
    """Stop-loss, raw integer-scaled; ``None`` when none."""
    take_profit: OptionalScaled = None
    """Take-profit, raw integer-scaled; ``None`` when none."""
    remark: str | None = None
    """Note."""
    source: str | None = None
    """Where it came from."""
    third_party_order: str | None = None
    """Your client order id, when you sent one."""

    busii_type: ClassVar[Any] = renamed("busii_type", "biz_type")


class Deal(WireModel):
    """A trade record (``queryTradeRecordPage``): one execution.

    Renamed in this release (the old name still reads, with a ``DeprecationWarning``):
    ``execute_time`` -> ``execute_time_ms``.
    """

    deal_id: int
    """Deal id."""
    order_id: int | None = None
    """Order id."""
    position_id: OptionalId = None
    """Position id."""
    biz_type: int | None = None
    """Order business type."""
    trade_type: int | None = None
    """Account family."""
    account_id: int | None = None
    """The account."""
    account_currency: str | None = None
    """The account's currency."""
    symbol_id: int | None = None
    """Product id."""
    symbol_name: str | None = None
    """Product name."""
    direction: int | None = None
    """1 buy, 2 sell."""
    request_price: _ScaledInt = None
    """Requested price, raw integer-scaled."""
    original_request_price: _ScaledInt = None
    """The price first requested, raw integer-scaled."""
    execute_price: OptionalPrice = None
    """Fill price."""
    execute_num: Decimal | None = None
    """Lots."""
    real_execute_num: Decimal | None = None
    """Units (lots times the contract size)."""
    execute_amount: Decimal | None = None
    """Notional, in account currency."""
    execute_margin: Decimal | None = None
    """Margin taken."""
    occupy_margin: Decimal | None = None
    """Margin occupied."""
    loan_amount: Decimal | None = None
    """Amount borrowed."""
    out_currency: str | None = None
    """Settlement currency."""
    execute_time_ms: OptionalMs = Field(default=None, alias="executeTime")
    """Fill time, ms since the epoch."""
    stop_loss: OptionalScaled = None
    """Stop-loss, raw integer-scaled; ``None`` when none."""
    take_profit: OptionalScaled = None
    """Take-profit, raw integer-scaled; ``None`` when none."""
    commission: Decimal | None = None
    """Commission; negative means charged."""
    profit_loss: Decimal | None = None
    """Realised profit."""
    overnight_interest: Decimal | None = None
    """Overnight interest."""
    number_statistic_mode: int | None = None
    """1 counted by quantity, 2 by amount."""
    source: str | None = None
    """Where the order came from."""
    third_party_order: str | None = None
    """Your client order id, when you sent one."""

    execute_time: ClassVar[Any] = renamed("execute_time", "execute_time_ms")
