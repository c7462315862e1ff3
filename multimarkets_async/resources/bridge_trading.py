"""The Bridge API's trading namespaces (endpoints.md §11.3): ``bridge.balances``, ``.records`` and
``.orders``. Every call acts on one ``BridgeAccount`` (exchange account of a customer)."""

from __future__ import annotations

import builtins
import re
import uuid
from decimal import Decimal

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


class BridgeBalances(BridgeNamespace):
    """Balances held on an exchange account."""

    async def list(
        self, account: BridgeAccount, *, currencies: builtins.list[str] | None = None, omit_zero: bool = False
    ) -> builtins.list[BridgeBalance]:
        """The account's balances (``AccountAdminService.queryBalances``).

        Args:
            account: the exchange account.
            currencies: only these (case-sensitive; sent comma-separated, Assumption ``bridge_reply_shapes``).
            omit_zero: leave out zero balances.
        """
        body = account.body()
        body["omitZeroBalances"] = omit_zero
        if currencies:
            body["currency"] = ",".join(currencies)
        return await self._session.fetch(_ACCOUNT + "queryBalances", body, Rows(BridgeBalance))


class BridgeRecords(BridgeNamespace):
    """Deposit and trade records (the last 3 months)."""

    async def deposits(
        self,
        account: BridgeAccount,
        *,
        currency: str | None = None,
        status: DepositStatus | int | None = None,
        tx_id: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int = 20,
    ) -> builtins.list[BridgeDeposit]:
        """Deposits to the exchange account (``AccountAdminService.queryDepositList``); times in ms."""
        body = account.body()
        put_given(
            body,
            {
                "currency": currency,
                "status": int(status) if status is not None else None,
                "txId": tx_id,
                "startTime": str(start_time) if start_time is not None else None,
                "endTime": str(end_time) if end_time is not None else None,
            },
        )
        body["limit"] = str(limit)
        return await self._session.fetch(_ACCOUNT + "queryDepositList", body, Rows(BridgeDeposit))

    async def trades(
        self,
        account: BridgeAccount,
        *,
        symbol_id: int,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int = 20,
    ) -> builtins.list[BridgeTrade]:
        """Executions of one product (``queryDirectTradeRecord``); the span may not exceed 24 h.

        Raises:
            InvalidArgumentError: ``limit`` outside 1..100, or a span over 24 h (nothing is sent).
        """
        if not 1 <= limit <= 100:
            raise InvalidArgumentError(f"limit must be 1..100, got {limit}")
        if start_time is not None and end_time is not None and end_time - start_time > 86_400_000:
            raise InvalidArgumentError("the trade-record span may not exceed 24 hours")
        body = account.body()
        body["symbolId"] = symbol_id
        put_given(body, {"startTime": start_time, "endTime": end_time})
        body["limit"] = limit
        return await self._session.fetch(_ORDER + "queryDirectTradeRecord", body, Rows(BridgeTrade))


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
            request_time: ms; defaults to the server's receipt time.

        Raises:
            InvalidArgumentError: a missing quantity/amount, a price on a market order or none on a limit
                order, floats, or a malformed ``client_order_id`` (nothing is sent).
        """
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
                "requestTime": request_time,
            },
        )
        data = await self._session.call(_ORDER + "addDirectOrder", body)
        return parse_answer(
            BridgeOrder, {"clientOrderId": client_order_id, **(data if isinstance(data, dict) else {})}
        )

    async def _by_id(
        self,
        method: str,
        account: BridgeAccount,
        symbol_id: int,
        order_id: str | None,
        client_order_id: str | None,
    ) -> BridgeOrder:
        if order_id is None and client_order_id is None:
            raise InvalidArgumentError("give order_id or client_order_id")
        body = account.body()
        body["symbolId"] = symbol_id
        put_given(body, {"orderId": order_id, "clientOrderId": client_order_id})
        data = await self._session.call(_ORDER + method, body)
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
    ) -> BridgeOrder:
        """One order, by the exchange's id or ours (``queryDirectOrder``; ``order_id`` wins)."""
        return await self._by_id("queryDirectOrder", account, symbol_id, order_id, client_order_id)

    async def cancel(
        self,
        account: BridgeAccount,
        *,
        symbol_id: int,
        order_id: str | None = None,
        client_order_id: str | None = None,
    ) -> BridgeOrder:
        """Cancel an order (``cancelDirectOrder``); answers ``{exchangeId, orderId, clientOrderId}``."""
        return await self._by_id("cancelDirectOrder", account, symbol_id, order_id, client_order_id)
