"""Customer and account models: the profile of login and ``findCustomerInfo``, and one account with
its balances (``queryAccountById``; the same object sits in the profile's ``accountList``)."""

from __future__ import annotations

import warnings
from decimal import Decimal

from pydantic import Field, SecretStr, field_validator

from ._base import WireModel

__all__ = ["Account", "CustomerProfile", "LoginResult", "Registration"]


class Account(WireModel):
    """One trading account: one per (customer, tradeType, currency).

    Money fields are ``Decimal`` in the account's currency, at ``digits`` decimals; ``None`` when the
    answer does not carry them (the leverage-account fields on a contract account, for instance).
    """

    account_id: int
    """Trading account id."""
    trade_type: int
    """1 full-margin contract, 2 isolated-margin contract, 3 leverage, 5 spot, 6 stock, 8 wallet."""
    currency: str
    """Account currency, e.g. ``USDT``."""
    digits: int = 2
    """Decimals of the account's money (send as ``accountDigits`` when ordering)."""
    customer_id: int | None = None
    """The owner's internal id."""
    customer_no: str | None = None
    """The owner's public number."""
    company_id: int | None = None
    """White-label company id."""
    assets_id: int | None = None
    """The asset (currency) id."""
    type: int | None = None
    """1 user, 2 merchant, 3 platform."""
    status: int | None = None
    """1 unavailable, 2 available."""
    activate_status: int | None = None
    """1 not activated, 2 activated."""
    open_account_status: bool | None = None
    """Whether the account is opened."""
    balance: Decimal | None = None
    """Balance."""
    available: Decimal | None = None
    """Available funds."""
    equity: Decimal | None = None
    """Net value: balance plus floating profit."""
    margin: Decimal | None = None
    """Margin in use, in real time."""
    free_margin: Decimal | None = None
    """Free margin."""
    lock_margin: Decimal | None = None
    """Margin locked by pending orders."""
    margin_radio: str | None = None
    """Margin ratio, as the platform spells it (``marginRadio``)."""
    profit: Decimal | None = None
    """Floating profit and loss."""
    frozen: Decimal | None = None
    """Frozen amount."""
    lock_amount: Decimal | None = None
    """Locked amount."""
    collateral_frozen: Decimal | None = None
    """Amount frozen as collateral."""
    withdraw_amount: Decimal | None = None
    """Withdrawable amount."""
    not_withdraw_amount: Decimal | None = None
    """Amount that cannot be withdrawn."""
    liabilities: Decimal | None = None
    """Leverage accounts: liabilities."""
    liabilities_principal: Decimal | None = None
    """Leverage accounts: the principal of the liabilities."""
    interest: Decimal | None = None
    """Leverage accounts: interest owed."""
    net_assets: Decimal | None = None
    """Leverage accounts: net assets."""
    available_loan: Decimal | None = None
    """Leverage accounts: what may still be borrowed."""
    interest_proportion: str | None = None
    """Leverage accounts: interest rate."""
    whole_warehouse_balance: Decimal | None = None
    """Cross-asset valuation of the balance."""
    whole_warehouse_rate: Decimal | None = None
    """Cross-asset valuation rate."""
    create_time_ms: int | None = Field(default=None, alias="createTime")
    """When the account was created, epoch ms."""
    activate_time_ms: int | None = Field(default=None, alias="activateTime")
    """When it was activated, epoch ms."""
    first_deposit_time_ms: int | None = Field(default=None, alias="firstDepositTime")
    """The first deposit, epoch ms; ``None`` before one."""
    first_withdraw_time_ms: int | None = Field(default=None, alias="firstWithdrawTime")
    """The first withdrawal, epoch ms; ``None`` before one."""
    formula_symbol: str | None = None
    """Spot accounts: how ``whole_warehouse_rate`` applies (``multiply`` or ``divide``)."""
    last_order_id: int | None = None
    """The account's latest order, where the platform sends it."""
    weight: Decimal | None = None
    """Valuation weight, where the platform sends it."""
    remark: str | None = None
    """Free text."""

    @field_validator("first_deposit_time_ms", "first_withdraw_time_ms", mode="before")
    @classmethod
    def _zero_is_none(cls, value: object) -> object:
        return None if value in (0, "0", "") else value


