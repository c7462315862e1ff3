"""Wire views of the exchange: the ``data`` objects the simulator's operations answer with.

Field names and types follow the platform's operation pages: money and
quantities as decimal strings, scaled prices as integer strings where the docs say so, ids as ints
and ``customerNo`` as a string.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .._exchange.exchange import SimExchange
from .._exchange.market import SimSymbol
from .._exchange.records import SimAccount, SimCustomer, SimOrder, SimPosition

__all__ = [
    "account_view",
    "fill_view",
    "order_view",
    "position_view",
    "profile_view",
    "symbol_detail_view",
    "symbol_row_view",
]


def _dec(value: Decimal, digits: int | None = None) -> str:
    """Decimal text with exactly ``digits`` decimals, or the shortest form when ``None``."""
    if digits is not None:
        return format(value.quantize(Decimal(1).scaleb(-digits)), "f")
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def symbol_row_view(symbol: SimSymbol, trade_type: int) -> dict[str, Any]:
    """One row of getSymbolBaseList (endpoints 4.1)."""
    return {
        "symbolId": symbol.symbol_id,
        "tradeType": trade_type,
        "symbolCode": symbol.code,
        "symbolName": symbol.name,
        "baseCurrency": symbol.base_currency,
        "profitCurrency": symbol.profit_currency,
        "symbolDigits": symbol.digits,
        "dealMode": symbol.deal_mode,
        "askSpread": "0",
        "bidSpread": "0",
        "pointRatio": 1,
        "customerGroupIds": None,
        "symbolGroupIds": None,
        "etf": False,
        "fundId": 0,
        "labels": symbol.labels,
        "sortNum": symbol.sort_num,
        "enableShortLoan": 0,
        "enableLongLoan": 0,
        "dividend": 0,
        "inTradeTime": 1,
        "inHolidayTime": 0,
        "tradeTimeList": [{"dayOfWeek": day, "startTime": 0, "endTime": 86399} for day in range(1, 8)],
        "holidayTimeList": [],
    }


def symbol_detail_view(symbol: SimSymbol, trade_type: int) -> dict[str, Any]:
    """getSymbolDetail's ``data`` (endpoints 4.2), the fields a bot needs."""
    return {
        "symbolId": symbol.symbol_id,
        "symbolCode": symbol.code,
        "symbolName": symbol.name,
        "tradeType": trade_type,
        "symbolDigits": symbol.digits,
        "numberDigits": symbol.number_digits,
        "contractSize": symbol.contract_size,
        "minVolume": float(symbol.min_volume),
        "maxVolume": float(symbol.max_volume),
        "volumeStep": float(symbol.volume_step),
        "stopLossMinPoint": 0,
        "stopLossMaxPoint": 0,
        "priceMinLimit": 0,
        "priceMaxLimit": 0,
        "askSpread": 0,
        "bidSpread": 0,
        "leverRatio": f"1-{symbol.max_leverage}",
        "marginInfo": {"type": "2", "values": f"1-{symbol.max_leverage}", "marginVoList": []},
        "buyInterest": 0,
        "sellInterest": 0,
        "eodTime": "00:00:00",
        "feeMethod": 1,
        "feeRate": float(symbol.fee_rate),
        "tradeTimeList": [{"dayOfWeek": day, "startTime": 0, "endTime": 86399} for day in range(1, 8)],
        "quoteTimeList": [{"dayOfWeek": day, "startTime": 0, "endTime": 86399} for day in range(1, 8)],
        "holidayTimeList": [],
        "buyMaxPositionVolumes": float(symbol.max_volume) * 10,
        "sellMaxPositionVolumes": float(symbol.max_volume) * 10,
        "accountPositionTotalVolumes": float(symbol.max_volume) * 20,
        "tradeEnable": 1,
        "dealMode": symbol.deal_mode,
        "tradeDirection": 0,
        "minTradeUnit": float(symbol.volume_step),
    }


