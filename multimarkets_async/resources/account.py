"""``client.account``: trading accounts and balances (endpoints.md §6)."""

from __future__ import annotations

from ..errors import ProtocolError, ValidationError
from ..models._answers import parse_answer
from ..models.customer import Account, CustomerProfile
from ._core import ClientCore

__all__ = ["AccountResource"]

_INFO = "customer.app.CustomerWebApiService.findCustomerInfo"
_BY_ID = "customer.app.CustomerWebApiService.queryAccountById"


class AccountResource:
    """The customer's profile and trading accounts."""

    def __init__(self, core: ClientCore) -> None:
        self._core = core
        self._profile: CustomerProfile | None = None

    async def profile(self, *, refresh: bool = False) -> CustomerProfile:
        """The customer's profile with its account list (``findCustomerInfo``), cached until ``refresh``."""
        if self._profile is None or refresh:
            data = await self._core.http.request(_INFO, {})
            if not isinstance(data, dict):
                raise ProtocolError("findCustomerInfo did not answer an object")
            self._profile = parse_answer(CustomerProfile, data)
            self._core.customer_group_id = self._profile.customer_group_id or self._core.customer_group_id
        return self._profile

    async def for_trade_type(self, trade_type: int, currency: str | None = None) -> Account:
        """The account that trades ``trade_type`` (in ``currency`` when the customer has several).

        Raises:
            ValidationError: the customer has no such account.
        """
        profile = await self.profile()
        try:
            return profile.account(trade_type, currency)
        except LookupError:
            profile = await self.profile(refresh=True)
            try:
                return profile.account(trade_type, currency)
            except LookupError as exc:
                raise ValidationError(f"the customer has no account for tradeType {trade_type}") from exc

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
            account_id = (await self.for_trade_type(trade_type)).account_id
        if account_id is not None:
            body["accountId"] = account_id
        if currency is not None:
            body["currency"] = currency
        data = await self._core.http.request(_BY_ID, body)
        if not isinstance(data, dict):
            raise ProtocolError("queryAccountById did not answer an object")
        return parse_answer(Account, data)
