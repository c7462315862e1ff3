"""The Manager API's typed namespaces (endpoints.md §10): ``manager.dictionaries``, ``.company``,
``.products``, ``.customers`` and ``.balances``.

Each method builds the documented body, makes one call through the ``ManagerSession`` and validates
the answer into a model. Operations whose fields are undocumented stay reachable through
``ManagerClient.call`` (docs/manager.md lists them).
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel

from ..errors import InvalidArgumentError, ProtocolError
from ..models._answers import Paged, Rows
from ..models.customer import Account
from ..models.manager import (
    BalanceAdjustment,
    CompanyAsset,
    CustomerDetailType,
    CustomerGroup,
    DictionaryEntry,
    ManagedCustomer,
    ManagedCustomerDetail,
    ManagerProduct,
    TradeTypeCurrency,
)
from ..models.trading import Page
from ..protocol.crypto import md5_password
from ..protocol.prices import decimal_text
from ._core import fetch, put_given
from .manager_session import ManagerSession

__all__ = ["Balances", "Company", "Dictionaries", "ManagedCustomers", "Products"]

M = TypeVar("M", bound=BaseModel)

_DICT = "config.admin.AdminDictDubboService."
_CUSTOMER = "customer.admin.WhiteCustomerAdminApiService."
_ADJUST = "fund.admin.CustomerAdjustProposalAdminDubboService.addCustomerAdjustProposal"
_MAX_PAGE = 2000


def _rows(model: type[M]) -> Rows[M]:
    """A list answer; some are documented as an object and exemplified as an array: one row."""
    return Rows(model, single=True)


class Dictionaries:
    """Universal dictionaries (dialling prefixes, registration sources, chains of an asset, countries)."""

    def __init__(self, session: ManagerSession) -> None:
        self._session = session

    async def list(self, parent_code: str) -> builtins.list[DictionaryEntry]:
        """The entries under ``parent_code`` (``getListByParentCode``).

        Args:
            parent_code: ``phone_code``, ``register_source``, ``bank_code``, ``Language``, or an asset
                code such as ``USDT`` for its blockchain networks.
        """
        return await fetch(
            self._session, _DICT + "getListByParentCode", {"parentCode": parent_code}, _rows(DictionaryEntry)
        )

    async def countries(self, parent_code: str = "country") -> builtins.list[DictionaryEntry]:
        """The country dictionary (``getCountryListByParentCode``; its body is undocumented beyond
        ``parentCode``, Assumption: the same body as ``list``)."""
        return await fetch(
            self._session,
            _DICT + "getCountryListByParentCode",
            {"parentCode": parent_code},
            _rows(DictionaryEntry),
        )


class Company:
    """The company's own configuration."""

    def __init__(self, session: ManagerSession, company_id: int) -> None:
        self._session = session
        self._company_id = company_id

    async def currencies(self) -> builtins.list[CompanyAsset]:
        """The currencies the company enabled (``AdminAssetsDubboService.getAssetsList``)."""
        return await fetch(
            self._session,
            "config.admin.AdminAssetsDubboService.getAssetsList",
            {"companyId": str(self._company_id)},
            _rows(CompanyAsset),
        )


class Products:
    """The company's products."""

    def __init__(self, session: ManagerSession, company_id: int) -> None:
        self._session = session
        self._company_id = company_id

    async def list(self, *, trade_type: int | None = None) -> builtins.list[ManagerProduct]:
        """The company's products, optionally of one tradeType (``getSymbolByCompanyId``)."""
        body: dict[str, object] = {"companyId": str(self._company_id)}
        if trade_type is not None:
            body["tradeType"] = trade_type
        return await fetch(
            self._session,
            "config.admin.AdminSymbolDubboService.getSymbolByCompanyId",
            body,
            _rows(ManagerProduct),
        )


