"""``client.messages``: private account pushes (order fills, refresh hints, P&L) as an async iterator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, overload

from .._streams.message_feed import MessageFeed
from .._streams.subscription import Subscription
from .._types import NOT_GIVEN, NotGivenOr
from .._ws import ConnectionInfo
from ..errors import InvalidArgumentError
from ..models.push import AccountUpdate, MessageEvent
from ..models.stream import ConnectionEvent
from ._core import ClientCore

__all__ = ["Messages"]


class Messages:
    """The message-push socket:

        async with client.messages.subscribe(trade_types=[2]) as events:
            async for event in events:
                if isinstance(event, mm.TradeEvent):
                    print(event.order_id, event.deal_price)

    Messages are never dropped: if the consumer falls ``maxsize`` messages behind, the subscription
    fails with ``SlowConsumerError`` after delivering what it holds.
    """

    def __init__(self, core: ClientCore) -> None:
        self._core = core
        self._feed = MessageFeed(core)

    @property
    def connection(self) -> ConnectionInfo:
        """The message connection manager, for its ``state`` and ``stats``."""
        return self._feed.manager

    @overload
    def subscribe(
        self,
        *,
        trade_types: Sequence[int] = (1, 2),
        connection_events: Literal[False] = False,
        maxsize: int | None = None,
    ) -> Subscription[MessageEvent | AccountUpdate]: ...
    @overload
    def subscribe(
        self,
        *,
        trade_types: Sequence[int] = (1, 2),
        connection_events: bool,
        maxsize: int | None = None,
    ) -> Subscription[MessageEvent | AccountUpdate | ConnectionEvent]: ...
    def subscribe(
        self,
        *,
        trade_types: Sequence[int] = (1, 2),
        connection_events: bool = False,
        maxsize: int | None = None,
    ) -> (
        Subscription[MessageEvent | AccountUpdate]
        | Subscription[MessageEvent | AccountUpdate | ConnectionEvent]
    ):
        """Follow the account families in ``trade_types`` (1 full-margin, 2 isolated, 5 spot, 6 stock).

        Entering fetches a push token over HTTP (API-key clients) or uses the login token, opens the
        socket, logs in and subscribes. After a reconnect it does all of it again, with a fresh token.
        It yields ``MessageEvent`` subclasses (``TradeEvent``, ``NoticeEvent`` ...) and ``AccountUpdate``
        P&L pushes; with ``connection_events=True`` also ``ConnectionEvent`` (and is typed so).
        """
        types = [int(t) for t in trade_types]
        if not types or any(t not in (1, 2, 3, 5, 6) for t in types):
            raise InvalidArgumentError(f"trade_types must be among 1, 2, 3, 5, 6; got {list(trade_types)!r}")

        async def enter(subscription: Subscription[object]) -> None:
            await self._feed.subscribe(subscription, types, connection_events=connection_events)

        async def leave(subscription: Subscription[object]) -> None:
            await self._feed.unsubscribe(subscription)

        return self._core.private_subscription("messages", maxsize, enter, leave)  # type: ignore[return-value]

    async def push_token(self, *, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> str:
        """A message-push token (``getMsgPushToken``; API-key clients; a logged-in client gets its login
        token). ``subscribe`` fetches its own.

        Args:
            timeout: read timeout in seconds of the request (None waits forever); the client's by default.

        Raises:
            ConfigurationError: the client has neither an API key nor a login.
            ProtocolError: the answer carries no token.
        """
        return await self._feed.token(timeout=timeout)

    def close(self) -> None:
        """End every message subscription (the client is closing)."""
        self._feed.close()
