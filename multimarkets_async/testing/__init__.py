"""Test tools: a local simulator of the MultiMarkets platform, its fault controls and a pytest plugin.

>>> from multimarkets_async.testing import Simulator
>>> async with Simulator() as sim:
...     sim.base_url          # "http://127.0.0.1:PORT"; /api (Client API), /openapi-c (Open API)
...     sim.faults.http_status_next(503)

The simulator speaks the documented wire protocol exactly (headers, envelopes, error codes,
signatures, encrypted bodies, rate limits, idempotency), so an SDK or a bot that gets the protocol
wrong fails against it. It needs the ``[sim]`` extra (starlette, uvicorn); this package imports
without it, and :class:`Simulator` is loaded on first use.

Every key pair it uses is a published vendor TEST key: never use them in production.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._book import Account, Customer, Order, Position, TradingError
from ._config import SimulatorConfig
from ._exchange import Exchange
from ._faults import FaultHandle, Faults
from ._keys import SIGN_DEMO, TRADE_H5_COMPANY, TestKeyPair
from ._market import Quote, Symbol
from ._wire import RecordedHeaders, RecordedRequest

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = [
    "SIGN_DEMO",
    "TRADE_H5_COMPANY",
    "Account",
    "Customer",
    "Exchange",
    "FaultHandle",
    "Faults",
    "Order",
    "Position",
    "Quote",
    "RecordedHeaders",
    "RecordedRequest",
    "Simulator",
    "SimulatorConfig",
    "Symbol",
    "TestKeyPair",
    "TradingError",
]


def __getattr__(name: str) -> object:
    # The simulator needs starlette and uvicorn (the [sim] extra): import them only when asked for.
    if name == "Simulator":
        try:
            from ._simulator import Simulator
        except ImportError as exc:  # pragma: no cover - depends on the installed extras
            raise ImportError(
                "multimarkets_async.testing.Simulator needs the [sim] extra: "
                "pip install 'multimarkets-async[sim]'"
            ) from exc
        return Simulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
