"""The market-data ("quote") socket: ``/apiQuote/quote_guest``, ``/quote`` and ``/quote_stock``.

``/quote`` and ``/quote_stock`` need ``?token=`` holding a login or push token the
simulator issued (else the handshake is refused: HTTP 403). Commands: 14000 tickers, 14010 depth
and trades, 14016 rolling 24 h (each **replaces** the previous subscription of its kind), 14006
cancel, 14008 heartbeat, 14012/14014 K-lines (binary, zlib-compressed replies). Replies echo
``seq_id`` and ``ext`` with ``cmd_id`` + 1.

Errors: a bad envelope field (not a JSON object, ``cmd_id`` unknown, ``seq_id`` not a
uint32, ``ext`` not a string of at most 64 characters, ``data`` not an object) answers ``ret`` 201; a
bad ``data`` field or an exceeded limit (more than 100 products in one subscribe or batch, more than
1000 bars, more than ``quote_max_calls_per_s`` commands in one second) answers 202 (Assumption
``quote_limit_error``) and changes nothing; ``sim.socket_faults.fail_quote_commands`` answers chosen
commands with an error ``ret`` the same way. Unknown products are left out of snapshots (``ret`` 200).
Pushes follow every price move (``sim.tick()``, ``sim.set_price()``, the background ticker) and every
executed order (``pt(``); ``trade_mode`` echoes what the subscriber sent.

Areas: ``/quote_stock`` serves stock products (tradeType 6) only, ``/quote`` and ``/quote_guest`` every
other product; a product asked for on the wrong socket is treated as unknown (left out, never pushed).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any, Final, TypeGuard

import anyio
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from ...protocol.quote import (
    MAX_BATCH_KLINE_PRODUCTS,
    MAX_EXT_LENGTH,
    MAX_KLINE_BARS,
    MAX_PRODUCTS_PER_SUBSCRIPTION,
    compress_kline_reply,
)
from .._exchange.market import Quote, SimSymbol
from .._exchange.records import SimOrder
from .kinds import SUBSCRIBE_MARKET, SUBSCRIBE_ROLLING, SUBSCRIBE_TICKERS, Key, QuoteSession
from .quote_wire import (
    MarketOptions,
    kline_entry,
    market_entry,
    p_record,
    pd_record,
    pr_record,
    pt_record,
    rolling_entry,
    ticker_entry,
)
from .runner import deny, refuse_handshake, run_session
from .session import INVALID

if TYPE_CHECKING:
    from .state_view import SocketState

__all__ = ["MarketOptions", "publish_order_trade", "publish_quotes", "quote_routes"]

_UINT32: Final = 2**32
_UINT64: Final = 2**64
_TICKER, _MARKET, _ROLLING = SUBSCRIBE_TICKERS, SUBSCRIBE_MARKET, SUBSCRIBE_ROLLING
_CANCEL, _HEARTBEAT = 14006, 14008
_KLINE, _BATCH = 14012, 14014
_KNOWN: Final = frozenset({_TICKER, _CANCEL, _HEARTBEAT, _MARKET, _KLINE, _BATCH, _ROLLING})
_BINARY_REPLIES: Final = frozenset({_KLINE + 1, _BATCH + 1})
STOCK_TRADE_TYPE: Final = 6
"""The tradeType served on ``/quote_stock`` (and only there)."""


def _in_area(session: QuoteSession, trade_type: int) -> bool:
    """Whether ``session``'s socket serves products of ``trade_type``."""
    return (trade_type == STOCK_TRADE_TYPE) == session.path.endswith("/quote_stock")


class _Bad(Exception):
    """A request field is invalid: answered with ``ret`` (201 envelope, 202 data)."""

    def __init__(self, ret: int, msg: str) -> None:
        super().__init__(msg)
        self.ret = ret
        self.msg = msg


def _uint(value: object, bound: int = _UINT32) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < bound


def _field(obj: dict[str, Any], name: str, *, bound: int = _UINT32) -> int:
    value = obj.get(name)
    if not _uint(value, bound):
        raise _Bad(202, f"invalid {name}")
    return value


def _optional(obj: dict[str, Any], name: str, *, bound: int = _UINT32) -> int | None:
    return None if obj.get(name) is None else _field(obj, name, bound=bound)


def _key(entry: object) -> tuple[Key, dict[str, Any]]:
    if not isinstance(entry, dict):
        raise _Bad(202, "invalid symbol_list entry")
    key = (
        _field(entry, "symbol_id", bound=_UINT64),
        _field(entry, "trade_type"),
        _field(entry, "trade_mode"),
    )
    return key, entry


def _symbol_list(data: dict[str, Any]) -> list[tuple[Key, dict[str, Any]]]:
    raw = data.get("symbol_list")
    if not isinstance(raw, list):
        raise _Bad(202, "invalid symbol_list")
    if len(raw) > MAX_PRODUCTS_PER_SUBSCRIPTION:
        raise _Bad(202, f"too many products: {len(raw)} > {MAX_PRODUCTS_PER_SUBSCRIPTION}")
    entries = dict(_key(e) for e in raw)  # a repeated product keeps its last options
    return list(entries.items())


