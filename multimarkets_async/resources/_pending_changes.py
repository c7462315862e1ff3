"""Changing and cancelling pending orders (``updatePboOrder``, ``closePboOrder``,
``closeTradePboOrder``): the part of ``client.orders`` that takes a pending order back.

Both take a ``PendingOrder`` (from ``pending()``) or what ``limit``/``stop``/``aggregate_limit``
returned (a ``PendingOrderResult``); ``cancel`` also takes an id with ``trade_type=``.
"""

from __future__ import annotations

from .._types import NOT_GIVEN, NotGivenOr
from ..errors import InvalidArgumentError
from ..models.market import SymbolKey
from ..models.trading import PendingOrder, PendingOrderResult
from ..protocol.prices import Number
from ._core import put_given
from ._order_queries import OrderQueries
from ._orders_body import OrderBody

__all__ = ["PendingChanges", "idempotency", "known"]

Timeout = NotGivenOr[float | None]
_MATCHING_MODES = (3, 4)  # matching and aggregation products cancel by order id


def idempotency(idempotency_key: str | None) -> NotGivenOr[str]:
    """The caller's key, or ``NOT_GIVEN`` for the session's fresh one (typed orders always send one).

    Raises:
        InvalidArgumentError: an empty key.
    """
    if idempotency_key is None:
        return NOT_GIVEN
    if not idempotency_key.strip():
        raise InvalidArgumentError("idempotency_key must not be empty")
    return idempotency_key


def known(value: int | None, what: str) -> int:
    """``value``, which an order result may lack.

    Raises:
        InvalidArgumentError: it is ``None``.
    """
    if value is None:
        raise InvalidArgumentError(
            f"this order result carries no {what}; pass the PendingOrder from pending()"
        )
    return value


class PendingChanges(OrderQueries):
    """``modify`` and ``cancel`` of ``client.orders`` (see ``Orders``)."""

    async def modify(
        self,
        order: PendingOrder | PendingOrderResult,
        *,
        price: Number | None = None,
        volume: Number | None = None,
        stop_loss: Number | None = None,
        take_profit: Number | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> PendingOrderResult:
        """Change a pending order's price, size, stop-loss or take-profit (``updatePboOrder``).

        ``order`` is a ``PendingOrder`` or what ``limit``/``stop`` returned; a field left out keeps its
        value. ``idempotency_key`` works as in ``market``.
        """
        trade_type = known(order.trade_type, "trade_type")
        key = SymbolKey(known(order.symbol_id, "symbol_id"), trade_type, 0)
        row = await self._lookup.symbol(key)
        body = OrderBody(row, {"tradeType": trade_type, "pboId": order.pending_id})
        if isinstance(order, PendingOrder):
            body.set("accountId", order.account_id)
        body.price("requestPrice", price, what="price")
        if volume is not None:
            body.volume(volume)
        body.stops(stop_loss, take_profit)
        changed = await self._core.call(
            "tradeapi.app.OrderApiService.updatePboOrder",
            body.body,
            PendingOrderResult,
            idempotency_key=idempotency(idempotency_key),
            timeout=timeout,
        )
        return changed.model_copy(update={"trade_type": trade_type})

    async def cancel(
        self,
        order: PendingOrder | PendingOrderResult | int | str,
        *,
        trade_type: int | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> None:
        """Cancel a pending order.

        ``closePboOrder`` on market-maker products; ``closeTradePboOrder`` on matching and aggregation
        ones. ``idempotency_key`` works as in ``market``.

        Args:
            order: what ``limit``/``stop``/``aggregate_limit`` returned, a ``PendingOrder`` from
                ``pending()``, or an id (its ``pending_id``, or its ``order_id``) with ``trade_type``.
            trade_type: the account family; required with an id.
            idempotency_key: as in ``market``.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Raises:
            InvalidArgumentError: an id without ``trade_type``.
            APIError: the platform refused (``10011012``: it no longer waits, or is not yours).
        """
        if isinstance(order, bool) or not isinstance(order, PendingOrder | PendingOrderResult | int | str):
            raise InvalidArgumentError(
                f"cancel() takes a PendingOrder, the result of limit()/stop(), or an id, got {order!r}"
            )
        if isinstance(order, int | str):
            if trade_type is None:
                raise InvalidArgumentError(
                    "cancel(<id>) needs trade_type= (1 or 2); "
                    "or pass the PendingOrder or what limit()/stop() returned"
                )
            order = await self._find_pending(str(order), trade_type, timeout)
        await self._cancel(order, idempotency(idempotency_key), timeout)

    async def _find_pending(self, wanted: str, trade_type: int, timeout: Timeout) -> PendingOrder:
        """The waiting order whose pending id (or else order id) is ``wanted``; a bare row that the
        platform will refuse when none matches."""
        rows = await self.pending(trade_type=trade_type, timeout=timeout)
        for row in (
            *(r for r in rows if r.pending_id == wanted),
            *(r for r in rows if str(r.order_id) == wanted),
        ):
            return row
        return PendingOrder(pending_id=wanted, symbol_id=0, direction=0, trade_type=trade_type)

    async def _cancel(
        self, order: PendingOrder | PendingOrderResult, key: NotGivenOr[str], timeout: Timeout
    ) -> None:
        trade_type = known(order.trade_type, "trade_type")
        if order.symbol_id:
            row = await self._lookup.symbol(SymbolKey(order.symbol_id, trade_type, 0))
            if row.deal_mode in _MATCHING_MODES:
                body: dict[str, object] = {
                    "tradeType": trade_type,
                    "orderId": known(order.order_id, "order_id"),
                }
                await self._core.http.request(
                    "tradeapi.app.OrderApiService.closeTradePboOrder",
                    body,
                    idempotency_key=key,
                    timeout=timeout,
                )
                return
        body = {"pboId": order.pending_id, "tradeType": trade_type}
        if isinstance(order, PendingOrder):
            profile = await self._lookup.profile()
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
            "tradeapi.app.OrderApiService.closePboOrder", body, idempotency_key=key, timeout=timeout
        )
