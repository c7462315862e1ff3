"""Pending-order operations: list, modify, cancel, and the status check. Placing is addMarketOrder.

* ``queryPBOOrderPage`` (``tradeapi.app.CfdWBWOrderApiService`` and the alias
  ``tradeapi.app.OrderApiService``, tradeTypes 1 and 2): ``data`` is an **array** of the waiting
  orders of the caller's account(s), in the platform's row layout (``id`` the ``pboId`` as a string,
  ``orderId`` the order it becomes), sorted by ``sortFieldName``/``sortType`` (``orderTime``
  ``desc`` by default). Orders whose ``expireType`` lifetime is over expire before the list is made.
* ``tradeapi.app.OrderApiService.updatePboOrder``: ``pboId`` (a string) and any of ``requestPrice``,
  ``requestNum``, ``stopLoss``, ``takeProfit`` (numbers or strings; a field left out keeps its value);
  the reply is the addMarketOrder layout of the changed order (with ``pboId``).
* ``tradeapi.app.OrderApiService.closePboOrder``: the H5 client's body (``pboId`` string plus
  ``customerNo``/``customerId``/``accountId``/``tradeType``/``bizType`` copied from the row; the copied
  fields, when sent, must match the order). ``data`` is ``null``.
* ``tradeapi.app.OrderApiService.closeTradePboOrder``: ``{tradeType, orderId}``; ``data`` is
  ``{"leftover": "<lots cancelled>"}``.
* ``tradeapi.app.OrderApiService.checkOrderStatus``: ``{tradeType, orderId, operatorType}`` (all
  required; ``operatorType`` 1 leverage change, 2 margin change, 3 order execution). ``data`` is ``1``
  when it has run, else ``0``: for 3, whether the order executed (status 2 or 3); the simulator applies
  leverage and margin changes at once, so 1 and 2 answer ``1`` for any order of the caller. An order
  id that is not the caller's answers ``E000007``.

A ``pboId`` or ``orderId`` that names no waiting order of the caller (unknown, someone else's,
already fired, cancelled or expired) answers code ``10011012`` (the code the reference client treats
as "cancel failed") under the tradeType's bizCode, for modify and cancel alike.
"""

from __future__ import annotations

from typing import Any

from ..._exchange.records import SimPendingOrder, TradingError
from ..error_codes import SimError
from ..fields import int_field, optional_decimal, optional_scaled, sort_records
from ..operation import SimCall, SimOperation, caller_account, trade_op, trade_type_for, trading_error
from ..views_trading import lots, pending_fill_view, pending_row_view

__all__ = ["PENDING_OPERATIONS"]

_NOT_PENDING = "10011012"
_SORT_KEYS = {
    "orderTime": "orderTime",
    "openTime": "orderTime",
    "orderId": "orderId",
    "symbolId": "symbolId",
    "symbolCode": "symbolCode",
}


def _pbo_id(call: SimCall, biz_code: str) -> int:
    value = call.body.get("pboId")
    if value is None or value == "":
        raise SimError("E000005", biz_code)
    # pboId travels as a string (the row's `id`), never as a number.
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
        raise SimError("E000006", biz_code)
    return int(value)


def _owned(call: SimCall, pending: SimPendingOrder | None, trade_type: int, biz_code: str) -> SimPendingOrder:
    """The pending order, when it is the caller's, of ``trade_type`` and still waiting."""
    exchange = call.state.exchange
    if pending is not None:
        account = exchange.accounts[pending.account_id]
        account_id = call.body.get("accountId")
        if (
            account.customer_id == call.customer_id
            and pending.trade_type == trade_type
            and pending.waiting
            and account_id in (None, "", pending.account_id)
        ):
            return pending
    raise SimError(_NOT_PENDING, biz_code)


