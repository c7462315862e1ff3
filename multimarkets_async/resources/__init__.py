"""Thin, namespaced resources: ``client.quotes``, ``client.messages``, ``client.symbols``.

Resources orchestrate work that needs both transports (fetch a token over HTTP, then open a socket);
the transports never call each other.
"""

from __future__ import annotations

from ._core import ClientCore
from .account import AccountResource
from .auth2 import Auth2, WebIframe
from .customer import ApiKeys, Customer
from .messages import Messages
from .orders import Orders
from .positions import Positions
from .quotes import Quotes
from .rpc import Rpc, RpcConnection
from .symbols import Symbols

__all__ = [
    "AccountResource",
    "ApiKeys",
    "Auth2",
    "ClientCore",
    "Customer",
    "Messages",
    "Orders",
    "Positions",
    "Quotes",
    "Rpc",
    "RpcConnection",
    "Symbols",
    "WebIframe",
]
