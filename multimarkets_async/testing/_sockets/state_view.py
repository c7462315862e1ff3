"""What the socket endpoints read of the simulator: ``SocketState``, a structural view of ``SimState``.

The quote, message and RPC sockets are typed against this protocol, not against
``_server.state.SimState``, so nothing under ``_sockets`` imports the server that assembles it (not
even for type checking). ``SimState`` satisfies it structurally; ``mypy`` checks that where the server
hands its state to the socket routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .._config import SimulatorConfig
    from .._exchange.exchange import SimExchange
    from .._exchange.quote_data import QuoteData
    from .registry import SocketRegistry

__all__ = ["SocketState", "TokenOwners"]


class TokenOwners(Protocol):
    """Who a login or push token belongs to (the simulator's sessions)."""

    def customer_of(self, token: object) -> int | None:
        """The customer of a live login token or an issued push token; ``None`` for anything else."""
        ...


class SocketState(Protocol):
    """The attributes of the simulator's state that the socket endpoints use."""

    config: SimulatorConfig
    exchange: SimExchange
    sockets: SocketRegistry
    quote_feed: QuoteData

    @property
    def sessions(self) -> TokenOwners:
        """Whose tokens the sockets are sent."""
        ...

    def now_ms(self) -> int:
        """The server clock in epoch milliseconds."""
        ...
