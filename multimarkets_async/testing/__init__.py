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

from ._apikeys import ApiKey, ApiKeys
from ._backoffice_state import BridgeAccount, BridgeOrder, BridgeState, CallbackRecord
from ._book import Account, Customer, LedgerEntry, Order, PendingOrder, Position, TradingError
from ._config import SimulatorConfig
from ._datapush import DataPush
from ._datapush_events import EVENT_TYPES as DATAPUSH_EVENT_TYPES
from ._exchange import Exchange
from ._faults import FaultHandle, Faults
from ._keys import (
    APPLY_API_EXAMPLE,
    MESSAGE_API_EXAMPLE,
    POSTMAN_ROBOT,
    SIGN_DEMO,
    TRADE_H5_COMPANY,
    TestKeyPair,
)
from ._market import Quote, Symbol
from ._platform import AdjustmentResult, Attempt, BalanceResult, MessageResult, Platform, Target
from ._socket_faults import GARBAGE_FRAMES, SilenceHandle, SocketFaultHandle, SocketFaults, SocketKind
from ._wire import RecordedHeaders, RecordedRequest

if TYPE_CHECKING:
    from ._datapush_socket import DataPushSession
    from ._message_socket import MessageSession
    from ._quote_socket import QuoteSession
    from ._rpc_socket import RpcSession
    from ._simulator import Simulator
    from ._sockets import SocketCounters, SocketRegistry, SocketSession

__all__ = [
    "APPLY_API_EXAMPLE",
    "DATAPUSH_EVENT_TYPES",
    "GARBAGE_FRAMES",
    "MESSAGE_API_EXAMPLE",
    "POSTMAN_ROBOT",
    "SIGN_DEMO",
    "TRADE_H5_COMPANY",
    "Account",
    "AdjustmentResult",
    "ApiKey",
    "ApiKeys",
    "Attempt",
    "BalanceResult",
    "BridgeAccount",
    "BridgeOrder",
    "BridgeState",
    "CallbackRecord",
    "Customer",
    "DataPush",
    "DataPushSession",
    "Exchange",
    "FaultHandle",
    "Faults",
    "LedgerEntry",
    "MessageResult",
    "MessageSession",
    "Order",
    "PendingOrder",
    "Platform",
    "Position",
    "Quote",
    "QuoteSession",
    "RecordedHeaders",
    "RecordedRequest",
    "RpcSession",
    "SilenceHandle",
    "Simulator",
    "SimulatorConfig",
    "SocketCounters",
    "SocketFaultHandle",
    "SocketFaults",
    "SocketKind",
    "SocketRegistry",
    "SocketSession",
    "Symbol",
    "Target",
    "TestKeyPair",
    "TradingError",
]

# Names whose modules need the [sim] extra (starlette, uvicorn), loaded on first use.
_LAZY = {
    "Simulator": "._simulator",
    "MessageSession": "._message_socket",
    "DataPushSession": "._datapush_socket",
    "QuoteSession": "._quote_socket",
    "RpcSession": "._rpc_socket",
    "SocketCounters": "._sockets",
    "SocketRegistry": "._sockets",
    "SocketSession": "._sockets",
}


def __getattr__(name: str) -> object:
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
