"""The session class of each socket family: quote, message push, Client RPC and Manager data push.

They live here, below the route modules that serve them (``quote``, ``message``, ``datapush``,
``_server.rpc_socket``), so the registry can type ``sim.sockets.quote`` / ``.messages`` / ``.rpc`` /
``.datapush`` without importing a route module, and the route modules import the registry without
an import circle.
"""

from __future__ import annotations

from collections import deque
from typing import Final

from .quote_wire import MarketOptions
from .session import SessionHost, SocketSession

__all__ = [
    "SUBSCRIBE_MARKET",
    "SUBSCRIBE_ROLLING",
    "SUBSCRIBE_TICKERS",
    "DataPushSession",
    "Key",
    "MessageSession",
    "QuoteSession",
    "RpcSession",
]

Key = tuple[int, int, int]
"""A market-data product as subscribed: ``(symbol_id, trade_type, trade_mode)``."""

SUBSCRIBE_TICKERS: Final = 14000
SUBSCRIBE_MARKET: Final = 14010
SUBSCRIBE_ROLLING: Final = 14016


class QuoteSession(SocketSession):
    """One market-data connection and what it subscribed.

    Attributes:
        guest: connected to ``/quote_guest``.
        tickers: the 14000 subscription, ``(symbol_id, trade_type, trade_mode)`` in request order.
        market: the 14010 subscription.
        market_options: depth level, merge accuracy and trade count per 14010 product.
        rolling: the 14016 subscription.
    """

    def __init__(self, registry: SessionHost, path: str, *, guest: bool) -> None:
        super().__init__(registry, "quote", path)
        self.guest = guest
        self.tickers: list[Key] = []
        self.market: list[Key] = []
        self.market_options: dict[Key, MarketOptions] = {}
        self.rolling: list[Key] = []
        self._calls: deque[float] = deque()

    @property
    def subscriptions(self) -> dict[int, list[Key]]:
        """Per subscribe command (14000, 14010, 14016), the products subscribed."""
        return {
            SUBSCRIBE_TICKERS: list(self.tickers),
            SUBSCRIBE_MARKET: list(self.market),
            SUBSCRIBE_ROLLING: list(self.rolling),
        }


class MessageSession(SocketSession):
    """One message-push connection.

    Attributes:
        app_id: the ``{appId}`` path segment.
        customer_id: the customer of the token that logged in (``None`` before login).
        logged_in: between a successful ``login`` and ``logout``.
        trade_types: the tradeTypes subscribed with ``subscribe_asset``.
    """

    def __init__(self, registry: SessionHost, path: str, app_id: str) -> None:
        super().__init__(registry, "messages", path)
        self.app_id = app_id
        self.customer_id: int | None = None
        self.logged_in = False
        self.trade_types: frozenset[int] = frozenset()


class RpcSession(SocketSession):
    """One Client RPC connection.

    Attributes:
        requests: business requests received (pings excluded).
    """

    def __init__(self, registry: SessionHost, path: str) -> None:
        super().__init__(registry, "rpc", path)
        self.requests = 0


class DataPushSession(SocketSession):
    """One Manager data-push connection.

    Attributes:
        group: the ``group`` handshake header (``""`` when absent).
        pongs: PONG control frames sent in answer to ``ping``.
        kicked: whether a newer connection of the same group kicked this one out.
    """

    def __init__(self, registry: SessionHost, path: str, group: str) -> None:
        super().__init__(registry, "datapush", path)
        self.group = group
        self.pongs = 0
        self.kicked = False
