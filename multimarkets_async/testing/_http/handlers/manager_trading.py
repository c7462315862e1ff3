"""The Manager API's trading operations: positions across customers and the forced close.

``tradeapi.admin.PositionAdminApiService.queryAllPositionPage`` pages the open positions of every
customer of the company (``tradeType`` required, ``E000005`` without it), filtered by ``customerNo``,
``customerId``, ``customerGroupId``, ``accountId``, ``symbolId``, ``orderId``, ``direction`` and the
opening time (``startTime``/``endTime``, ms, both inclusive), sorted by ``sortFieldName`` (``id``,
``orderId``, ``openTime``, ``symbolId``) and ``sortType``. Each row is the Client position row plus
``customerNo``, ``customerId`` and the opening order's ``bizType``.

``tradeapi.admin.OrderAdminApiService.forcedOrder`` closes every open position of one customer's
``tradeType`` accounts at the market price (``tradeType``, ``customerNo``, ``customerId`` and
``customerGroupId`` required: ``E000005``; an unknown customer or an id that is not the number's:
``CUSTOMER_API_0000003``). It answers the close result of the vendor's example (the ``addMarketOrder``
result) for one position, a list of them for several (Assumption ``forced_close_reply``), and ``null``
when there was nothing to close.
"""

from __future__ import annotations

from typing import Any, Final

from ..._exchange.records import BUY, SELL, MarketOrder, TradingError
from ..error_codes import CUSTOMER, SimError
from ..fields import lenient_int, page, paging, sort_records
from ..operation import SimCall, trading_biz_code, trading_error
from ..views import fill_view, position_view

__all__ = ["TRADING_HANDLERS"]

_SORT_KEYS: Final = {"id": "positionId", "orderId": "orderId", "openTime": "openTime", "symbolId": "symbolId"}


def _trade_type(call: SimCall) -> tuple[int, str]:
    trade_type = lenient_int(call.body.get("tradeType"))
    biz_code = trading_biz_code(trade_type)
    if trade_type is None:
        raise SimError("E000005", biz_code)
    return trade_type, biz_code


def _all_positions(call: SimCall) -> dict[str, Any]:
    body, exchange = call.body, call.state.exchange
    trade_type, biz_code = _trade_type(call)
    wanted = {
        name: lenient_int(body.get(name))
        for name in ("customerId", "customerGroupId", "accountId", "symbolId", "orderId", "direction")
    }
    start, end = lenient_int(body.get("startTime")), lenient_int(body.get("endTime"))
    customer_no = body.get("customerNo") or None
    rows = []
    for position in exchange.open_positions():
        account = exchange.accounts[position.account_id]
        customer = exchange.customer_of(account)
        values = {
            "customerId": customer.customer_id,
            "customerGroupId": customer.customer_group_id,
            "accountId": position.account_id,
            "symbolId": position.symbol_id,
            "orderId": position.order_id,
            "direction": position.direction,
        }
        if (
            position.trade_type != trade_type
            or (customer_no is not None and customer.customer_no != str(customer_no))
            or any(wanted[k] is not None and wanted[k] != v for k, v in values.items())
            or (start is not None and position.open_time_ms < start)
            or (end is not None and position.open_time_ms > end)
        ):
            continue
        opening = exchange.orders.get(position.order_id)
        rows.append(
            {
                **position_view(exchange, position),
                "customerNo": customer.customer_no,
                "customerId": customer.customer_id,
                "bizType": opening.biz_type if opening is not None else 1,
            }
        )
    rows = sort_records(rows, body, _SORT_KEYS, default="id", biz_code=biz_code)
    current, size = paging(body, biz_code)
    return page(rows, current, size)


def _forced_close(call: SimCall) -> dict[str, Any] | list[dict[str, Any]] | None:
    body, exchange = call.body, call.state.exchange
    trade_type, biz_code = _trade_type(call)
    customer_id, group = lenient_int(body.get("customerId")), lenient_int(body.get("customerGroupId"))
    customer_no = body.get("customerNo")
    if customer_id is None or group is None or not isinstance(customer_no, str) or not customer_no:
        raise SimError("E000005", biz_code)
    customer = exchange.customers.get(customer_id)
    if customer is None or customer.customer_no != customer_no:
        raise SimError("CUSTOMER_API_0000003", CUSTOMER)
    results = []
    for account in exchange.customer_accounts(customer_id, trade_type):
        for position in exchange.open_positions(account.account_id):
            symbol = exchange.symbol_of(position)
            price = symbol.bid if position.direction == BUY else symbol.ask
            order = MarketOrder(
                account=account,
                symbol=symbol,
                biz_type=2,
                direction=SELL if position.direction == BUY else BUY,
                request_price=symbol.scale(price),
                request_num=position.volume,
                position_id=position.position_id,
                request_time_ms=call.now_ms,
                remark="forced close",
            )
            try:
                filled = exchange.place_market_order(order, call.now_ms)
            except TradingError as exc:
                raise trading_error(exc, biz_code) from None
            results.append(fill_view(exchange, filled))
    if not results:
        return None
    return results[0] if len(results) == 1 else results


TRADING_HANDLERS: Final = {
    "tradeapi.admin.PositionAdminApiService.queryAllPositionPage": _all_positions,
    "tradeapi.admin.OrderAdminApiService.forcedOrder": _forced_close,
}
"""Manager trading bizType -> handler (served with ``group: tradeApi``)."""
