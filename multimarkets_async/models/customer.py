"""Customer and account models returned by login and the customer-info operations (endpoints.md §2.1, §6)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, SecretStr

from ._base import WireModel

__all__ = ["Account", "CustomerProfile", "LoginResult"]


class Account(WireModel):
    """One trading account: one per (customer, tradeType, currency)."""

    account_id: int
    """Trading account id."""
    trade_type: int
    """1 full-margin contract, 2 isolated-margin contract, 3 leverage, 5 spot, 6 stock, 8 wallet."""
    currency: str
    """Account currency, e.g. ``USDT``."""
    digits: int = 2
    """Decimals of the account's money (send as ``accountDigits`` when ordering)."""
    balance: Decimal | None = None
    """Balance."""
    available: Decimal | None = None
    """Available funds."""
    equity: Decimal | None = None
    """Net value."""
    margin: Decimal | None = None
    """Margin in use."""
    free_margin: Decimal | None = None
    """Free margin."""
    profit: Decimal | None = None
    """Floating profit and loss."""


class CustomerProfile(WireModel):
    """The customer profile of ``findCustomerInfo`` and of login (without the tokens)."""

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
