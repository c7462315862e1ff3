"""Wire views of trading records: pending orders, order details, deals and fund-flow entries.

Field names and types follow the order, pending-order and history pages: money as decimal strings at
the account's digits, human prices at the product's digits, scaled prices as the docs type them
(``requestPrice`` an int on pending rows, a string elsewhere), ids as ints except the pending
``id``/``pboId`` string.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .._exchange.exchange import SimExchange
from .._exchange.ledger import BUSINESS_NAMES
from .._exchange.market import SimSymbol
from .._exchange.records import CLOSE_PENDING_TYPES, SimAccount, SimLedgerEntry, SimOrder, SimPendingOrder

__all__ = [
    "ledger_view",
    "lots",
    "money_text",
    "order_detail_view",
    "pending_fill_view",
    "pending_row_view",
    "price_text",
    "trade_record_view",
]


def money_text(account: SimAccount, value: Decimal) -> str:
    """An amount at the account's money digits (``"-0.0668"``)."""
    text = format(value.quantize(Decimal(1).scaleb(-account.digits)), "f")
    return text[1:] if text.startswith("-") and not Decimal(text) else text


def price_text(symbol: SimSymbol, value: Decimal) -> str:
    """A human price at the product's digits (``"1.08500"``)."""
    return format(value.quantize(symbol.point), "f")


def lots(value: Decimal) -> str:
    """Shortest decimal text of a quantity (``"0.1"``)."""
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def _number(value: Decimal) -> int | float:
    """A JSON number: an int when whole (``1``), else a float (``0.1``)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _symbol(exchange: SimExchange, symbol_id: int) -> SimSymbol:
    symbol = exchange.market.get(symbol_id)
    assert symbol is not None  # records only exist on seeded products
    return symbol


def pending_fill_view(exchange: SimExchange, pending: SimPendingOrder) -> dict[str, Any]:
    """addMarketOrder's ``data`` for a pending type: the addMarketOrder layout of an order that has not
    traded yet (zeros where nothing exists yet), plus ``pboId`` (str) and ``orderStatus`` (1) so the
    caller can find it again."""
    symbol = _symbol(exchange, pending.symbol_id)
    account = exchange.accounts[pending.account_id]
    closes = pending.biz_type in CLOSE_PENDING_TYPES
    position = exchange.positions.get(pending.position_id or 0)
    data: dict[str, Any] = {
        "orderId": pending.order_id,
        "positionId": pending.position_id or 0,
        "tradeVolume": "0",
        "executePrice": "0",
        "openPrice": price_text(symbol, symbol.unscale(pending.request_price)),
        "direction": pending.direction,
        "openDirection": position.direction if closes and position is not None else pending.direction,
        "openOrClose": 2 if closes else 1,
        "symbolId": symbol.symbol_id,
        "symbolName": symbol.name,
        "digits": symbol.digits,
        "stopLoss": str(pending.stop_loss),
        "takeProfit": str(pending.take_profit),
        "fee": money_text(account, Decimal(0)),
        "interest": "0",
        "profit": money_text(account, Decimal(0)),
        "pboId": str(pending.pbo_id),
        "orderStatus": pending.status,
    }
    if pending.trade_type == 2:
        data["source"] = pending.source
    return data


def pending_row_view(exchange: SimExchange, pending: SimPendingOrder) -> dict[str, Any]:
    """One item of queryPBOOrderPage (the documented row), plus ``orderId``, ``symbolCode``, ``symbolName``,
    ``positionId``, ``status``, ``expireTime``, ``source`` and ``thirdPartyOrder``."""
    symbol = _symbol(exchange, pending.symbol_id)
    account = exchange.accounts[pending.account_id]
    customer = exchange.customer_of(account)

    def target(scaled: int) -> str:
        return price_text(symbol, symbol.unscale(scaled)) if scaled else "0"

    leverage = pending.leverage if pending.leverage is not None else exchange.leverage_for(account, symbol)
    return {
        "id": str(pending.pbo_id),
        "orderId": pending.order_id,
        "symbolId": symbol.symbol_id,
        "symbolCode": symbol.code,
        "symbolName": symbol.name,
        "type": 9,
        "bizType": pending.biz_type,
        "direction": pending.direction,
        "state": 0 if pending.waiting else 1,
        "status": pending.status,
        "requestPrice": pending.request_price,
        "openPrice": price_text(symbol, symbol.unscale(pending.request_price)),
        "digits": symbol.digits,
        "requestVolume": _number(pending.request_num),
        "stopLoss": pending.stop_loss,
        "takeProfit": pending.take_profit,
        "stopLossTarget": target(pending.stop_loss),
        "takeProfitTarget": target(pending.take_profit),
        "expireType": str(pending.expire_type),
        "expireTime": pending.expire_time_ms,
        "orderTime": pending.order_time_ms,
        "delayTime": 0,
        "delayEndTime": 0,
        "exchangeTime": 0,
        "customerGroupId": customer.customer_group_id,
        "contractSize": symbol.contract_size,
        "tradeType": pending.trade_type,
        "tradeModel": symbol.deal_mode,
        "crossLevelNum": leverage,
        "loanAmount": "0",
        "remark": pending.remark,
        "reserve": None,
        "customerNo": customer.customer_no,
        "customerId": customer.customer_id,
        "accountId": account.account_id,
        "positionId": pending.position_id or 0,
        "source": pending.source,
        "thirdPartyOrder": pending.third_party_order,
    }


def order_detail_view(exchange: SimExchange, order: SimOrder) -> dict[str, Any]:
    """queryOrderDetail's ``data`` (``busiiType`` spelt as on the wire)."""
    symbol = _symbol(exchange, order.symbol_id)
    account = exchange.accounts[order.account_id]
    created = order.create_time_ms or order.execute_time_ms
    return {
        "orderId": order.order_id,
        "busiiType": order.biz_type,
        "direction": order.direction,
        "status": order.status,
        "userGroupId": order.customer_group_id,
        "accountId": order.account_id,
        "tradeType": order.trade_type,
        "symbolId": symbol.symbol_id,
        "symbolName": symbol.name,
        "digits": symbol.digits,
        "contractSize": symbol.contract_size,
        "requestPrice": str(order.request_price),
        "requestNum": lots(order.request_num),
        "requestTime": order.request_time_ms,
        "executePrice": price_text(symbol, order.execute_price),
        "executeNum": lots(order.execute_num),
        "executeTime": order.execute_time_ms,
        "executeRate": "1",
        "rateDigits": 4,
        "executeMarginRate": "1",
        "executeMarginRateDigits": 4,
        "spread": symbol.spread_points,
        "pointRatio": 1,
        "fee": money_text(account, order.fee),
        "feeDigits": account.digits,
        "createTime": created,
        "updateTime": order.update_time_ms or created,
        "positionId": order.position_id,
        "pendingId": order.pending_id,
        "stopLoss": str(order.stop_loss),
        "takeProfit": str(order.take_profit),
        "remark": order.remark,
        "source": order.source,
        "thirdPartyOrder": order.third_party_order,
    }


