"""The message-push socket ``/openapi-c/openMsg/{appId}``: login, asset subscriptions and private pushes.

The Open API's "Msg Subscribe" socket. Any non-empty ``appId`` is accepted. Client frames carry
``head.msgType``:

* ``login`` with a push token (``getMsgPushToken``) or a live login token: answered
  ``subscribe_success``; a bad token (or ``reject_tokens``) gets ``subscribe_fail`` and a close (1008);
* ``subscribe_asset`` / ``cancel_subscribe_asset`` (``data.tradeTypes`` ``"1,2"``): ``subscribe_success``
  (``subscribe_fail`` before login, which also closes; ``subscribe_fail`` alone for bad data);
* ``ping``: ``pong``; ``logout``: ``subscribe_success``, the subscriptions end, the socket stays open.

Every ack is ``{"msgCode","timestamp","trace":<echo>,"seqId":<echo>,"content":null}`` (Assumption
``msg_ws_ack_shape``). Unknown frames are ignored. Pushes go to logged-in sessions of the order's
customer subscribed to its tradeType: ``trade`` (the documented example's shape, all-string
``paramMap``) then ``notice`` updateType 1 (positions) and 3 (funds) for every executed order (HTTP,
RPC, or a stop-loss/take-profit fired by a tick); a fired pending order's ``trade`` has ``bizType``
``ME_POSITION_LIMIT_OPEN``/``ME_POSITION_LIMIT_CLOSE`` and its ``pendingId``. A pending order placed,
changed, cancelled, expired or refused pushes ``notice`` updateType 2 (pending orders). On every
price move an ``f(`` (tradeType 1) or ``g(`` (tradeType 2) floating P&L push goes to each subscribed
account with open positions.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from .._exchange.exchange import SimExchange
from .._exchange.records import BUY, PENDING_TYPES, SimAccount, SimOrder, SimPendingOrder, SimPosition
from .kinds import MessageSession
from .runner import refuse_handshake, run_session
from .session import INVALID

if TYPE_CHECKING:
    from .state_view import SocketState

__all__ = [
    "kick_sessions",
    "message_routes",
    "pnl_record",
    "publish_order",
    "publish_pending",
    "publish_pnl",
    "trade_content",
]

_PNL_TAGS = {1: "f", 2: "g"}


def _dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _ack(state: SocketState, code: str, frame: dict[str, Any]) -> str:
    return _dumps(
        {
            "msgCode": code,
            "timestamp": state.now_ms(),
            "trace": frame.get("trace"),
            "seqId": frame.get("seqId"),
            "content": None,
        }
    )


def _trade_types(frame: dict[str, Any]) -> frozenset[int] | None:
    data = frame.get("data")
    text = data.get("tradeTypes") if isinstance(data, dict) else None
    if not isinstance(text, str):
        return None
    parts = [p.strip() for p in text.split(",")]
    if not parts or not all(p.isascii() and p.isdigit() and int(p) > 0 for p in parts):
        return None
    return frozenset(int(p) for p in parts)


async def _on_frame(state: SocketState, session: MessageSession, parsed: Any, raw: str | bytes) -> None:
    head = parsed.get("head") if parsed is not INVALID and isinstance(parsed, dict) else None
    if not isinstance(head, dict):
        return  # not a client frame of this dialect: ignored
    kind = head.get("msgType")
    if kind == "ping":
        await session.reply(_ack(state, "pong", parsed))
    elif kind == "login":
        token = head.get("token")
        faults = session._registry.faults
        customer = None if faults.rejecting_tokens else state.sessions.customer_of(token)
        if customer is None:
            await session.reply(_ack(state, "subscribe_fail", parsed))
            session.close(1008, "token refused")
            return
        session.customer_id, session.logged_in = customer, True
        await session.reply(_ack(state, "subscribe_success", parsed))
    elif kind in ("subscribe_asset", "cancel_subscribe_asset"):
        if not session.logged_in:
            await session.reply(_ack(state, "subscribe_fail", parsed))
            session.close(1008, "not logged in")
            return
        types = _trade_types(parsed)
        if types is None:
            await session.reply(_ack(state, "subscribe_fail", parsed))
            return
        if kind == "subscribe_asset":
            session.trade_types = session.trade_types | types
        else:
            session.trade_types = session.trade_types - types
        await session.reply(_ack(state, "subscribe_success", parsed))
    elif kind == "logout":
        session.logged_in, session.trade_types = False, frozenset()
        await session.reply(_ack(state, "subscribe_success", parsed))
    session._registry._notify()


# ---------------------------------------------------------------------------- push contents


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def _units(value: Decimal) -> str:
    """A Java ``double`` rendering (``8000.0``), as the platform writes ``dealExecuteNum``."""
    text = _num(value)
    return text if "." in text else text + ".0"


def _money(account: SimAccount, value: Decimal) -> str:
    return format(value.quantize(Decimal(1).scaleb(-account.digits)), "f")


def trade_content(exchange: SimExchange, order: SimOrder) -> dict[str, Any]:
    """The ``content`` of a ``trade`` push for an executed order (the vendor's example shape, every
    value a string)."""
    symbol = exchange.market.get(order.symbol_id)
    assert symbol is not None
    account = exchange.accounts[order.account_id]
    position = exchange.positions.get(order.position_id)
    customer = exchange.customer_of(account)
    px = symbol.point

    def level(scaled: int) -> str:
        return format(symbol.unscale(scaled), "f") if scaled else "--"

    size = f"{order.request_num:.6f}"
    param_map = {
        "date": str(order.execute_time_ms),
        "orderType": str(order.biz_type),
        "symbolId": str(order.symbol_id),
        "dealExecuteTime": str(order.execute_time_ms),
        "orderBizType": str(order.biz_type),
        "orderId": str(order.order_id),
        "pendingId": str(order.pending_id),
        "dealId": str(order.deal_id),
        "accountCurrency": account.currency,
        "orderStatus": str(order.status),
        "dealExecuteNum": _units(order.execute_num * symbol.contract_size),
        "source": order.source or "OPENAPI",
        "dealPrice": format(order.execute_price.quantize(px), "f"),
        "requestAmount": _num(order.request_num),
        "takeProfitMsg": level(order.take_profit),
        "currency": account.currency,
        "symbolName": symbol.name,
        "contractSize": str(symbol.contract_size),
        "sourceExecuteVolSum": size,
        "commission": _num(abs(order.fee)),
        "sourceExecuteVol": size,
        "direction": str(position.direction if position is not None else order.direction),
        "dealAmount": _num(order.execute_num),
        "accountId": str(account.account_id),
        "companyId": str(customer.company_id),
        "positionId": str(order.position_id),
        "dealExecutePrice": format(order.execute_price.quantize(px), "f"),
        "playType": str(order.trade_type),
        "orderDirection": str(order.direction),
        "symbolDigits": str(symbol.digits),
        "stopLossMsg": level(order.stop_loss),
        "Margin": _money(account, position.margin if position is not None else order.margin),
    }
    prefix = "ME_POSITION_LIMIT_" if order.biz_type in PENDING_TYPES else "POSITION_"
    return {
        "accountId": account.account_id,
        "companyId": customer.company_id,
        "bizType": prefix + ("OPEN" if order.open_or_close == 1 else "CLOSE"),
        "customerId": customer.customer_id,
        "paramMap": param_map,
        "tradeType": order.trade_type,
    }


def _preview_stop(exchange: SimExchange, position: SimPosition, equity: Decimal) -> Decimal:
    """Estimated liquidation price: isolated margin when the position's margin is lost, full margin
    when the account's equity is."""
    symbol = exchange.symbol_of(position)
    units = position.volume * position.contract_size
    if not units:
        return Decimal(0)
    sign = 1 if position.direction == BUY else -1
    if position.trade_type == 2:
        price = position.open_price - sign * position.margin / units
    else:
        price = (symbol.bid if position.direction == BUY else symbol.ask) - sign * equity / units
    return max(price, Decimal(0)).quantize(symbol.point)


