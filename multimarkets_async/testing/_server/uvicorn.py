"""The uvicorn server the simulator runs: no signal handlers, a readiness callback, connection drops
and PONG control frames.

Also ``DenialNoise``, a log filter for a uvicorn quirk around WebSocket denial responses.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator

import anyio.abc
import uvicorn
from starlette.types import Scope

from ..._logging import SIMULATOR_LOGGER

__all__ = ["DenialNoise", "Server"]

logger = logging.getLogger(SIMULATOR_LOGGER)


class DenialNoise(logging.Filter):
    """Hide the error uvicorn logs after every WebSocket denial response (``refuse_handshakes``).

    uvicorn never marks the handshake complete after a ``websocket.http.response`` answer, so it
    reports the app as having returned without a handshake although the 503 went out as intended.
    """

    MESSAGE = "ASGI callable returned without completing handshake."

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop exactly that message; keep every other record."""
        return record.getMessage() != self.MESSAGE


class Server(uvicorn.Server):
    """uvicorn without signal handlers (the host process owns them) and with a readiness callback."""

    def __init__(self, config: uvicorn.Config, task_status: anyio.abc.TaskStatus[None]) -> None:
        super().__init__(config)
        self._task_status = task_status

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the host process keeps its own SIGINT/SIGTERM handlers

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            host, port = sockets[0].getsockname()[:2] if sockets else (self.config.host, self.config.port)
            logger.info(
                "simulator listening on http://%s:%s", host, port, extra={"url": f"http://{host}:{port}"}
            )
            self._task_status.started()

    def drop(self, scope: Scope) -> bool:
        """Abort the TCP connection ``scope`` arrived on; False if it is not found."""
        client = scope.get("client")
        if client is None:
            return False
        for connection in list(self.server_state.connections):
            if getattr(connection, "client", None) == tuple(client):
                transport = getattr(connection, "transport", None)
                if transport is not None:
                    transport.abort()
                    peer = f"{client[0]}:{client[1]}"
                    logger.debug("dropped the connection from %s", peer, extra={"client": peer})
                    return True
        return False

    def pong(self, scope: Scope) -> bool:
        """Send a WebSocket PONG control frame (empty payload) on the connection of ``scope``.

        ASGI has no message for it, so it goes through uvicorn's protocol object: with the
        ``websockets`` sans-I/O implementation (``ws="auto"`` when websockets is installed) the frame
        is queued on its ``ServerProtocol`` and written at once; frames are written whole and in order
        on the event loop, so it cannot interleave with a text frame. False when not possible.
        """
        client = scope.get("client")
        if client is None:
            return False
        for connection in list(self.server_state.connections):
            if getattr(connection, "client", None) != tuple(client):
                continue
            protocol, transport = getattr(connection, "conn", None), getattr(connection, "transport", None)
            if protocol is None or transport is None or not hasattr(protocol, "send_pong"):
                return False
            try:
                protocol.send_pong(b"")
            except Exception:
                return False
            transport.write(b"".join(protocol.data_to_send()))
            return True
        return False