def trade_record_view(exchange: SimExchange, order: SimOrder) -> dict[str, Any]:
    """One deal of queryTradeRecordPage: an executed order's fill."""
    symbol = _symbol(exchange, order.symbol_id)
    account = exchange.accounts[order.account_id]
    units = order.execute_num * symbol.contract_size
    return {
        "dealId": order.deal_id,
        "orderId": order.order_id,
        "positionId": order.position_id,
        "bizType": order.biz_type,
        "symbolId": symbol.symbol_id,
        "symbolName": symbol.name,
        "direction": order.direction,
        "requestPrice": str(order.request_price),
        "originalRequestPrice": str(order.request_price),
        "executePrice": price_text(symbol, order.execute_price),
        "executeNum": lots(order.execute_num),
        "realExecuteNum": lots(units),
        "executeAmount": money_text(account, units * order.execute_price),
        "executeMargin": money_text(account, order.margin),
        "occupyMargin": money_text(account, order.margin),
        "loanAmount": "0",
        "outCurrency": account.currency,
        "executeTime": order.execute_time_ms,
        "stopLoss": str(order.stop_loss),
        "takeProfit": str(order.take_profit),
        "commission": money_text(account, order.fee),
        "profitLoss": money_text(account, order.profit),
        "overnightInterest": money_text(account, Decimal(0)),
        "numberStatisticMode": 1,
        "accountCurrency": account.currency,
        "accountId": account.account_id,
        "tradeType": order.trade_type,
        "source": order.source,
        "thirdPartyOrder": order.third_party_order,
    }


def ledger_view(exchange: SimExchange, entry: SimLedgerEntry) -> dict[str, Any]:
    """One record of queryCapitalFlowList (endpoints 5.9, the documented example's fields)."""
    account = exchange.accounts[entry.account_id]
    zero = Decimal(0)
    return {
        "id": entry.entry_id,
        "accountId": account.account_id,
        "customerNo": exchange.customer_of(account).customer_no,
        "currency": account.currency,
        "digits": account.digits,
        "amount": money_text(account, entry.amount),
        "amountIn": money_text(account, max(entry.amount, zero)),
        "amountOut": money_text(account, max(-entry.amount, zero)),
        "amountAfter": money_text(account, entry.amount_after),
        "businessType": entry.business_type,
        "businessTypeName": BUSINESS_NAMES.get(entry.business_type, ""),
        "businessType1": entry.business_type1,
        "businessType1Name": BUSINESS_NAMES.get(entry.business_type1, ""),
        "bookkeepId": entry.bookkeep_id,
        "subjectId": str(1504110734228990000 + entry.entry_id),
        "status": 2,
        "remark": entry.remark,
        "createTime": entry.time_ms,
        "updateTime": entry.time_ms,
        "version": 0,
    }
