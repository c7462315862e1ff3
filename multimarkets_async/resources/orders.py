"""``client.orders``: place, modify, cancel and query orders on the contract accounts (endpoints.md §5).

Prices are human decimals (``Decimal("1.08500")``); the SDK scales them with the product's
``symbolDigits`` and refuses a price with more decimals than the product has. Every order-changing
call carries an ``idempotency-key`` (see ``calls``): a fresh one, or the caller's own
(``idempotency_key=``, e.g. from ``new_idempotency_key()``), so that an order whose fate a
cancellation or a lost answer hid can be sent again without running twice.
"""

from __future__ import annotations

import builtins
import uuid

from .._types import NOT_GIVEN, NotGivenOr
from ..errors import InvalidArgumentError, OrderStateUnknownError
from ..models._answers import Paged, Rows
from ..models.market import SymbolKey
from ..models.trading import (
    Deal,
    ExpireType,
    Order,
    OrderBizType,
    OrderDetail,
    OrderResult,
    Page,
    PendingOrder,
    Position,
    Side,
    TrialResult,
)
from ..protocol.prices import Number
from ._core import ClientCore, put_given
from ._lookup import Lookup, SymbolLike
from ._orders_body import OrderBody, place_biz_type, service

__all__ = ["Orders"]

_LIST_FIRST = ("list", "records")  # where the history pages keep their rows


def _newest_first(trade_type: int, field: str, page: int, size: int) -> dict[str, object]:
    """The body of a history page sorted by ``field``, newest first."""
    return {
        "tradeType": trade_type,
        "sortFieldName": field,
        "sortType": "desc",
        "current": page,
        "size": size,
    }


def _key(idempotency_key: str | None) -> NotGivenOr[str]:
    """The caller's key, or ``NOT_GIVEN`` for the session's fresh one (typed orders always send one)."""
    if idempotency_key is None:
        return NOT_GIVEN
    if not idempotency_key.strip():
        raise InvalidArgumentError("idempotency_key must not be empty")
    return idempotency_key