def _query_pending(call: SimCall) -> list[dict[str, Any]]:
    trade_type, biz_code = trade_type_for(call, by_service=False)
    exchange = call.state.exchange
    exchange.pending.expire(call.now_ms)
    body = call.body
    if body.get("accountId") is not None or body.get("accountCurrency"):
        accounts = {caller_account(call, trade_type, biz_code).account_id}
    else:
        accounts = {a.account_id for a in exchange.customer_accounts(call.customer_id, trade_type)}
    third = body.get("thirdPartyOrder")
    rows = [
        pending_row_view(exchange, p)
        for p in exchange.pending.waiting()
        if p.account_id in accounts and (not third or p.third_party_order == third)
    ]
    return sort_records(rows, body, _SORT_KEYS, default="orderTime", biz_code=biz_code)


def _update_pending(call: SimCall) -> dict[str, Any]:
    trade_type, biz_code = trade_type_for(call, by_service=False)
    exchange = call.state.exchange
    exchange.pending.expire(call.now_ms)
    pending = _owned(call, exchange.pending.find(_pbo_id(call, biz_code)), trade_type, biz_code)
    body = call.body
    try:
        exchange.pending.modify(
            pending,
            price=optional_scaled(body, "requestPrice", biz_code),
            num=optional_decimal(body, "requestNum", biz_code),
            stop_loss=optional_scaled(body, "stopLoss", biz_code),
            take_profit=optional_scaled(body, "takeProfit", biz_code),
            now_ms=call.now_ms,
        )
    except TradingError as exc:
        raise trading_error(exc, biz_code) from None
    return pending_fill_view(exchange, pending)


def _cancel(call: SimCall, pending: SimPendingOrder, biz_code: str) -> None:
    try:
        call.state.exchange.pending.cancel(pending, call.now_ms)
    except TradingError as exc:
        raise trading_error(exc, biz_code) from None


def _close_pending(call: SimCall) -> None:
    trade_type, biz_code = trade_type_for(call, by_service=False)
    exchange = call.state.exchange
    exchange.pending.expire(call.now_ms)
    pending = _owned(call, exchange.pending.find(_pbo_id(call, biz_code)), trade_type, biz_code)
    customer = exchange.customer_of(exchange.accounts[pending.account_id])
    body = call.body
    for name, expected in (
        ("customerNo", customer.customer_no),
        ("customerId", customer.customer_id),
        ("bizType", pending.biz_type),
    ):
        if body.get(name) not in (None, "", expected):
            raise SimError(_NOT_PENDING, biz_code)
    _cancel(call, pending, biz_code)


def _check_status(call: SimCall) -> int:
    trade_type, biz_code = trade_type_for(call, by_service=False)
    exchange = call.state.exchange
    exchange.pending.expire(call.now_ms)
    order_id = int_field(call.body, "orderId", biz_code)
    operator = int_field(call.body, "operatorType", biz_code)
    if operator not in (1, 2, 3):
        raise SimError("E000007", biz_code)
    order = exchange.orders.get(order_id or 0)
    if (
        order is None
        or order.trade_type != trade_type
        or exchange.accounts[order.account_id].customer_id != call.customer_id
    ):
        raise SimError("E000007", biz_code)
    if operator == 3:
        return 1 if order.status in (2, 3) else 0
    return 1


def _close_trade_pending(call: SimCall) -> dict[str, str]:
    trade_type, biz_code = trade_type_for(call, by_service=False)
    exchange = call.state.exchange
    exchange.pending.expire(call.now_ms)
    order_id = int_field(call.body, "orderId", biz_code)
    pending = _owned(call, exchange.pending.by_order_id(order_id or 0), trade_type, biz_code)
    _cancel(call, pending, biz_code)
    return {"leftover": lots(pending.request_num)}


PENDING_OPERATIONS: tuple[SimOperation, ...] = (
    trade_op("tradeapi.app.CfdWBWOrderApiService.queryPBOOrderPage", _query_pending),
    trade_op("tradeapi.app.OrderApiService.queryPBOOrderPage", _query_pending),
    trade_op("tradeapi.app.OrderApiService.updatePboOrder", _update_pending),
    trade_op("tradeapi.app.OrderApiService.closePboOrder", _close_pending),
    trade_op("tradeapi.app.OrderApiService.closeTradePboOrder", _close_trade_pending),
    trade_op("tradeapi.app.OrderApiService.checkOrderStatus", _check_status),
)
"""The pending-order operations."""