def _market_options(entry: dict[str, Any]) -> MarketOptions:
    depth = _optional(entry, "depth_level")
    accuracy_text = entry.get("merge_accuracy")
    count = _field(entry, "trade_info_count")
    try:
        accuracy = Decimal(accuracy_text) if isinstance(accuracy_text, str) else None
    except InvalidOperation:
        accuracy = None
    if accuracy is None or not accuracy.is_finite() or accuracy <= 0:
        raise _Bad(202, "invalid merge_accuracy")
    if depth == 0:
        raise _Bad(202, "invalid depth_level")
    return MarketOptions(depth or 1, accuracy, count)


def _listed(state: SocketState, key: Key, session: QuoteSession) -> SimSymbol | None:
    if not _in_area(session, key[1]):
        return None
    return state.exchange.market.listed(key[0], key[1])


def _kline_query(entry: object) -> tuple[Key, int, int | None, int]:
    key, obj = _key(entry)
    kind = _field(obj, "kline_type")
    end = _optional(obj, "kline_timestamp_end", bound=_UINT64)
    count = _field(obj, "query_kline_num")
    if not 1 <= kind <= 10:
        raise _Bad(202, "invalid kline_type")
    if not count:
        raise _Bad(202, "query not supported")
    if count > MAX_KLINE_BARS:
        raise _Bad(202, f"too many bars: {count} > {MAX_KLINE_BARS}")
    return key, kind, end or None, count


def _kline_data(
    state: SocketState, session: QuoteSession, query: tuple[Key, int, int | None, int]
) -> dict[str, Any] | None:
    key, kind, end, count = query
    symbol = _listed(state, key, session)
    if symbol is None:
        return None
    bars = state.quote_feed.bars(symbol, kind, end, count, state.now_ms())
    return {
        "symbol_id": key[0],
        "trade_type": key[1],
        "trade_mode": key[2],
        "kline_type": kind,
        "price_digits": symbol.digits,
        "kline_list": [kline_entry(symbol, bar) for bar in bars],
    }


def _execute(state: SocketState, session: QuoteSession, cmd: int, data: dict[str, Any]) -> dict[str, Any]:
    feed, now = state.quote_feed, state.now_ms()
    if cmd == _HEARTBEAT:
        return {}
    if cmd == _CANCEL:
        kind = data.get("cancel_type")
        if not _uint(kind) or not 0 <= kind <= 3:
            raise _Bad(202, "invalid cancel_type")
        if kind in (0, 1):
            session.tickers = []
        if kind in (0, 2):
            session.market, session.market_options = [], {}
        if kind in (0, 3):
            session.rolling = []
        return {}
    if cmd == _KLINE:
        query = _kline_query(data)
        found = _kline_data(state, session, query)
        if found is None:
            key, kind, _, _ = query
            return {"symbol_id": key[0], "trade_type": key[1], "trade_mode": key[2], "kline_type": kind,
                    "kline_list": []}  # fmt: skip
        return found
    if cmd == _BATCH:
        raw = data.get("data_list")
        if not isinstance(raw, list):
            raise _Bad(202, "invalid data_list")
        if len(raw) > MAX_BATCH_KLINE_PRODUCTS:
            raise _Bad(202, f"too many products: {len(raw)} > {MAX_BATCH_KLINE_PRODUCTS}")
        queries = [_kline_query(e) for e in raw]
        found_all = (_kline_data(state, session, q) for q in queries)
        return {"data_list": [d for d in found_all if d is not None]}
    entries = _symbol_list(data)
    if cmd == _TICKER:
        session.tickers = [k for k, _ in entries]
        rows = [
            ticker_entry(s, k[1], k[2], feed, now) for k, _ in entries if (s := _listed(state, k, session))
        ]
    elif cmd == _MARKET:
        options = {k: _market_options(e) for k, e in entries}
        session.market, session.market_options = list(options), options
        rows = [
            market_entry(s, k[1], k[2], feed, options=o)
            for k, o in options.items()
            if (s := _listed(state, k, session))
        ]
    else:
        if not (data.get("update_speed") is None or _uint(data.get("update_speed"))):
            raise _Bad(202, "invalid update_speed")
        session.rolling = [k for k, _ in entries]
        rows = [
            rolling_entry(s, k[1], k[2], feed, now) for k, _ in entries if (s := _listed(state, k, session))
        ]
    return {"tick_list": rows}


def _over_rate(state: SocketState, session: QuoteSession) -> bool:
    now = anyio.current_time()
    calls = session._calls
    while calls and calls[0] <= now - 1.0:
        calls.popleft()
    if len(calls) >= state.config.quote_max_calls_per_s:
        return True
    calls.append(now)
    return False