def pnl_record(exchange: SimExchange, account: SimAccount, positions: list[SimPosition]) -> str:
    """``f(pl,occupyMargin,availableMargin,marginRadio,netWorth,balance);(positionId,pl,previewStop)...``."""
    totals = exchange.account_totals(account)
    margin, equity = totals["margin"], totals["equity"]
    ratio = (equity / margin * 100).quantize(Decimal("0.01")) if margin > 0 else Decimal(0)
    fields = (totals["profit"], margin, totals["free_margin"], ratio, equity, totals["balance"])
    head = f"{_PNL_TAGS[account.trade_type]}({','.join(format(v, 'f') for v in fields)})"
    parts = [
        f"({p.position_id},{_money(account, exchange.floating_profit(p))},"
        f"{format(_preview_stop(exchange, p, equity), 'f')})"
        for p in positions
    ]
    return ";".join([head, *parts])


def publish_order(state: SocketState, order: SimOrder) -> None:
    """Push ``trade``, then ``notice`` (positions, then funds), to the sessions following the account."""
    registry, now = state.sockets, state.now_ms()
    content = trade_content(state.exchange, order)
    customer = content["customerId"]
    targets = [
        s
        for s in registry.messages
        if s.logged_in and s.customer_id == customer and order.trade_type in s.trade_types
    ]
    if not targets:
        return
    n = next(registry._push_seq)
    trade = _dumps({"trace": f"sim-{now}-{n}", "msgCode": "trade", "content": content, "timestamp": now})
    notices = [
        _dumps(
            {
                "msgCode": "notice",
                "timestamp": now,
                "trace": f"sim-{now}-{n}-{update}",
                "seqId": n,
                "content": {
                    "tradeType": order.trade_type,
                    "updateType": update,
                    "show": 0,
                    "bizType": content["bizType"],
                },
            }
        )
        for update in (1, 3)
    ]
    for session in targets:
        for frame in (trade, *notices):
            session.push(frame)


