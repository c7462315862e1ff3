"""The Bridge API's trading namespaces: ``bridge.balances``, ``.records`` and ``.orders``.

Every call acts on one ``BridgeAccount`` (exchange account of a customer) and takes ``timeout=``: the
read timeout in seconds for each request it sends (``None`` waits forever); the client's by default.
"""

from __future__ import annotations

import builtins
import re
import uuid
import warnings
from decimal import Decimal

from .._types import NOT_GIVEN, NotGivenOr
from ..errors import InvalidArgumentError, ProtocolError
from ..models._answers import Rows, parse_answer
from ..models.bridge import (
    BridgeAccount,
    BridgeBalance,
    BridgeDeposit,
    BridgeOrder,
    BridgeOrderType,
    BridgeTrade,
    DepositStatus,
    TimeInForce,
)
from ..models.trading import Side
from ._core import put_given
from .bridge import BridgeNamespace, decimal_text

__all__ = ["BridgeBalances", "BridgeOrders", "BridgeRecords"]

_ORDER = "tradeapi.admin.OrderAdminApiService."
_ACCOUNT = "tradeapi.admin.AccountAdminService."
_CLIENT_ORDER_ID = re.compile(r"^[a-zA-Z0-9]{1,20}$")


def _renamed_arg(old: str, old_value: int | None, new_value: int | None) -> int | None:
    """``new_value``, or ``old_value`` passed under the argument's old name (with a warning)."""
    if old_value is None:
        return new_value
    warnings.warn(
        f"{old}= is deprecated, use {old}_ms= (epoch ms); the old name goes in the next release",
        DeprecationWarning,
        stacklevel=3,
    )
    if new_value is not None:
        raise InvalidArgumentError(f"pass {old}_ms= only, not also the deprecated {old}=")
    return old_value