class ManagedCustomers:
    """The company's customers: list, register, detail, groups, accounts, closure."""

    def __init__(self, session: ManagerSession) -> None:
        self._session = session

    async def list(
        self, *, page: int = 1, size: int = 20, customer_no: str | None = None
    ) -> Page[ManagedCustomer]:
        """One page of customers (``WhiteCustomerAdminApiService.page``).

        Args:
            page: page number, from 1.
            size: rows per page, at most 2000.
            customer_no: only this customer.

        Raises:
            InvalidArgumentError: ``size`` or ``page`` out of range (nothing is sent).
        """
        if not 1 <= size <= _MAX_PAGE or page < 1:
            raise InvalidArgumentError(
                f"page must be >= 1 and size 1..{_MAX_PAGE}, got page={page} size={size}"
            )
        body: dict[str, object] = {"current": page, "size": size}
        if customer_no is not None:
            body["customerNo"] = customer_no
        return await fetch(self._session, _CUSTOMER + "page", body, Paged(Page[ManagedCustomer]))

    async def register(
        self,
        *,
        password: str,
        country: str,
        customer_group_id: int,
        currencies: Sequence[TradeTypeCurrency | tuple[int | str, str]],
        phone: str | None = None,
        phone_area: str | None = None,
        email: str | None = None,
        email_area: str | None = None,
        register_source: int = 1,
        third_server_code: str | None = None,
        remark: str | None = None,
    ) -> str:
        """Create a customer, open its accounts and pass KYC (``addCusAndOpenAccountAndKyc``).

        Args:
            password: the plain password; only its MD5 is sent.
            country: ISO code, e.g. ``"CN"``.
            customer_group_id: the group; its assets must match ``currencies``.
            currencies: the accounts to open, as ``TradeTypeCurrency`` or ``(trade_type, "USDT")``.
            phone: phone number (give a phone or an e-mail).
            phone_area: dialling prefix, e.g. ``"+86"``.
            email: e-mail address.
            email_area: the e-mail registration's area prefix.
            register_source: 1-9.
            third_server_code: the customer's id in your system (the Webhook API sends it back).
            remark: operator remark.

        Returns:
            The new customer number.

        Raises:
            InvalidArgumentError: neither phone nor e-mail, or no currency (nothing is sent).
        """
        if not phone and not email:
            raise InvalidArgumentError("register needs a phone or an e-mail address")
        if not currencies:
            raise InvalidArgumentError("register needs at least one (trade_type, currency) account to open")
        entries = [
            c
            if isinstance(c, TradeTypeCurrency)
            else TradeTypeCurrency(trade_type=str(c[0]), all_currency=c[1])
            for c in currencies
        ]
        body: dict[str, object] = {}
        put_given(body, {"phone": phone, "phoneArea": phone_area, "email": email, "emailArea": email_area})
        body.update(
            pwd=md5_password(password),
            country=country,
            registerSource=register_source,
            customerGroupId=customer_group_id,
            tradeTypeCurrencyList=[
                {"allCurrency": e.all_currency, "tradeType": e.trade_type} for e in entries
            ],
        )
        put_given(body, {"thirdServerCode": third_server_code, "remark": remark})
        data = await self._session.call(_CUSTOMER + "addCusAndOpenAccountAndKyc", body)
        if not isinstance(data, str | int) or isinstance(data, bool):
            raise ProtocolError("addCusAndOpenAccountAndKyc did not answer a customer number")
        return str(data)

    async def get(
        self,
        customer_no: str,
        *,
        customer_id: int | str | None = None,
        part: CustomerDetailType = CustomerDetailType.TRADE_ACCOUNT,
    ) -> ManagedCustomerDetail:
        """One customer's detail (``WhiteCustomerAdminApiService.detail``).

        Args:
            customer_no: the customer number.
            customer_id: the internal id (the spec requires it; by default it is looked up with ``list``).
            part: which part to return; ``TRADE_ACCOUNT`` includes the accounts.
        """
        if customer_id is None:
            found = await self.list(customer_no=customer_no, size=1)
            match = next((c for c in found.records if c.customer_no == customer_no), None)
            if match is None or match.id is None:
                raise InvalidArgumentError(f"no customer {customer_no!r}")
            customer_id = match.id
        body = {"type": str(part), "id": str(customer_id), "customerNo": customer_no}
        return await fetch(self._session, _CUSTOMER + "detail", body, ManagedCustomerDetail)

    async def groups(
        self, *, trade_type: int | None = None, customer_no: str | None = None
    ) -> builtins.list[CustomerGroup]:
        """The company's customer groups (``CustomerGroupAdminApiService.groupList``)."""
        body: dict[str, object] = {}
        put_given(body, {"tradeType": trade_type, "customerNo": customer_no})
        return await fetch(
            self._session, "customer.admin.CustomerGroupAdminApiService.groupList", body, _rows(CustomerGroup)
        )

    async def account_info(self, customer_no: str, *, trade_type: int) -> builtins.list[Account]:
        """The customer's accounts of one tradeType with balances (``queryAccountList``)."""
        return await fetch(
            self._session,
            "customer.admin.CustomerAdminApiService.queryAccountList",
            {"customerNo": customer_no, "tradeType": trade_type},
            _rows(Account),
        )

    async def close(self, customer_no: str, *, customer_id: int | str, remark: str) -> None:
        """Close a customer (``WhiteCustomerAdminApiService.destroy``, Appendix B)."""
        await self._session.call(
            _CUSTOMER + "destroy", {"customerNo": customer_no, "id": str(customer_id), "remark": remark}
        )


