"""The Bridge API operations: customers, exchange accounts, products, direct orders, records.

Served at ``/webhook/global/{bizType}`` (admission in ``partner_gateway``). Codes where the docs name none:
a missing or mistyped field ``CUSTOMER_API_0000501``, an unknown customer or exchange account
``CUSTOMER_API_0000003``, ``tradeType`` other than 10 or an ``exchangeId`` other than ``binance``,
``okx``, ``cumberland`` ``GATEWAY_CODE_015``, an unknown product ``E000013``, an unknown order
``E000007``, a bad ``clientOrderId`` ``E000006``, not enough balance ``E000031`` (bizCode ``""``).

Orders (Assumption ``bridge_reply_shapes``): the reply is ``{exchangeId, orderId, clientOrderId,
status}``. A market order (``bizType`` 1) fills at once at the simulator's price of ``symbolId``
(status ``"2"``); a limit order (2, by quantity) rests (``"1"``) unless its price is marketable, then
fills, and a resting one fills at the market price when a price move (``tick``, ``set_price``) reaches
its limit; cancelling a resting order gives ``"4"``. Each fill sends ``ORDER_EXEC_REPORT`` and each
cancellation ``ORDER_CANCEL_REPORT`` to the subscribed webhooks. Fills move USDT and the product's
base currency of the exchange account (``bridge_accounts``). Undocumented names served (guesses for
the pages the docs lack): records ``AccountAdminService.queryWithdrawList`` /
``queryTransferList`` (always empty, as ``queryDepositList``) and ``OrderAdminApiService.
queryDirectOrderList`` (every order) / ``queryDirectPendingOrderList`` (resting orders), and the
product list (Assumption ``bridge_product_biztype``: the Manager's ``config.admin.AdminSymbolDubboService.
getSymbolByCompanyId``; ``companyId`` as a string, else ``GATEWAY_CODE_015``) with ``tradeType`` 10:
the products quoted in USDT, the currency fills settle in.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final

from ..._partners.state import SimBridgeAccount, SimBridgeOrder
from ..error_codes import CUSTOMER, SimError, gateway_error
from ..operation import TRADE_GROUP, V1, SimCall, SimOperation
from ..views import symbol_row_view
from .bridge_accounts import ACCOUNT_HANDLERS, EXCHANGES, text_field
from .manager import customer_by_no, customer_detail, customer_page, manager_register

if TYPE_CHECKING:
    from ..state_view import HttpState

__all__ = ["BRIDGE_OPERATIONS", "fill_resting"]

_CLIENT_ORDER_ID: Final = re.compile(r"[a-zA-Z0-9]{1,20}")
_ORDER: Final = "tradeapi.admin.OrderAdminApiService."
_FUNDS: Final = "tradeapi.admin.AccountAdminService."


def _decimal(body: dict[str, Any], name: str) -> Decimal | None:
    value = body.get(name)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise SimError("CUSTOMER_API_0000501", CUSTOMER) from None
    if not number.is_finite() or number <= 0:
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    return number


# ---------------------------------------------------------------------------- trading


def _trading_account(call: SimCall) -> SimBridgeAccount:
    body = call.body
    if str(body.get("tradeType")) != "10" or text_field(body, "exchangeId") not in EXCHANGES:
        raise gateway_error("015")
    text_field(body, "customerGroupId")
    customer_no, name = text_field(body, "customerNo"), text_field(body, "accountName")
    for account in call.state.bridge.accounts.values():
        if account.customer_no == customer_no and account.account_name == name:
            return account
    raise SimError("CUSTOMER_API_0000003", CUSTOMER)


def _report(state: HttpState, order: SimBridgeOrder, kind: str, now_ms: int) -> None:
    content: dict[str, Any] = {
        "reportType": kind,
        "exchangeId": order.exchange_id,
        "tradeType": 10,
        "companyId": state.config.company_id,
        "customerId": order.customer_id,
        "customerNo": order.customer_no,
        "accountName": order.account_name,
        "orderId": order.order_id,
        "clientOrderId": order.client_order_id,
        "remark": "",
    }
    if kind == "ORDER_EXEC_REPORT":
        content.update(
            tradeId=order.trade_id,
            executeNum=format(order.num, "f"),
            executePrice=format(order.execute_price or 0, "f"),
            executeTime=order.execute_time,
            symbolId=order.symbol_id,
            commission=format(-order.commission, "f"),
            commissionCurrency="USDT",
            status=order.status,
        )
    state.bridge.report(content, now_ms)


def _fill(
    state: HttpState, order: SimBridgeOrder, account: SimBridgeAccount, price: Decimal, now_ms: int
) -> None:
    symbol = state.exchange.market.get(order.symbol_id)
    assert symbol is not None
    notional = price * order.num
    sign = 1 if order.direction == 1 else -1
    base = symbol.base_currency
    if (sign > 0 and account.balances.get("USDT", Decimal(0)) < notional) or (
        sign < 0 and account.balances.get(base, Decimal(0)) < order.num
    ):
        raise SimError("E000031", "")
    account.balances["USDT"] = account.balances.get("USDT", Decimal(0)) - sign * notional
    account.balances[base] = account.balances.get(base, Decimal(0)) + sign * order.num
    order.status, order.execute_price, order.execute_time = "2", price, now_ms
    order.trade_id = f"T{order.order_id}"
    order.commission = (notional * Decimal("0.001")).quantize(Decimal("0.00000001"))
    _report(state, order, "ORDER_EXEC_REPORT", now_ms)


def fill_resting(state: HttpState, now_ms: int) -> list[SimBridgeOrder]:
    """After a price move: fill every resting limit order the market price has reached.

    An order whose account is gone or short of funds keeps resting. Returns the orders filled.
    """
    filled = []
    for order in list(state.bridge.orders.values()):
        symbol = state.exchange.market.get(order.symbol_id)
        if order.status != "1" or order.price is None or symbol is None:
            continue
        market = symbol.ask if order.direction == 1 else symbol.bid
        if (market > order.price) if order.direction == 1 else (market < order.price):
            continue
        account = next(
            (
                a
                for a in state.bridge.accounts.values()
                if a.customer_no == order.customer_no and a.account_name == order.account_name
            ),
            None,
        )
        if account is None:
            continue
        try:
            _fill(state, order, account, market, now_ms)
        except SimError:
            continue
        filled.append(order)
    return filled


def _place(call: SimCall) -> dict[str, Any]:
    body, bridge = call.body, call.state.bridge
    account = _trading_account(call)
    symbol_id = text_field(body, "symbolId")
    symbol = call.state.exchange.market.get(int(symbol_id)) if symbol_id.isdigit() else None
    if symbol is None:
        raise SimError("E000013", "")
    biz_type, direction = str(body.get("bizType")), str(body.get("direction"))
    if biz_type not in ("1", "2") or direction not in ("1", "2"):
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    price, num, amount = _decimal(body, "price"), _decimal(body, "num"), _decimal(body, "amount")
    market_price = symbol.ask if direction == "1" else symbol.bid
    if biz_type == "2" and (price is None or num is None):
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)  # limit orders go by quantity (11.3)
    if num is None:
        if amount is None:
            raise SimError("CUSTOMER_API_0000501", CUSTOMER)
        num = (amount / market_price).quantize(Decimal("0.00000001"))
    client_order_id = text_field(body, "clientOrderId", required=False)
    if client_order_id and not _CLIENT_ORDER_ID.fullmatch(client_order_id):
        raise SimError("E000006", "")
    order_id = bridge.new_order_id()
    order = SimBridgeOrder(
        order_id=order_id,
        client_order_id=client_order_id or f"sim{order_id}",
        exchange_id=str(body["exchangeId"]),
        account_name=account.account_name,
        customer_no=account.customer_no,
        customer_id=customer_by_no(call, account.customer_no).customer_id,
        symbol_id=symbol.symbol_id,
        biz_type=int(biz_type),
        direction=int(direction),
        num=num,
        price=price,
        time_in_force=text_field(body, "timeInForce", required=False) or "GTC",
        request_time=int(body.get("requestTime") or call.now_ms),
    )
    marketable = biz_type == "1" or (
        price is not None and (price >= market_price if direction == "1" else price <= market_price)
    )
    if marketable:
        _fill(call.state, order, account, market_price, call.now_ms)
    bridge.orders[order_id] = order
    return {k: order.view()[k] for k in ("exchangeId", "orderId", "clientOrderId", "status")}


def _find_order(call: SimCall) -> SimBridgeOrder:
    body = call.body
    text_field(body, "symbolId")
    order_id, client_id = (
        text_field(body, "orderId", required=False),
        text_field(body, "clientOrderId", required=False),
    )
    for order in call.state.bridge.orders.values():
        wanted = order.order_id == order_id if order_id else order.client_order_id == client_id
        if wanted:
            return order
    raise SimError("E000007", "")


def _query(call: SimCall) -> dict[str, Any]:
    _trading_account(call)
    return _find_order(call).view()


def _cancel(call: SimCall) -> dict[str, Any]:
    _trading_account(call)
    order = _find_order(call)
    if order.status != "1":
        raise SimError("E000007", "")
    order.status = "4"
    _report(call.state, order, "ORDER_CANCEL_REPORT", call.now_ms)
    return {
        "exchangeId": order.exchange_id,
        "orderId": order.order_id,
        "clientOrderId": order.client_order_id,
    }


def _orders(call: SimCall, *, resting: bool) -> list[dict[str, Any]]:
    account = _trading_account(call)
    return [
        o.view()
        for o in call.state.bridge.orders.values()
        if o.account_name == account.account_name
        and o.customer_no == account.customer_no
        and (not resting or o.status == "1")
    ]


def _balances(call: SimCall) -> list[dict[str, str]]:
    account = _trading_account(call)
    wanted = {c.strip() for c in text_field(call.body, "currency", required=False).split(",") if c.strip()}
    omit = call.body.get("omitZeroBalances") is True
    return [
        {"currency": c, "balance": format(v, "f"), "locked": format(account.locked.get(c, Decimal(0)), "f")}
        for c, v in sorted(account.balances.items())
        if (not wanted or c in wanted) and not (omit and v == 0)
    ]


def _trades(call: SimCall) -> list[dict[str, Any]]:
    account = _trading_account(call)
    symbol_id = int(text_field(call.body, "symbolId"))
    limit = int(text_field(call.body, "limit", required=False) or 20)
    limit = limit if 1 <= limit <= 100 else 20
    rows = [
        {
            **o.view(),
            "tradeId": o.trade_id,
            "executeTime": o.execute_time,
            "commission": format(-o.commission, "f"),
        }
        for o in call.state.bridge.orders.values()
        if o.trade_id and o.symbol_id == symbol_id and o.account_name == account.account_name
    ]
    return rows[:limit]


def _records(call: SimCall) -> list[dict[str, Any]]:
    _trading_account(call)
    return []


def _subscribe(call: SimCall) -> str:
    api_key, url = text_field(call.body, "apiKey"), text_field(call.body, "webhookUrl")
    if not url.startswith(("http://", "https://")):
        raise gateway_error("015")
    call.state.bridge.webhooks[api_key] = url
    return "true"


def _products(call: SimCall) -> list[dict[str, Any]]:
    if not isinstance(call.body.get("companyId"), str):
        raise gateway_error("015")
    if str(call.body.get("tradeType", "10")) != "10":
        return []
    return [
        symbol_row_view(symbol, 10)
        for symbol in call.state.exchange.market.symbols
        if symbol.profit_currency == "USDT"
    ]


def _destroy(call: SimCall) -> None:
    customer_by_no(call, text_field(call.body, "customerNo"))
    text_field(call.body, "remark")


def _op(biz_type: str, handler: Any, group: str = "") -> SimOperation:
    return SimOperation(
        biz_type=biz_type,
        handler=handler,
        access="guest",
        families=frozenset({"bridge"}),
        version=V1,
        group=group,
    )


_TABLE: Final = (
    _op("customer.admin.WhiteCustomerAdminApiService.page", customer_page),
    _op("customer.admin.WhiteCustomerAdminApiService.detailByCustomerNo", customer_detail),
    _op("customer.admin.WhiteCustomerAdminApiService.detail", customer_detail),
    _op("customer.admin.WhiteCustomerAdminApiService.destroyByCustomerNo", _destroy),
    _op("customer.admin.WhiteCustomerAdminApiService.addCusAndOpenAccountAndKyc", manager_register),
    *(_op(biz_type, handler) for biz_type, handler in ACCOUNT_HANDLERS.items()),
    _op(_ORDER + "addDirectOrder", _place, TRADE_GROUP),
    _op(_ORDER + "queryDirectOrder", _query, TRADE_GROUP),
    _op(_ORDER + "cancelDirectOrder", _cancel, TRADE_GROUP),
    _op(_ORDER + "queryDirectOrderList", lambda call: _orders(call, resting=False), TRADE_GROUP),
    _op(_ORDER + "queryDirectPendingOrderList", lambda call: _orders(call, resting=True), TRADE_GROUP),
    _op(_ORDER + "queryDirectTradeRecord", _trades, TRADE_GROUP),
    _op(_FUNDS + "queryBalances", _balances, TRADE_GROUP),
    _op(_FUNDS + "queryDepositList", _records, TRADE_GROUP),
    _op(_FUNDS + "queryWithdrawList", _records, TRADE_GROUP),
    _op(_FUNDS + "queryTransferList", _records, TRADE_GROUP),
    _op("admin.admin.CompanyApiKeyDubboService.subscribe", _subscribe),
    _op("config.admin.AdminSymbolDubboService.getSymbolByCompanyId", _products),
)

BRIDGE_OPERATIONS: Final[dict[str, SimOperation]] = {op.biz_type: op for op in _TABLE}
"""Every Bridge operation by bizType (served at ``/webhook/global/{bizType}``)."""
