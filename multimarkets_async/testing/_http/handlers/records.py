"""Record operations: one order's detail, the deals, and the fund flow.

* ``queryOrderDetail`` (``tradeapi.app.CfdWBWOrderApiService`` and the alias
  ``tradeapi.app.OrderApiService``, tradeTypes 1 and 2): ``{tradeType, accountId?, accountCurrency?,
  orderId}`` -> the detail object (``busiiType`` spelt as on the wire). It covers executed orders and
  pending orders' records (status 1 waiting, 4 cancelled, 6 refused, 7 expired). An order id that is
  not the caller's answers ``E000007`` (the docs list no "order does not exist" code).
* ``tradeapi.app.OrderApiService.queryTradeRecordPage``: the caller's deals (executed orders) as
  ``{accountId, companyId, customerId, customerNo, current, size, totalPage, bizTypeText, list[]}``;
  filters ``accountIds`` (comma list), ``symbolId``, ``direction`` and ``orderType`` (-1 all, 1 open,
  2 close, 3 market, 4 limit), ``executeStartTime``/``executeEndTime``; ``sortFieldName``/``sortType``
  default to ``executeTime``/``desc`` when left out.
* ``queryCapitalFlowList`` (``tradeapi.app.CfdMMOrderApiService``, tradeType 1, and
  ``tradeapi.app.OrderApiService``, tradeTypes 1 and 2): the ledger of the caller's account(s) of the
  tradeType, newest first, as ``{records[], total, size, current, pages}``; filters ``accountId``,
  ``businessType`` (0 any), ``status`` (0 any; every entry is 2 succeeded), ``operate`` (0 any,
  1 credit, 2 debit), ``startTime``/``endTime``.
"""

from __future__ import annotations

from typing import Any, Final

from ..._exchange.records import PENDING_TYPES, SimOrder
from ..error_codes import SimError
from ..fields import int_field, page, paging, sort_records
from ..operation import SimCall, SimOperation, caller_account, trade_op, trade_type_for
from ..views_trading import ledger_view, order_detail_view, trade_record_view

__all__ = ["BIZ_TYPE_TEXT", "RECORD_OPERATIONS"]

BIZ_TYPE_TEXT: Final = {
    "1": "Market open",
    "2": "Market close",
    "3": "Stop-loss close",
    "4": "Take-profit close",
    "10": "Limit pending order",
    "11": "Stop pending order",
    "12": "Limit open",
    "13": "Aggregate limit open",
    "14": "Aggregate limit close",
}
"""``bizTypeText`` of the deal list: order business type -> label."""

_DEAL_SORT = {"executeTime": "executeTime", "direction": "direction", "symbolId": "symbolId"}


def _order_detail(call: SimCall) -> dict[str, Any]:
    trade_type, biz_code = trade_type_for(call, by_service=False)
    exchange, body = call.state.exchange, call.body
    order_id = int_field(body, "orderId", biz_code)
    order = exchange.orders.get(order_id or 0)
    if order is None or order.trade_type != trade_type:
        raise SimError("E000007", biz_code)
    account = exchange.accounts[order.account_id]
    if account.customer_id != call.customer_id:
        raise SimError("E000007", biz_code)
    named = body.get("accountId") is not None or body.get("accountCurrency")
    if named and caller_account(call, trade_type, biz_code).account_id != account.account_id:
        raise SimError("E000007", biz_code)
    return order_detail_view(exchange, order)


def _deal_matches(order: SimOrder, body: dict[str, Any], biz_code: str) -> bool:
    direction = int_field(body, "direction", biz_code, required=False)
    order_type = int_field(body, "orderType", biz_code, required=False)
    symbol_id = int_field(body, "symbolId", biz_code, required=False)
    start = int_field(body, "executeStartTime", biz_code, required=False)
    end = int_field(body, "executeEndTime", biz_code, required=False)
    kinds = {
        1: order.open_or_close == 1,
        2: order.open_or_close == 2,
        3: order.biz_type not in PENDING_TYPES,
        4: order.biz_type in PENDING_TYPES,
    }
    return (
        (direction in (None, -1) or order.direction == direction)
        and (order_type in (None, -1) or kinds.get(order_type or 0, False))
        and (symbol_id is None or order.symbol_id == symbol_id)
        and (start is None or order.execute_time_ms >= start)
        and (end is None or order.execute_time_ms <= end)
    )


def _trade_records(call: SimCall) -> dict[str, Any]:
    trade_type, biz_code = trade_type_for(call, by_service=False)
    body, exchange = call.body, call.state.exchange
    accounts = exchange.customer_accounts(call.customer_id, trade_type)
    ids_text = body.get("accountIds")
    if ids_text not in (None, ""):
        if not isinstance(ids_text, str):
            raise SimError("E000006", biz_code)
        wanted = {part.strip() for part in ids_text.split(",") if part.strip()}
        accounts = [a for a in accounts if str(a.account_id) in wanted]
    account_ids = {a.account_id for a in accounts}
    deals = [
        trade_record_view(exchange, order)
        for order in exchange.orders.values()
        if order.status == 2
        and order.deal_id
        and order.account_id in account_ids
        and _deal_matches(order, body, biz_code)
    ]
    deals = sort_records(deals, body, _DEAL_SORT, default="executeTime", biz_code=biz_code)
    current, size = paging(body, biz_code)
    customer = exchange.customers[call.customer_id or 0]
    return {
        "accountId": accounts[0].account_id if accounts else 0,
        "companyId": customer.company_id,
        "customerId": customer.customer_id,
        "customerNo": customer.customer_no,
        "current": current,
        "size": size,
        "totalPage": (len(deals) + size - 1) // size,
        "bizTypeText": BIZ_TYPE_TEXT,
        "list": deals[(current - 1) * size : current * size],
    }


def _capital_flow(call: SimCall) -> dict[str, Any]:
    trade_type, biz_code = trade_type_for(call)
    body, exchange = call.body, call.state.exchange
    if body.get("accountId") is not None:
        accounts = [caller_account(call, trade_type, biz_code)]
    else:
        accounts = exchange.customer_accounts(call.customer_id, trade_type)
    filters = {
        name: int_field(body, name, biz_code, required=False)
        for name in ("businessType", "status", "operate", "startTime", "endTime")
    }
    wanted = {a.account_id for a in accounts}
    rows = []
    for entry in reversed(exchange.ledger.entries):
        if entry.account_id not in wanted:
            continue
        if filters["businessType"] not in (None, 0, entry.business_type):
            continue
        if filters["status"] not in (None, 0, 2):
            continue
        if (filters["operate"] == 1 and entry.amount < 0) or (filters["operate"] == 2 and entry.amount >= 0):
            continue
        start, end = filters["startTime"], filters["endTime"]
        if (start is not None and entry.time_ms < start) or (end is not None and entry.time_ms > end):
            continue
        rows.append(ledger_view(exchange, entry))
    current, size = paging(body, biz_code)
    return page(rows, current, size)


RECORD_OPERATIONS: tuple[SimOperation, ...] = (
    trade_op("tradeapi.app.CfdWBWOrderApiService.queryOrderDetail", _order_detail),
    trade_op("tradeapi.app.OrderApiService.queryOrderDetail", _order_detail),
    trade_op("tradeapi.app.OrderApiService.queryTradeRecordPage", _trade_records),
    trade_op("tradeapi.app.CfdMMOrderApiService.queryCapitalFlowList", _capital_flow),
    trade_op("tradeapi.app.OrderApiService.queryCapitalFlowList", _capital_flow),
)
"""The record operations."""
