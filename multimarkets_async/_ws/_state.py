"""What a managed connection is and how it is doing: its state, its counters, the read-only view users
get, and the reconnect loop's retry-or-give-up classifier."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from ..errors import ConfigurationError, HandshakeError, ProtocolError, SessionEndedError, TransportError

__all__ = ["ConnectionInfo", "ConnectionState", "ConnectionStats", "is_fatal"]


class ConnectionState(StrEnum):
    """Where a managed connection is in its life."""

    CONNECTING = "connecting"
    """Opening the first connection."""
    OPEN = "open"
    """Connected and subscriptions replayed."""
    RECONNECTING = "reconnecting"
    """Lost; waiting to reconnect."""
    CLOSED = "closed"
    """Stopped for good (closed, or a fatal error)."""


@dataclass(slots=True)
class ConnectionStats:
    """Counters and measurements of one managed connection."""

    connects: int = 0
    """Successful connections, the first one included."""
    reconnects: int = 0
    """Connections after the first."""
    messages: int = 0
    """Frames received."""
    malformed: int = 0
    """Frames that did not parse (logged and skipped; the reader goes on)."""
    latency: float | None = None
    """Round trip of the last answered heartbeat, in seconds."""
    last_error: str | None = None
    """Why the last connection ended."""
    down_since: float | None = field(default=None, repr=False)


class ConnectionInfo(Protocol):
    """What users may look at on a stream's connection (``client.quotes.connections`` ...)."""

    @property
    def name(self) -> str:
        """A label such as ``quote#1`` or ``messages``."""
        ...

    @property
    def state(self) -> ConnectionState:
        """Where the connection is in its life."""
        ...

    @property
    def stats(self) -> ConnectionStats:
        """Reconnects, frames, malformed frames, heartbeat latency."""
        ...

    @property
    def is_open(self) -> bool:
        """Whether the connection is up and its subscriptions replayed."""
        ...

    async def wait_open(self, timeout: float) -> None:
        """Wait until the connection is open."""
        ...


def is_fatal(error: BaseException) -> bool:
    """The reconnect loop's retry-or-give-up classifier."""
    if isinstance(error, ConfigurationError | SessionEndedError):
        return True
    if isinstance(error, HandshakeError):
        # 401/403/404: credentials or URL are wrong; retrying will not help. 5xx, 429: retry.
        return error.status_code is not None and error.status_code in (400, 401, 403, 404)
    return not isinstance(error, TransportError | ProtocolError | TimeoutError)