async def _on_frame(state: SocketState, session: QuoteSession, parsed: Any, raw: str | bytes) -> None:
    if parsed is INVALID or not isinstance(parsed, dict):
        await _reply(session, 201, "invalid request", cmd=0, seq_id=None, ext=None, data={})
        return
    cmd, seq_id, ext, data = (parsed.get(k) for k in ("cmd_id", "seq_id", "ext", "data"))
    reply_cmd = cmd + 1 if _uint(cmd) else 0
    echo_seq = seq_id if _uint(seq_id) else None
    echo_ext = ext if isinstance(ext, str) else None
    try:
        failure = state.sockets.faults._take_quote_failure(cmd)
        if failure is not None:
            raise _Bad(*failure)
        if _over_rate(state, session):
            raise _Bad(202, f"too many requests: more than {state.config.quote_max_calls_per_s} per second")
        if not _uint(cmd) or cmd not in _KNOWN:
            raise _Bad(201, "invalid cmd_id")
        if echo_seq is None:
            raise _Bad(201, "invalid seq_id")
        if echo_ext is None or len(echo_ext) > MAX_EXT_LENGTH:
            raise _Bad(201, "invalid ext")
        if not isinstance(data, dict):
            raise _Bad(201, "invalid data")
        result = _execute(state, session, cmd, data)
    except _Bad as bad:
        await _reply(session, bad.ret, bad.msg, cmd=reply_cmd, seq_id=echo_seq, ext=echo_ext, data={})
        return
    session._registry._notify()
    await _reply(session, 200, "ok", cmd=reply_cmd, seq_id=echo_seq, ext=echo_ext, data=result)


async def _reply(
    session: QuoteSession, ret: int, msg: str, *, cmd: int, seq_id: int | None, ext: str | None, data: Any
) -> None:
    reply = {"ret": ret, "msg": msg, "cmd_id": cmd, "seq_id": seq_id, "ext": ext, "data": data}
    text = json.dumps(reply, separators=(",", ":"), ensure_ascii=False)
    await session.reply(compress_kline_reply(text) if cmd in _BINARY_REPLIES else text)


# ---------------------------------------------------------------------------- pushes


def publish_quotes(state: SocketState, quotes: list[Quote]) -> None:
    """Record the trade each price move makes and push ``p(``/``pd(``/``pt(``/``pr(`` to subscribers."""
    sessions = state.sockets.quote
    now = state.now_ms()
    for quote in quotes:
        trade = state.quote_feed.on_quote(quote)
        symbol = state.exchange.market.get(quote.symbol_id)
        if symbol is None or trade is None:
            continue
        for session in sessions:
            for sid, tt, tm in session.tickers:
                if sid == symbol.symbol_id and tt in symbol.trade_types and _in_area(session, tt):
                    session.push(p_record(symbol, tt, tm, state.quote_feed))
            for key in session.market:
                sid, tt, tm = key
                if sid == symbol.symbol_id and tt in symbol.trade_types and _in_area(session, tt):
                    opts = session.market_options[key]
                    session.push(pd_record(symbol, tt, tm, state.quote_feed, opts))
                    session.push(pt_record(symbol, tt, tm, trade))
            for sid, tt, tm in session.rolling:
                if sid == symbol.symbol_id and tt in symbol.trade_types and _in_area(session, tt):
                    session.push(pr_record(symbol, tt, tm, state.quote_feed, now))


def publish_order_trade(state: SocketState, order: SimOrder) -> None:
    """Put an executed order on the tape and push it as ``pt(`` to the product's market subscribers."""
    symbol = state.exchange.market.get(order.symbol_id)
    if symbol is None:
        return
    trade = state.quote_feed.record_trade(
        symbol, order.execute_price, order.execute_num, order.direction, order.execute_time_ms
    )
    for session in state.sockets.quote:
        for sid, tt, tm in session.market:
            if sid == symbol.symbol_id and tt in symbol.trade_types and _in_area(session, tt):
                session.push(pt_record(symbol, tt, tm, trade))


def quote_routes(state: SocketState) -> list[BaseRoute]:
    """The three market-data socket routes, sharing one endpoint."""

    async def endpoint(websocket: WebSocket) -> None:
        registry, path = state.sockets, websocket.url.path
        if await refuse_handshake(websocket, registry, "quote"):
            return
        guest = path.endswith("/quote_guest")
        if not guest:
            token = websocket.query_params.get("token") or ""
            if registry.faults.rejecting_tokens or state.sessions.customer_of(token) is None:
                await deny(websocket, registry, "quote")
                return
        session = QuoteSession(registry, path, guest=guest)
        handler = partial(_on_frame, state)
        await run_session(websocket, session, handler, idle_timeout=state.config.quote_idle_timeout_s)

    return [
        WebSocketRoute("/apiQuote/quote_guest", endpoint),
        WebSocketRoute("/apiQuote/quote", endpoint),
        WebSocketRoute("/apiQuote/quote_stock", endpoint),
    ]
