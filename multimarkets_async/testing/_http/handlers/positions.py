"""Position operations: one position, stop-loss/take-profit, leverage, and the closed-position history.

* ``queryPositionDetail`` (``tradeapi.app.PositionApiService``, tradeTypes 1 and 2, and
  ``tradeapi.app.CfdMMPositionApiService``, tradeType 1): ``{tradeType, accountId?,
  accountCurrency?, positionId}`` -> the position object (closed positions too).
* ``updateOrder`` (``CfdMMOrderApiService`` tradeType 1, ``CfdWBWOrderApiService`` tradeType 2, alias
  ``OrderApiService`` both): sets ``stopLoss``/``takeProfit`` (scaled; ``"0"`` removes;
  a field left out keeps its level) on an open position; levels on the wrong side of the current price
  answer ``E000009``/``E000010``. The reply is the position. The exchange then closes the position
  (bizType 3 or 4) on the first price move that reaches a level.
* ``setCrossLevelNum`` (``CfdMMOrderApiService``, alias ``OrderApiService``) and ``updateCrossLevelNum``
  (``PositionApiService``): the leverage is read from ``requestTime``, then from
  ``crossLevelNum`` (Assumption ``leverage_field_name``); it must be 1..the product's maximum
  (``E000029``). It applies to the product on the caller's account of that tradeType: later opening
  orders without ``crossLevelNum`` use it, and open positions on the product take it (their margin
  is recomputed). ``data`` is ``null``. ``customerId``/``customerNo``, when sent, must be the caller's.
* ``queryHistoryCloseOrderList`` (``CfdMMOrderApiService`` tradeType 1, ``CfdWBWOrderApiService``
  tradeType 2, alias ``OrderApiService``): the caller's fully closed positions as
  ``{current, size, totalPage, totalPnl, list[], customerId, customerNo, companyId, accountId}``;
  ``sortFieldName``/``sortType`` default to ``closeTime``/``desc`` when left out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..._exchange.records import TradingError
from ..error_codes import SimError
from ..fields import int_field, optional_scaled, paging, sort_records
from ..operation import (
    SimCall,
    SimOperation,
    caller_account,
    caller_position,
    trade_op,
    trade_type_for,
    trading_error,
)
from ..views import position_view
from ..views_trading import money_text

__all__ = ["POSITION_OPERATIONS"]

_HISTORY_SORT = {
    "pnl": "profit",
    "openTime": "openTime",
    "closeTime": "closeTime",
    "orderId": "orderId",
    "symbolId": "symbolId",
}


def _position_detail(call: SimCall) -> dict[str, Any]:
    trade_type, biz_code = trade_type_for(call)
    exchange, body = call.state.exchange, call.body
    position_id = int_field(body, "positionId", biz_code)
    position = exchange.positions.get(position_id or 0)
    if position is None or position.trade_type != trade_type:
        raise SimError("E000008", biz_code)
    account = exchange.accounts[position.account_id]
    if account.customer_id != call.customer_id:
        raise SimError("E000008", biz_code)
    named = body.get("accountId") is not None or body.get("accountCurrency")
    if named and caller_account(call, trade_type, biz_code).account_id != account.account_id:
        raise SimError("E000008", biz_code)
    return position_view(exchange, position)


def _update_stops(call: SimCall) -> dict[str, Any]:
    trade_type, biz_code = trade_type_for(call)
    body, exchange = call.body, call.state.exchange
    if body.get("accountId") is None and not body.get("accountCurrency"):
        raise SimError("E000005", biz_code)
    order_id = int_field(body, "orderId", biz_code)
    digits = int_field(body, "accountDigits", biz_code)
    account = caller_account(call, trade_type, biz_code)
    if digits != account.digits:
        raise SimError("E000007", biz_code)
    position = caller_position(call, account, biz_code)
    if position.status not in ("1", "3"):
        raise SimError("E000008", biz_code)
    if order_id != position.order_id:
        raise SimError("E000007", biz_code)
    stop_loss = optional_scaled(body, "stopLoss", biz_code)
    take_profit = optional_scaled(body, "takeProfit", biz_code)
    try:
        exchange.update_stops(
            position,
            position.stop_loss if stop_loss is None else stop_loss,
            position.take_profit if take_profit is None else take_profit,
        )
    except TradingError as exc:
        raise trading_error(exc, biz_code) from None
    remark = body.get("remark")
    if isinstance(remark, str) and remark:
        position.remark = remark
    return position_view(exchange, position)


def _set_leverage(call: SimCall) -> None:
    trade_type, biz_code = trade_type_for(call)
    body, exchange = call.body, call.state.exchange
    customer = exchange.customers[call.customer_id or 0]
    if body.get("customerId") not in (None, "", customer.customer_id):
        raise SimError("E000007", biz_code)
    if body.get("customerNo") not in (None, "", customer.customer_no):
        raise SimError("E000007", biz_code)
    symbol_id = int_field(body, "symbolId", biz_code)
    # Assumption leverage_field_name: every vendor spec puts the leverage in `requestTime`.
    name = "requestTime" if body.get("requestTime") not in (None, "") else "crossLevelNum"
    leverage = int_field(body, name, biz_code)
    account = caller_account(call, trade_type, biz_code)
    symbol = exchange.market.listed(symbol_id or 0, trade_type)
    if symbol is None:
        raise SimError("E000013", biz_code)
    try:
        exchange.set_leverage(account, symbol, leverage or 0)
    except TradingError as exc:
        raise trading_error(exc, biz_code) from None


def _history(call: SimCall) -> dict[str, Any]:
    trade_type, biz_code = trade_type_for(call)
    body, exchange = call.body, call.state.exchange
    if body.get("accountId") is not None or body.get("accountCurrency"):
        accounts = [caller_account(call, trade_type, biz_code)]
    else:
        accounts = exchange.customer_accounts(call.customer_id, trade_type)
    symbol_id = int_field(body, "symbolId", biz_code, required=False)
    bounds = {
        name: int_field(body, name, biz_code, required=False)
        for name in ("openStartTime", "openEndTime", "closeStartTime", "closeEndTime")
    }

    def within(value: int, start: int | None, end: int | None) -> bool:
        return (start is None or value >= start) and (end is None or value <= end)

    wanted = {a.account_id for a in accounts}
    closed = [
        p
        for p in exchange.positions.values()
        if p.status == "2"
        and p.account_id in wanted
        and (symbol_id is None or p.symbol_id == symbol_id)
        and within(p.open_time_ms, bounds["openStartTime"], bounds["openEndTime"])
        and within(p.close_time_ms, bounds["closeStartTime"], bounds["closeEndTime"])
    ]
    rows = sort_records(
        [position_view(exchange, p) for p in closed],
        body,
        _HISTORY_SORT,
        default="closeTime",
        biz_code=biz_code,
    )
    current, size = paging(body, biz_code)
    customer = exchange.customers[call.customer_id or 0]
    total = sum((p.realized_profit for p in closed), Decimal(0))
    first = accounts[0] if accounts else None
    return {
        "current": current,
        "size": size,
        "totalPage": (len(rows) + size - 1) // size,
        "totalPnl": money_text(first, total) if first is not None else "0",
        "list": rows[(current - 1) * size : current * size],
        "customerId": customer.customer_id,
        "customerNo": customer.customer_no,
        "companyId": customer.company_id,
        "accountId": first.account_id if first is not None else 0,
    }


POSITION_OPERATIONS: tuple[SimOperation, ...] = (
    trade_op("tradeapi.app.PositionApiService.queryPositionDetail", _position_detail),
    trade_op("tradeapi.app.CfdMMPositionApiService.queryPositionDetail", _position_detail),
    trade_op("tradeapi.app.CfdMMOrderApiService.updateOrder", _update_stops),
    trade_op("tradeapi.app.CfdWBWOrderApiService.updateOrder", _update_stops),
    trade_op("tradeapi.app.OrderApiService.updateOrder", _update_stops),
    trade_op("tradeapi.app.CfdMMOrderApiService.setCrossLevelNum", _set_leverage),
    trade_op("tradeapi.app.OrderApiService.setCrossLevelNum", _set_leverage),
    trade_op("tradeapi.app.PositionApiService.updateCrossLevelNum", _set_leverage),
    trade_op("tradeapi.app.CfdMMOrderApiService.queryHistoryCloseOrderList", _history),
    trade_op("tradeapi.app.CfdWBWOrderApiService.queryHistoryCloseOrderList", _history),
    trade_op("tradeapi.app.OrderApiService.queryHistoryCloseOrderList", _history),
)
"""The position operations."""
