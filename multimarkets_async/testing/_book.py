"""The exchange's records: the customer, accounts, positions, orders and a validated order request.

Plain mutable dataclasses (``Decimal`` money and quantities, scaled-integer prices, epoch-ms times),
changed only by :class:`~multimarkets_async.testing._exchange.Exchange`. Tests read them through
``Simulator.exchange`` for assertions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ._market import Symbol

__all__ = ["BUY", "SELL", "Account", "Customer", "MarketOrder", "Order", "Position", "TradingError"]

BUY = 1
SELL = 2


class TradingError(Exception):
    """A trading rule refused the order.

    Args:
        code: the ``E0000nn`` code (errors.md 4).
        msg_params: values for the ``%s`` placeholders of its message.
    """

    def __init__(self, code: str, msg_params: tuple[str, ...] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.msg_params = msg_params


@dataclass(slots=True)
class Customer:
    """The seeded customer (login profile fields)."""

    customer_id: int
    customer_no: str
    company_id: int
    customer_group_id: int
    email: str
    password_md5: str = field(repr=False)
    phone: str = "13800000000"
    phone_area: str = "+44"
    name: str = "Sim Trader"
    country: str = "GB"
    register_time_ms: int = 1_700_000_000_000


@dataclass(slots=True)
class Account:
    """One trading account: one per (customer, tradeType, currency)."""

    account_id: int
    customer_id: int
    trade_type: int
    currency: str
    digits: int
    balance: Decimal
    create_time_ms: int = 1_700_000_000_000


@dataclass(slots=True)
class Position:
    """One position (status ``"1"`` open, ``"3"`` partly closed, ``"2"`` closed)."""

    position_id: int
    order_id: int
    deal_id: int
    account_id: int
    symbol_id: int
    trade_type: int
    direction: int
    open_price: Decimal
    open_volume: Decimal
    volume: Decimal
    leverage: int
    contract_size: int
    margin: Decimal
    open_margin: Decimal
    open_fee: Decimal
    stop_loss: int
    take_profit: int
    open_time_ms: int
    remark: str = ""
    source: str = ""
    third_party_order: str = ""
    status: str = "1"
    close_volume: Decimal = Decimal(0)
    close_price: Decimal | None = None
    close_fee: Decimal = Decimal(0)
    realized_profit: Decimal = Decimal(0)
    close_time_ms: int = 0


@dataclass(slots=True)
class Order:
    """One executed order (``status`` 2) and what it did."""

    order_id: int
    deal_id: int
    account_id: int
    symbol_id: int
    trade_type: int
    biz_type: int
    direction: int
    open_or_close: int
    position_id: int
    request_price: int
    request_num: Decimal
    execute_price: Decimal
    execute_num: Decimal
    fee: Decimal
    margin: Decimal
    profit: Decimal
    stop_loss: int
    take_profit: int
    request_time_ms: int
    execute_time_ms: int
    customer_group_id: int
    remark: str = ""
    source: str = ""
    third_party_order: str = ""
    status: int = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketOrder:
    """A validated market order request (bizType 1 open or 2 close)."""

    account: Account
    symbol: Symbol
    biz_type: int
    direction: int
    request_price: int
    request_num: Decimal
    entry_type: int = 1
    stop_loss: int = 0
    take_profit: int = 0
    leverage: int | None = None
    position_id: int | None = None
    request_time_ms: int = 0
    remark: str = ""
    source: str = ""
    third_party_order: str = ""
