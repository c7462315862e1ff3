"""Typed events of the Manager data-push socket (websockets.md §4.6).

Every frame is ``{"data": {...}, "eventType": "..."}``. Each documented ``eventType`` has a model
here, with the platform's field names as aliases; unknown event types arrive as
:class:`DataPushEvent` itself (Assumption ``push_unknown_events``), never dropped. Prices in position
and deal events are integers scaled by the event's digits; the ``*_decimal`` properties scale them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from pydantic import ConfigDict, Field

from ._base import WireModel

__all__ = [
    "AccountAdjustEvent",
    "AccountEvent",
    "CustomerInfoEvent",
    "CustomerUpdateEvent",
    "DataPushEvent",
    "DepositEvent",
    "KycEvent",
    "PositionEvent",
    "RegisterEvent",
    "SubjectEvent",
    "SubjectWaterEvent",
    "TradeDealEvent",
    "WithdrawEvent",
    "event_model",
]


def _scaled(value: Decimal | int | str | None, digits: int | None) -> Decimal | None:
    if value is None or digits is None:
        return None
    return Decimal(str(value)).scaleb(-digits)


class DataPushEvent(WireModel):
    """One data-push event. Subclasses type the documented event kinds; ``data`` keeps every field."""

    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)

    EVENT_TYPES: ClassVar[tuple[str, ...]] = ()

    event_type: str = Field(alias="eventType")
    """The frame's ``eventType``."""
    id: str | None = None
    """The record id (a string in every event)."""
    company_id: int | None = Field(default=None, alias="companyId")
    """Company."""
    customer_no: str | None = Field(default=None, alias="customerNo")
    """Customer number, where the event has one."""
    create_time: int | None = Field(default=None, alias="createTime")
    """Creation time, ms."""
    update_time: int | None = Field(default=None, alias="updateTime")
    """Last change, ms."""
    revision: int | None = None
    """Version counter of the record, where the event has one."""
    version: int | None = None
    """Version of balance records (``subject_*``)."""


class RegisterEvent(DataPushEvent):
    """``register``: a customer registered."""

    EVENT_TYPES = ("register",)
    customer_group_id: int | None = Field(default=None, alias="customerGroupId")
    """Group."""
    country: str | None = None
    """Country code."""
    register_source: int | None = Field(default=None, alias="registerSource")
    """1-9, as ``registerSource``."""
    register_type: int | None = Field(default=None, alias="registerType")
    """1 e-mail, 2 phone, 3 customer account."""
    status: int | None = None
    """1 normal, 2 disabled, 3 deleted, 4 closed, 5 locked, 6 closing."""
    ext4: str | None = None
    """The third-party unique code (your ``thirdServerCode``), decrypted."""


class CustomerUpdateEvent(DataPushEvent):
    """``customer_update``: customer master data changed."""

    EVENT_TYPES = ("customer_update",)
    status: int | None = None
    """As in ``register``."""
    kyc_audit_status: int | None = Field(default=None, alias="kycAuditStatus")
    """1 pending, 2 passed, 3 failed."""


class CustomerInfoEvent(DataPushEvent):
    """``customer_info_insert`` / ``customer_info_update``: the customer's detail record."""

    EVENT_TYPES = ("customer_info_insert", "customer_info_update")
    customer_info_id: int | None = Field(default=None, alias="customerInfoId")
    """Detail record id."""


class KycEvent(DataPushEvent):
    """``kyc``: a KYC level was approved (or rejected)."""

    EVENT_TYPES = ("kyc",)
    level_code: str | None = Field(default=None, alias="levelCode")
    """The level, e.g. ``level_2``."""
    status: int | None = None
    """1 pending, 2 approved, 3 rejected."""


class AccountEvent(DataPushEvent):
    """``open_account`` / ``account_update``: a trading account opened or changed (``id`` is the account)."""

    EVENT_TYPES = ("open_account", "account_update")
    customer_id: int | None = Field(default=None, alias="customerId")
    """Customer id."""
    trade_type: int | None = Field(default=None, alias="tradeType")
    """Account family."""
    currency: int | None = None
    """Asset id (not the code)."""
    currency_code: str | None = Field(default=None, alias="currencyCode")
    """Currency code, e.g. ``USDT``."""
    digits: int | None = None
    """Money decimals."""
    status: int | None = None
    """1 unavailable, 2 available."""


class SubjectEvent(DataPushEvent):
    """``subject_insert`` / ``subject_update``: one balance bucket of an account."""

    EVENT_TYPES = ("subject_insert", "subject_update")
    account_id: int | None = Field(default=None, alias="accountId")
    """The account."""
    type: int | None = None
    """The bucket (subject type: 1 balance, 2 frozen, 3 available, ...)."""
    amount: Decimal | None = None
    """Amount, scaled by ``digits``."""
    digits: int | None = None
    """Decimals of ``amount``."""

    @property
    def amount_decimal(self) -> Decimal | None:
        """``amount`` as a decimal."""
        return _scaled(self.amount, self.digits)


class SubjectWaterEvent(DataPushEvent):
    """``subject_water_insert`` / ``subject_water_update``: a ledger entry."""

    EVENT_TYPES = ("subject_water_insert", "subject_water_update")
    account_id: int | None = Field(default=None, alias="accountId")
    """The account."""
    amount_in: Decimal | None = Field(default=None, alias="amountIn")
    """Credit, scaled by ``digits``."""
    amount_out: Decimal | None = Field(default=None, alias="amountOut")
    """Debit, scaled by ``digits``."""
    amount_after: Decimal | None = Field(default=None, alias="amountAfter")
    """Resulting balance, scaled by ``digits``."""
    digits: int | None = None
    """Decimals of the amounts."""
    business_type: int | None = Field(default=None, alias="businessType")
    """Ledger type."""
    business_type1: int | None = Field(default=None, alias="businessType1")
    """Ledger sub-type."""
    order_id: int | None = Field(default=None, alias="orderId")
    """Related order."""
    trade_type: int | None = Field(default=None, alias="tradeType")
    """Account family."""

    @property
    def amount_after_decimal(self) -> Decimal | None:
        """The resulting balance as a decimal."""
        return _scaled(self.amount_after, self.digits)


