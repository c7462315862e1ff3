"""The exchange's records: customers, accounts, positions, orders, pending orders, ledger entries.

Plain mutable dataclasses (``Decimal`` money and quantities, scaled-integer prices, epoch-ms times),
changed only by ``SimExchange`` and its helpers (pending
orders, the ledger). Tests read them through ``Simulator.exchange`` for assertions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .market import SimSymbol

__all__ = [
    "BUY",
    "CLOSE_PENDING_TYPES",
    "PENDING_TYPES",
    "SELL",
    "MarketOrder",
    "SimAccount",
    "SimCustomer",
    "SimLedgerEntry",
    "SimOrder",
    "SimPendingOrder",
    "SimPosition",
    "TradingError",
]

BUY = 1
SELL = 2
PENDING_TYPES = frozenset({10, 11, 12, 13, 14})
"""Order business types that wait for a price: 10 limit, 11 stop, 12 limit open, 13/14 aggregate limit."""
CLOSE_PENDING_TYPES = frozenset({14})
"""The pending types that close a position (14 aggregate limit close); the others open one."""


class TradingError(Exception):
    """A trading rule refused the order.

    Args:
        code: the ``E0000nn`` code.
        msg_params: values for the ``%s`` placeholders of its message.
    """

    def __init__(self, code: str, msg_params: tuple[str, ...] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.msg_params = msg_params


@dataclass(slots=True)
class SimCustomer:
    """A customer (login profile fields): the seeded one, or one created by registration."""

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
    register_source: int = 2
    login_pass_set: bool = True
    third_server_code: str = ""


@dataclass(slots=True)
class SimAccount:
    """One trading account: one per (customer, tradeType, currency)."""

    account_id: int
    customer_id: int
    trade_type: int
    currency: str
    digits: int
    balance: Decimal
    create_time_ms: int = 1_700_000_000_000


@dataclass(slots=True)
class SimPosition:
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
class SimOrder:
    """One order and what it did: executed (``status`` 2), or a pending order's record while it waits
    (1 received), after it was cancelled (4), refused when it fired (6) or expired (7)."""

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
    pending_id: int = 0
    create_time_ms: int = 0
    update_time_ms: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketOrder:
    """A validated market order request (bizType 1 open or 2 close)."""

    account: SimAccount
    symbol: SimSymbol
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


@dataclass(slots=True, kw_only=True)
class SimPendingOrder:
    """A pending order waiting for its price; ``pbo_id`` is the wire ``pboId``.

    ``status`` follows the order statuses: 1 waiting, 2 fired and executed, 4 cancelled, 6 refused
    when it fired, 7 expired. ``order_id`` is the order id answered when it was placed; the order it
    becomes when it fires keeps that id.
    """

    pbo_id: int
    order_id: int
    account_id: int
    symbol_id: int
    trade_type: int
    biz_type: int
    direction: int
    request_price: int
    request_num: Decimal
    entry_type: int
    stop_loss: int
    take_profit: int
    leverage: int | None
    position_id: int | None
    expire_type: int
    order_time_ms: int
    request_time_ms: int
    expire_time_ms: int
    remark: str = ""
    source: str = ""
    third_party_order: str = ""
    status: int = 1

    @property
    def waiting(self) -> bool:
        """Still waiting for its price (not fired, cancelled or expired)."""
        return self.status == 1


@dataclass(frozen=True, slots=True, kw_only=True)
class SimLedgerEntry:
    """One fund-flow record of an account (``queryCapitalFlowList``).

    ``amount`` is signed (negative = debit); ``amount_after`` is the balance after it.
    """

    entry_id: int
    account_id: int
    amount: Decimal
    amount_after: Decimal
    business_type: int
    business_type1: int
    bookkeep_id: int
    time_ms: int
    remark: str = ""
