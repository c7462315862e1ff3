"""``client.orders``: place, modify, cancel and query orders on the contract accounts (tradeType 1 full
margin, 2 isolated margin).

Prices are human decimals (``Decimal("1.08500")``); the SDK scales them with the product's
``symbolDigits`` and refuses a price with more decimals than the product has. Every order-changing
call carries an ``idempotency-key``: a fresh one, or the caller's own (``idempotency_key=``, e.g. from
``new_idempotency_key()``), so that an order whose fate a cancellation or a lost answer hid can be
sent again without running twice.

One lifecycle for pending orders: ``limit()``, ``stop()``, ``aggregate_limit()`` and
``aggregate_limit_close()`` return a ``PendingOrderResult`` (its ``pending_id`` and ``order_id``);
``pending()`` lists ``PendingOrder`` rows with the same two ids; ``modify()`` and ``cancel()`` take
either, or (``cancel``) an id with ``trade_type=``. The reading methods are in ``_order_queries``.
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from .._types import NOT_GIVEN, NotGiven, NotGivenOr
from ..errors import InvalidArgumentError, OrderStateUnknownError
from ..models.market import SymbolKey
from ..models.positions import Position
from ..models.trading import (
    ExpireType,
    OrderBizType,
    OrderResult,
    PendingOrderResult,
    Side,
    SideLike,
)
from ..protocol.prices import Number
from ._core import ClientCore
from ._lookup import Lookup, SymbolLike
from ._orders_body import OrderBody, place_biz_type, side_of
from ._pending_changes import PendingChanges, idempotency

__all__ = ["Orders"]

R = TypeVar("R", bound=OrderResult)

Timeout = NotGivenOr[float | None]

_TICK_WAIT_S = 10.0
"""How long an order without ``price=`` waits for the current tick when no ``timeout=`` is given."""
_PENDING_TYPES = frozenset({10, 11, 12, 13, 14})  # the bizTypes that wait for their price
_RESENDABLE = frozenset({"addMarketOrder", "updatePboOrder"})  # whose answer is an order's layout


class Orders(PendingChanges):
    """Orders on the contract accounts (tradeType 1 full margin, 2 isolated margin).

    ``timeout=`` on every method: read timeout in seconds for each request it sends (None waits
    forever); the client's by default.
    """

    def __init__(self, core: ClientCore, lookup: Lookup) -> None:
        self._core = core
        self._lookup = lookup

    @staticmethod
    def new_idempotency_key() -> str:
        """A fresh ``idempotency-key`` to pass to an order method as ``idempotency_key=``.

        Keep it before the call: if the call is cancelled or its answer is lost, the same call with
        the same key returns the first answer if the order ran, or runs it once if it never arrived.
        """
        return str(uuid.uuid4())

    async def _request_price(
        self, body: OrderBody, side: Side, price: Number | None, timeout: Timeout
    ) -> None:
        """Set ``requestPrice``: the price the caller saw, by default the current ask or bid (waited
        for as long as ``timeout`` allows a request; 10 s when not given)."""
        if price is None:
            wait = _TICK_WAIT_S if isinstance(timeout, NotGiven) else timeout
            price = await self._lookup.seen_price(body.symbol, side, timeout=wait)
        body.price("requestPrice", price, what="price")

    async def _send(
        self, body: OrderBody, idempotency_key: str | None, timeout: Timeout, result: type[R]
    ) -> R:
        """Place the order ``body`` describes and read the answer as ``result``, with its tradeType."""
        placed = await self._core.call(
            place_biz_type(body.symbol.trade_type),
            body.body,
            result,
            idempotency_key=idempotency(idempotency_key),
            timeout=timeout,
        )
        return placed.model_copy(update={"trade_type": body.symbol.trade_type})

    async def market(
        self,
        symbol: SymbolLike,
        *,
        side: SideLike,
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
        timeout: Timeout = NOT_GIVEN,
    ) -> OrderResult:
        """Open a position at market (bizType 1).

        Args:
            symbol: a product name (``"EURUSD"``), ``Symbol`` or ``SymbolKey``.
            side: ``mm.Side.BUY``/``mm.Side.SELL``, or ``"buy"``/``"sell"`` in any case.
            volume: lots.
            trade_type: 1 (full margin) or 2 (isolated margin), to choose among a name's listings.
            price: the price you saw (recorded, not the fill price); by default the current ask or
                bid (a live ticker subscription's latest tick, else a one-off quote snapshot).
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
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default. Without ``price=`` it also bounds the wait for the current tick
                (10 s by default).

        Raises:
            InvalidArgumentError: a price with more decimals than the product, a non-positive volume,
                a side that is not a ``mm.Side``.
            TradingRuleError: the platform refused the order.
            OrderStateUnknownError: no answer arrived; reconcile before retrying.
        """
        body = await self._opening(
            OrderBizType.MARKET_OPEN, symbol, side, volume, trade_type=trade_type, currency=currency
        )
        await self._request_price(body, side_of(side), price, timeout)
        body.stops(stop_loss, take_profit)
        body.leverage(leverage)
        body.slippage(slippage)
        body.client_order_id(client_order_id)
        return await self._send(body, idempotency_key, timeout, OrderResult)

    async def _pending(
        self,
        biz_type: OrderBizType,
        symbol: SymbolLike,
        *,
        side: SideLike,
        volume: Number,
        price: Number,
        trade_type: int | None,
        expire: ExpireType,
        stop_loss: Number | None,
        take_profit: Number | None,
        leverage: int | None,
        client_order_id: str | None,
        idempotency_key: str | None,
        timeout: Timeout,
    ) -> PendingOrderResult:
        lifetime = _expire_type(expire)
        body = await self._opening(biz_type, symbol, side, volume, trade_type=trade_type)
        body.price("requestPrice", price, what="price")
        body.stops(stop_loss, take_profit)
        body.set("expireType", int(lifetime))
        body.leverage(leverage)
        body.client_order_id(client_order_id)
        return await self._send(body, idempotency_key, timeout, PendingOrderResult)

    async def limit(
        self,
        symbol: SymbolLike,
        *,
        side: SideLike,
        volume: Number,
        price: Number,
        trade_type: int | None = None,
        expire: ExpireType = ExpireType.WEEK,
        stop_loss: Number | None = None,
        take_profit: Number | None = None,
        leverage: int | None = None,
        client_order_id: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> PendingOrderResult:
        """Place a limit pending order (bizType 10) that opens at ``price`` or better.

        Returns the pending order's ``pending_id`` and ``order_id``: pass the result to ``cancel()``
        or ``modify()``. The other arguments work as in ``market``; ``expire`` is its lifetime.
        """
        return await self._pending(
            OrderBizType.LIMIT_PENDING, symbol, side=side, volume=volume, price=price, trade_type=trade_type,
            expire=expire, stop_loss=stop_loss, take_profit=take_profit, leverage=leverage,
            client_order_id=client_order_id, idempotency_key=idempotency_key, timeout=timeout,
        )  # fmt: skip

    async def stop(
        self,
        symbol: SymbolLike,
        *,
        side: SideLike,
        volume: Number,
        price: Number,
        trade_type: int | None = None,
        expire: ExpireType = ExpireType.WEEK,
        stop_loss: Number | None = None,
        take_profit: Number | None = None,
        leverage: int | None = None,
        client_order_id: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> PendingOrderResult:
        """Place a stop pending order (bizType 11) that opens once the price reaches ``price``.

        Returns and takes what ``limit`` does.
        """
        return await self._pending(
            OrderBizType.STOP_PENDING, symbol, side=side, volume=volume, price=price, trade_type=trade_type,
            expire=expire, stop_loss=stop_loss, take_profit=take_profit, leverage=leverage,
            client_order_id=client_order_id, idempotency_key=idempotency_key, timeout=timeout,
        )  # fmt: skip

    async def aggregate_limit(
        self,
        symbol: SymbolLike,
        *,
        side: SideLike,
        volume: Number,
        price: Number,
        expire: ExpireType = ExpireType.WEEK,
        stop_loss: Number | None = None,
        take_profit: Number | None = None,
        leverage: int | None = None,
        client_order_id: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> PendingOrderResult:
        """Place an aggregate limit open (bizType 13, isolated margin only) at ``price`` or better.

        The limit order the Open API documents for aggregation products; close through one with
        ``aggregate_limit_close``. Returns and takes what ``limit`` does (always tradeType 2).
        """
        return await self._pending(
            OrderBizType.AGGREGATE_LIMIT_OPEN, symbol, side=side, volume=volume, price=price, trade_type=2,
            expire=expire, stop_loss=stop_loss, take_profit=take_profit, leverage=leverage,
            client_order_id=client_order_id, idempotency_key=idempotency_key, timeout=timeout,
        )  # fmt: skip

    async def _closing(self, position: Position, biz_type: OrderBizType, volume: Number | None) -> OrderBody:
        """The body of an order that closes ``volume`` of ``position`` (all by default), on the
        opposite side, carrying the position's stop-loss and take-profit so a partial close keeps them."""
        body = await self._body(
            SymbolKey(position.symbol_id, position.trade_type, 0), position.trade_type, None
        )
        body.set("bizType", int(biz_type))
        body.set("direction", int(Side(position.direction).opposite))
        body.set("positionId", position.position_id)
        body.volume(volume if volume is not None else (position.volume or position.open_volume or 0))
        body.set("stopLoss", position.stop_loss)
        body.set("takeProfit", position.take_profit)
        return body

    async def close(
        self,
        position: Position,
        *,
        volume: Number | None = None,
        price: Number | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> OrderResult:
        """Close a position at market, whole or in part (bizType 2, the opposite side).

        The body carries the position's stop-loss and take-profit (as the vendor's own client does),
        so what a partial close leaves open keeps them. A position has no expiry to keep: ``expireType``
        belongs to pending orders (see ``aggregate_limit_close``).

        Args:
            position: the position, from ``Positions.list`` or ``Positions.get``.
            volume: lots to close; by default all of it.
            price: the price you saw; by default the current bid (closing a buy) or ask.
            idempotency_key: as in ``market``.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default. Without ``price=`` it also bounds the wait for the current tick
                (10 s by default).
        """
        body = await self._closing(position, OrderBizType.MARKET_CLOSE, volume)
        await self._request_price(body, Side(position.direction).opposite, price, timeout)
        return await self._send(body, idempotency_key, timeout, OrderResult)

    async def aggregate_limit_close(
        self,
        position: Position,
        *,
        price: Number,
        volume: Number | None = None,
        expire: ExpireType = ExpireType.WEEK,
        idempotency_key: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> PendingOrderResult:
        """Close an isolated-margin position at ``price`` or better (bizType 14): a pending close.

        Like ``close``, it carries the position's stop-loss and take-profit; ``expire`` is how long it
        waits. Returns what ``limit`` does.

        Raises:
            InvalidArgumentError: ``position`` is not an isolated-margin (tradeType 2) position.
        """
        if position.trade_type != 2:
            raise InvalidArgumentError("aggregate limit closes exist on isolated margin (tradeType 2) only")
        lifetime = _expire_type(expire)
        body = await self._closing(position, OrderBizType.AGGREGATE_LIMIT_CLOSE, volume)
        body.price("requestPrice", price, what="price")
        body.set("expireType", int(lifetime))
        return await self._send(body, idempotency_key, timeout, PendingOrderResult)

    async def resend(self, lost: OrderStateUnknownError, *, timeout: Timeout = NOT_GIVEN) -> OrderResult:
        """Send an order whose answer was lost again, under the same ``idempotency-key``.

        The platform caches the first answer for 24 hours: if the order ran, this returns its result
        without running it again; if it never arrived, it runs now, once. It repeats what places an
        order (``market``, ``limit``, ``stop``, the aggregate ones, ``close``) or changes a pending one
        (``modify``); a pending order's answer is a ``PendingOrderResult`` that ``cancel()`` and
        ``modify()`` take, as the first answer would have been.

        Raises:
            InvalidArgumentError: the error carries no idempotency key (the call was made without one),
                or it is not an order placement or change (a lost ``cancel`` is repeated by calling
                ``cancel(..., idempotency_key=lost.idempotency_key)``); nothing is sent.
        """
        if not lost.idempotency_key or lost.body is None:
            raise InvalidArgumentError(
                "this order was sent without an idempotency key; query orders to reconcile"
            )
        method = lost.biz_type.rsplit(".", 1)[-1]
        if method not in _RESENDABLE:
            raise InvalidArgumentError(
                f"resend() repeats order placements and pending-order changes, not {method}; repeat it "
                "with the same key: the method's idempotency_key=lost.idempotency_key, or "
                "client.call(lost.biz_type, dict(lost.body), idempotency_key=lost.idempotency_key)"
            )
        pending = method == "updatePboOrder" or _as_int(lost.body.get("bizType")) in _PENDING_TYPES
        placed = await self._core.call(
            lost.biz_type,
            lost.body,
            PendingOrderResult if pending else OrderResult,
            idempotency_key=lost.idempotency_key,
            timeout=timeout,
        )
        trade_type = _as_int(lost.body.get("tradeType"))
        return placed.model_copy(update={"trade_type": trade_type}) if trade_type else placed


def _expire_type(expire: object) -> ExpireType:
    """``expire`` as an ``ExpireType``.

    Raises:
        InvalidArgumentError: anything that is not one of its values, before anything is sent.
    """
    if not isinstance(expire, bool) and isinstance(expire, int) and expire in set(ExpireType):
        return ExpireType(expire)
    raise InvalidArgumentError(
        f"expire must be an mm.ExpireType (DAY, WEEK, DAYS_30, DAYS_90), got {expire!r}"
    )


def _as_int(value: object) -> int | None:
    """A body field that is an int, or its decimal text (a body sent through ``call()``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None
