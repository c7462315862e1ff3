"""Events about a stream itself, delivered in-band to subscribers that ask for them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ConnectionEvent", "ConnectionEventKind"]


class ConnectionEventKind(StrEnum):
    """What happened to the connection behind a subscription."""

    DISCONNECTED = "disconnected"
    """The socket dropped; the SDK is reconnecting. Events may be missed until ``RECONNECTED``."""
    RECONNECTED = "reconnected"
    """A new socket is up and the subscription is being replayed; fresh snapshots follow."""


@dataclass(frozen=True, slots=True)
class ConnectionEvent:
    """A change of the connection behind a subscription (opt in with ``connection_events=True``)."""

    kind: ConnectionEventKind
    """Disconnected or reconnected."""
    connection: str
    """Which connection (e.g. ``quote#1``, ``messages``)."""
    reconnects: int
    """How many times this connection has reconnected so far."""
    reason: str | None = None
    """Why it dropped, when known."""
