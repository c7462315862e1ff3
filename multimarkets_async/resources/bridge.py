"""The Bridge API's session and its customer, account and product namespaces: ``bridge.customers``,
``bridge.accounts`` and ``bridge.products`` (the trading namespaces are in ``bridge_trading``).

Every call is signed like the Open API (scheme A, Assumption ``bridge_sign_algorithm``) and sent to
``{bridge_url}/global/{bizType}`` by ``BridgeSession``. Operations whose pages are not available
(withdrawal and transfer records, order list, pending orders, registration) stay reachable through
``BridgeClient.call`` (docs/bridge.md). Every method takes ``timeout=``: the read timeout in seconds
for each request it sends (``None`` waits forever); the client's by default.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from decimal import Decimal
from typing import TypeVar, Unpack, overload

from pydantic import BaseModel

from .._http import HTTPSession
from .._types import NOT_GIVEN, NotGivenOr
from ..models._answers import AnswerShape, Paged, Rows, parse_answer
from ..models.backoffice import ManagerProduct
from ..models.bridge import BridgeAccountType, Exchange, ExchangeAccount
from ..models.manager import ManagedCustomer, ManagedCustomerDetail
from ..models.trading import Page
from ..protocol import prices
from ..protocol.operations import Family, bridge_operation
from ._core import CallOptions, fetch, put_given

__all__ = [
    "BridgeAccounts",
    "BridgeCustomers",
    "BridgeNamespace",
    "BridgeProducts",
    "BridgeSession",
    "decimal_text",
    "rows",
]

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

_ACC = "customer.admin.CustomerDirectAccAdminApiService."
_CUSTOMER = "customer.admin.WhiteCustomerAdminApiService."
_PRODUCTS = "config.admin.AdminSymbolDubboService.getSymbolByCompanyId"


class BridgeSession:
    """Sends Bridge operations through the client's signing HTTP session."""

    def __init__(self, http: HTTPSession) -> None:
        self._http = http

    async def call(
        self, biz_type: str, body: Mapping[str, object] | None = None, **options: Unpack[CallOptions]
    ) -> object:
        """Send one Bridge operation and return the envelope's ``data``.

        No ``idempotency-key`` is sent (the Bridge documents none), so an order call that gets no
        answer is not repeated: it raises ``OrderStateUnknownError``; query it by ``clientOrderId``.
        """
        return await self._http.request(
            biz_type,
            body if body is not None else {},
            family=Family.BRIDGE,
            operation=bridge_operation(biz_type),
            token=None,
            idempotency_key=None,
            **options,
        )

    @overload
    async def fetch(
        self,
        biz_type: str,
        body: Mapping[str, object] | None,
        model: type[M],
        *,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> M: ...

    @overload
    async def fetch(
        self,
        biz_type: str,
        body: Mapping[str, object] | None,
        model: AnswerShape[T],
        *,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> T: ...

    async def fetch(
        self,
        biz_type: str,
        body: Mapping[str, object] | None,
        model: type[M] | AnswerShape[T],
        *,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> M | T:
        """``call``, with the answer read as ``model`` (a model class, ``Rows`` or ``Paged``).

        Raises:
            ProtocolError: the answer does not fit ``model``.
        """
        return await fetch(self, biz_type, body, model, timeout=timeout)


def decimal_text(value: Decimal | str | None, name: str) -> str | None:
    """A positive decimal as plain text for the wire (``None`` stays ``None``).

    Raises:
        InvalidArgumentError: a float, a non-number or a non-positive value.
    """
    return None if value is None else prices.decimal_text(value, what=name)


def rows(data: object, model: type[M], what: str) -> builtins.list[M]:
    """Validate a list answer (or a page object's ``records``/``list``) into models."""
    return Rows(model).parse(data, what)


class BridgeNamespace:
    """A namespace of the Bridge client (``bridge.customers``, ``bridge.orders`` ...): its methods call
    through the client's one ``BridgeSession``."""

    def __init__(self, session: BridgeSession) -> None:
        self._session = session


class BridgeCustomers(BridgeNamespace):
    """The bridge company's customers."""

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
            size: rows per page.
            customer_no: only this customer.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body: dict[str, object] = {"current": page, "size": size}
        if customer_no is not None:
            body["customerNo"] = customer_no
        shape = Paged(Page[ManagedCustomer])
        return await self._session.fetch(_CUSTOMER + "page", body, shape, timeout=timeout)

    async def get(
        self, customer_no: str, *, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> ManagedCustomerDetail:
        """One customer's profile (``detailByCustomerNo``, the path of the vendor's sample; the page's
        text says ``detail``).

        Args:
            customer_no: the customer.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body = {"type": "baseInfo", "customerNo": customer_no}
        return await self._session.fetch(
            _CUSTOMER + "detailByCustomerNo", body, ManagedCustomerDetail, timeout=timeout
        )

    async def close(
        self,
        customer_no: str,
        *,
        remark: str,
        auto: bool = False,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> None:
        """Close a customer's account (``destroyByCustomerNo``); a manual closure (``auto=False``) must be
        approved twice in the white-label back office.

        Args:
            customer_no: the customer.
            remark: why.
            auto: close without the two approvals.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body = {"customerNo": customer_no, "remark": remark, "isAuto": auto}
        await self._session.call(_CUSTOMER + "destroyByCustomerNo", body, timeout=timeout)


class BridgeProducts(BridgeNamespace):
    """The products the bridge trades (tradeType 10)."""

    def __init__(self, session: BridgeSession, company_id: int) -> None:
        super().__init__(session)
        self._company_id = company_id

    async def list(self, *, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> builtins.list[ManagerProduct]:
        """The bridge's products: their ids are the ``symbol_id`` of the trading calls.

        The Bridge's own product-list page is not available; the SDK sends the Manager product list
        with ``tradeType`` 10 (Assumption ``bridge_product_biztype``:
        ``config.admin.AdminSymbolDubboService.getSymbolByCompanyId``, signed like every Bridge call).

        Args:
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body = {"companyId": str(self._company_id), "tradeType": 10}
        return await self._session.fetch(_PRODUCTS, body, Rows(ManagerProduct, single=True), timeout=timeout)


class BridgeAccounts(BridgeNamespace):
    """Exchange API keys registered per customer (whitelist the platform's IPs on them)."""

    async def add(
        self,
        *,
        customer_no: str,
        exchange: Exchange | str,
        account_type: BridgeAccountType | str,
        account_name: str,
        api_key: str,
        secret_key: str,
        passphrase: str | None = None,
        test: bool = False,
        certificate: bytes | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> ExchangeAccount | None:
        """Register an exchange account (``CustomerDirectAccAdminApiService.add``).

        Args:
            customer_no: the customer.
            exchange: ``binance``, ``okx`` or ``cumberland``.
            account_type: ``spot`` or ``futures``.
            account_name: your alias; the trading calls name the account by it.
            api_key: the exchange API key (Cumberland: the counterpartyId).
            secret_key: the exchange secret (Cumberland: the userId).
            passphrase: the key's passphrase (OKX).
            test: a test account on the exchange.
            certificate: the PKCS#12 certificate (Cumberland only), sent as hex.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Returns:
            The record when the server answers one (the reply is undocumented), else ``None``.
        """
        body: dict[str, object] = {
            "customerNo": customer_no,
            "exchangeCode": str(exchange),
            "accountType": str(account_type),
            "accountName": account_name,
            "accountApiKey": api_key,
            "accountSecretKey": secret_key,
            "isTest": 1 if test else 0,
        }
        if passphrase is not None:
            body["passphrase"] = passphrase
        if certificate is not None:
            body["certificate"] = certificate.hex()
        data = await self._session.call(_ACC + "add", body, timeout=timeout)
        return parse_answer(ExchangeAccount, data) if isinstance(data, dict) else None

    async def update(
        self,
        record_id: str | int,
        *,
        account_name: str | None = None,
        api_key: str | None = None,
        secret_key: str | None = None,
        passphrase: str | None = None,
        certificate: bytes | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> None:
        """Change a registered account (``CustomerDirectAccAdminApiService.edit``); only given fields
        change.

        Args:
            record_id: the record's id (``ExchangeAccount.id``).
            account_name: a new alias.
            api_key: a new exchange API key.
            secret_key: a new exchange secret.
            passphrase: a new passphrase (OKX).
            certificate: a new PKCS#12 certificate (Cumberland), sent as hex.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body: dict[str, object] = {"id": str(record_id)}
        put_given(
            body,
            {
                "accountName": account_name,
                "accountApiKey": api_key,
                "accountSecretKey": secret_key,
                "passphrase": passphrase,
                "certificate": certificate.hex() if certificate is not None else None,
            },
        )
        await self._session.call(_ACC + "edit", body, timeout=timeout)

    async def list(
        self,
        *,
        customer_no: str | None = None,
        exchange: Exchange | str | None = None,
        account_type: BridgeAccountType | str | None = None,
        account_name: str | None = None,
        page: int = 1,
        size: int = 20,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Page[ExchangeAccount]:
        """Registered accounts (``CustomerDirectAccAdminApiService.getPage``).

        Args:
            customer_no: only this customer's.
            exchange: only on this exchange.
            account_type: only ``spot`` or ``futures``.
            account_name: only this alias.
            page: page number, from 1.
            size: rows per page.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body: dict[str, object] = {"current": page, "size": size}
        for key, value in (
            ("customerNo", customer_no),
            ("exchangeCode", exchange),
            ("accountType", account_type),
            ("accountName", account_name),
        ):
            if value is not None:
                body[key] = str(value)
        shape = Paged(Page[ExchangeAccount])
        return await self._session.fetch(_ACC + "getPage", body, shape, timeout=timeout)

    async def delete(self, record_id: str | int, *, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> None:
        """Remove a registered account (Assumption ``bridge_delete_account_biztype``:
        ``CustomerDirectAccAdminApiService.delete`` with ``{id}``; undocumented).

        Args:
            record_id: the record's id (``ExchangeAccount.id``).
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        await self._session.call(_ACC + "delete", {"id": str(record_id)}, timeout=timeout)
