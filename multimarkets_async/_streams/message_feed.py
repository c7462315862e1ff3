"""The private message feed: one message-push socket shared by every ``client.messages`` subscriber.

Each (re)connect fetches a fresh push token over HTTP (``getMsgPushToken`` for API-key clients, signed,
at the Client API's base first and the Open API's once if that base does not serve it; the login token
otherwise), logs in, and subscribes to the union of the trade types subscribers want.
Private messages are never dropped: a subscriber that falls too far behind fails loudly.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Final

from anyio import TASK_STATUS_IGNORED
from anyio.abc import TaskStatus

from .._logging import STREAMS_LOGGER, socket_fields
from .._types import NOT_GIVEN, NotGivenOr
from .._ws import ConnectionManager
from ..errors import ConfigurationError, ProtocolError, TransportError
from ..protocol.dialects import MessageDialect
from ..protocol.messages import MsgSession
from .subscription import Subscription, SubscriptionRegistry
from .supervise import ConnectionEventRelay, FeedHost, supervise

__all__ = ["MessageFeed"]

logger = logging.getLogger(STREAMS_LOGGER)

CHANNEL: Final = "messages"
_PUSH_TOKEN = "getMsgPushToken"  # noqa: S105 - an operation name, not a secret


def _new_trace(now_ms: int, *, prefix: str = "") -> str:
    """A ``uuid4-ms`` trace, as the vendor's clients build them (at most 52 characters)."""
    return f"{prefix}{uuid.uuid4()}-{now_ms}"


class MessageFeed:
    """The message socket of one client and its subscribers."""

    def __init__(self, core: FeedHost) -> None:
        self.core = core
        self.registry: SubscriptionRegistry[int] = SubscriptionRegistry()
        self.wants_connection_events: set[Subscription[object]] = set()
        self.started = False
        self.relay = ConnectionEventRelay(
            self.registry.all_subscriptions, lambda s: s in self.wants_connection_events
        )
        self.dialect = MessageDialect(
            new_trace=lambda: _new_trace(core.http.now_ms()),
            now_ms=core.http.now_ms,
            ping_interval=core.streams.msg_ping_interval,
            dead_after=core.streams.msg_dead_after,
        )
        self.manager = self._new_manager()

    def _new_manager(self) -> ConnectionManager:
        manager = ConnectionManager(
            name="messages",
            dialect=self.dialect,
            target=self._target,
            on_open=self._on_open,
            on_events=self._on_events,
            on_state=self.relay.on_state,
            policy=self.core.reconnect,
            backend=self.core.backend,
        )
        self.relay.manager = manager
        return manager

    async def _run(self, *, task_status: TaskStatus[None] = TASK_STATUS_IGNORED) -> None:
        try:
            await supervise(self.manager, self.registry.all_subscriptions, task_status=task_status)
        finally:
            # Stopped for good (a fatal error, or the client closing): the next subscriber starts anew.
            self.started = False
            self.manager = self._new_manager()

    async def token(self, *, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> str:
        """A token for the ``login`` frame: a fresh push token (``timeout``: the read timeout of its
        request, the client's by default), or the login token."""
        return await self._token(timeout)

    async def _token(self, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> str:
        core = self.core
        if core.api_key is not None:
            token = await core.http.request(_PUSH_TOKEN, {}, timeout=timeout)
            if not isinstance(token, str) or not token:
                raise ProtocolError("getMsgPushToken did not answer a token string")
            return token
        if core.http.token:
            return core.http.token
        raise ConfigurationError("private messages need an API key or a login: call client.login() first")

    async def _target(self) -> tuple[str, dict[str, str]]:
        core = self.core
        self.dialect.session = MsgSession(
            token=await self._token(), lang=core.settings.default_lang, device=core.streams.device
        )
        app_id = core.api_key or str(core.company_id)  # Assumption msg_ws_app_id: the apiKey
        return core.environment.msg_ws_url.replace("{appId}", app_id), {}

    async def _on_open(self, manager: ConnectionManager, reconnect: bool) -> None:
        if reconnect:
            self.relay.reconnected()
        await manager.send(self.dialect.encode_login(manager.next_seq()))
        # Until the list stops changing: a subscriber joining meanwhile cannot send its own update yet.
        sent: list[int] = []
        while (trade_types := self.registry.merged(CHANNEL)) != sent:
            if trade_types:
                await manager.send(self.dialect.encode_subscribe(manager.next_seq(), trade_types))
            sent = trade_types

    def _on_events(self, events: Sequence[object]) -> None:
        registry = self.registry
        for event in events:
            trade_type = getattr(event, "trade_type", None)
            targets = (
                registry.subscribers(CHANNEL, trade_type)
                if isinstance(trade_type, int)
                else registry.channel_subscriptions(CHANNEL)
            )
            for subscription in targets:
                subscription.push(event)

    async def subscribe(
        self, subscription: Subscription[object], trade_types: Sequence[int], *, connection_events: bool
    ) -> None:
        """Add ``subscription`` for ``trade_types``, connecting or subscribing as needed."""
        if connection_events:
            self.wants_connection_events.add(subscription)
        changed = self.registry.add(CHANNEL, subscription, trade_types)
        try:
            if not self.started:
                self.started = True
                await self.core.tasks.start(self._run)
            elif changed and self.manager.is_open:
                await self._send(self.dialect.encode_subscribe, self.registry.merged(CHANNEL))
        except BaseException:
            await self.unsubscribe(subscription)
            raise

    async def unsubscribe(self, subscription: Subscription[object]) -> None:
        """Remove ``subscription``; cancel the trade types nobody wants any more."""
        self.wants_connection_events.discard(subscription)
        before = set(self.registry.merged(CHANNEL))
        if self.registry.remove(subscription) and self.manager.is_open:
            gone = sorted(before - set(self.registry.merged(CHANNEL)))
            await self._send(self.dialect.encode_cancel, gone)

    async def _send(self, encode: Callable[[int, list[int]], str], trade_types: list[int]) -> None:
        try:
            await self.manager.send(encode(self.manager.next_seq(), trade_types))
        except TransportError:
            logger.debug(
                "messages: subscription change deferred to the reconnect", extra=socket_fields(self.manager)
            )

    def close(self) -> None:
        """End every subscription (the client is closing)."""
        for subscription in self.registry.all_subscriptions():
            subscription.close()
