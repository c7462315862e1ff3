"""The simulator's operation table: bizType -> handler, with each operation's access and routing metadata.

A handler takes a ``SimCall`` (the admitted request) and returns the envelope's ``data``, or raises
``SimError``. Body validation follows each operation's documented fields; trading rules live in the
exchange. Both the spec path and the description alias of an operation are registered.
This module holds the session, reference-data, customer and list operations and assembles
``OPERATIONS`` from the tables of the other handler modules (orders, pending orders, positions,
records, customer and registration, API keys, Auth2).
"""

from __future__ import annotations

from typing import Any

from ..error_codes import CUSTOMER, SimError, gateway_error
from ..fields import page, paging, sort_records
from ..operation import (
    CLIENT_AND_OPEN,
    CLIENT_ONLY,
    V1,
    Route,
    SimCall,
    SimOperation,
    trade_op,
    trading_biz_code,
)
from ..views import (
    account_view,
    order_view,
    position_view,
    profile_view,
    symbol_detail_view,
    symbol_row_view,
)
from .apikeys import API_KEY_OPERATIONS
from .auth2 import AUTH2_OPERATIONS
from .customer import CUSTOMER_OPERATIONS
from .margin import MARGIN_OPERATIONS
from .orders import calculate_market_order, place_market_order
from .pending import PENDING_OPERATIONS
from .positions import POSITION_OPERATIONS
from .records import RECORD_OPERATIONS

__all__ = [
    "CLIENT_AND_OPEN",
    "CLIENT_ONLY",
    "OPERATIONS",
    "Route",
    "SimCall",
    "SimOperation",
    "find_operation",
]


# ---------------------------------------------------------------------------- session and utility


def _login(call: SimCall) -> dict[str, Any]:
    body, state = call.body, call.state
    for name in ("type", "loginName", "device", "isThird"):
        if body.get(name) is None or body.get(name) == "":
            raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    login_type, login_name, password = body["type"], body["loginName"], body.get("loginPwd")
    code, send_token = body.get("verifyCode"), body.get("sendToken")
    if not password and not code:
        raise SimError("CUSTOMER_API_0000125", CUSTOMER)
    customer = state.exchange.customer_by_login(login_type, login_name)
    if customer is None:
        raise SimError("CUSTOMER_API_0000102", CUSTOMER)
    if password:
        if password != customer.password_md5 or not customer.login_pass_set:
            raise SimError("CUSTOMER_API_0000102", CUSTOMER)
    else:
        # Password-less login: the code sent to the e-mail (type 1) or phone (type 2) of the customer.
        kind = login_type if login_type in (1, 2) else 1
        if not state.verifications.check(send_token, code, kind, str(login_name), call.now_ms):
            raise SimError("CUSTOMER_API_0000511", CUSTOMER)
        state.verifications.consume(str(send_token))
    token, r_token = state.sessions.login(customer.customer_id)
    return {
        **profile_view(state.exchange, customer),
        "token": token,
        "rToken": r_token,
        "loginTime": call.now_ms,
    }


def _logout(call: SimCall) -> None:
    if call.token is not None:
        call.state.sessions.logout(call.token)


def _server_time(call: SimCall) -> int:
    return call.now_ms


def _push_token(call: SimCall) -> str:
    assert call.customer_id is not None
    return call.state.sessions.issue_push_token(call.customer_id)


# ---------------------------------------------------------------------------- reference data


