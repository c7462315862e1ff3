"""The Manager data-push socket ``/openapi-b/ws``: company-token handshake, groups, ping → PONG frame.

websockets.md 4.1-4.2. The handshake needs the header ``token`` (a live company token from Manager
authorize); a missing, unknown or expired token (or ``reject_tokens``) refuses the upgrade with HTTP
403. The optional header ``group`` names the consumer group: a newer connection of the same group
kicks the older one out (close code 4001; the docs give none) and gets the events the group missed
(``DataPush``). The client's text frame ``ping`` is answered with a WebSocket PONG control frame
(opcode 0xA, empty payload), written straight to the connection by the uvicorn server; nothing else
the client sends is answered. Events flow as text frames ``{"data":{...},"eventType":"..."}``.
Connections are never dropped for idleness (the docs name no server timeout).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from ._socket_runner import deny, refuse_handshake, run_session
from ._sockets import SocketRegistry, SocketSession

if TYPE_CHECKING:
    from ._state import SimState

__all__ = ["DataPushSession", "datapush_routes"]


class DataPushSession(SocketSession):
    """One Manager data-push connection.

    Attributes:
        group: the ``group`` handshake header (``""`` when absent).
        pongs: PONG control frames sent in answer to ``ping``.
        kicked: whether a newer connection of the same group kicked this one out.
    """

    def __init__(self, registry: SocketRegistry, path: str, group: str) -> None:
        super().__init__(registry, "datapush", path)
        self.group = group
        self.pongs = 0
        self.kicked = False


async def _on_frame(state: SimState, session: DataPushSession, parsed: Any, raw: str | bytes) -> None:
    if raw != "ping":
        return  # the client sends nothing else (websockets.md 4.3); anything else is ignored
    await state.sockets.faults._delay("datapush")
    sender = state.datapush.pong_sender
    if sender is not None and not session.closed and sender(session._scope):
        session.pongs += 1
        session.frames_sent += 1
        session.counters.frames_sent += 1
    session._registry._notify()


def _kick_all(state: SimState) -> int:
    sessions = state.sockets.datapush
    for session in sessions:
        session.kicked = True
        session.close(4001, "kicked out by a newer connection of the same group")
    return len(sessions)


def datapush_routes(state: SimState) -> list[BaseRoute]:
    """The data-push socket route (and the ``kick`` fault control of this family)."""
    state.sockets.faults._kickers["datapush"] = lambda: _kick_all(state)

    async def endpoint(websocket: WebSocket) -> None:
        registry = state.sockets
        if await refuse_handshake(websocket, registry, "datapush"):
            return
        token = websocket.headers.get("token", "")
        if registry.faults.rejecting_tokens or not state.manager.valid(token):
            await deny(websocket, registry, "datapush")
            return
        session = DataPushSession(registry, websocket.url.path, websocket.headers.get("group", ""))

        async def handler(s: Any, parsed: Any, raw: str | bytes) -> None:
            await _on_frame(state, s, parsed, raw)

        await run_session(
            websocket,
            session,
            handler,
            idle_timeout=None,
            on_open=lambda: state.datapush._connected(session),
        )

    return [WebSocketRoute("/openapi-b/ws", endpoint)]
