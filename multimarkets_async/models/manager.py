"""Models of the Manager (Business) API answers (endpoints.md §10): company, dictionaries, customers.

Money is ``Decimal``. Secrets the authorize answer echoes (the company token, ``appSecret`` and the
passwords some deployments fill in) are ``SecretStr`` so they never show in a repr.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field, SecretStr

from ._base import WireModel
from .customer import Account

__all__ = [
    "BalanceAdjustment",
    "CompanyAsset",
    "CompanyAuthorization",
    "CustomerDetailType",
    "CustomerGroup",
    "DictionaryEntry",
    "ManagedCustomer",
    "ManagedCustomerDetail",
    "ManagerProduct",
    "TradeTypeCurrency",
]


class CustomerDetailType(StrEnum):
    """Which part of a customer ``customers.get`` returns (the ``type`` field, endpoints.md §10.7)."""

    BASE_INFO = "baseInfo"
    """The profile."""
    TRADE_ACCOUNT = "tradeAccount"
    """The profile with ``account_list``."""
    KYC = "kyc"
    """The current KYC record."""
    ALL_KYC = "allKyc"
    """Every KYC record."""
    BANK_LIST = "bankList"
    """Bank cards."""
    WALLET_LIST = "walletList"
    """Crypto wallets."""
    OTHER_INFO = "otherInfo"
    """Everything else."""


class CompanyAuthorization(WireModel):
    """The company record the Manager authorize call answers (endpoints.md §10.1)."""

    token: SecretStr
    """The company token, sent as header ``token`` and on the data-push socket. Hidden in reprs."""
    public_key: str | None = None
    """The company RSA public key that encrypts Manager bodies (base64 X.509)."""
    id: int | None = None
    """Company id (the ``companyId`` header)."""
    str_id: str | None = None
    """The company id as a string."""
    code: str | None = None
    """White-label code."""
    name: str | None = None
    """Company name."""
    lang: str | None = None
    """Default language."""
    timezone: int | None = None
    """Default time zone."""
    trade_types: str | None = None
    """Enabled tradeTypes, comma-separated."""
    start_number: int | None = None
    """First customer number of the company's range."""
    end_number: int | None = None
    """Last customer number of the company's range."""
    company_type: str | None = None
    """``real`` or ``demo``."""
    status: int | None = None
    """1 enabled, 2 disabled, 3 deleted."""
    app_id: str | None = None
    """The authorisation id, echoed."""
    app_secret: SecretStr | None = None
    """The company secret, echoed. Hidden in reprs."""
    stp_password: SecretStr | None = None
    """Null in every example. Hidden in reprs."""
    admin_password: SecretStr | None = None
    """Null in every example. Hidden in reprs."""
    db_password: SecretStr | None = None
    """Null in every example. Hidden in reprs."""


class DictionaryEntry(WireModel):
    """One row of a universal dictionary or of the country dictionary (endpoints.md §10.2)."""

    code: str
    """The entry's code, e.g. ``Tron(TRC20)`` or ``+86``."""
    id: int | None = None
    """Row id."""
    parent_id: int | None = None
    """Parent row id."""
    name: str | None = None
    """Name."""
    display_name: str | None = None
    """Name to display."""
    parent_code: str | None = None
    """The dictionary asked for, e.g. ``USDT`` or ``phone_code``."""
    sort: int | None = None
    """Display order."""
    show_type: int | None = None
    """Display type."""
    extend: str | None = None
    """Extra data."""
    status: int | None = None
    """1 enabled, 2 disabled, 3 deleted."""
    has_leaf: int | None = None
    """1 when the entry has children."""


class CompanyAsset(WireModel):
    """One currency the company enabled (endpoints.md §10.3)."""

    code: str
    """Currency code, e.g. ``USDT``."""
    id: int | None = None
    """Asset id."""
    str_id: str | None = None
    """Asset id as a string."""
    name: str | None = None
    """Name."""
    display_name: str | None = None
    """Name to display."""
    digits: int | None = None
    """Decimals."""
    type: int | None = None
    """Asset type."""
    status: int | None = None
    """1 enabled, 2 disabled, 3 deleted."""
    fund_id: int | None = None
    """Linked fund."""
    init_state: int | None = None
    """1 initialising, 2 done."""


