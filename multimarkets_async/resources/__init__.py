"""Thin, namespaced resources: ``client.quotes``, ``client.messages``, ``client.symbols`` ...

Each typed method takes keyword-only domain arguments and ends in one ``ClientCore.call`` (request and
parse) or hands a subscription to a feed in ``_streams``. What namespaces look up for each other
(products, accounts, the latest price) is in one shared ``Lookup``. Resources orchestrate work that
needs both transports (fetch a token over HTTP, then open a socket); the transports never call each
other.
"""

from __future__ import annotations

from ._core import ClientCore
from ._lookup import Lookup
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
    "Lookup",
    "Messages",
    "Orders",
    "Positions",
    "Quotes",
    "Rpc",
    "RpcConnection",
    "Symbols",
    "WebIframe",
]
