"""The reading half of ``client.orders``: pending orders, order records, deals, closed positions, a
trial calculation and the status of an asynchronous operation. ``Orders`` (in ``orders``) adds the
calls that place, change and cancel orders."""

from __future__ import annotations

import builtins

from .._types import NOT_GIVEN, NotGivenOr
from ..errors import InvalidArgumentError, ProtocolError
from ..models._answers import Paged, Rows
from ..models.order_records import Deal, Order, OrderDetail
from ..models.positions import Position
from ..models.trading import (
    OrderBizType,
    OrderOperation,
    OrderResult,
    Page,
    PendingOrder,
    SideLike,
    TrialResult,
)
from ..protocol.prices import Number
from ._core import ClientCore
from ._lookup import Lookup, SymbolLike
from ._orders_body import OrderBody, service, side_of

__all__ = ["OrderQueries"]

_LIST_FIRST = ("list", "records")  # where the history pages keep their rows
_CHECK_STATUS = "tradeapi.app.OrderApiService.checkOrderStatus"


def _newest_first(trade_type: int, field: str, page: int, size: int) -> dict[str, object]:
    """The body of a history page sorted by ``field``, newest first."""
    return {
        "tradeType": trade_type,
        "sortFieldName": field,
        "sortType": "desc",
        "current": page,
        "size": size,
    }


class _Done:
    """``checkOrderStatus``'s ``data``: ``1`` done, ``0`` not yet (a number, text or a boolean)."""

    def parse(self, data: object, what: str) -> bool:
        if isinstance(data, bool):
            return data
        if data in (0, 1, "0", "1"):
            return str(data) == "1"
        raise ProtocolError(f"{what} did not answer 0 or 1")