def account_view(exchange: SimExchange, account: SimAccount) -> dict[str, Any]:
    """One account in real time (endpoints 6.2; also the items of ``accountList``)."""
    totals = exchange.account_totals(account)
    d = account.digits
    customer = exchange.customer_of(account)
    return {
        "accountId": account.account_id,
        "customerId": customer.customer_id,
        "customerNo": customer.customer_no,
        "companyId": customer.company_id,
        "tradeType": account.trade_type,
        "currency": account.currency,
        "assetsId": 13,
        "digits": d,
        "type": 1,
        "status": 2,
        "activateStatus": 2,
        "openAccountStatus": True,
        "balance": _dec(totals["balance"], d),
        "available": _dec(totals["free_margin"], d),
        "equity": _dec(totals["equity"], d),
        "profit": _dec(totals["profit"], d),
        "margin": _dec(totals["margin"], d),
        "freeMargin": _dec(totals["free_margin"], d),
        "lockMargin": _dec(Decimal(0), d),
        "frozen": _dec(Decimal(0), d),
        "lockAmount": _dec(Decimal(0), d),
        "withdrawAmount": _dec(max(totals["free_margin"], Decimal(0)), d),
        "createTime": account.create_time_ms,
        "activateTime": account.create_time_ms,
        "remark": "",
    }


def profile_view(exchange: SimExchange, customer: SimCustomer | None = None) -> dict[str, Any]:
    """The customer profile of login and findCustomerInfo (endpoints 2.1, 6.1), without tokens.

    Args:
        exchange: the exchange.
        customer: whose profile; the seeded customer when ``None``.
    """
    c = customer if customer is not None else exchange.customer
    return {
        "id": c.customer_id,
        "customerNo": c.customer_no,
        "companyId": c.company_id,
        "customerGroupId": c.customer_group_id,
        "type": 0,
        "status": 1,
        "kycAuditStatus": 2,
        "kycStatus": 4,
        "companyKycStatus": 2,
        "loginPassStatus": "2" if c.login_pass_set else "1",
        "payPassStatus": "2",
        "assertPassStatus": "2",
        "googleId": 0,
        "deposit": 1,
        "withdraw": 1,
        "email": c.email,
        "phone": c.phone[:3] + "******" + c.phone[-4:] if c.phone else "",
        "phoneArea": c.phone_area,
        "name": c.name,
        "country": c.country,
        "openAccountType": 0,
        "registerSource": c.register_source,
        "source": "PC_Web",
        "companyType": "real",
        "createTime": c.register_time_ms,
        "registerTime": c.register_time_ms,
        "activateTime": c.register_time_ms,
        "apiCheckSwitch": False,
        "apiCheckRule": "",
        "thirdServerCode": c.third_server_code,
        "accountList": [account_view(exchange, a) for a in exchange.customer_accounts(c.customer_id)],
    }


def position_view(exchange: SimExchange, position: SimPosition) -> dict[str, Any]:
    """A position; ``stopLoss``/``takeProfit`` stay raw scaled integers (``"0"`` when none),
    ``closeTime`` is 0 and ``closePrice`` null while nothing was closed."""
    symbol = exchange.symbol_of(position)
    account = exchange.accounts[position.account_id]
    sd, ad = symbol.digits, account.digits
    is_open = position.status in ("1", "3")
    profit = exchange.floating_profit(position) if is_open else position.realized_profit
    return {
        "positionId": position.position_id,
        "orderId": position.order_id,
        "dealId": position.deal_id,
        "status": position.status,
        "direction": position.direction,
        "symbolId": symbol.symbol_id,
        "symbolName": symbol.name,
        "tradeType": position.trade_type,
        "openPrice": _dec(position.open_price, sd),
        "openNum": _dec(position.open_volume),
        "openVolume": float(position.open_volume),
        "volume": float(position.volume),
        "closeNum": _dec(position.close_volume),
        "closeVolume": float(position.close_volume),
        "minVolume": float(symbol.min_volume),
        "closePrice": _dec(position.close_price, sd) if position.close_price is not None else None,
        "profit": _dec(profit, ad),
        "margin": _dec(position.margin, ad),
        "openMargin": _dec(position.open_margin, ad),
        "interest": _dec(Decimal(0), ad),
        "openFee": _dec(position.open_fee, ad),
        "closeFee": _dec(position.close_fee, ad),
        "stopLoss": str(position.stop_loss),
        "takeProfit": str(position.take_profit),
        "stopLossDecimal": _dec(symbol.unscale(position.stop_loss), sd),
        "takeProfitDecimal": _dec(symbol.unscale(position.take_profit), sd),
        "openSymbolDigits": sd,
        "closeSymbolDigits": sd,
        "openAccountDigits": ad,
        "closeAccountDigits": ad,
        "openContractSize": position.contract_size,
        "crossLevelNum": position.leverage,
        "adjustCrossLevel": f"1-{symbol.max_leverage}",
        "marginSetType": "2",
        "openTime": position.open_time_ms,
        "closeTime": position.close_time_ms,
        "remark": position.remark,
        "source": position.source,
        "thirdPartyOrder": position.third_party_order,
        "accountId": position.account_id,
        "companyId": exchange.customer_of(account).company_id,
    }


