"""The simulator's operations: bizType -> handler, with each operation's access and routing metadata.

A handler takes a :class:`Call` (the admitted request) and returns the envelope's ``data``, or raises
:class:`SimError`. Body validation follows endpoints.md field by field; trading rules live in the
exchange. Both the spec path and the description alias of an operation are registered (http.md 1.1).
Add operations by adding :class:`Operation` entries to :data:`OPERATIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ._fields import page, paging, sort_records
from ._messages import CUSTOMER, SimError, gateway_error
from ._orders import place_market_order, trading_biz_code
from ._state import SimState
from ._views import (
    account_view,
    order_view,
    position_view,
    profile_view,
    symbol_detail_view,
    symbol_row_view,
)

__all__ = ["CLIENT_AND_OPEN", "CLIENT_ONLY", "OPERATIONS", "Call", "Operation", "find_operation"]

Route = Literal["login", "global", "logout", "now"]


@dataclass(frozen=True, slots=True)
class Call:
    """One admitted request, as a handler sees it.

    Attributes:
        state: the simulator.
        body: the business body (decrypted if it came encrypted).
        customer_id: the authenticated customer, or ``None`` on a guest call.
        family: ``"client"`` or ``"open"``.
        biz_type: the operation name from the path.
        now_ms: the server time.
        token: the Client login token sent, if any.
    """

    state: SimState
    body: dict[str, Any]
    customer_id: int | None
    family: str
    biz_type: str
    now_ms: int
    token: str | None = None


Handler = Callable[[Call], Any]


CLIENT_AND_OPEN: frozenset[str] = frozenset({"client", "open"})
CLIENT_ONLY: frozenset[str] = frozenset({"client"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    """Metadata and handler of one operation.

    Attributes:
        biz_type: the name in the URL path.
        handler: the function producing ``data``.
        access: ``"guest"`` (no token needed) or ``"login"``.
        route: the path prefix it is served under.
        families: the API families that serve it.
        version: the ``version`` header it declares (``""`` = none); checked only in strict mode.
        group: the ``group`` header it declares (``""`` = none); checked only in strict mode.
        alt_versions: other ``version`` values strict mode accepts.
        allow_empty_body: an empty body is fine (``/logout``, ``/thirdExt/now``).
    """

    biz_type: str
    handler: Handler
    access: Literal["guest", "login"]
    route: Route = "global"
    families: frozenset[str] = CLIENT_AND_OPEN
    version: str = ""
    group: str = ""
    alt_versions: frozenset[str] = frozenset()
    allow_empty_body: bool = False


# ---------------------------------------------------------------------------- session and utility


def _login(call: Call) -> dict[str, Any]:
    body, exchange = call.body, call.state.exchange
    for name in ("type", "loginName", "device", "isThird"):
        if body.get(name) is None or body.get(name) == "":
            raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    login_type, login_name, password = body["type"], body["loginName"], body.get("loginPwd")
    if not password and not body.get("verifyCode"):
        raise SimError("CUSTOMER_API_0000125", CUSTOMER)
    customer = exchange.customer
    expected = {1: customer.email.lower(), 2: customer.phone, 3: customer.customer_no}.get(login_type)
    name_ok = isinstance(login_name, str) and (
        login_name.lower() == expected if login_type == 1 else login_name == expected
    )
    # Password-less (verification code) login is not simulated: it is refused like a wrong password.
    if not name_ok or password != customer.password_md5:
        raise SimError("CUSTOMER_API_0000102", CUSTOMER)
    token, r_token = call.state.sessions.login(customer.customer_id)
    return {**profile_view(exchange), "token": token, "rToken": r_token, "loginTime": call.now_ms}


def _logout(call: Call) -> None:
    if call.token is not None:
        call.state.sessions.logout(call.token)


def _server_time(call: Call) -> int:
    return call.now_ms


def _push_token(call: Call) -> str:
    assert call.customer_id is not None
    return call.state.sessions.issue_push_token(call.customer_id)


# ---------------------------------------------------------------------------- reference data


def _int_param(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise gateway_error("015")
    return value


def _symbol_base_list(call: Call) -> list[dict[str, Any]]:
    group = _int_param(call.body, "customerGroupId")
    if group != call.state.exchange.customer.customer_group_id:
        return []
    rows = [
        symbol_row_view(symbol, trade_type)
        for symbol in call.state.exchange.market.symbols
        for trade_type in symbol.trade_types
    ]
    return sorted(rows, key=lambda row: (row["sortNum"], row["tradeType"]))


def _symbol_detail(call: Call) -> dict[str, Any]:
    trade_type, symbol_id = _int_param(call.body, "tradeType"), _int_param(call.body, "symbolId")
    symbol = call.state.exchange.market.listed(symbol_id, trade_type)
    if symbol is None:
        raise SimError("E000013", trading_biz_code(trade_type))
    return symbol_detail_view(symbol, trade_type)


# ---------------------------------------------------------------------------- customer


def _customer_info(call: Call) -> dict[str, Any]:
    return profile_view(call.state.exchange)


def _account_by_id(call: Call) -> dict[str, Any]:
    body = call.body
    trade_type, account_id, currency = body.get("tradeType"), body.get("accountId"), body.get("currency")
    if not isinstance(trade_type, int) or (account_id is None and not currency):
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    if account_id is not None and (not isinstance(account_id, int) or isinstance(account_id, bool)):
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    exchange = call.state.exchange
    account = exchange.find_account(
        trade_type, account_id=account_id, currency=currency if isinstance(currency, str) else None
    )
    if account is None:
        raise SimError("CUSTOMER_API_0000003", CUSTOMER)
    return account_view(exchange, account)


# ---------------------------------------------------------------------------- trading queries


def _query_positions(call: Call) -> dict[str, Any]:
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
        if p.trade_type != trade_type or (currency and account.currency != currency):
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


def _query_orders(call: Call) -> dict[str, Any]:
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
        if order.trade_type != trade_type or (currency and account.currency != currency):
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

_V1 = "0.0.1"
_TRADE_GROUP = "tradeApi"

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        biz_type="customer.app.CustomerWebApiService.login",
        handler=_login,
        access="guest",
        route="login",
        families=CLIENT_ONLY,
        version=_V1,
    ),
    Operation(
        biz_type="logout",
        handler=_logout,
        access="login",
        route="logout",
        families=CLIENT_ONLY,
        allow_empty_body=True,
    ),
    Operation(
        biz_type="thirdExt/now",
        handler=_server_time,
        access="guest",
        route="now",
        families=CLIENT_ONLY,
        allow_empty_body=True,
    ),
    Operation(
        biz_type="config.app.AppSymbolDubboService.getSymbolBaseList",
        handler=_symbol_base_list,
        access="guest",
    ),
    # The spec requires version 0.0.2, the permission list names none (Assumption symbol_detail_version).
    Operation(
        biz_type="config.app.AppSymbolDubboService.getSymbolDetail",
        handler=_symbol_detail,
        access="guest",
        version="0.0.2",
        alt_versions=frozenset({""}),
    ),
    Operation(
        biz_type="customer.app.CustomerWebApiService.findCustomerInfo",
        handler=_customer_info,
        access="login",
        version=_V1,
    ),
    Operation(
        biz_type="customer.app.CustomerWebApiService.queryAccountById",
        handler=_account_by_id,
        access="login",
        version=_V1,
    ),
    # Both names of the contract order (endpoints 5.2 / 5.3, http.md 1.1).
    Operation(
        biz_type="tradeapi.app.OrderApiService.addMarketOrder",
        handler=place_market_order,
        access="login",
        version=_V1,
        group=_TRADE_GROUP,
    ),
    Operation(
        biz_type="tradeapi.app.CfdMMOrderApiService.addMarketOrder",
        handler=place_market_order,
        access="login",
        version=_V1,
        group=_TRADE_GROUP,
    ),
    Operation(
        biz_type="tradeapi.app.PositionApiService.queryPositionPage",
        handler=_query_positions,
        access="login",
        version=_V1,
        group=_TRADE_GROUP,
    ),
    Operation(
        biz_type="tradeapi.app.OrderApiService.queryOrderPage",
        handler=_query_orders,
        access="login",
        version=_V1,
        group=_TRADE_GROUP,
    ),
    # Open API only in the docs (endpoints 7), yet its sample goes to the Client base: serve both.
    Operation(biz_type="getMsgPushToken", handler=_push_token, access="login"),
)
"""Every simulated operation. Add entries here; an unknown bizType answers ``GATEWAY_CODE_002``."""

_BY_ROUTE: dict[tuple[str, str], Operation] = {(op.route, op.biz_type): op for op in OPERATIONS}


def find_operation(route: str, biz_type: str, family: str) -> Operation | None:
    """Return the operation served at ``route``/``biz_type`` by ``family``, or ``None``."""
    op = _BY_ROUTE.get((route, biz_type))
    return op if op is not None and family in op.families else None
