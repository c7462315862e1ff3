"""The Manager API's money, position and webhook namespaces: ``manager.balances``, ``.positions`` and
``.webhooks``.

Writes here are never sent twice: the Manager API documents no idempotency key, so once an attempt
of a balance adjustment, a forced close or a webhook registration may have reached the server, a
failure is an unknown outcome (``OutcomeUnknownError`` / ``OrderStateUnknownError``) and you
reconcile before sending it again (docs/manager.md). Every method takes ``timeout=``: the read
timeout in seconds for each request it sends (``None`` waits forever); the client's by default.
"""

from __future__ import annotations

import builtins
import uuid
from decimal import Decimal
from typing import Literal

from .._types import NOT_GIVEN, NotGivenOr
from ..errors import InvalidArgumentError, ProtocolError
from ..models._answers import Paged, Rows
from ..models.backoffice import AdjustmentProposal, BalanceAdjustment, ManagedPosition, WebhookUrls
from ..models.customer import Account
from ..models.trading import OrderResult, Page, Side
from ..protocol.prices import decimal_text
from ._core import fetch, put_given
from .manager import find_customer, rows
from .manager_session import ManagerSession

__all__ = ["Balances", "ManagedPositions", "Webhooks"]

_PROPOSALS = "fund.admin.CustomerAdjustProposalAdminDubboService."
_ACCOUNTS = "customer.admin.CustomerAdminApiService.queryAccountList"
_ALL_POSITIONS = "tradeapi.admin.PositionAdminApiService.queryAllPositionPage"
_FORCED_CLOSE = "tradeapi.admin.OrderAdminApiService.forcedOrder"
_SUBSCRIBE = "admin.admin.CompanyWebhookDubboService.subscribe"

WEBHOOK_PATHS: dict[str, str] = {
    "balance": "get-user-amount",
    "adjustment": "external-system-credit-limit-adjustment",
    "cancel": "cancel-external-system-credit-limit-adjustment",
}
"""The paths ``multimarkets_async.webhooks.webhook_routes`` serves below its prefix."""