class OrderQueries:
    """What ``client.orders`` reads (see ``Orders``)."""

    _core: ClientCore
    _lookup: Lookup

    async def _body(
        self, symbol: SymbolLike, trade_type: int | None, currency: str | None = None
    ) -> OrderBody:
        row = await self._lookup.symbol(symbol, trade_type=trade_type)
        account = await self._lookup.account(row.trade_type, currency)
        return OrderBody.new_order(row, account, now_ms=self._core.http.now_ms())

    async def _opening(
        self,
        biz_type: OrderBizType,
        symbol: SymbolLike,
        side: SideLike,
        volume: Number,
        *,
        trade_type: int | None,
        currency: str | None = None,
    ) -> OrderBody:
        """The body of an order that opens ``volume`` lots on ``side`` (market, limit, stop, estimate)."""
        direction = side_of(side)
        body = await self._body(symbol, trade_type, currency)
        body.set("bizType", int(biz_type))
        body.set("direction", int(direction))
        body.volume(volume)
        return body

    async def pending(
        self, *, trade_type: int, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> builtins.list[PendingOrder]:
        """The pending orders of ``trade_type``'s account still waiting for their price
        (``queryPBOOrderPage``).

        Args:
            trade_type: 1 (full margin) or 2 (isolated margin).
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        account = await self._lookup.account(trade_type)
        return await self._core.call(
            "tradeapi.app.CfdWBWOrderApiService.queryPBOOrderPage",
            {"tradeType": trade_type, "accountId": account.account_id},
            Rows(PendingOrder),
            timeout=timeout,
        )

    async def get(
        self, order_id: int, *, trade_type: int, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> OrderDetail:
        """One order in detail (``queryOrderDetail``).

        ``timeout``: read timeout in seconds for each request this sends (None waits forever); the
        client's by default.
        """
        return await self._core.call(
            "tradeapi.app.CfdWBWOrderApiService.queryOrderDetail",
            {"tradeType": trade_type, "orderId": order_id},
            OrderDetail,
            timeout=timeout,
        )

    async def list(
        self,
        *,
        trade_type: int,
        status: int | None = None,
        symbol_id: int | None = None,
        page: int = 1,
        size: int = 20,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Page[Order]:
        """Orders of ``trade_type``, newest first (``queryOrderPage``); ``status`` is an ``OrderStatus``.

        ``timeout``: read timeout in seconds for each request this sends (None waits forever); the
        client's by default.
        """
        body: dict[str, object] = {"tradeType": trade_type, "current": page, "size": size}
        if status is not None:
            body["status"] = status
        if symbol_id is not None:
            body["symbolId"] = symbol_id
        return await self._core.call(
            "tradeapi.app.OrderApiService.queryOrderPage",
            body,
            Paged(Page[Order], page=page, size=size),
            timeout=timeout,
        )

    async def history(
        self,
        *,
        trade_type: int,
        page: int = 1,
        size: int = 20,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> builtins.list[Position]:
        """Closed positions, most recently closed first (``queryHistoryCloseOrderList``).

        ``timeout``: read timeout in seconds for each request this sends (None waits forever); the
        client's by default.
        """
        body = _newest_first(trade_type, "closeTime", page, size)
        prefix = "CfdMM" if trade_type == 1 else "CfdWBW"  # both alias OrderApiService
        return await self._core.call(
            f"tradeapi.app.{prefix}OrderApiService.queryHistoryCloseOrderList",
            body,
            Rows(Position, keys=_LIST_FIRST),
            timeout=timeout,
        )

    async def deals(
        self,
        *,
        trade_type: int,
        page: int = 1,
        size: int = 20,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> builtins.list[Deal]:
        """Executed deals, newest first (``queryTradeRecordPage``).

        ``timeout``: read timeout in seconds for each request this sends (None waits forever); the
        client's by default.
        """
        body = _newest_first(trade_type, "executeTime", page, size)
        return await self._core.call(
            "tradeapi.app.OrderApiService.queryTradeRecordPage",
            body,
            Rows(Deal, keys=_LIST_FIRST),
            timeout=timeout,
        )

    async def estimate(
        self,
        symbol: SymbolLike,
        *,
        side: SideLike,
        volume: Number,
        trade_type: int | None = None,
        leverage: int | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> TrialResult:
        """Margin, price and fee a market order would have, without placing it (``calculateMarketOrder``).

        ``timeout``: read timeout in seconds for each request this sends (None waits forever); the
        client's by default.
        """
        body = await self._opening(OrderBizType.MARKET_OPEN, symbol, side, volume, trade_type=trade_type)
        seen = await self._lookup.seen_price(body.symbol, side_of(side))
        body.price("requestPrice", seen, what="price")
        body.leverage(leverage)
        return await self._core.call(
            service(body.symbol.trade_type, "calculateMarketOrder"), body.body, TrialResult, timeout=timeout
        )

    async def status(
        self,
        order: int | OrderResult | PendingOrder | Order,
        *,
        operation: OrderOperation = OrderOperation.EXECUTION,
        trade_type: int = 2,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> bool:
        """Whether an asynchronous operation on an order has run (``checkOrderStatus``).

        The platform documents it for isolated margin (tradeType 2): ``EXECUTION`` asks whether the
        order executed; ``LEVERAGE_CHANGE`` and ``MARGIN_CHANGE`` whether such a change on the position
        it opened has been applied.

        Args:
            order: an order id, or what ``market``/``limit``/``stop`` returned, a ``PendingOrder`` or an
                ``Order`` record.
            operation: what to ask about.
            trade_type: the account family (the object's own when it carries one).
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Returns:
            ``True`` once it has run (``data`` 1), ``False`` while it has not (0).

        Raises:
            InvalidArgumentError: ``order`` is not an id or an order object.
        """
        if isinstance(order, bool) or not isinstance(order, int | OrderResult | PendingOrder | Order):
            raise InvalidArgumentError(f"order must be an order id or an order object, got {order!r}")
        order_id = order if isinstance(order, int) else order.order_id
        if order_id is None:
            raise InvalidArgumentError("this pending order carries no order id; pass the id itself")
        own = getattr(order, "trade_type", None)
        body = {
            "tradeType": own if isinstance(own, int) else trade_type,
            "orderId": order_id,
            "operatorType": int(operation),
        }
        return await self._core.call(_CHECK_STATUS, body, _Done(), timeout=timeout)
