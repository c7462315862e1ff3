"""The Bridge API's session and its customer and account namespaces (endpoints.md §11.1-11.2):
``bridge.customers`` and ``bridge.accounts`` (the trading namespaces are in ``bridge_trading``).

Every call is signed like the Open API (scheme A, Assumption ``bridge_sign_algorithm``) and sent to
``{bridge_url}/global/{bizType}`` by ``BridgeSession``. Operations whose pages are not available
(withdrawal and transfer records, order list, pending orders, registration) stay reachable through
``BridgeClient.call`` (docs/bridge.md).
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from decimal import Decimal
from typing import TypeVar, Unpack, overload

from pydantic import BaseModel

from .._http import HTTPSession
from ..models._answers import AnswerShape, Paged, Rows, parse_answer
from ..models.bridge import BridgeAccountType, Exchange, ExchangeAccount
from ..models.manager import ManagedCustomer, ManagedCustomerDetail
from ..models.trading import Page
from ..protocol import prices
from ..protocol.operations import Family, bridge_operation
from ._core import CallOptions, fetch, put_given

__all__ = ["BridgeAccounts", "BridgeCustomers", "BridgeNamespace", "BridgeSession", "decimal_text", "rows"]

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

_ACC = "customer.admin.CustomerDirectAccAdminApiService."
_CUSTOMER = "customer.admin.WhiteCustomerAdminApiService."


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
    async def fetch(self, biz_type: str, body: Mapping[str, object] | None, model: type[M]) -> M: ...

    @overload
    async def fetch(self, biz_type: str, body: Mapping[str, object] | None, model: AnswerShape[T]) -> T: ...

    async def fetch(
        self, biz_type: str, body: Mapping[str, object] | None, model: type[M] | AnswerShape[T]
    ) -> M | T:
        """``call``, with the answer read as ``model`` (a model class, ``Rows`` or ``Paged``).

        Raises:
            ProtocolError: the answer does not fit ``model``.
        """
        return await fetch(self, biz_type, body, model)


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
        self, *, page: int = 1, size: int = 20, customer_no: str | None = None
    ) -> Page[ManagedCustomer]:
        """One page of customers (``WhiteCustomerAdminApiService.page``)."""
        body: dict[str, object] = {"current": page, "size": size}
        if customer_no is not None:
            body["customerNo"] = customer_no
        return await self._session.fetch(_CUSTOMER + "page", body, Paged(Page[ManagedCustomer]))

    async def get(self, customer_no: str) -> ManagedCustomerDetail:
        """One customer's profile (``detailByCustomerNo``, the sample's path; http.md §1.4)."""
        body = {"type": "baseInfo", "customerNo": customer_no}
        return await self._session.fetch(_CUSTOMER + "detailByCustomerNo", body, ManagedCustomerDetail)

    async def close(self, customer_no: str, *, remark: str, auto: bool = False) -> None:
        """Close a customer's account (``destroyByCustomerNo``); a manual closure (``auto=False``) must be
        approved twice in the white-label back office."""
        await self._session.call(
            _CUSTOMER + "destroyByCustomerNo", {"customerNo": customer_no, "remark": remark, "isAuto": auto}
        )


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
        data = await self._session.call(_ACC + "add", body)
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
    ) -> None:
        """Change a registered account (``CustomerDirectAccAdminApiService.edit``); only given fields
        change."""
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
        await self._session.call(_ACC + "edit", body)

    async def list(
        self,
        *,
        customer_no: str | None = None,
        exchange: Exchange | str | None = None,
        account_type: BridgeAccountType | str | None = None,
        account_name: str | None = None,
        page: int = 1,
        size: int = 20,
    ) -> Page[ExchangeAccount]:
        """Registered accounts (``CustomerDirectAccAdminApiService.getPage``)."""
        body: dict[str, object] = {"current": page, "size": size}
        for key, value in (
            ("customerNo", customer_no),
            ("exchangeCode", exchange),
            ("accountType", account_type),
            ("accountName", account_name),
        ):
            if value is not None:
                body[key] = str(value)
        return await self._session.fetch(_ACC + "getPage", body, Paged(Page[ExchangeAccount]))

    async def delete(self, record_id: str | int) -> None:
        """Remove a registered account (Assumption ``bridge_delete_account_biztype``:
        ``CustomerDirectAccAdminApiService.delete`` with ``{id}``; undocumented)."""
        await self._session.call(_ACC + "delete", {"id": str(record_id)})