class Balances:
    """Balances and bonus/credit adjustments."""

    def __init__(self, session: ManagerSession) -> None:
        self._session = session

    async def get(self, customer_no: str, *, trade_type: int, currency: str | None = None) -> Account:
        """The customer's account of ``trade_type`` (in ``currency`` when it has several).

        Raises:
            InvalidArgumentError: the customer has no such account.
        """
        accounts = await fetch(
            self._session,
            "customer.admin.CustomerAdminApiService.queryAccountList",
            {"customerNo": customer_no, "tradeType": trade_type},
            _rows(Account),
        )
        for account in accounts:
            if currency is None or account.currency == currency:
                return account
        raise InvalidArgumentError(
            f"customer {customer_no} has no tradeType {trade_type} account"
            + (f" in {currency}" if currency else "")
        )

    async def update(
        self,
        customer_no: str,
        *,
        amount: Decimal | str | int,
        currency: str,
        trade_type: int,
        account_id: int | None = None,
        remark: str | None = None,
        request_no: str | None = None,
    ) -> BalanceAdjustment:
        """Credit (positive ``amount``) or claw back (negative) a bonus (``addCustomerAdjustProposal``).

        The call carries ``request_no`` as its ``idempotency-key``, but the Manager API documents no
        such header (http.md §9 defines it for the Client API only), so nothing guarantees that a
        repeat is not paid twice. The SDK therefore never sends an adjustment again once an attempt
        may have reached the server: it raises ``OutcomeUnknownError`` (with ``body`` and
        ``idempotency_key`` = ``request_no``) and you reconcile before paying again (docs/manager.md,
        "Reconciling money operations"). It still retries when nothing was sent (connection refused).

        Args:
            customer_no: the customer.
            amount: the amount, a ``Decimal`` or decimal string (never ``float``).
            currency: the account currency.
            trade_type: the account's tradeType.
            account_id: the target account.
            remark: operator remark.
            request_no: your unique number for this adjustment (a UUID by default).

        Raises:
            InvalidArgumentError: ``amount`` is a float, zero or not a number (nothing is sent).
            OutcomeUnknownError: an attempt may have been applied and no answer says whether it was.
        """
        text = decimal_text(amount, what="amount", positive=False)
        if Decimal(text) == 0:
            raise InvalidArgumentError("amount must not be zero")
        request_no = request_no or str(uuid.uuid4())
        body: dict[str, object] = {"customerNo": customer_no}
        if account_id is not None:
            body["accountId"] = account_id
        body.update(
            accountCurrency=currency, tradeType=trade_type, businessType=4, amount=text, withdraw=True
        )
        if remark is not None:
            body["remark"] = remark
        data = await self._session.call(_ADJUST, body, idempotency_key=request_no)
        proposal = data if isinstance(data, str) and data not in ("", "true") else None
        return BalanceAdjustment(request_no=request_no, proposal_no=proposal, amount=Decimal(text))