class Orders:
    """Orders on the contract accounts (tradeType 1 full margin, 2 isolated margin)."""

    def __init__(self, core: ClientCore, lookup: Lookup) -> None:
        self._core = core
        self._lookup = lookup

    async def _body(self, symbol: SymbolLike, trade_type: int | None, currency: str | None) -> OrderBody:
        row = await self._lookup.symbol(symbol, trade_type=trade_type)
        account = await self._lookup.account(row.trade_type, currency)
        return OrderBody.new_order(row, account, now_ms=self._core.http.now_ms())

    async def _opening(
        self,
        biz_type: OrderBizType,
        symbol: SymbolLike,
        side: Side,
        volume: Number,
        *,
        trade_type: int | None,
        currency: str | None = None,
    ) -> OrderBody:
        """The body of an order that opens ``volume`` lots on ``side`` (market, limit, stop, estimate)."""
        body = await self._body(symbol, trade_type, currency)
        body.set("bizType", int(biz_type))
        body.set("direction", int(side))
        body.volume(volume)
        return body

    async def _request_price(self, body: OrderBody, side: Side, price: Number | None) -> None:
        """Set ``requestPrice``: the price the caller saw, by default the current ask or bid."""
        seen = price if price is not None else await self._lookup.seen_price(body.symbol, side)
        body.price("requestPrice", seen, what="price")

    @staticmethod
    def new_idempotency_key() -> str:
        """A fresh ``idempotency-key`` to pass to an order method as ``idempotency_key=``.

        Keep it before the call: if the call is cancelled or its answer is lost, the same call with
        the same key returns the first answer if the order ran, or runs it once if it never arrived.
        """
        return str(uuid.uuid4())

    async def _send(self, body: OrderBody, idempotency_key: str | None) -> OrderResult:
        return await self._core.call(
            place_biz_type(body.symbol.trade_type),
            body.body,
            OrderResult,
            idempotency_key=_key(idempotency_key),
        )

    async def market(
        self,
        symbol: SymbolLike,
        *,
        side: Side,
        volume: Number,
        trade_type: int | None = None,
        price: Number | None = None,
        stop_loss: Number | None = None,
        take_profit: Number | None = None,
        leverage: int | None = None,
        slippage: str | None = None,
        client_order_id: str | None = None,
        currency: str | None = None,
        idempotency_key: str | None = None,
    ) -> OrderResult:
        """Open a position at market.

        Args:
            symbol: a product name (``"EURUSD"``), ``Symbol`` or ``SymbolKey``.
            side: ``Side.BUY`` or ``Side.SELL``.
            volume: lots.
            trade_type: 1 (full margin) or 2 (isolated margin), to choose among a name's listings.
            price: the price you saw (recorded, not the fill price); by default the current ask or bid.
            stop_loss: stop-loss price.
            take_profit: take-profit price.
            leverage: ``crossLevelNum``; on isolated margin it must equal the leverage already used.
            slippage: accepted slippage, ``"0.5%"`` or a decimal.
            client_order_id: your tag (``thirdPartyOrder``), echoed in queries and pushes.
            currency: the account currency, when the customer has several accounts for the tradeType.
            idempotency_key: your key for this order (see ``new_idempotency_key``); a fresh one by
                default. The gateway answers a repeat with the same key and operation from its cache
                for 24 h, whatever the repeat's body, so after a cancellation repeat the same call
                with the same key.

        Raises:
            InvalidArgumentError: a price with more decimals than the product, a non-positive volume.
            TradingRuleError: the platform refused the order.
            OrderStateUnknownError: no answer arrived; reconcile before retrying.
        """
        body = await self._opening(
            OrderBizType.MARKET_OPEN, symbol, side, volume, trade_type=trade_type, currency=currency
        )
        await self._request_price(body, side, price)
        body.stops(stop_loss, take_profit)
        body.leverage(leverage)
        body.slippage(slippage)
        body.client_order_id(client_order_id)
        return await self._send(body, idempotency_key)

    async def _pending(
        self,
        *,
        biz_type: OrderBizType,
        symbol: SymbolLike,
        side: Side,
        volume: Number,
        price: Number,
        trade_type: int | None,
        expire: ExpireType,
        stop_loss: Number | None,
        take_profit: Number | None,
        leverage: int | None,
        client_order_id: str | None,
        idempotency_key: str | None,
    ) -> OrderResult:
        body = await self._opening(biz_type, symbol, side, volume, trade_type=trade_type)
        body.price("requestPrice", price, what="price")
        body.stops(stop_loss, take_profit)
        body.set("expireType", int(expire))
        body.leverage(leverage)
        body.client_order_id(client_order_id)
        return await self._send(body, idempotency_key)

    async def limit(
        self,
        symbol: SymbolLike,
        *,
        side: Side,
        volume: Number,
        price: Number,
        trade_type: int | None = None,
        expire: ExpireType = ExpireType.WEEK,
        stop_loss: Number | None = None,
        take_profit: Number | None = None,
        leverage: int | None = None,
        client_order_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> OrderResult:
        """Place a limit pending order (bizType 10) that opens at ``price`` or better.

        ``idempotency_key`` works as in ``market``.
        """
        return await self._pending(
            biz_type=OrderBizType.LIMIT_PENDING, symbol=symbol, side=side, volume=volume, price=price,
            trade_type=trade_type, expire=expire, stop_loss=stop_loss, take_profit=take_profit,
            leverage=leverage, client_order_id=client_order_id, idempotency_key=idempotency_key,
        )  # fmt: skip

    async def stop(
        self,
        symbol: SymbolLike,
        *,
        side: Side,
        volume: Number,
        price: Number,
        trade_type: int | None = None,
        expire: ExpireType = ExpireType.WEEK,
        stop_loss: Number | None = None,
        take_profit: Number | None = None,
        leverage: int | None = None,
        client_order_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> OrderResult:
        """Place a stop pending order (bizType 11) that opens once the price reaches ``price``.

        ``idempotency_key`` works as in ``market``.
        """
        return await self._pending(
            biz_type=OrderBizType.STOP_PENDING, symbol=symbol, side=side, volume=volume, price=price,
            trade_type=trade_type, expire=expire, stop_loss=stop_loss, take_profit=take_profit,
            leverage=leverage, client_order_id=client_order_id, idempotency_key=idempotency_key,
        )  # fmt: skip

    async def close(
        self,
        position: Position,
        *,
        volume: Number | None = None,
        price: Number | None = None,
        idempotency_key: str | None = None,
    ) -> OrderResult:
        """Close a position at market, whole or in part (bizType 2, the opposite side).

        Args:
            position: the position, from ``Positions.list`` or ``Positions.get``.
            volume: lots to close; by default all of it.
            price: the price you saw; by default the current bid (closing a buy) or ask.
            idempotency_key: as in ``market``.
        """
        body = await self._body(
            SymbolKey(position.symbol_id, position.trade_type, 0), position.trade_type, None
        )
        side = Side(position.direction).opposite
        body.set("bizType", int(OrderBizType.MARKET_CLOSE))
        body.set("direction", int(side))
        body.set("positionId", position.position_id)
        body.volume(volume if volume is not None else (position.volume or position.open_volume or 0))
        await self._request_price(body, side, price)
        return await self._send(body, idempotency_key)

    async def resend(self, lost: OrderStateUnknownError) -> OrderResult:
        """Send an order whose answer was lost again, under the same ``idempotency-key``.

        The platform caches the first answer for 24 hours: if the order ran, this returns its result
        without running it again; if it never arrived, it runs now, once.

        Raises:
            InvalidArgumentError: the error carries no idempotency key (the call was made without one).
        """
        if not lost.idempotency_key or lost.body is None:
            raise InvalidArgumentError(
                "this order was sent without an idempotency key; query orders to reconcile"
            )
        return await self._core.call(
            lost.biz_type, lost.body, OrderResult, idempotency_key=lost.idempotency_key
        )

    async def pending(self, *, trade_type: int) -> builtins.list[PendingOrder]:
        """The open pending orders of ``trade_type``'s account (``queryPBOOrderPage``)."""
        account = await self._lookup.account(trade_type)
        return await self._core.call(
            "tradeapi.app.CfdWBWOrderApiService.queryPBOOrderPage",
            {"tradeType": trade_type, "accountId": account.account_id},
            Rows(PendingOrder),
        )

    async def modify(
        self,
        order: PendingOrder,
        *,
        price: Number | None = None,
        volume: Number | None = None,
        stop_loss: Number | None = None,
        take_profit: Number | None = None,
        idempotency_key: str | None = None,
    ) -> OrderResult:
        """Change a pending order's price, size, stop-loss or take-profit (``updatePboOrder``).

        ``idempotency_key`` works as in ``market``.
        """
        row = await self._lookup.symbol(SymbolKey(order.symbol_id, order.trade_type, 0))
        body = OrderBody(row, {"tradeType": order.trade_type, "pboId": order.id})
        body.set("accountId", order.account_id)
        body.price("requestPrice", price, what="price")
        if volume is not None:
            body.volume(volume)
        body.stops(stop_loss, take_profit)
        return await self._core.call(
            "tradeapi.app.OrderApiService.updatePboOrder",
            body.body,
            OrderResult,
            idempotency_key=_key(idempotency_key),
        )

    async def cancel(self, order: PendingOrder, *, idempotency_key: str | None = None) -> None:
        """Cancel a pending order.

        ``closePboOrder`` on market-maker products; ``closeTradePboOrder`` on matching and aggregation ones.
        ``idempotency_key`` works as in ``market``.
        """
        row = await self._lookup.symbol(SymbolKey(order.symbol_id, order.trade_type, 0))
        if row.deal_mode in (3, 4):
            body: dict[str, object] = {"tradeType": order.trade_type, "orderId": int(order.id)}
            await self._core.http.request(
                "tradeapi.app.OrderApiService.closeTradePboOrder", body, idempotency_key=_key(idempotency_key)
            )
            return
        profile = await self._lookup.profile()
        body = {"pboId": order.id, "tradeType": order.trade_type}
        put_given(
            body,
            {
                "customerNo": order.customer_no or profile.customer_no,
                "customerId": order.customer_id or profile.id,
                "accountId": order.account_id,
                "bizType": order.biz_type,
            },
        )
        await self._core.http.request(
            "tradeapi.app.OrderApiService.closePboOrder", body, idempotency_key=_key(idempotency_key)
        )

    async def get(self, order_id: int, *, trade_type: int) -> OrderDetail:
        """One order in detail (``queryOrderDetail``)."""
        return await self._core.call(
            "tradeapi.app.CfdWBWOrderApiService.queryOrderDetail",
            {"tradeType": trade_type, "orderId": order_id},
            OrderDetail,
        )

    async def list(
        self,
        *,
        trade_type: int,
        status: int | None = None,
        symbol_id: int | None = None,
        page: int = 1,
        size: int = 20,
    ) -> Page[Order]:
        """Orders of ``trade_type``, newest first (``queryOrderPage``)."""
        body: dict[str, object] = {"tradeType": trade_type, "current": page, "size": size}
        if status is not None:
            body["status"] = status
        if symbol_id is not None:
            body["symbolId"] = symbol_id
        return await self._core.call(
            "tradeapi.app.OrderApiService.queryOrderPage", body, Paged(Page[Order], page=page, size=size)
        )

    async def history(self, *, trade_type: int, page: int = 1, size: int = 20) -> builtins.list[Position]:
        """Closed positions, most recently closed first (``queryHistoryCloseOrderList``)."""
        body = _newest_first(trade_type, "closeTime", page, size)
        prefix = "CfdMM" if trade_type == 1 else "CfdWBW"  # both alias OrderApiService (§5.9)
        return await self._core.call(
            f"tradeapi.app.{prefix}OrderApiService.queryHistoryCloseOrderList",
            body,
            Rows(Position, keys=_LIST_FIRST),
        )

    async def deals(self, *, trade_type: int, page: int = 1, size: int = 20) -> builtins.list[Deal]:
        """Executed deals, newest first (``queryTradeRecordPage``)."""
        body = _newest_first(trade_type, "executeTime", page, size)
        return await self._core.call(
            "tradeapi.app.OrderApiService.queryTradeRecordPage", body, Rows(Deal, keys=_LIST_FIRST)
        )

    async def estimate(
        self,
        symbol: SymbolLike,
        *,
        side: Side,
        volume: Number,
        trade_type: int | None = None,
        leverage: int | None = None,
    ) -> TrialResult:
        """Margin, price and fee a market order would have, without placing it (``calculateMarketOrder``)."""
        body = await self._opening(OrderBizType.MARKET_OPEN, symbol, side, volume, trade_type=trade_type)
        await self._request_price(body, side, None)
        body.leverage(leverage)
        return await self._core.call(
            service(body.symbol.trade_type, "calculateMarketOrder"), body.body, TrialResult
        )
