"""Models of the Manager (Business) API answers: company, dictionaries, customers, products.

Money is ``Decimal``; times are epoch milliseconds in fields named ``..._ms``. Secrets the authorize
answer echoes (the company token, ``appSecret`` and the passwords some deployments fill in) are
``SecretStr`` so they never show in a repr. Positions, adjustment proposals and the webhook
registration are in ``models.backoffice``.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field, SecretStr

from ._base import WireModel
from ._renamed import renamed
from .backoffice import BalanceAdjustment, ManagerProduct
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
    "TradeTypeInfo",
]


class CustomerDetailType(StrEnum):
    """Which part of a customer ``customers.get`` returns (the ``type`` field of the detail call)."""

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


class _Audited(WireModel):
    """The bookkeeping fields most back-office records carry."""

    revision: int | None = None
    """Optimistic-lock revision."""
    create_by: str | None = None
    """Who created the record."""
    create_time_ms: int | None = Field(default=None, alias="createTime")
    """When the record was created (epoch ms)."""
    update_by: str | None = None
    """Who last changed the record."""
    update_time_ms: int | None = Field(default=None, alias="updateTime")
    """When the record last changed (epoch ms)."""


class TradeTypeInfo(WireModel):
    """One enabled tradeType of the company (``tradeTypeList``)."""

    id: int | None = None
    """The tradeType."""
    code: str | None = None
    """Its code."""
    name: str | None = None
    """Its name, e.g. ``Contract (full margin)``."""


class CompanyAuthorization(_Audited):
    """The company record the Manager authorize call answers."""

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
    code_md5: str | None = None
    """MD5 of the white-label code."""
    name: str | None = None
    """Company name."""
    biz_name: str | None = None
    """Business name."""
    domain: str | None = None
    """The white label's domain."""
    logo: str | None = None
    """Logo URL."""
    bg_image: str | None = None
    """Login-page background image URL."""
    ad_image: str | None = None
    """Advertisement image URL."""
    lang: str | None = None
    """Default language."""
    timezone: int | None = None
    """Default time zone."""
    trade_types: str | None = None
    """Enabled tradeTypes, comma-separated."""
    trade_type_list: list[TradeTypeInfo] = Field(default_factory=list)
    """The enabled tradeTypes with their codes and names."""
    start_number: int | None = None
    """First customer number of the company's range."""
    end_number: int | None = None
    """Last customer number of the company's range."""
    company_type: str | None = None
    """``real`` or ``demo``."""
    association_company_id: int | None = None
    """Associated company id."""
    status: int | None = None
    """1 enabled, 2 disabled, 3 deleted."""
    init_progress: int | None = None
    """1 company initialised, 2 data source created, 3 data initialised."""
    data_source_type: int | None = None
    """1 shared, 2 dedicated."""
    demo_initial_amount: Decimal | None = None
    """Starting money of demo accounts (null in every example)."""
    stp_account: str | None = None
    """Straight-through-processing account (null in every example)."""
    stp_login_user: str | None = None
    """Straight-through-processing user (null in every example)."""
    admin_role_id: int | None = None
    """The company's initial admin role (null in every example)."""
    admin_user_id: int | None = None
    """The company's initial admin user (null in every example)."""
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


class DictionaryEntry(_Audited):
    """One row of a universal dictionary or of the country dictionary."""

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
    name_en: str | None = None
    """English name."""
    name_tw: str | None = None
    """Traditional Chinese name."""
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


class CompanyAsset(_Audited):
    """One currency the company enabled."""

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
    biz_name: str | None = None
    """Record kind (``"ASSETS"``)."""


class ManagedCustomer(WireModel):
    """One customer of the Manager customer list."""

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
    id_card: str | None = Field(default=None, repr=False)
    """Identity document number (kept out of reprs)."""
    id_card_type: int | None = None
    """Identity document type."""
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
    third_login_source: str | None = None
    """Third-party login sources, comma-separated."""
    third_user_id: str | None = None
    """Ids at those sources, comma-separated (parallel to ``third_login_source``)."""
    tg_user_id: str | None = None
    """Telegram user id."""
    tg_user_name: str | None = None
    """Telegram user name."""
    unit_id: int | None = None
    """Organisational unit."""
    unit_name: str | None = None
    """Organisational unit name."""
    create_time_ms: int | None = Field(default=None, alias="createTime")
    """Registration time (epoch ms)."""
    login_time_ms: int | None = Field(default=None, alias="loginTime")
    """Last login (epoch ms)."""
    update_time_ms: int | None = Field(default=None, alias="updateTime")
    """Last change (epoch ms)."""
    first_account_activate_time_ms: int | None = Field(default=None, alias="firstAccountActivateTime")
    """When the customer's first account was activated (epoch ms)."""

    create_time: ClassVar[Any] = renamed("create_time", "create_time_ms")
    login_time: ClassVar[Any] = renamed("login_time", "login_time_ms")
    update_time: ClassVar[Any] = renamed("update_time", "update_time_ms")


class ManagedCustomerDetail(ManagedCustomer):
    """A customer's detail; ``account_list`` is filled for ``CustomerDetailType.TRADE_ACCOUNT``."""

    type: int | None = None
    """Customer kind."""
    country: str | None = None
    """ISO country code."""
    source: str | None = None
    """Where the customer registered, e.g. ``PC_Web``."""
    company_type: str | None = None
    """``real`` or ``demo``."""
    kyc_audit_status: int | None = None
    """KYC review state."""
    kyc_status: int | None = None
    """KYC level reached."""
    company_kyc_status: int | None = None
    """Corporate KYC state."""
    login_pass_status: str | None = None
    """``"2"`` when a login password is set."""
    pay_pass_status: str | None = None
    """``"2"`` when a payment password is set."""
    assert_pass_status: str | None = None
    """``"2"`` when an asset password is set."""
    google_id: int | None = None
    """Whether Google authenticator is bound."""
    deposit: int | None = None
    """1 when deposits are allowed."""
    withdraw: int | None = None
    """1 when withdrawals are allowed."""
    register_time_ms: int | None = Field(default=None, alias="registerTime")
    """Registration time (epoch ms)."""
    activate_time_ms: int | None = Field(default=None, alias="activateTime")
    """Activation time (epoch ms)."""
    api_check_switch: bool | None = None
    """Whether API-key checks are on."""
    api_check_rule: str | None = None
    """The API-key check rule."""
    third_server_code: str | None = None
    """Your id for the customer, given at registration."""
    address: str | None = None
    """Postal address."""
    postal_code: str | None = None
    """Postal code."""
    force_level: Decimal | None = None
    """Stop-out level."""
    early_warning_level: Decimal | None = None
    """Margin-call warning level."""
    withdraw_level: Decimal | None = None
    """Withdrawal level."""
    account_list: list[Account] = Field(default_factory=list)
    """Trading accounts (``CustomerDetailType.TRADE_ACCOUNT``)."""


class CustomerGroup(WireModel):
    """A customer group."""

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
