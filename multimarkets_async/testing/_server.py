"""The uvicorn server the simulator runs: no signal handlers, a readiness callback, connection drops.

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

__all__ = ["DenialNoise", "Server"]


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
                    return True
        return False
