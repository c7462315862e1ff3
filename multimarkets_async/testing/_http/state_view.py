"""What the HTTP side reads of the simulator: ``HttpState``, a structural view of ``SimState``.

The gateways, the pipeline and the handlers are typed against this protocol, not against
``_server.state.SimState``, so nothing under ``_http`` imports the server that assembles it (not even
for type checking). ``SimState`` satisfies it structurally; ``mypy`` checks that where the server
hands its state to the HTTP app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from decimal import Decimal

    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

    from .._config import SimulatorConfig
    from .._exchange.exchange import SimExchange
    from .._exchange.records import SimAccount
    from .._faults.http import Faults
    from .._partners.state import BridgeState, ManagerStore
    from .apikeys import SimApiKeys
    from .identity import Auth2Store, Verifications
    from .limits import FixedWindowLimiter, IdempotencyCache, LockoutLimiter
    from .sessions import Sessions
    from .wire import RecordedRequest

__all__ = ["BalanceAdjuster", "HttpState"]


class BalanceAdjuster(Protocol):
    """Books a Manager balance adjustment and emits its data-push events (the data-push hub)."""

    def adjust(self, account: SimAccount, amount: Decimal, remark: str = "") -> str:
        """Book ``amount`` on ``account``; return the proposal number."""
        ...


class HttpState(Protocol):
    """The attributes of the simulator's state that the HTTP app, gateways and handlers use."""

    config: SimulatorConfig
    exchange: SimExchange
    sessions: Sessions
    api_keys: SimApiKeys
    verifications: Verifications
    auth2: Auth2Store
    company_public_key: str
    company_private_key: RSAPrivateKey
    faults: Faults
    requests: list[RecordedRequest]
    client_limiter: FixedWindowLimiter
    open_limiter: LockoutLimiter
    idempotency: IdempotencyCache
    manager: ManagerStore
    manager_proposals: dict[str, dict[str, Any]]
    webhook_urls: dict[str, str]
    bridge: BridgeState

    @property
    def datapush(self) -> BalanceAdjuster:
        """Where Manager balance adjustments are booked."""
        ...

    def now_ms(self) -> int:
        """The server clock in epoch milliseconds."""
        ...