def publish_pending(state: SocketState, pending: SimPendingOrder) -> None:
    """Push ``notice`` updateType 2 (refresh pending orders) to the sessions following the account."""
    registry, now = state.sockets, state.now_ms()
    account = state.exchange.accounts[pending.account_id]
    targets = [
        s
        for s in registry.messages
        if s.logged_in and s.customer_id == account.customer_id and pending.trade_type in s.trade_types
    ]
    if not targets:
        return
    n = next(registry._push_seq)
    content = {"tradeType": pending.trade_type, "updateType": 2, "show": 0, "bizType": "PENDING_ORDER"}
    frame = _dumps(
        {"msgCode": "notice", "timestamp": now, "trace": f"sim-{now}-{n}-2", "seqId": n, "content": content}
    )
    for session in targets:
        session.push(frame)


def publish_pnl(state: SocketState) -> None:
    """Push ``f(``/``g(`` to every subscribed account that has open positions (after a price move)."""
    exchange = state.exchange
    for session in state.sockets.messages:
        if not session.logged_in:
            continue
        for trade_type in sorted(session.trade_types & _PNL_TAGS.keys()):
            account = exchange.find_account(trade_type, customer_id=session.customer_id)
            if account is None:
                continue
            positions = exchange.open_positions(account.account_id)
            if positions:
                session.push(pnl_record(exchange, account, positions))


def kick_sessions(state: SocketState) -> int:
    """Push ``notice`` updateType 4 (logout: kicked) to every logged-in session; how many got it."""
    registry, now = state.sockets, state.now_ms()
    count = 0
    for session in registry.messages:
        if not session.logged_in:
            continue
        n = next(registry._push_seq)
        content = {"tradeType": 0, "updateType": 4, "show": 1, "bizType": "USER_KICKED_OUT"}
        notice = {
            "msgCode": "notice",
            "timestamp": now,
            "trace": f"sim-{now}-{n}-4",
            "seqId": n,
            "content": content,
        }
        count += session.push(_dumps(notice))
    return count


def message_routes(state: SocketState) -> list[BaseRoute]:
    """The message-push socket route (and the ``kick`` fault control of this family)."""
    state.sockets.faults._kickers["messages"] = partial(kick_sessions, state)

    async def endpoint(websocket: WebSocket) -> None:
        registry = state.sockets
        if await refuse_handshake(websocket, registry, "messages"):
            return
        app_id = str(websocket.path_params["app_id"])
        session = MessageSession(registry, websocket.url.path, app_id)
        handler = partial(_on_frame, state)
        await run_session(websocket, session, handler, idle_timeout=state.config.msg_idle_timeout_s)

    return [WebSocketRoute("/openapi-c/openMsg/{app_id}", endpoint)]
