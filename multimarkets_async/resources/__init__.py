"""Thin, namespaced resources: ``client.quotes``, ``client.messages``, ``client.symbols``.

Resources orchestrate work that needs both transports (fetch a token over HTTP, then open a socket);
the transports never call each other.
"""

from __future__ import annotations

from ._core import ClientCore
from .messages import Messages
from .quotes import Quotes
from .rpc import Rpc, RpcConnection
from .symbols import Symbols

__all__ = ["ClientCore", "Messages", "Quotes", "Rpc", "RpcConnection", "Symbols"]