class BridgeBalances(BridgeNamespace):
    """Balances held on an exchange account."""

    async def list(
        self,
        account: BridgeAccount,
        *,
        currencies: builtins.list[str] | None = None,
        omit_zero: bool = False,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> builtins.list[BridgeBalance]:
        """The account's balances (``AccountAdminService.queryBalances``).

        Args:
            account: the exchange account.
            currencies: only these (case-sensitive; sent comma-separated, Assumption ``bridge_reply_shapes``).
            omit_zero: leave out zero balances.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body = account.body()
        body["omitZeroBalances"] = omit_zero
        if currencies:
            body["currency"] = ",".join(currencies)
        return await self._session.fetch(
            _ACCOUNT + "queryBalances", body, Rows(BridgeBalance), timeout=timeout
        )


class BridgeRecords(BridgeNamespace):
    """Deposit and trade records (the last 3 months)."""

    async def deposits(
        self,
        account: BridgeAccount,
        *,
        currency: str | None = None,
        status: DepositStatus | int | None = None,
        tx_id: str | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int = 20,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> builtins.list[BridgeDeposit]:
        """Deposits to the exchange account (``AccountAdminService.queryDepositList``).

        Args:
            account: the exchange account.
            currency: only this currency.
            status: only deposits in this state.
            tx_id: the chain transaction hash.
            start_time_ms: from (epoch ms).
            end_time_ms: to (epoch ms).
            limit: at most this many (the platform's maximum is 100).
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
            start_time: deprecated name of ``start_time_ms``.
            end_time: deprecated name of ``end_time_ms``.
        """
        start_time_ms = _renamed_arg("start_time", start_time, start_time_ms)
        end_time_ms = _renamed_arg("end_time", end_time, end_time_ms)
        body = account.body()
        put_given(
            body,
            {
                "currency": currency,
                "status": int(status) if status is not None else None,
                "txId": tx_id,
                "startTime": str(start_time_ms) if start_time_ms is not None else None,
                "endTime": str(end_time_ms) if end_time_ms is not None else None,
            },
        )
        body["limit"] = str(limit)
        shape = Rows(BridgeDeposit)
        return await self._session.fetch(_ACCOUNT + "queryDepositList", body, shape, timeout=timeout)

    async def trades(
        self,
        account: BridgeAccount,
        *,
        symbol_id: int,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int = 20,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> builtins.list[BridgeTrade]:
        """Executions of one product (``queryDirectTradeRecord``); the span may not exceed 24 h.

        Args:
            account: the exchange account.
            symbol_id: the product.
            start_time_ms: from (epoch ms).
            end_time_ms: to (epoch ms).
            limit: 1..100.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
            start_time: deprecated name of ``start_time_ms``.
            end_time: deprecated name of ``end_time_ms``.

        Raises:
            InvalidArgumentError: ``limit`` outside 1..100, or a span over 24 h (nothing is sent).
        """
        start_time_ms = _renamed_arg("start_time", start_time, start_time_ms)
        end_time_ms = _renamed_arg("end_time", end_time, end_time_ms)
        if not 1 <= limit <= 100:
            raise InvalidArgumentError(f"limit must be 1..100, got {limit}")
        if start_time_ms is not None and end_time_ms is not None and end_time_ms - start_time_ms > 86_400_000:
            raise InvalidArgumentError("the trade-record span may not exceed 24 hours: query it in steps")
        body = account.body()
        body["symbolId"] = symbol_id
        put_given(body, {"startTime": start_time_ms, "endTime": end_time_ms})
        body["limit"] = limit
        shape = Rows(BridgeTrade)
        return await self._session.fetch(_ORDER + "queryDirectTradeRecord", body, shape, timeout=timeout)


class BridgeOrders(BridgeNamespace):
    """Orders on the exchange: place, query, cancel."""

    async def place(
        self,
        account: BridgeAccount,
        *,
        symbol_id: int,
        side: Side,
        order_type: BridgeOrderType = BridgeOrderType.MARKET,
        quantity: Decimal | str | None = None,
        amount: Decimal | str | None = None,
        price: Decimal | str | None = None,
        time_in_force: TimeInForce | None = None,
        client_order_id: str | None = None,
        request_time_ms: int | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
        request_time: int | None = None,
    ) -> BridgeOrder:
        """Place an order (``addDirectOrder``).

        A ``client_order_id`` is generated when not given; it is in the answer and, if the call times
        out, in ``OrderStateUnknownError.body``: query the order by it before placing again.

        Args:
            account: the exchange account.
            symbol_id: the product.
            side: buy or sell.
            order_type: market or limit.
            quantity: quantity (``num``); wins over ``amount`` when both are given.
            amount: quote amount (``amount``).
            price: limit price (limit orders only).
            time_in_force: ``GTC`` (the limit default), ``IOC`` or ``FOK``; ignored for market orders.
            client_order_id: 1-20 letters or digits.
            request_time_ms: when the order is requested (epoch ms); the server's receipt time by default.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
            request_time: deprecated name of ``request_time_ms``.

        Raises:
            InvalidArgumentError: a missing quantity/amount, a price on a market order or none on a limit
                order, floats, or a malformed ``client_order_id`` (nothing is sent).
        """
        request_time_ms = _renamed_arg("request_time", request_time, request_time_ms)
        num = decimal_text(quantity, "quantity")
        amt = decimal_text(amount, "amount")
        limit_price = decimal_text(price, "price")
        if num is None and amt is None:
            raise InvalidArgumentError("give quantity or amount")
        if order_type is BridgeOrderType.LIMIT and limit_price is None:
            raise InvalidArgumentError("a limit order needs a price")
        if order_type is BridgeOrderType.MARKET and limit_price is not None:
            raise InvalidArgumentError("a market order takes no price")
        client_order_id = client_order_id or uuid.uuid4().hex[:20]
        if not _CLIENT_ORDER_ID.match(client_order_id):
            raise InvalidArgumentError("client_order_id must be 1-20 letters or digits")
        body = account.body()
        body.update(
            symbolId=symbol_id, bizType=int(order_type), direction=int(side), clientOrderId=client_order_id
        )
        put_given(
            body,
            {
                "price": limit_price,
                "num": num,
                "amount": amt,
                "timeInForce": str(time_in_force) if time_in_force is not None else None,
                "requestTime": request_time_ms,
            },
        )
        data = await self._session.call(_ORDER + "addDirectOrder", body, timeout=timeout)
        return parse_answer(
            BridgeOrder, {"clientOrderId": client_order_id, **(data if isinstance(data, dict) else {})}
        )

    async def _by_id(  # noqa: PLR0917 - private; every caller passes the same six values
        self,
        method: str,
        account: BridgeAccount,
        symbol_id: int,
        order_id: str | None,
        client_order_id: str | None,
        timeout: NotGivenOr[float | None],
    ) -> BridgeOrder:
        if order_id is None and client_order_id is None:
            raise InvalidArgumentError("give order_id or client_order_id")
        body = account.body()
        body["symbolId"] = symbol_id
        put_given(body, {"orderId": order_id, "clientOrderId": client_order_id})
        data = await self._session.call(_ORDER + method, body, timeout=timeout)
        if not isinstance(data, dict):
            raise ProtocolError(f"{method} did not answer an object")
        return parse_answer(BridgeOrder, data)

    async def get(
        self,
        account: BridgeAccount,
        *,
        symbol_id: int,
        order_id: str | None = None,
        client_order_id: str | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> BridgeOrder:
        """One order, by the exchange's id or ours (``queryDirectOrder``; ``order_id`` wins).

        Args:
            account: the exchange account.
            symbol_id: the product.
            order_id: the exchange's order id.
            client_order_id: our order id.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        return await self._by_id("queryDirectOrder", account, symbol_id, order_id, client_order_id, timeout)

    async def cancel(
        self,
        account: BridgeAccount,
        *,
        symbol_id: int,
        order_id: str | None = None,
        client_order_id: str | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> BridgeOrder:
        """Cancel an order (``cancelDirectOrder``); answers ``{exchangeId, orderId, clientOrderId}``.

        Args:
            account: the exchange account.
            symbol_id: the product.
            order_id: the exchange's order id.
            client_order_id: our order id.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        return await self._by_id("cancelDirectOrder", account, symbol_id, order_id, client_order_id, timeout)