class CustomerProfile(WireModel):
    """The customer profile of ``findCustomerInfo`` and of login (without the tokens).

    Contact data (``email``, ``phone`` ...) comes masked, e.g. ``135******9561``.
    """

    id: int | None = None
    """Internal customer id."""
    customer_no: str | None = None
    """The customer's public 8-digit number."""
    company_id: int | None = None
    """White-label company id."""
    customer_group_id: int | None = None
    """Customer group; decides which products the customer sees."""
    account_list: list[Account] = Field(default_factory=list)
    """Trading accounts, one per (tradeType, currency)."""
    type: int | None = None
    """Group type: 0 real, 1 demo, 2 guest."""
    status: int | None = None
    """1 normal, 2 disabled, 3 deleted, 4 closed, 5 locked, 6 closing."""
    kyc_audit_status: int | None = None
    """0 not certified, 1 pending, 2 passed, 3 failed."""
    kyc_status: int | None = None
    """1 unverified, 2 under review, 3 failed, 4 verified, -1 partly verified."""
    kyc_remark: str | None = None
    """The KYC reviewer's note."""
    company_kyc_status: int | None = None
    """1 the company requires KYC, 2 it does not."""
    login_pass_status: str | None = None
    """``"1"`` a login password must be set, ``"2"`` no need."""
    pay_pass_status: str | None = None
    """``"1"`` no payment password, ``"2"`` one exists."""
    assert_pass_status: str | None = None
    """``"1"`` an asset password must be set, ``"2"`` no need."""
    google_id: int | None = None
    """Greater than 0 when Google Authenticator (MFA) is on."""
    deposit: int | None = None
    """1 when deposits are allowed."""
    withdraw: int | None = None
    """1 when withdrawals are allowed."""
    email: str | None = None
    """E-mail (masked)."""
    phone: str | None = None
    """Phone number (masked)."""
    phone_area: str | None = None
    """Dialling prefix, e.g. ``+86``."""
    name: str | None = None
    """Name."""
    first_name: str | None = None
    """First name."""
    last_name: str | None = None
    """Last name."""
    country: str | None = None
    """Country code."""
    open_account_type: int | None = None
    """0 individual, 1 corporate."""
    register_source: int | None = None
    """Where the customer registered (1 H5, 2 PC_Web, ... 9 other)."""
    source: str | None = None
    """The registration channel's name, e.g. ``H5``."""
    company_type: str | None = None
    """``real`` or ``demo``."""
    third_server_code: str | None = None
    """The customer's id in your own system (Webhook API)."""
    api_check_switch: bool | None = None
    """Whether API access checks are on."""
    api_check_rule: str | None = None
    """The API access rule."""
    login_time_ms: int | None = Field(default=None, alias="loginTime")
    """The last login, epoch ms."""
    create_time_ms: int | None = Field(default=None, alias="createTime")
    """When the customer was created, epoch ms."""
    register_time_ms: int | None = Field(default=None, alias="registerTime")
    """When the customer registered, epoch ms."""
    activate_time_ms: int | None = Field(default=None, alias="activateTime")
    """When the customer was activated, epoch ms."""
    capital_in_status: int | None = None
    """Registration answer: whether deposits are open."""
    kyc_levels: list[dict[str, object]] | None = Field(default=None, alias="list")
    """Registration answer: the KYC levels (wire name ``list``), as sent."""

    def account(self, trade_type: int, currency: str | None = None) -> Account:
        """The account for ``trade_type`` (and ``currency``, when several exist).

        Raises:
            LookupError: if the customer has no such account.
        """
        for account in self.account_list:
            if account.trade_type == trade_type and (currency is None or account.currency == currency):
                return account
        raise LookupError(f"no account with tradeType {trade_type}" + (f" in {currency}" if currency else ""))


class LoginResult(CustomerProfile):
    """What a successful login returns: the profile plus the session token."""

    token: SecretStr
    """The login token; sent as header ``token`` from now on. Hidden in reprs."""
    r_token: SecretStr | None = None
    """The refresh token (no documented operation uses it). Hidden in reprs."""


class Registration(CustomerProfile):
    """What ``client.customer.register`` returns: the new customer's profile (``customer_no`` ...).

    Indexing it like the dict it used to be (``created["customerNo"]``) still works for one release,
    with a ``DeprecationWarning``: read the attribute (``created.customer_no``) instead.
    """

    def __getitem__(self, key: str) -> object:
        warnings.warn(
            f"Registration[{key!r}] is deprecated: register() returns a model now, read its snake_case "
            "attribute (e.g. .customer_no); the payload as sent is in .raw",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.raw[key]
