"""Sockets: the connection manager and the socket backends; the only importer of websockets.

One engine (``ConnectionManager``, ``_connection.py``) serves every socket dialect: reader, heartbeat
task (``_heartbeat.py``), request/reply correlation, reconnect. Bytes move through a small
``SocketBackend`` interface (``_backend.py``, websockets) so a faster socket library can be offered
as an optional backend (``PicowsBackend``, ``_picows.py``: imported only on demand, as picows is an
extra). ``_state.py`` holds the connection's state, counters and retry-or-give-up classifier.
"""

from __future__ import annotations

from ._backend import SocketBackend, SocketConnection, WebsocketsBackend, map_websockets_exception
from ._connection import ConnectionManager
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
