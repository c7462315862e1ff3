"""The Manager data-push socket ``/openapi-b/ws``: company-token handshake, groups, ping → PONG frame.

The handshake needs the header ``token`` (a live company token from Manager
authorize); a missing, unknown or expired token (or ``reject_tokens``) refuses the upgrade with HTTP
403. The optional header ``group`` names the consumer group: a newer connection of the same group
kicks the older one out (close code 4001; the docs give none) and gets the events the group missed
(``DataPushHub``). The client's text frame ``ping`` is answered with a WebSocket PONG control frame
(opcode 0xA, empty payload), written straight to the connection by the uvicorn server; nothing else
the client sends is answered. Events flow as text frames ``{"data":{...},"eventType":"..."}``.
Connections are never dropped for idleness (the docs name no server timeout).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from .kinds import DataPushSession
from .registry import SocketRegistry
from .runner import deny, refuse_handshake, run_session

if TYPE_CHECKING:
    from .datapush_hub import DataPushHub

__all__ = ["datapush_routes"]


async def _on_frame(hub: DataPushHub, session: DataPushSession, raw: str | bytes) -> None:
    if raw != "ping":
        return  # the client sends nothing else; anything else is ignored
    await session._registry.faults._delay("datapush")
    sender = hub.pong_sender
    if sender is not None and not session.closed and sender(session._scope):
        session.pongs += 1
        session.frames_sent += 1
        session.counters.frames_sent += 1
    session._registry._notify()


def _kick_all(registry: SocketRegistry) -> int:
    sessions = registry.datapush
    for session in sessions:
        session.kicked = True
        session.close(4001, "kicked out by a newer connection of the same group")
    return len(sessions)


def datapush_routes(
    registry: SocketRegistry, hub: DataPushHub, token_valid: Callable[[str], bool]
) -> list[BaseRoute]:
    """The data-push socket route (and the ``kick`` fault control of this family).

    Args:
        registry: the socket registry the sessions join.
        hub: the data-push hub (event log, replay, the PONG sender).
        token_valid: whether a company token is live (Manager authorize issued it, and it has not expired).
    """
    registry.faults._kickers["datapush"] = lambda: _kick_all(registry)

    async def endpoint(websocket: WebSocket) -> None:
        if await refuse_handshake(websocket, registry, "datapush"):
            return
        token = websocket.headers.get("token", "")
        if registry.faults.rejecting_tokens or not token_valid(token):
            await deny(websocket, registry, "datapush")
            return
        session = DataPushSession(registry, websocket.url.path, websocket.headers.get("group", ""))

        async def handler(s: Any, parsed: Any, raw: str | bytes) -> None:
            await _on_frame(hub, s, raw)

        await run_session(
            websocket,
            session,
            handler,
            idle_timeout=None,
            on_open=lambda: hub._connected(session),
        )

    return [WebSocketRoute("/openapi-b/ws", endpoint)]