class Balances:
    """Balances, bonus/credit adjustments and their proposals."""

    def __init__(self, session: ManagerSession, company_id: int) -> None:
        self._session = session
        self._company_id = company_id

    async def get(
        self,
        customer_no: str,
        *,
        trade_type: int,
        currency: str | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Account:
        """The customer's account of ``trade_type`` (in ``currency`` when it has several).

        Args:
            customer_no: the customer.
            trade_type: the account's tradeType.
            currency: the account's currency, when the customer has several.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Raises:
            InvalidArgumentError: the customer has no such account.
        """
        body = {"customerNo": customer_no, "tradeType": trade_type}
        accounts = await fetch(self._session, _ACCOUNTS, body, rows(Account), timeout=timeout)
        for account in accounts:
            if currency is None or account.currency == currency:
                return account
        raise InvalidArgumentError(
            f"customer {customer_no} has no tradeType {trade_type} account"
            + (f" in {currency}" if currency else "")
            + ": check customer_no, trade_type and currency"
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
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> BalanceAdjustment:
        """Credit (positive ``amount``) or claw back (negative) a bonus (``addCustomerAdjustProposal``).

        The call carries ``request_no`` as its ``idempotency-key``, but the Manager API documents no
        such header (only the Client API does), so nothing guarantees that a repeat is not paid twice.
        The SDK therefore never sends an adjustment again once an attempt may have reached the server:
        it raises ``OutcomeUnknownError`` (with ``body`` and ``idempotency_key`` = ``request_no``) and
        you reconcile before paying again (docs/manager.md, "Reconciling money operations"). It still
        retries when nothing was sent (connection refused).

        Args:
            customer_no: the customer.
            amount: the amount, a ``Decimal`` or decimal string (never ``float``).
            currency: the account currency.
            trade_type: the account's tradeType.
            account_id: the target account.
            remark: operator remark (put ``request_no`` in it to find the adjustment again).
            request_no: your unique number for this adjustment (a UUID by default).
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

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
        data = await self._session.call(
            _PROPOSALS + "addCustomerAdjustProposal", body, idempotency_key=request_no, timeout=timeout
        )
        proposal = data if isinstance(data, str) and data not in ("", "true") else None
        return BalanceAdjustment(request_no=request_no, proposal_no=proposal, amount=Decimal(text))

    async def adjustment(
        self, proposal_no: str, *, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> AdjustmentProposal:
        """An adjustment proposal and its review state (``getCustomerAdjustProposalById``).

        Args:
            proposal_no: the number ``update`` answered (``BalanceAdjustment.proposal_no``).
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Raises:
            InvalidArgumentError: an empty ``proposal_no`` (nothing is sent).
            APIError: the platform knows no such proposal (a subclass names why).
        """
        if not proposal_no:
            raise InvalidArgumentError("proposal_no is empty: pass the BalanceAdjustment.proposal_no")
        body = {"proposalNo": proposal_no, "companyId": str(self._company_id)}
        return await fetch(
            self._session,
            _PROPOSALS + "getCustomerAdjustProposalById",
            body,
            AdjustmentProposal,
            timeout=timeout,
        )


class ManagedPositions:
    """Positions of every customer of the company, and the forced close of a customer's positions."""

    def __init__(self, session: ManagerSession) -> None:
        self._session = session

    async def list(
        self,
        *,
        trade_type: int,
        customer_no: str | None = None,
        customer_id: int | None = None,
        customer_group_id: int | None = None,
        account_id: int | None = None,
        symbol_id: int | None = None,
        order_id: int | None = None,
        side: Side | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        sort_by: Literal["id", "orderId", "openTime", "symbolId"] | None = None,
        sort_order: Literal["asc", "desc"] | None = None,
        page: int = 1,
        size: int = 20,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Page[ManagedPosition]:
        """One page of positions across customers (``PositionAdminApiService.queryAllPositionPage``).

        Args:
            trade_type: 1 full-margin or 2 isolated-margin contracts.
            customer_no: only this customer's positions.
            customer_id: only this customer's (internal id).
            customer_group_id: only this group's.
            account_id: only this account's.
            symbol_id: only this product's.
            order_id: the position opened by this order.
            side: only buys or sells.
            start_time_ms: opened at or after (epoch ms).
            end_time_ms: opened at or before (epoch ms).
            sort_by: sort field (the platform's default is ``id``, the position number).
            sort_order: ``asc`` or ``desc`` (the platform's default).
            page: page number, from 1.
            size: rows per page.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Raises:
            InvalidArgumentError: ``page`` or ``size`` below 1 (nothing is sent).
        """
        if page < 1 or size < 1:
            raise InvalidArgumentError(f"page and size must be >= 1, got page={page} size={size}")
        body: dict[str, object] = {"tradeType": trade_type}
        put_given(
            body,
            {
                "customerNo": customer_no,
                "customerId": customer_id,
                "customerGroupId": customer_group_id,
                "accountId": account_id,
                "symbolId": symbol_id,
                "orderId": order_id,
                "direction": int(side) if side is not None else None,
                "startTime": start_time_ms,
                "endTime": end_time_ms,
                "sortFieldName": sort_by,
                "sortType": sort_order,
            },
        )
        body.update(current=page, size=size)
        shape = Paged(Page[ManagedPosition], page=page, size=size)
        return await fetch(self._session, _ALL_POSITIONS, body, shape, timeout=timeout)

    async def force_close(
        self,
        customer_no: str,
        *,
        trade_type: int,
        customer_id: int | None = None,
        customer_group_id: int | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> builtins.list[OrderResult]:
        """Close every open position of the customer's ``trade_type`` account at market
        (``OrderAdminApiService.forcedOrder``).

        This changes positions and the Manager API has no idempotency key: the call is never sent
        again once an attempt may have reached the server. A lost answer raises
        ``OrderStateUnknownError``; list the customer's positions (``positions.list(customer_no=...)``)
        before closing again.

        Args:
            customer_no: the customer.
            trade_type: the account family whose positions close (1 or 2).
            customer_id: the internal id (required on the wire; looked up with one customer-list call
                when not given, as is ``customer_group_id``).
            customer_group_id: the customer's group.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Returns:
            One result per closed position (empty when there was none).

        Raises:
            InvalidArgumentError: no customer has that number (when the ids are looked up).
            OrderStateUnknownError: the close may have run and no answer says whether it did.
            ProtocolError: the platform accepted the close but its answer does not read as close results.
        """
        if customer_id is None or customer_group_id is None:
            customer = await find_customer(self._session, customer_no, timeout=timeout)
            customer_id = customer.id if customer_id is None else customer_id
            group = customer.customer_group_id
            customer_group_id = group if customer_group_id is None else customer_group_id
        body = {
            "tradeType": trade_type,
            "customerNo": customer_no,
            "customerId": customer_id,
            "customerGroupId": customer_group_id,
        }
        data = await self._session.call(_FORCED_CLOSE, body, idempotency_key=None, timeout=timeout)
        try:
            return Rows(OrderResult, single=True).parse(data, "forcedOrder")
        except ProtocolError as exc:  # the platform said "done": do not let it read as "not closed"
            raise ProtocolError(
                f"the forced close was accepted but its answer could not be read ({exc.message}): list "
                "the customer's positions to see what closed before closing again"
            ) from exc


class Webhooks:
    """The Webhook API URLs: where the platform reads, debits and credits your customers' wallets."""

    def __init__(self, session: ManagerSession) -> None:
        self._session = session

    async def register(
        self,
        base_url: str | None = None,
        *,
        balance_url: str | None = None,
        adjustment_url: str | None = None,
        cancel_url: str | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> WebhookUrls:
        """Register the three URLs the platform calls (``CompanyWebhookDubboService.subscribe``).

        ``base_url`` is where ``multimarkets_async.webhooks.webhook_routes`` (or
        ``webhook_api_router``) is mounted, e.g. ``"https://hooks.example.com/mm"``: the three URLs
        are ``{base_url}/get-user-amount``, ``{base_url}/external-system-credit-limit-adjustment`` and
        ``{base_url}/cancel-external-system-credit-limit-adjustment``. A URL given on its own wins.
        Registering again replaces the URLs.

        Args:
            base_url: the mount point of the webhook routes (with the shared-secret segment, if any).
            balance_url: the full URL of the balance handler.
            adjustment_url: the full URL of the adjustment handler.
            cancel_url: the full URL of the cancel handler.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Returns:
            The URLs registered.

        Raises:
            InvalidArgumentError: a URL is missing or not ``http(s)://`` (nothing is sent).
            OutcomeUnknownError: an attempt may have reached the platform and no answer says whether it
                registered the URLs (never sent again by the SDK; ``body`` holds the URLs sent).
        """
        given = {"balance": balance_url, "adjustment": adjustment_url, "cancel": cancel_url}
        urls: dict[str, str] = {}
        for name, explicit in given.items():
            url = explicit
            if url is None and base_url is not None:
                url = base_url.rstrip("/") + "/" + WEBHOOK_PATHS[name]
            if url is None or not url.startswith(("https://", "http://")):
                raise InvalidArgumentError(
                    f"the {name} URL must be an http(s):// URL, got {url!r}: pass base_url= "
                    f"(where the webhook routes are mounted) or {name}_url="
                )
            urls[name] = url
        registered = WebhookUrls(
            query_user_account_balance_url=urls["balance"],
            external_system_adjustment_url=urls["adjustment"],
            cancel_external_system_adjustment_url=urls["cancel"],
        )
        body = registered.model_dump(by_alias=True)
        await self._session.call(_SUBSCRIBE, body, timeout=timeout)
        return registered
