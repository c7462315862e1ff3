"""Sockets: the connection manager and the socket backends; the only importer of websockets.

One engine (``ConnectionManager``, ``_manager.py``) serves every socket dialect; bytes move through
a small ``SocketBackend`` interface (``_backend.py``) so a faster socket library can be offered as
an optional backend (``PicowsBackend``).
"""

from __future__ import annotations

from ._backend import SocketBackend, SocketConnection, WebsocketsBackend, map_websockets_exception
from ._manager import ConnectionManager
from ._state import ConnectionInfo, ConnectionState, ConnectionStats, is_fatal

__all__ = [
    "ConnectionInfo",
    "ConnectionManager",
    "ConnectionState",
    "ConnectionStats",
    "SocketBackend",
    "SocketConnection",
    "WebsocketsBackend",
    "is_fatal",
    "map_websockets_exception",
]