class PositionEvent(DataPushEvent):
    """``position_insert`` / ``position_update`` / ``position_delete`` (``id`` is the position)."""

    EVENT_TYPES = ("position_insert", "position_update", "position_delete")
    account_id: int | None = Field(default=None, alias="accountId")
    """The account."""
    symbol_id: int | None = Field(default=None, alias="symbolId")
    """Product."""
    symbol_digits: int | None = Field(default=None, alias="symbolDigits")
    """Price decimals."""
    trade_type: int | None = Field(default=None, alias="tradeType")
    """Account family."""
    direction: int | None = None
    """1 buy, 2 sell."""
    order_id: int | None = Field(default=None, alias="orderId")
    """Originating order."""
    status: int | None = None
    """1 open, 2 closed, 3 partly closed."""
    open_volume: Decimal | None = Field(default=None, alias="openVolume")
    """contractSize x lots."""
    open_price: int | None = Field(default=None, alias="openPrice")
    """Open price, scaled by ``symbolDigits``."""
    stop_loss: str | None = Field(default=None, alias="stopLoss")
    """Stop-loss, scaled (``"0"`` = none)."""
    take_profit: str | None = Field(default=None, alias="takeProfit")
    """Take-profit, scaled."""

    @property
    def open_price_decimal(self) -> Decimal | None:
        """The open price as a decimal."""
        return _scaled(self.open_price, self.symbol_digits)


class TradeDealEvent(DataPushEvent):
    """``trade_deal``: an order was executed."""

    EVENT_TYPES = ("trade_deal",)
    order_id: int | None = Field(default=None, alias="orderId")
    """Order."""
    position_id: int | None = Field(default=None, alias="positionId")
    """Position."""
    order_status: int | None = Field(default=None, alias="orderStatus")
    """Order status (2 filled, ...)."""
    biz_type: int | None = Field(default=None, alias="bizType")
    """Order business type."""
    direction: int | None = None
    """1 buy, 2 sell."""
    trade_type: int | None = Field(default=None, alias="tradeType")
    """Account family."""
    symbol_id: int | None = Field(default=None, alias="symbolId")
    """Product."""
    execute_num: Decimal | None = Field(default=None, alias="executeNum")
    """Lots filled."""
    execute_price: int | None = Field(default=None, alias="executePrice")
    """Fill price, scaled by ``digits``."""
    digits: int | None = None
    """Price decimals."""
    third_party_order: str | None = Field(default=None, alias="thirdPartyOrder")
    """Your client order id."""

    @property
    def execute_price_decimal(self) -> Decimal | None:
        """The fill price as a decimal."""
        return _scaled(self.execute_price, self.digits)


class DepositEvent(DataPushEvent):
    """``deposit``: a deposit succeeded."""

    EVENT_TYPES = ("deposit",)
    proposal_no: str | None = Field(default=None, alias="proposalNo")
    """Proposal number."""
    account_id: int | None = Field(default=None, alias="accountId")
    """The account."""
    actual_amount: Decimal | None = Field(default=None, alias="actualAmount")
    """Credited amount."""
    deposit_currency: str | None = Field(default=None, alias="depositCurrency")
    """Account-side currency."""


class AccountAdjustEvent(DataPushEvent):
    """``account_adjust``: a balance adjustment (bonus or credit) was proposed or changed."""

    EVENT_TYPES = ("account_adjust",)
    proposal_no: str | None = Field(default=None, alias="proposalNo")
    """Proposal number."""
    account_id: int | None = Field(default=None, alias="accountId")
    """The account."""
    amount: Decimal | None = None
    """Amount."""
    check_status: int | None = Field(default=None, alias="checkStatus")
    """1 waiting, 2 approved, 3 rejected."""


class WithdrawEvent(DataPushEvent):
    """``withdraw``: a withdrawal proposal was created or changed."""

    EVENT_TYPES = ("withdraw",)
    proposal_no: str | None = Field(default=None, alias="proposalNo")
    """Proposal number."""
    account_id: int | None = Field(default=None, alias="accountId")
    """The account."""
    amount: Decimal | None = None
    """Requested amount."""
    check_status: int | None = Field(default=None, alias="checkStatus")
    """1 waiting, 2 approved, 3 rejected."""
    transfer_status: int | None = Field(default=None, alias="transferStatus")
    """1 pending, 2 sent, 3 failed."""


_MODELS: dict[str, type[DataPushEvent]] = {
    event_type: cls
    for cls in (
        RegisterEvent,
        CustomerUpdateEvent,
        CustomerInfoEvent,
        KycEvent,
        AccountEvent,
        SubjectEvent,
        SubjectWaterEvent,
        PositionEvent,
        TradeDealEvent,
        DepositEvent,
        AccountAdjustEvent,
        WithdrawEvent,
    )
    for event_type in cls.EVENT_TYPES
}


def event_model(event_type: str) -> type[DataPushEvent]:
    """The model of ``event_type``; :class:`DataPushEvent` for types the SDK does not know."""
    return _MODELS.get(event_type, DataPushEvent)
