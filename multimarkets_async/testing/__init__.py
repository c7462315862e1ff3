"""Test tools: a local simulator of the MultiMarkets platform, its fault controls and a pytest plugin.

>>> from multimarkets_async.testing import Simulator
>>> async with Simulator() as sim:
...     sim.base_url          # "http://127.0.0.1:PORT"; /api (Client API), /openapi-c (Open API)
...     sim.ws_base_url       # "ws://127.0.0.1:PORT"; /apiQuote/..., /openapi-c/openMsg/{appId}, /api/ws,
...                           # /openapi-b/ws (Manager data push: sim.datapush)
...     sim.manager_app_id    # Manager API at /openapi-b; sim.bridge_api_key: Bridge API at /webhook
...     await sim.platform.query_balance(my_asgi_app, third_server_code="1", user_name="2", currency="USD")
...     sim.faults.http_status_next(503)
...     sim.socket_faults.drop_all("quote")
...     await sim.sockets.wait_for(lambda: sim.sockets.quote)

The simulator speaks the documented wire protocol exactly (headers, envelopes, error codes,
signatures, encrypted bodies, rate limits, idempotency), so an SDK or a bot that gets the protocol
wrong fails against it. It needs the ``[sim]`` extra (starlette, uvicorn); this package imports
without it, and ``Simulator`` is loaded on first use.

Every key pair it uses is a published vendor TEST key: never use them in production.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._config import SimulatorConfig
from ._exchange.exchange import SimExchange
from ._exchange.market import Quote, SimSymbol
from ._exchange.records import (
    SimAccount,
    SimCustomer,
    SimLedgerEntry,
    SimOrder,
    SimPendingOrder,
    SimPosition,
    TradingError,
)
from ._faults.http import FaultHandle, Faults
from ._faults.sockets import GARBAGE_FRAMES, SilenceHandle, SocketFaultHandle, SocketFaults, SocketKind
from ._http.apikeys import SimApiKey, SimApiKeys
from ._http.wire import RecordedHeaders, RecordedRequest
from ._keys import (
    APPLY_API_EXAMPLE,
    MESSAGE_API_EXAMPLE,
    POSTMAN_ROBOT,
    SIGN_DEMO,
    TRADE_H5_COMPANY,
    TestKeyPair,
)
from ._nats_server import NatsServer
from ._partners.platform import AdjustmentResult, Attempt, BalanceResult, MessageResult, Platform, Target
from ._partners.state import BridgeState, CallbackRecord, SimBridgeAccount, SimBridgeOrder
from ._sockets.datapush_events import EVENT_TYPES as DATAPUSH_EVENT_TYPES
from ._sockets.datapush_hub import DataPushHub

if TYPE_CHECKING:
    from ._replay import Replay, ReplayEvent
    from ._simulator import Simulator
    from ._sockets.kinds import DataPushSession, MessageSession, QuoteSession, RpcSession
    from ._sockets.registry import SocketRegistry
    from ._sockets.session import SocketCounters, SocketSession

__all__ = [
    "APPLY_API_EXAMPLE",
    "DATAPUSH_EVENT_TYPES",
    "GARBAGE_FRAMES",
    "MESSAGE_API_EXAMPLE",
    "POSTMAN_ROBOT",
    "SIGN_DEMO",
    "TRADE_H5_COMPANY",
    "AdjustmentResult",
    "Attempt",
    "BalanceResult",
    "BridgeState",
    "CallbackRecord",
    "DataPushHub",
    "DataPushSession",
    "FaultHandle",
    "Faults",
    "MessageResult",
    "MessageSession",
    "NatsServer",
    "Platform",
    "Quote",
    "QuoteSession",
    "RecordedHeaders",
    "RecordedRequest",
    "Replay",
    "ReplayEvent",
    "RpcSession",
    "SilenceHandle",
    "SimAccount",
    "SimApiKey",
    "SimApiKeys",
    "SimBridgeAccount",
    "SimBridgeOrder",
    "SimCustomer",
    "SimExchange",
    "SimLedgerEntry",
    "SimOrder",
    "SimPendingOrder",
    "SimPosition",
    "SimSymbol",
    "Simulator",
    "SimulatorConfig",
    "SocketCounters",
    "SocketFaultHandle",
    "SocketFaults",
    "SocketKind",
    "SocketRegistry",
    "SocketSession",
    "Target",
    "TestKeyPair",
    "TradingError",
]

# Names whose modules need the [sim] extra (starlette, uvicorn), loaded on first use.
_LAZY = {
    "Simulator": "._simulator",
    "MessageSession": "._sockets.kinds",
    "DataPushSession": "._sockets.kinds",
    "QuoteSession": "._sockets.kinds",
    "RpcSession": "._sockets.kinds",
    "SocketCounters": "._sockets.session",
    "SocketRegistry": "._sockets.registry",
    "SocketSession": "._sockets.session",
    "Replay": "._replay",
    "ReplayEvent": "._replay",
}


_RENAMED = {
    "Account": "SimAccount",
    "ApiKeys": "SimApiKeys",
    "Customer": "SimCustomer",
    "DataPush": "DataPushHub",
    "ApiKey": "SimApiKey",
    "BridgeAccount": "SimBridgeAccount",
    "BridgeOrder": "SimBridgeOrder",
    "Exchange": "SimExchange",
    "LedgerEntry": "SimLedgerEntry",
    "Order": "SimOrder",
    "PendingOrder": "SimPendingOrder",
    "Position": "SimPosition",
    "Symbol": "SimSymbol",
}
"""Old names of the simulator's classes, kept importable (with a warning) for one release: each clashed
with a different class of the SDK (``multimarkets_async.Order``, ``resources.customer.ApiKeys`` ...)."""


def __getattr__(name: str) -> object:
    if name in _RENAMED:  # deprecated in 0.x: the plain names clash with the SDK's own models
        import warnings

        new = _RENAMED[name]
        warnings.warn(
            f"multimarkets_async.testing.{name} is deprecated; use multimarkets_async.testing.{new} "
            "(the SDK has a different class of the old name)",
            DeprecationWarning,
            stacklevel=2,
        )
        return globals()[new]
    # The simulator needs starlette and uvicorn (the [sim] extra): import them only when asked for.
    if name in _LAZY:
        import importlib

        try:
            module = importlib.import_module(_LAZY[name], __name__)
        except ImportError as exc:  # pragma: no cover - depends on the installed extras
            raise ImportError(
                f"multimarkets_async.testing.{name} needs the [sim] extra: "
                "pip install 'multimarkets-async[sim]'"
            ) from exc
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
