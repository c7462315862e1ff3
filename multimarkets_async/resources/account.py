"""``client.account``: the customer's accounts and money: profile and balances, leverage, the margin of
an isolated position, the fund flow (ledger) and asset totals."""

from __future__ import annotations

import warnings
from datetime import datetime
from typing import Literal

from .._types import NOT_GIVEN, NotGivenOr
from ..errors import InvalidArgumentError
from ..models._answers import Paged
from ..models.customer import Account, CustomerProfile
from ..models.funds import AssetsSummary, CustomerAssets, LedgerEntry
from ..models.trading import Page, Position
from ..protocol.prices import Number, to_decimal
from ._core import ClientCore
from ._lookup import Lookup, SymbolLike
from ._pending_changes import idempotency

__all__ = ["AccountResource"]

_CUSTOMER = "customer.app.CustomerWebApiService."
_SET_LEVERAGE = {
    1: "tradeapi.app.CfdMMOrderApiService.setCrossLevelNum",  # alias OrderApiService.setCrossLevelNum
    2: "tradeapi.app.PositionApiService.updateCrossLevelNum",
}
_MARGIN = "tradeapi.app.PositionApiService.updateOccupyTheMargin"
_LEDGER = {
    1: "tradeapi.app.CfdMMOrderApiService.queryCapitalFlowList",  # alias OrderApiService's
    2: "tradeapi.app.OrderApiService.queryCapitalFlowList",
}

_OPERATE: dict[str | None, int | None] = {"credit": 1, "debit": 2, None: None}  # ledger direction=


