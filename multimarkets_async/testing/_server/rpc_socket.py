"""The Client RPC socket ``/api/ws``: ``{header, body}`` frames run through the HTTP request pipeline.

A request frame's ``header`` holds what HTTP sends as headers (``companyId`` and
``timestamp`` as JSON numbers, ``token``, ``trace``, ``bizType``, ``version``, ``group``, ``lang``);
``body`` is the JSON body. The simulator passes it to the same pipeline, gateway and handlers as the
Client API over HTTP (family ``"client"``, recorded in ``sim.requests`` with method ``"WS"``), so
every gateway code, rate limit, idempotency rule and HTTP fault applies. The reply is the standard
envelope (Assumption: correlated on the echoed ``trace``); requests run concurrently, so replies come
in completion order.

Where HTTP would answer without an envelope, the socket sends one: 429/418 become
``GATEWAY_CODE_018`` and any other bare status code ``500``; a ``drop_next`` fault aborts the socket.
``bizType`` ``ping`` is answered with the flat ``{"trace","token","bizType":"pong","sendTime","lang"}``.
A frame that is not a ``{header}`` object gets a ``GATEWAY_CODE_015`` envelope.
"""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING, Any

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from .._http.app import Pipeline
from .._http.error_codes import SimError, gateway_error
from .._http.gateway import LOGIN_BIZ_TYPE
from .._http.handlers.table import find_operation
from .._http.wire import RecordedHeaders, envelope_bytes, error_envelope
from .._sockets.kinds import RpcSession
from .._sockets.runner import refuse_handshake, run_session
from .._sockets.session import INVALID

if TYPE_CHECKING:
    from .._sockets.state_view import SocketState

__all__ = ["RpcSession", "rpc_routes"]

_PATH = "/api/ws"
_SPECIAL_ROUTES = ("login", "register", "logout", "now")


def _route_of(biz_type: str) -> str:
    if biz_type == LOGIN_BIZ_TYPE:
        return "login"
    for route in _SPECIAL_ROUTES:
        if find_operation(route, biz_type, "client") is not None:
            return route
    return "global"


def _header_items(header: dict[str, Any]) -> list[tuple[str, str]]:
    items = []
    for name, value in header.items():
        if isinstance(value, bool):
            items.append((name, "true" if value else "false"))
        elif isinstance(value, int | float | str):
            items.append((name, str(value)))
    return items


def _error_frame(state: SocketState, error: SimError, header: dict[str, Any], biz_type: str) -> str:
    lang = header.get("lang") if isinstance(header.get("lang"), str) else state.config.default_lang
    trace = header.get("trace") if isinstance(header.get("trace"), str) else ""
    env = error_envelope(
        error,
        biz_type=biz_type,
        trace=str(trace),
        lang=str(lang),
        tm=0,
        emit_message_key=state.config.emit_message_key,
    )
    return envelope_bytes(env).decode("utf-8")


async def _request(
    state: SocketState, pipeline: Pipeline, session: RpcSession, header: dict[str, Any], body: object
) -> None:
    biz_type = str(header.get("bizType") or "")
    if session._registry.faults.rejecting_tokens and header.get("token"):
        await session.reply(_error_frame(state, gateway_error("005"), header, biz_type))
        return
    raw = b"" if body is None else json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    client = session._scope.get("client")
    outcome = await pipeline.process(
        method="WS",
        path=_PATH,
        headers=RecordedHeaders(_header_items(header)),
        raw=raw,
        client_host=str(client[0]) if client else "",
        family="client",
        route=_route_of(biz_type),
        biz_type=biz_type,
    )
    if outcome.drop:
        session.drop()
    elif outcome.envelope:
        await session.reply(outcome.body.decode("utf-8"))
    else:
        code = "GATEWAY_CODE_018" if outcome.status in (418, 429) else "500"
        await session.reply(_error_frame(state, SimError(code, "G"), header, biz_type))


async def _on_frame(
    state: SocketState, pipeline: Pipeline, session: RpcSession, parsed: Any, raw: str | bytes
) -> None:
    header = parsed.get("header") if parsed is not INVALID and isinstance(parsed, dict) else None
    if not isinstance(header, dict):
        await session.reply(_error_frame(state, gateway_error("015"), {}, ""))
        return
    if header.get("bizType") == "ping":
        pong = {
            "trace": header.get("trace"),
            "token": header.get("token"),
            "bizType": "pong",
            "sendTime": state.now_ms(),
            "lang": header.get("lang"),
        }
        await session.reply(json.dumps(pong, separators=(",", ":"), ensure_ascii=False))
        return
    session.requests += 1
    session._registry._notify()
    body = parsed.get("body")
    session.spawn(partial(_request, state, pipeline, session, header, body))


def rpc_routes(state: SocketState, pipeline: Pipeline) -> list[BaseRoute]:
    """The Client RPC socket route, served by ``pipeline``."""

    async def endpoint(websocket: WebSocket) -> None:
        registry = state.sockets
        if await refuse_handshake(websocket, registry, "rpc"):
            return
        session = RpcSession(registry, websocket.url.path)
        handler = partial(_on_frame, state, pipeline)
        await run_session(websocket, session, handler, idle_timeout=state.config.rpc_idle_timeout_s)

    return [WebSocketRoute(_PATH, endpoint)]
