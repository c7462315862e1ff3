"""Models of the back-office operations beyond the customer records: products, balance adjustments
and their proposals, positions across customers and the webhook URL registration.

Money is ``Decimal``; times are epoch milliseconds in fields named ``..._ms``; a value that does not
exist yet is ``None``.
"""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum

from pydantic import Field

from ._base import WireModel
from .positions import Position
from .symbols import HolidayTime, TradeTime

__all__ = [
    "AdjustmentProposal",
    "BalanceAdjustment",
    "ManagedPosition",
    "ManagerProduct",
    "ProposalStatus",
    "WebhookUrls",
]


class ManagerProduct(WireModel):
    """One product of the company (the row layout of the Client ``getSymbolBaseList``).

    Leverage products leave several fields null, so every field but the id is optional.
    """

    symbol_id: int
    """Product id."""
    trade_type: int | None = None
    """1 full-margin, 2 isolated-margin, 3 leverage, 5 spot, 10 trading bridge ..."""
    symbol_code: str | None = None
    """Code, e.g. ``EURUSD``."""
    symbol_name: str | None = None
    """Display name."""
    symbol_digits: int | None = None
    """Price decimals."""
    deal_mode: int | None = None
    """Execution model (1 MM, 2 butterfly MM, 3 matching, 4 aggregation)."""
    base_currency: str | None = None
    """Base currency."""
    profit_currency: str | None = None
    """Profit currency."""
    ask_spread: Decimal | None = None
    """Ask spread."""
    bid_spread: Decimal | None = None
    """Bid spread."""
    point_ratio: int | None = None
    """Point ratio."""
    customer_group_ids: str | None = None
    """Customer groups the product is limited to, comma-separated (``None``: all)."""
    symbol_group_ids: str | None = None
    """Product groups, comma-separated."""
    etf: bool | None = None
    """Whether the product is an ETF."""
    fund_id: int | None = None
    """Linked fund."""
    labels: str | None = None
    """Category labels, e.g. ``cryptocurrency``."""
    sort_num: int | None = None
    """Display order."""
    enable_short_loan: int | None = None
    """1 when short loans are enabled."""
    enable_long_loan: int | None = None
    """1 when long loans are enabled."""
    dividend: int | None = None
    """1 when the product pays dividends."""
    in_trade_time: int | None = None
    """1 while inside trading hours."""
    in_holiday_time: int | None = None
    """1 while inside a holiday."""
    trade_time_list: list[TradeTime] = Field(default_factory=list)
    """Weekly trading sessions (seconds from midnight)."""
    holiday_time_list: list[HolidayTime] = Field(default_factory=list)
    """Holidays."""


class BalanceAdjustment(WireModel):
    """What a balance update answers: the proposal number (release 2.6.5 on) and the request number sent."""

    request_no: str
    """Your number for this adjustment, sent as ``idempotency-key`` (which the Manager API does not
    honour: never resend an adjustment to repeat it; put the number in ``remark`` to find it again)."""
    proposal_no: str | None = None
    """The proposal number (e.g. ``A20221212686244``); ``None`` when the server answers ``true``."""
    amount: Decimal
    """The amount requested (negative claws a bonus back)."""


class ProposalStatus(IntEnum):
    """The review state of a balance-adjustment proposal (``checkStatus``)."""

    PENDING = 1
    """Waiting for manual approval."""
    APPROVED = 2
    """Approved: the balance changed."""
    REJECTED = 3
    """Rejected: the balance did not change."""


class AdjustmentProposal(WireModel):
    """A balance-adjustment proposal, looked up by its number (``getCustomerAdjustProposalById``)."""

    proposal_no: str
    """The proposal number, e.g. ``A20221212686244``."""
    id: int | None = None
    """Record id."""
    company_id: int | None = None
    """Company id."""
    customer_id: int | None = None
    """Internal customer id."""
    customer_no: str | None = None
    """The customer."""
    account_id: int | None = None
    """The account credited or debited."""
    trade_type: int | None = None
    """The account's tradeType."""
    account_currency: str | None = None
    """The account's currency."""
    business_type: int | None = None
    """4 for a balance adjustment."""
    business_type_text: str | None = None
    """``business_type`` in words."""
    amount: Decimal | None = None
    """The amount (negative claws back)."""
    withdraw: bool | None = None
    """Whether the amount may be withdrawn."""
    check_status: ProposalStatus | int | None = Field(default=None, union_mode="left_to_right")
    """Review state (a plain int for a state this SDK does not know)."""
    check_by: str | None = None
    """Who reviewed it."""
    status: int | None = None
    """1 enabled, 2 disabled, 3 deleted."""
    remark: str | None = None
    """The remark sent with the adjustment (put your request number there)."""
    third_order_id: str | None = None
    """An order id in a linked system."""
    third_account: str | None = None
    """An account in a linked system."""
    reset_account: bool | None = None
    """Whether the account was reset."""
    create_by: str | None = None
    """Who created it."""
    create_time_ms: int | None = Field(default=None, alias="createTime")
    """When it was created (epoch ms)."""
    update_by: str | None = None
    """Who last changed it."""
    update_time_ms: int | None = Field(default=None, alias="updateTime")
    """When it last changed (epoch ms)."""


class ManagedPosition(Position):
    """A position of any customer of the company (``queryAllPositionPage``): a ``Position`` with its
    owner and the business type of the opening order."""

    customer_no: str | None = None
    """The owner."""
    customer_id: int | None = None
    """The owner's internal id."""
    company_id: int | None = None
    """Company id."""
    biz_type: int | None = None
    """How the position was opened: 1 market, 10 limit pending, 11 stop pending, 12 limit open,
    13 matching limit open ..."""
    query_source: str | None = None
    """Where the position was opened from, e.g. ``PC_Web``."""


class WebhookUrls(WireModel):
    """The three Webhook API URLs registered with ``CompanyWebhookDubboService.subscribe``: the
    platform calls them to read, debit or credit your customers' wallets."""

    query_user_account_balance_url: str
    """Your balance handler (``.../get-user-amount``)."""
    external_system_adjustment_url: str
    """Your adjustment handler (``.../external-system-credit-limit-adjustment``)."""
    cancel_external_system_adjustment_url: str
    """Your cancel handler (``.../cancel-external-system-credit-limit-adjustment``)."""
