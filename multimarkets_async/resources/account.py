"""``client.account``: trading accounts and balances (endpoints.md §6)."""

from __future__ import annotations

from ..models.customer import Account, CustomerProfile
from ._core import ClientCore
from ._lookup import Lookup

__all__ = ["AccountResource"]

_BY_ID = "customer.app.CustomerWebApiService.queryAccountById"


class AccountResource:
    """The customer's profile and trading accounts."""

    def __init__(self, core: ClientCore, lookup: Lookup) -> None:
        self._core = core
        self._lookup = lookup

    async def profile(self, *, refresh: bool = False) -> CustomerProfile:
        """The customer's profile with its account list (``findCustomerInfo``), cached until ``refresh``."""
        return await self._lookup.profile(refresh=refresh)

    async def for_trade_type(self, trade_type: int, currency: str | None = None) -> Account:
        """The account that trades ``trade_type`` (in ``currency`` when the customer has several).

        Raises:
            InvalidArgumentError: the customer has no such account.
        """
        return await self._lookup.account(trade_type, currency)

    async def get(
        self, *, trade_type: int, account_id: int | None = None, currency: str | None = None
    ) -> Account:
        """One account in real time: balance, equity, margin (``queryAccountById``).

        Args:
            trade_type: 1, 2, 3 or 5.
            account_id: the account; by default the customer's account for ``trade_type``.
            currency: choose the account by currency instead.
        """
        body: dict[str, object] = {"tradeType": trade_type}
        if account_id is None and currency is None:
            account_id = (await self._lookup.account(trade_type)).account_id
        if account_id is not None:
            body["accountId"] = account_id
        if currency is not None:
            body["currency"] = currency
        return await self._core.call(_BY_ID, body, Account)
