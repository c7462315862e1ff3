"""The Manager API's typed namespaces for reference data and customers: ``manager.dictionaries``,
``.company``, ``.products`` and ``.customers`` (balances, positions and webhooks are in
``manager_ops``).

Each method builds the documented body, makes one call through the ``ManagerSession`` and validates
the answer into a model. Operations whose fields are undocumented stay reachable through
``ManagerClient.call`` (docs/manager.md lists them). Every method takes ``timeout=``: the read timeout
in seconds for each request it sends (``None`` waits forever); the client's by default.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import TypeVar

from pydantic import BaseModel

from .._types import NOT_GIVEN, NotGivenOr
from ..errors import InvalidArgumentError, ProtocolError
from ..models._answers import Paged, Rows
from ..models.customer import Account
from ..models.manager import (
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
from ._core import fetch, put_given
from .manager_session import ManagerSession

__all__ = ["Company", "Dictionaries", "ManagedCustomers", "Products", "find_customer", "rows"]

M = TypeVar("M", bound=BaseModel)

_DICT = "config.admin.AdminDictDubboService."
_CUSTOMER = "customer.admin.WhiteCustomerAdminApiService."
_MAX_PAGE = 2000


def rows(model: type[M]) -> Rows[M]:
    """A list answer; some are documented as an object and exemplified as an array: one row."""
    return Rows(model, single=True)


async def find_customer(
    session: ManagerSession, customer_no: str, *, timeout: NotGivenOr[float | None] = NOT_GIVEN
) -> ManagedCustomer:
    """The customer numbered ``customer_no``, from the customer list (one call).

    Raises:
        InvalidArgumentError: there is no such customer.
    """
    body = {"current": 1, "size": 1, "customerNo": customer_no}
    found = await fetch(session, _CUSTOMER + "page", body, Paged(Page[ManagedCustomer]), timeout=timeout)
    match = next((c for c in found.records if c.customer_no == customer_no), None)
    if match is None or match.id is None:
        raise InvalidArgumentError(f"no customer {customer_no!r}: check the customer number")
    return match


class Dictionaries:
    """Universal dictionaries (dialling prefixes, registration sources, chains of an asset, countries)."""

    def __init__(self, session: ManagerSession) -> None:
        self._session = session

    async def list(
        self, parent_code: str, *, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> builtins.list[DictionaryEntry]:
        """The entries under ``parent_code`` (``getListByParentCode``).

        Args:
            parent_code: ``phone_code``, ``register_source``, ``bank_code``, ``Language``, or an asset
                code such as ``USDT`` for its blockchain networks.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body = {"parentCode": parent_code}
        return await fetch(
            self._session, _DICT + "getListByParentCode", body, rows(DictionaryEntry), timeout=timeout
        )

    async def countries(
        self, parent_code: str = "country", *, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> builtins.list[DictionaryEntry]:
        """The country dictionary (``getCountryListByParentCode``; its body is undocumented beyond
        ``parentCode``, Assumption: the same body as ``list``).

        Args:
            parent_code: the dictionary's code.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body = {"parentCode": parent_code}
        return await fetch(
            self._session, _DICT + "getCountryListByParentCode", body, rows(DictionaryEntry), timeout=timeout
        )


class Company:
    """The company's own configuration."""

    def __init__(self, session: ManagerSession, company_id: int) -> None:
        self._session = session
        self._company_id = company_id

    async def currencies(
        self, *, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> builtins.list[CompanyAsset]:
        """The currencies the company enabled (``AdminAssetsDubboService.getAssetsList``).

        Args:
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        return await fetch(
            self._session,
            "config.admin.AdminAssetsDubboService.getAssetsList",
            {"companyId": str(self._company_id)},
            rows(CompanyAsset),
            timeout=timeout,
        )


class Products:
    """The company's products."""

    def __init__(self, session: ManagerSession, company_id: int) -> None:
        self._session = session
        self._company_id = company_id

    async def list(
        self, *, trade_type: int | None = None, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> builtins.list[ManagerProduct]:
        """The company's products, optionally of one tradeType (``getSymbolByCompanyId``).

        Args:
            trade_type: only this tradeType's products (1, 2, 5 ...).
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body: dict[str, object] = {"companyId": str(self._company_id)}
        if trade_type is not None:
            body["tradeType"] = trade_type
        return await fetch(
            self._session,
            "config.admin.AdminSymbolDubboService.getSymbolByCompanyId",
            body,
            rows(ManagerProduct),
            timeout=timeout,
        )


class ManagedCustomers:
    """The company's customers: list, register, detail, groups, accounts, closure."""

    def __init__(self, session: ManagerSession) -> None:
        self._session = session

    async def list(
        self,
        *,
        page: int = 1,
        size: int = 20,
        customer_no: str | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Page[ManagedCustomer]:
        """One page of customers (``WhiteCustomerAdminApiService.page``).

        Args:
            page: page number, from 1.
            size: rows per page, at most 2000.
            customer_no: only this customer.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

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
        return await fetch(
            self._session, _CUSTOMER + "page", body, Paged(Page[ManagedCustomer]), timeout=timeout
        )

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
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
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
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

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
        data = await self._session.call(_CUSTOMER + "addCusAndOpenAccountAndKyc", body, timeout=timeout)
        if not isinstance(data, str | int) or isinstance(data, bool):
            raise ProtocolError("addCusAndOpenAccountAndKyc did not answer a customer number")
        return str(data)

    async def get(
        self,
        customer_no: str,
        *,
        customer_id: int | str | None = None,
        part: CustomerDetailType = CustomerDetailType.TRADE_ACCOUNT,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> ManagedCustomerDetail:
        """One customer's detail (``WhiteCustomerAdminApiService.detail``).

        Args:
            customer_no: the customer number.
            customer_id: the internal id (the spec requires it; by default it is looked up with ``list``).
            part: which part to return; ``TRADE_ACCOUNT`` includes the accounts.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Raises:
            InvalidArgumentError: no customer has that number (when ``customer_id`` is looked up).
        """
        if customer_id is None:
            customer_id = (await find_customer(self._session, customer_no, timeout=timeout)).id
        body = {"type": str(part), "id": str(customer_id), "customerNo": customer_no}
        return await fetch(self._session, _CUSTOMER + "detail", body, ManagedCustomerDetail, timeout=timeout)

    async def groups(
        self,
        *,
        trade_type: int | None = None,
        customer_no: str | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> builtins.list[CustomerGroup]:
        """The company's customer groups (``CustomerGroupAdminApiService.groupList``).

        Args:
            trade_type: the groups of this tradeType.
            customer_no: the group of this customer.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body: dict[str, object] = {}
        put_given(body, {"tradeType": trade_type, "customerNo": customer_no})
        return await fetch(
            self._session,
            "customer.admin.CustomerGroupAdminApiService.groupList",
            body,
            rows(CustomerGroup),
            timeout=timeout,
        )

    async def account_info(
        self, customer_no: str, *, trade_type: int, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> builtins.list[Account]:
        """The customer's accounts of one tradeType with balances (``queryAccountList``).

        Args:
            customer_no: the customer.
            trade_type: the accounts' tradeType.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        return await fetch(
            self._session,
            "customer.admin.CustomerAdminApiService.queryAccountList",
            {"customerNo": customer_no, "tradeType": trade_type},
            rows(Account),
            timeout=timeout,
        )

    async def close(
        self,
        customer_no: str,
        *,
        customer_id: int | str,
        remark: str,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> None:
        """Close a customer (``WhiteCustomerAdminApiService.destroy``).

        Args:
            customer_no: the customer.
            customer_id: the internal id.
            remark: why.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body = {"customerNo": customer_no, "id": str(customer_id), "remark": remark}
        await self._session.call(_CUSTOMER + "destroy", body, timeout=timeout)