class ManagerProduct(WireModel):
    """One product of the company (endpoints.md §10.4; the Client ``getSymbolBaseList`` row layout).

    Leverage products leave several fields null, so every field but the ids is optional.
    """

    symbol_id: int
    """Product id."""
    trade_type: int | None = None
    """1 full-margin, 2 isolated-margin, 3 leverage, 5 spot, ..."""
    symbol_code: str | None = None
    """Code, e.g. ``EURUSD``."""
    symbol_name: str | None = None
    """Display name."""
    symbol_digits: int | None = None
    """Price decimals."""
    base_currency: str | None = None
    """Base currency."""
    profit_currency: str | None = None
    """Profit currency."""


class ManagedCustomer(WireModel):
    """One customer of the Manager customer list (endpoints.md §10.5)."""

    customer_no: str
    """The customer's public number."""
    id: int | None = None
    """Internal customer id."""
    company_id: int | None = None
    """Company id."""
    customer_group_id: int | None = None
    """Customer group."""
    customer_group_name: str | None = None
    """Customer group name."""
    customer_type: int | None = None
    """0 default, 1 agent, 2 credit, 3 activity settlement."""
    agent_customer_no: str | None = None
    """The customer's agent."""
    email: str | None = None
    """E-mail address."""
    phone: str | None = None
    """Phone number."""
    phone_area: str | None = None
    """Dialling prefix."""
    name: str | None = None
    """Full name."""
    first_name: str | None = None
    """First name."""
    last_name: str | None = None
    """Last name."""
    open_account_type: int | None = None
    """0 individual, 1 corporate."""
    register_source: int | None = None
    """Registration source, 1-9."""
    remark: str | None = None
    """Operator remark."""
    status: int | None = None
    """1 normal, 2 disabled, 3 deleted, 4 closed, 5 locked, 6 closing."""
    third_account_no: str | None = None
    """Account number in a linked system."""
    create_time: int | None = None
    """Registration time, ms."""
    login_time: int | None = None
    """Last login, ms."""
    update_time: int | None = None
    """Last change, ms."""


class ManagedCustomerDetail(ManagedCustomer):
    """A customer's detail (endpoints.md §10.7); ``account_list`` is filled for ``TRADE_ACCOUNT``."""

    address: str | None = None
    """Postal address."""
    postal_code: str | None = None
    """Postal code."""
    account_list: list[Account] = Field(default_factory=list)
    """Trading accounts (``type = tradeAccount``)."""


class CustomerGroup(WireModel):
    """A customer group (endpoints.md §10.8)."""

    id: int
    """Group id (``customerGroupId``)."""
    name: str | None = None
    """Name."""
    open_account_type: int | None = None
    """1 = the group used for sign-ups."""
    type: int | None = None
    """0 real, 1 test, 2 guest."""
    trade_type: int | None = None
    """The group's tradeType."""
    assets: str | None = None
    """The group's currencies."""


class TradeTypeCurrency(WireModel):
    """An account to open at registration: ``{"allCurrency": "USDT", "tradeType": "1"}`` (both strings)."""

    trade_type: str
    """The tradeType, as a string (e.g. ``"1"``)."""
    all_currency: str
    """Currency code, or several comma-separated."""


class BalanceAdjustment(WireModel):
    """What a balance update answers: the proposal number (release 2.6.5 on) and the request number sent."""

    request_no: str
    """The request number the SDK sent as ``idempotency-key``; resend it to repeat the call safely."""
    proposal_no: str | None = None
    """The proposal number (e.g. ``A20221212686244``); ``None`` when the server answers ``true``."""
    amount: Decimal
    """The amount requested (negative claws a bonus back)."""