def _epoch_ms(value: datetime | None, name: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise InvalidArgumentError(f"{name} must be a timezone-aware datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidArgumentError(
            f"{name} is a naive datetime; give it a timezone, e.g. {name}=datetime.now(timezone.utc)"
        )
    return int(value.timestamp() * 1000)


class AccountResource:
    """The customer's profile, trading accounts and money."""

    def __init__(self, core: ClientCore, lookup: Lookup) -> None:
        self._core = core
        self._lookup = lookup

    async def profile(
        self,
        *,
        cached: bool = False,
        refresh: NotGivenOr[bool] = NOT_GIVEN,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> CustomerProfile:
        """The customer's profile with its accounts and their balances (``findCustomerInfo``).

        It is fetched now by default, so balances are current. ``cached=True`` returns the copy fetched
        last (by any namespace of this client) without a request, fetching it only if there is none:
        its ids and settings are right, its balances are as of when it was fetched.

        Args:
            cached: return the last fetched copy instead of asking the platform.
            refresh: deprecated; fetching is the default now (``cached=True`` for the old behaviour).
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        if refresh is not NOT_GIVEN:
            warnings.warn(
                "account.profile(refresh=...) is deprecated: profile() fetches by default now; "
                "pass cached=True for the last fetched copy",
                DeprecationWarning,
                stacklevel=2,
            )
            cached = not refresh
        return await self._lookup.profile(refresh=not cached, timeout=timeout)

    async def for_trade_type(
        self,
        trade_type: int,
        currency: str | None = None,
        *,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Account:
        """The account that trades ``trade_type`` (in ``currency`` when the customer has several), from
        the cached profile: right for its id, currency and digits; read balances with ``get``.

        Args:
            trade_type: 1, 2, 3 or 5.
            currency: choose by currency when the customer has several accounts of ``trade_type``.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Raises:
            InvalidArgumentError: the customer has no such account.
        """
        return await self._lookup.account(trade_type, currency, timeout=timeout)

    async def get(
        self,
        *,
        trade_type: int,
        account_id: int | None = None,
        currency: str | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Account:
        """One account in real time: balance, equity, margin (``queryAccountById``).

        Args:
            trade_type: 1, 2, 3 or 5.
            account_id: the account; by default the customer's account for ``trade_type``.
            currency: choose the account by currency instead.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body: dict[str, object] = {"tradeType": trade_type}
        if account_id is None and currency is None:
            account_id = (await self._lookup.account(trade_type, timeout=timeout)).account_id
        if account_id is not None:
            body["accountId"] = account_id
        if currency is not None:
            body["currency"] = currency
        return await self._core.call(_CUSTOMER + "queryAccountById", body, Account, timeout=timeout)

    async def set_leverage(
        self,
        symbol: SymbolLike,
        leverage: int,
        *,
        trade_type: int | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> None:
        """Set the customer's leverage on a contract product (``setCrossLevelNum`` on full margin,
        tradeType 1; ``updateCrossLevelNum`` on isolated margin, tradeType 2).

        Later orders on the product without ``leverage=`` use it, and its open positions take it (their
        margin follows). ``client.symbols.detail(symbol).lever_ratio`` gives the allowed range.

        Args:
            symbol: the product (a name needs ``trade_type`` when it is listed under both).
            leverage: the new leverage, e.g. 20 for 1:20.
            trade_type: 1 or 2; by default the ``Symbol``'s or ``SymbolKey``'s.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Raises:
            InvalidArgumentError: a leverage that is not a positive int, or a product that is not a
                contract (tradeType 1 or 2).
            TradingRuleError: the platform refused the leverage (above the product's maximum:
                ``E000029``; the margin would not fit the account: ``E000031``).
        """
        if isinstance(leverage, bool) or not isinstance(leverage, int) or leverage < 1:
            raise InvalidArgumentError(f"leverage must be a positive int (20 for 1:20), got {leverage!r}")
        row = await self._lookup.symbol(symbol, trade_type=trade_type, timeout=timeout)
        operation = _SET_LEVERAGE.get(row.trade_type)
        if operation is None:
            raise InvalidArgumentError(
                f"leverage is set on contract products (tradeType 1 or 2), not tradeType {row.trade_type}"
            )
        body: dict[str, object] = {"tradeType": row.trade_type, "symbolId": row.symbol_id}
        if row.trade_type == 1:  # the full-margin operation names the customer too
            profile = await self._lookup.profile(timeout=timeout)
            body |= {
                "companyId": profile.company_id or self._core.company_id,
                "customerId": profile.id,
                "customerNo": profile.customer_no,
                "customerGroupId": profile.customer_group_id,
            }
        body[self._core.settings.leverage_field_name] = leverage
        await self._core.http.request(operation, body, timeout=timeout)

    async def adjust_margin(
        self,
        position: Position,
        amount: Number,
        *,
        remark: str = "",
        idempotency_key: str | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> None:
        """Add margin to an isolated-margin position, or remove some with a negative ``amount``
        (``updateOccupyTheMargin``). Read the position again (``client.positions.get``) to see it.

        Args:
            position: an open position of tradeType 2 (from ``client.positions``).
            amount: the money to add, in the account's currency; negative to remove.
            remark: free text the platform stores with the change.
            idempotency_key: your ``idempotency-key`` for the change (see
                ``client.orders.new_idempotency_key()``); a fresh one by default. After a cancellation
                or a lost answer, repeat the call with the same key: the gateway replays the first
                answer instead of moving the margin twice.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Raises:
            InvalidArgumentError: ``amount`` is zero or has more decimals than the account's money, or
                the position is not an isolated-margin one.
            TradingRuleError: more than the account's free margin (``E000031``).
            ValidationError: so much removed that the margin falls below what the position needs at its
                leverage (``E000007``).
        """
        if position.trade_type != 2:
            raise InvalidArgumentError(
                f"margin is adjusted on isolated-margin positions (tradeType 2), not tradeType "
                f"{position.trade_type}; on full margin change the leverage with set_leverage()"
            )
        value = to_decimal(amount, "amount")
        account = await self._lookup.account(2, timeout=timeout)
        scaled = value.scaleb(account.digits)
        if value == 0 or scaled != scaled.to_integral_value():
            raise InvalidArgumentError(
                f"amount must be non-zero with at most {account.digits} decimals, got {amount!r}"
            )
        body: dict[str, object] = {
            "tradeType": 2,
            "accountId": position.account_id or account.account_id,
            "accountCurrency": account.currency,
            "accountDigits": str(account.digits),
            "positionId": position.position_id,
            "orderId": position.order_id,
            "occupyTheMargin": format(value, "f"),
            "remark": remark,
        }
        await self._core.http.request(
            _MARGIN, body, idempotency_key=idempotency(idempotency_key), timeout=timeout
        )

    async def ledger(
        self,
        *,
        trade_type: int,
        account_id: int | None = None,
        business_type: int | None = None,
        direction: Literal["credit", "debit"] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        page: int = 1,
        size: int = 20,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Page[LedgerEntry]:
        """The fund flow of the contract accounts of ``trade_type``, newest first
        (``queryCapitalFlowList``): every deposit, fee, realised profit and adjustment.

        Args:
            trade_type: 1 (full margin) or 2 (isolated margin).
            account_id: one account; all of the tradeType by default.
            business_type: only entries of this type, e.g. ``LedgerBusinessType.TRADE``.
            direction: only credits or only debits.
            start: entries booked at or after this aware datetime.
            end: entries booked at or before this aware datetime.
            page: the page, from 1.
            size: entries per page.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Raises:
            InvalidArgumentError: another tradeType, a ``direction`` other than ``"credit"`` or
                ``"debit"``, or a naive datetime; nothing is sent.
        """
        operation = _LEDGER.get(trade_type)
        if operation is None:
            raise InvalidArgumentError(
                f"ledger() reads contract accounts (trade_type 1 or 2), not {trade_type!r}; the spot "
                "and stock fund flows are call()-only for now"
            )
        if direction not in _OPERATE:
            raise InvalidArgumentError(f"direction must be 'credit', 'debit' or None, got {direction!r}")
        body: dict[str, object] = {"tradeType": trade_type, "current": page, "size": size}
        fields = {
            "accountId": account_id,
            "businessType": business_type,
            "operate": _OPERATE[direction],
            "startTime": _epoch_ms(start, "start"),
            "endTime": _epoch_ms(end, "end"),
        }
        body.update((k, v) for k, v in fields.items() if v is not None)
        model = Paged(Page[LedgerEntry], page=page, size=size)
        return await self._core.call(operation, body, model, timeout=timeout)

    async def assets(
        self, *, trade_type: int, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> CustomerAssets:
        """The balance of the customer's asset for ``trade_type`` (``queryCustomerAssets``).

        Args:
            trade_type: the account family (1, 2, 5 ...).
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body = {"tradeType": trade_type}
        return await self._core.call(_CUSTOMER + "queryCustomerAssets", body, CustomerAssets, timeout=timeout)

    async def assets_summary(
        self,
        *,
        trade_type: int,
        currencies: list[str] | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> AssetsSummary:
        """Totals over the customer's leverage, spot or wallet accounts, with each account
        (``queryCustomerAssetsInfo``). The platform does not support contracts here: use ``get``.

        Args:
            trade_type: 3 leverage, 5 spot or 8 wallet.
            currencies: only these asset codes; all by default.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Raises:
            InvalidArgumentError: a contract tradeType (1 or 2).
        """
        if trade_type in (1, 2):
            raise InvalidArgumentError(
                "assets_summary() does not cover contracts (tradeType 1, 2): read those accounts with "
                "client.account.get(trade_type=...)"
            )
        body: dict[str, object] = {"tradeType": trade_type}
        if currencies:
            body["accountCurrency"] = ",".join(currencies)
        return await self._core.call(
            _CUSTOMER + "queryCustomerAssetsInfo", body, AssetsSummary, timeout=timeout
        )