def order_view(exchange: SimExchange, order: SimOrder) -> dict[str, Any]:
    """One record of queryOrderPage; what has not happened yet is 0 (``dealId``, ``executePrice``,
    ``executeTime``, ``pendingId`` of a market order), as the platform sends it."""
    symbol = exchange.market.get(order.symbol_id)
    assert symbol is not None
    account = exchange.accounts[order.account_id]
    return {
        "id": order.order_id,
        "dealId": order.deal_id,
        "bizType": order.biz_type,
        "direction": order.direction,
        "status": order.status,
        "customerGroupId": order.customer_group_id,
        "symbolId": symbol.symbol_id,
        "symbolName": symbol.name,
        "digits": symbol.digits,
        "contractSize": symbol.contract_size,
        "requestPrice": str(order.request_price),
        "requestNum": _dec(order.request_num),
        "executePrice": _dec(order.execute_price, symbol.digits),
        "executeNum": _dec(order.execute_num),
        "cancelNum": _dec(order.request_num) if order.status in (4, 6, 7) else "0",
        "requestTime": order.request_time_ms,
        "executeTime": order.execute_time_ms,
        "createTime": order.create_time_ms or order.execute_time_ms,
        "updateTime": order.update_time_ms or order.execute_time_ms,
        "fee": _dec(order.fee, account.digits),
        "executeMargin": _dec(order.margin, account.digits),
        "accountDigits": account.digits,
        "accountId": order.account_id,
        "positionId": order.position_id,
        "stopLoss": str(order.stop_loss),
        "takeProfit": str(order.take_profit),
        "remark": order.remark,
        "seq": symbol.seq,
        "interest": _dec(Decimal(0), account.digits),
        "pnl": _dec(order.profit, account.digits),
        "source": order.source,
        "thirdPartyOrder": order.third_party_order,
        "tradeType": order.trade_type,
        "pendingId": order.pending_id,
    }


def fill_view(exchange: SimExchange, order: SimOrder) -> dict[str, Any]:
    """addMarketOrder's ``data`` (endpoints 5.2; plus ``source`` for tradeType 2, 5.3)."""
    symbol = exchange.market.get(order.symbol_id)
    assert symbol is not None
    position = exchange.positions[order.position_id]
    ad = exchange.accounts[order.account_id].digits
    data: dict[str, Any] = {
        "orderId": order.order_id,
        "positionId": order.position_id,
        "tradeVolume": _dec(order.execute_num),
        "executePrice": _dec(order.execute_price, symbol.digits),
        "openPrice": _dec(position.open_price, symbol.digits),
        "direction": order.direction,
        "openDirection": position.direction,
        "openOrClose": order.open_or_close,
        "symbolId": symbol.symbol_id,
        "symbolName": symbol.name,
        "digits": symbol.digits,
        "stopLoss": str(order.stop_loss),
        "takeProfit": str(order.take_profit),
        "fee": _dec(order.fee, ad),
        "interest": "0",
        "profit": _dec(order.profit, ad),
    }
    if order.trade_type == 2:
        data["source"] = order.source
    return data