def _int_param(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise gateway_error("015")
    return value


def _symbol_base_list(call: SimCall) -> list[dict[str, Any]]:
    group = _int_param(call.body, "customerGroupId")
    if group not in {c.customer_group_id for c in call.state.exchange.customers.values()}:
        return []
    rows = [
        symbol_row_view(symbol, trade_type)
        for symbol in call.state.exchange.market.symbols
        for trade_type in symbol.trade_types
    ]
    return sorted(rows, key=lambda row: (row["sortNum"], row["tradeType"]))


def _symbol_detail(call: SimCall) -> dict[str, Any]:
    trade_type, symbol_id = _int_param(call.body, "tradeType"), _int_param(call.body, "symbolId")
    symbol = call.state.exchange.market.listed(symbol_id, trade_type)
    if symbol is None:
        raise SimError("E000013", trading_biz_code(trade_type))
    return symbol_detail_view(symbol, trade_type)


# ---------------------------------------------------------------------------- customer


def _customer_info(call: SimCall) -> dict[str, Any]:
    assert call.customer_id is not None
    exchange = call.state.exchange
    return profile_view(exchange, exchange.customers[call.customer_id])


def _account_by_id(call: SimCall) -> dict[str, Any]:
    body = call.body
    trade_type, account_id, currency = body.get("tradeType"), body.get("accountId"), body.get("currency")
    if not isinstance(trade_type, int) or (account_id is None and not currency):
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    if account_id is not None and (not isinstance(account_id, int) or isinstance(account_id, bool)):
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    exchange = call.state.exchange
    account = exchange.find_account(
        trade_type,
        account_id=account_id,
        currency=currency if isinstance(currency, str) else None,
        customer_id=call.customer_id,
    )
    if account is None:
        raise SimError("CUSTOMER_API_0000003", CUSTOMER)
    return account_view(exchange, account)


# ---------------------------------------------------------------------------- trading queries


def _query_positions(call: SimCall) -> dict[str, Any]:
    body, exchange = call.body, call.state.exchange
    trade_type = body.get("tradeType")
    biz_code = trading_biz_code(trade_type)
    if trade_type is None:
        raise SimError("E000005", biz_code)
    filters = {k: body.get(k) for k in ("accountId", "status", "orderId", "symbolId")}
    currency = body.get("accountCurrency")
    rows = []
    for p in exchange.open_positions():
        account = exchange.accounts[p.account_id]
        if (
            account.customer_id != call.customer_id
            or p.trade_type != trade_type
            or (currency and account.currency != currency)
        ):
            continue
        if filters["status"] is not None and str(filters["status"]) != p.status:
            continue
        if any(
            filters[k] is not None and filters[k] != v
            for k, v in (("accountId", p.account_id), ("orderId", p.order_id), ("symbolId", p.symbol_id))
        ):
            continue
        rows.append(position_view(exchange, p))
    keys = {"orderId": "orderId", "openTime": "openTime", "symbolId": "symbolId", "pnl": "profit"}
    rows = sort_records(rows, body, keys, default="orderId", biz_code=biz_code)
    current, size = paging(body, biz_code)
    return page(rows, current, size)


def _query_orders(call: SimCall) -> dict[str, Any]:
    body, exchange = call.body, call.state.exchange
    trade_type = body.get("tradeType")
    biz_code = trading_biz_code(trade_type)
    if trade_type is None:
        raise SimError("E000005", biz_code)
    wanted_ids = None
    if isinstance(body.get("orderIds"), str) and body["orderIds"].strip():
        wanted_ids = {part.strip() for part in body["orderIds"].split(",")}
    currency = body.get("accountCurrency")
    rows = []
    for order in sorted(exchange.orders.values(), key=lambda o: -o.order_id):
        account = exchange.accounts[order.account_id]
        if (
            account.customer_id != call.customer_id
            or order.trade_type != trade_type
            or (currency and account.currency != currency)
        ):
            continue
        if wanted_ids is not None and str(order.order_id) not in wanted_ids:
            continue
        checks = (
            ("accountId", order.account_id),
            ("bizType", order.biz_type),
            ("direction", order.direction),
            ("status", order.status),
            ("symbolId", order.symbol_id),
            ("positionId", order.position_id),
        )
        if any(body.get(k) is not None and body.get(k) != v for k, v in checks):
            continue
        rows.append(order_view(exchange, order))
    current, size = paging(body, biz_code)
    return page(rows, current, size)


# ---------------------------------------------------------------------------- the table

OPERATIONS: tuple[SimOperation, ...] = (
    SimOperation(
        biz_type="customer.app.CustomerWebApiService.login",
        handler=_login,
        access="guest",
        route="login",
        families=CLIENT_ONLY,
        version=V1,
    ),
    SimOperation(
        biz_type="logout",
        handler=_logout,
        access="login",
        route="logout",
        families=CLIENT_ONLY,
        allow_empty_body=True,
    ),
    SimOperation(
        biz_type="thirdExt/now",
        handler=_server_time,
        access="guest",
        route="now",
        families=CLIENT_ONLY,
        allow_empty_body=True,
    ),
    SimOperation(
        biz_type="config.app.AppSymbolDubboService.getSymbolBaseList",
        handler=_symbol_base_list,
        access="guest",
    ),
    # The spec requires version 0.0.2, the permission list names none (Assumption symbol_detail_version).
    SimOperation(
        biz_type="config.app.AppSymbolDubboService.getSymbolDetail",
        handler=_symbol_detail,
        access="guest",
        version="0.0.2",
        alt_versions=frozenset({""}),
    ),
    SimOperation(
        biz_type="customer.app.CustomerWebApiService.findCustomerInfo",
        handler=_customer_info,
        access="login",
        version=V1,
    ),
    SimOperation(
        biz_type="customer.app.CustomerWebApiService.queryAccountById",
        handler=_account_by_id,
        access="login",
        version=V1,
    ),
    # Both names of the contract order and its trial calculation (endpoints 5.2 / 5.3 / 5.10).
    trade_op("tradeapi.app.OrderApiService.addMarketOrder", place_market_order),
    trade_op("tradeapi.app.CfdMMOrderApiService.addMarketOrder", place_market_order),
    trade_op("tradeapi.app.OrderApiService.calculateMarketOrder", calculate_market_order),
    trade_op("tradeapi.app.CfdMMOrderApiService.calculateMarketOrder", calculate_market_order),
    trade_op("tradeapi.app.PositionApiService.queryPositionPage", _query_positions),
    trade_op("tradeapi.app.OrderApiService.queryOrderPage", _query_orders),
    # Open API only in the docs (endpoints 7), yet its sample goes to the Client base: serve both.
    SimOperation(biz_type="getMsgPushToken", handler=_push_token, access="login"),
    *PENDING_OPERATIONS,
    *POSITION_OPERATIONS,
    *MARGIN_OPERATIONS,
    *RECORD_OPERATIONS,
    *CUSTOMER_OPERATIONS,
    *API_KEY_OPERATIONS,
    *AUTH2_OPERATIONS,
)
"""Every simulated operation. Add entries here; an unknown bizType answers ``GATEWAY_CODE_002``."""

_BY_ROUTE: dict[tuple[str, str], SimOperation] = {(op.route, op.biz_type): op for op in OPERATIONS}
assert len(_BY_ROUTE) == len(OPERATIONS), "an operation is registered twice"


def find_operation(route: str, biz_type: str, family: str) -> SimOperation | None:
    """Return the operation served at ``route``/``biz_type`` by ``family``, or ``None``."""
    op = _BY_ROUTE.get((route, biz_type))
    return op if op is not None and family in op.families else None
