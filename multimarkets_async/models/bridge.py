"""Models and vocabularies of the Bridge API: exchange accounts, balances, orders, trades, deposits.

Most Bridge replies are undocumented beyond a few fields (Assumption ``bridge_reply_shapes``): every
model makes all but its key fields optional, and a field it does not declare stays in ``.raw``. An
empty string where a number belongs (an unfilled order's ``executePrice``) reads as ``None``. Times
are epoch milliseconds in fields named ``..._ms``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, SecretStr

from ._base import WireModel
from ._renamed import renamed

__all__ = [
    "BridgeAccount",
    "BridgeAccountType",
    "BridgeBalance",
    "BridgeDeposit",
    "BridgeOrder",
    "BridgeOrderStatus",
    "BridgeOrderType",
    "BridgeTrade",
    "DepositStatus",
    "Exchange",
    "ExchangeAccount",
    "TimeInForce",
]


def _blank_is_none(value: object) -> object:
    return None if value == "" else value


_Number = Annotated[Decimal | None, BeforeValidator(_blank_is_none)]


class Exchange(StrEnum):
    """The exchanges the bridge trades on (``exchangeCode`` / ``exchangeId``)."""

    BINANCE = "binance"
    """Binance (minimum order 5 USDT; limit orders by quantity)."""
    OKX = "okx"
    """OKX (``timeInForce`` ignored; orders answer only ``clientOrderId`` and ``status``)."""
    CUMBERLAND = "cumberland"
    """Cumberland (API key = counterpartyId, secret = userId, plus a PKCS#12 certificate)."""


class BridgeAccountType(StrEnum):
    """Kind of exchange account (``accountType``)."""

    SPOT = "spot"
    """Spot account."""
    FUTURES = "futures"
    """Futures account."""


class BridgeOrderType(IntEnum):
    """The ``bizType`` body field of a Bridge order."""

    MARKET = 1
    """Market order."""
    LIMIT = 2
    """Limit order."""


class TimeInForce(StrEnum):
    """How long a limit order lives (``timeInForce``)."""

    GTC = "GTC"
    """Good till cancelled (the default for limit orders)."""
    IOC = "IOC"
    """Immediate or cancel."""
    FOK = "FOK"
    """Fill or kill."""


class BridgeOrderStatus(IntEnum):
    """Order status in Bridge replies and execution reports."""

    SUBMITTED = 1
    """Submitted."""
    FILLED = 2
    """Fully filled."""
    PARTLY_FILLED = 3
    """Partly filled."""
    CANCELLED = 4
    """Cancelled by the customer."""
    CANCELLED_BY_PLATFORM = 5
    """Cancelled by the platform."""
    REJECTED = 6
    """Rejected by the platform."""
    EXPIRED = 7
    """Expired."""


class DepositStatus(IntEnum):
    """Deposit record status (``queryDepositList``)."""

    WAITING = 1
    """Waiting."""
    POSSIBLY_FROZEN = 2
    """Funds possibly frozen."""
    AWAITING_CUSTOMER = 3
    """Awaiting the customer's confirmation."""
    AWAITING_PLATFORM = 4
    """Awaiting the platform's confirmation."""
    FAILED = 5
    """Failed."""
    DONE = 6
    """Done."""


class ExchangeAccount(WireModel):
    """An exchange account registered for a customer (the record fields are undocumented)."""

    id: str | None = None
    """Record id (``update``/``delete`` take it)."""
    customer_no: str | None = None
    """The customer."""
    exchange_code: str | None = None
    """``binance``, ``okx`` or ``cumberland``."""
    account_type: str | None = None
    """``spot`` or ``futures``."""
    account_name: str | None = None
    """Our alias for the account (the trading calls' ``accountName``)."""
    account_api_key: SecretStr | None = None
    """The exchange API key, if echoed. Hidden in reprs."""
    api_key: SecretStr | None = None
    """The exchange API key in the older record layout. Hidden in reprs."""
    is_test: int | None = None
    """1 for a test account on the exchange, 0 for a real one."""
    company_id: int | None = None
    """Company id (in the answer to ``add``)."""
    customer_id: int | None = None
    """The customer's internal id (in the answer to ``add``)."""


class BridgeBalance(WireModel):
    """One currency's balance on the exchange account."""

    currency: str
    """Currency code."""
    balance: _Number = None
    """Balance."""
    locked: _Number = None
    """Amount locked in orders."""


class BridgeOrder(WireModel):
    """An order as placed, queried or cancelled (Assumption ``bridge_reply_shapes``)."""

    client_order_id: str | None = None
    """Our order id (``^[a-zA-Z0-9]{1,20}$``)."""
    order_id: str | None = None
    """The exchange's order id (OKX does not return one on placement)."""
    exchange_id: str | None = None
    """The exchange."""
    status: BridgeOrderStatus | int | None = Field(default=None, union_mode="left_to_right")
    """Order status (a plain int for a status this SDK does not know)."""
    time_in_force: str | None = None
    """``GTC``, ``IOC`` or ``FOK``."""
    symbol_id: int | None = None
    """Product id."""
    biz_type: int | None = None
    """1 market, 2 limit."""
    direction: int | None = None
    """1 buy, 2 sell."""
    num: _Number = None
    """Quantity ordered."""
    price: _Number = None
    """Limit price (``None`` for a market order)."""
    execute_num: _Number = None
    """Quantity filled."""
    execute_price: _Number = None
    """Fill price (``None`` until filled)."""
    account_name: str | None = None
    """The exchange account's alias."""
    customer_no: str | None = None
    """The customer."""
    request_time_ms: int | None = Field(default=None, alias="requestTime")
    """When the order was requested (epoch ms)."""


class BridgeTrade(BridgeOrder):
    """One execution: an order's fields and the fill's (Assumption ``bridge_reply_shapes``: the
    ``ORDER_EXEC_REPORT`` fields)."""

    trade_id: str | None = None
    """Execution id."""
    execute_time_ms: int | None = Field(default=None, alias="executeTime")
    """Fill time (epoch ms)."""
    commission: _Number = None
    """Commission (negative = charged, positive = rebate)."""
    commission_currency: str | None = None
    """Commission currency."""

    execute_time: ClassVar[Any] = renamed("execute_time", "execute_time_ms")


class BridgeDeposit(WireModel):
    """One deposit record (undocumented layout)."""

    currency: str | None = None
    """Currency."""
    amount: _Number = None
    """Amount."""
    status: int | None = None
    """See ``DepositStatus``."""
    tx_id: str | None = None
    """Chain transaction hash."""
    address: str | None = None
    """Sender (OKX internal transfers) or ``""``."""
    confirm_times: int | None = None
    """Confirmations (on-chain deposits only)."""


@dataclass(frozen=True, slots=True)
class BridgeAccount:
    """Which exchange account a Bridge trading call acts on (the common body fields of every trading call)."""

    exchange: Exchange | str
    """The exchange (``exchangeId``)."""
    account_name: str
    """The alias given to the account with ``bridge.accounts.add`` (``accountName``)."""
    customer_no: str
    """The customer (``customerNo``)."""
    customer_group_id: int = 1
    """The customer's group (``customerGroupId``; 1 = the default group)."""
    customer_id: int | None = None
    """The internal customer id (``customerId``, optional)."""

    def body(self) -> dict[str, object]:
        """The common body fields, with ``tradeType`` 10."""
        body: dict[str, object] = {
            "tradeType": 10,
            "exchangeId": str(self.exchange),
            "accountName": self.account_name,
            "customerNo": self.customer_no,
            "customerGroupId": self.customer_group_id,
        }
        if self.customer_id is not None:
            body["customerId"] = self.customer_id
        return body
