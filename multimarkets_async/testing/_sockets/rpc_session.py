"""``RpcSession``: one Client RPC socket (``/api/ws``) connection as the simulator sees it.

It lives here, with the other socket sessions, so the registry can type ``sim.sockets.rpc`` without
importing the server module that serves the socket (``_server.rpc_socket``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .registry import SocketSession

if TYPE_CHECKING:
    from .registry import SocketRegistry

__all__ = ["RpcSession"]


class RpcSession(SocketSession):
    """One Client RPC connection.

    Attributes:
        requests: business requests received (pings excluded).
    """

    def __init__(self, registry: SocketRegistry, path: str) -> None:
        super().__init__(registry, "rpc", path)
        self.requests = 0
