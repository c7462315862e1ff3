"""Money movements and asset totals: the fund flow (``LedgerEntry`` of ``queryCapitalFlowList``) and
the customer's assets (``queryCustomerAssets``, ``queryCustomerAssetsInfo``)."""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum
from typing import Any, ClassVar

from pydantic import Field

from ._base import WireModel
from ._renamed import renamed
from .customer import Account

__all__ = ["AssetsSummary", "CustomerAssets", "LedgerBusinessType", "LedgerEntry"]


class LedgerBusinessType(IntEnum):
    """What moved the money (``businessType`` of a contract account's fund flow, and its filter)."""

    DEPOSIT = 1
    WITHDRAWAL = 2
    SYSTEM_RESET = 3
    ADJUSTMENT = 4
    FREEZE = 5
    TRADE = 6
    TRANSFER = 36
    REWARD = 42


class LedgerEntry(WireModel):
    """One fund-flow record: a change of an account's balance (``queryCapitalFlowList``)."""

    id: int
    """Entry id."""
    account_id: int | None = None
    """The account."""
    customer_no: str | None = None
    """The owner's public number."""
    currency: str | None = None
    """Currency."""
    digits: int | None = None
    """Decimals of the amounts."""
    amount: Decimal | None = None
    """Signed amount: negative for a debit."""
    amount_in: Decimal | None = None
    """The credit part (0 for a debit)."""
    amount_out: Decimal | None = None
    """The debit part, positive (0 for a credit)."""
    amount_after: Decimal | None = None
    """Balance after the entry."""
    business_type: int | None = None
    """What moved the money: a ``LedgerBusinessType`` on full-margin accounts (6 trade, 1 deposit ...);
    isolated-margin accounts book under their own codes (7 deposit, 12 trade ...)."""
    business_type_name: str | None = None
    """Its label, in the request's language."""
    business_type1: int | None = None
    """The sub-type, e.g. 6001 opening fee, 6002 closing fee, 6004 P&L of a market close."""
    business_type1_name: str | None = None
    """Its label."""
    bookkeep_id: int | None = None
    """The business record behind the entry (for trades, the position)."""
    subject_id: str | None = None
    """The accounting subject."""
    order_id: int | None = None
    """The order behind the entry, where the platform sends it."""
    deal_id: int | None = None
    """The deal behind the entry, where the platform sends it."""
    status: int | None = None
    """1 initialised, 2 succeeded, 3 failed."""
    remark: str | None = None
    """Free text."""
    create_time_ms: int | None = Field(default=None, alias="createTime")
    """When it was booked, epoch ms."""
    update_time_ms: int | None = Field(default=None, alias="updateTime")
    """Its last change, epoch ms."""
    version: int | None = None
    """Record version."""

    create_time: ClassVar[Any] = renamed("create_time", "create_time_ms")


class CustomerAssets(WireModel):
    """The balance of the customer's asset for one tradeType (``queryCustomerAssets``)."""

    assets_id: int | None = None
    """The asset id."""
    currency: str | None = None
    """Asset code, e.g. ``USDT``."""
    digits: int | None = None
    """Decimals of the balance."""
    balance: Decimal | None = None
    """Balance."""


class AssetsSummary(WireModel):
    """Totals over the customer's accounts of a leverage, spot or wallet tradeType
    (``queryCustomerAssetsInfo``; contracts are not supported by the platform)."""

    currency: str | None = None
    """The currency the totals are valued in."""
    digits: int | None = None
    """Decimals of the totals."""
    trade_type: int | None = None
    """The tradeType (3 leverage, 5 spot, 8 wallet)."""
    company_id: int | None = None
    """White-label company id."""
    customer_no: str | None = None
    """The customer's public number."""
    total_balance: Decimal | None = None
    """Total assets."""
    total_available: Decimal | None = None
    """Total available: assets less frozen amounts."""
    total_liabilities: Decimal | None = None
    """Total liabilities: principal plus interest."""
    total_liabilities_principal: Decimal | None = None
    """The principal of the liabilities."""
    total_interest: Decimal | None = None
    """Total interest owed."""
    total_net_assets: Decimal | None = None
    """Net assets: assets less liabilities."""
    close_proportion: str | None = None
    """Risk rate, a percentage text such as ``"26.61%"``."""
    risk_level: int | None = None
    """Risk level."""
    account_info_map: dict[str, Account] = Field(default_factory=dict)
    """The accounts, by asset code (``{"USDT": Account, ...}``)."""
