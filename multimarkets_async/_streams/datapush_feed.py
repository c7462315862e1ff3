"""The data-push feed: one Manager data-push connection per consumer group, shared by every
``manager.data_push.events()`` subscriber of that group (the Manager data-push socket).

The platform kicks out an older connection of the same group. Two consumers of one group would kick
each other out forever: after ``StreamSettings.datapush_max_kicks`` kick-outs within
``datapush_kick_window`` seconds the group's subscriptions fail with ``SessionEndedError`` naming that
rule. The handshake carries the company token (fetched by the Manager client's authorize) and the
group; each reconnect asks for the token again, and a refused handshake gets a fresh token once.
While a group is offline the platform keeps its events for 7 days and delivers them on reconnect;
repeats are removed by a de-duplication window kept per group.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import deque
from collections.abc import Sequence
from typing import Final

import anyio
from anyio import TASK_STATUS_IGNORED
from anyio.abc import TaskStatus

from .._logging import STREAMS_LOGGER, socket_fields
from .._ws import ConnectionInfo, ConnectionManager, ConnectionState, is_fatal
from ..errors import (
    ConfigurationError,
    HandshakeError,
    MultiMarketsError,
    SessionEndedError,
    StreamError,
    TransportError,
)
from ..models.datapush import DataPushEvent
from ..protocol.datapush import DedupeWindow
from ..protocol.dialects import DataPushDialect
from .subscription import Subscription
from .supervise import ConnectionEventRelay, FeedHost, supervise

__all__ = ["DataPushFeed"]

logger = logging.getLogger(STREAMS_LOGGER)

# Close codes of a server going away, restarting or overloaded: an outage, not a kick-out. The docs give
# no code for a kick-out (the simulator sends 4001), so any other close the server sends counts as one.
_OUTAGE_CLOSE_CODES: Final = frozenset({"1001", "1011", "1012", "1013", "1014"})


def _is_kick(error: BaseException) -> bool:
    """Whether a connection ended because the server closed it with a close frame, outages aside."""
    code = error.code if isinstance(error, TransportError) else None
    return code is not None and code not in _OUTAGE_CLOSE_CODES


class _GroupFeed:
    """One data-push connection (one consumer group) and its subscribers."""

    def __init__(self, core: FeedHost, group: str | None, dedupe: DedupeWindow) -> None:
        self.core = core
        self.group = group
        self.subscribers: dict[Subscription[object], tuple[frozenset[str] | None, bool]] = {}
        self.started = False
        self.scope = anyio.CancelScope()
        """Cancelled when the last subscriber leaves: the platform then keeps the group's events."""
        self.dialect = DataPushDialect(dedupe=dedupe)
        self._refresh_token = False
        self._kicks: deque[float] = deque()
        self._counted: BaseException | None = None
        self.kicked_out: SessionEndedError | None = None
        """Set once the group's connection was kicked out too often; it ends the subscriptions."""
        self.relay = ConnectionEventRelay(lambda: list(self.subscribers), lambda s: self.subscribers[s][1])
        self.manager = ConnectionManager(
            name=f"data-push[{group}]" if group else "data-push",
            dialect=self.dialect,
            target=self._target,
            on_open=self._on_open,
            on_events=self._on_events,
            on_state=self._on_state,
            policy=core.reconnect,
            backend=core.backend,
            fatal=self._fatal,
        )
        self.relay.manager = self.manager

    def _on_state(self, state: ConnectionState, error: BaseException | None) -> None:
        if state is ConnectionState.CLOSED and self.kicked_out is not None:
            error = self.kicked_out  # the rule that was broken, rather than the last close
        self.relay.on_state(state, error)

    def _count_kick(self, error: BaseException) -> None:
        if error is self._counted or not _is_kick(error):
            return  # counted already (a guard: the reconnect loop asks once per ending)
        self._counted = error
        streams = self.core.streams
        now = time.monotonic()
        kicks = self._kicks
        kicks.append(now)
        while kicks[0] <= now - streams.datapush_kick_window:
            kicks.popleft()
        logger.warning(
            "%s: closed by the server (%s kick-outs within %g s)",
            self.manager.name,
            len(kicks),
            streams.datapush_kick_window,
            extra=socket_fields(self.manager, kicks=len(kicks)),
        )
        if len(kicks) >= streams.datapush_max_kicks:
            group = f"group {self.group!r}" if self.group else "the default group (no group header)"
            self.kicked_out = SessionEndedError(
                f"{self.manager.name}: kicked out {len(kicks)} times within "
                f"{streams.datapush_kick_window:g} s: another consumer is connected with {group}, and the "
                "platform allows one connection per consumer group; give each consumer its own group"
            )

    def _fatal(self, error: BaseException) -> bool:
        self._count_kick(error)
        if self.kicked_out is not None:
            return True
        # A refused handshake usually means the company token expired: get a new one and try once more.
        if (
            isinstance(error, HandshakeError)
            and error.status_code in (401, 403)
            and not self._refresh_token
            and self.core.token_refresher is not None
        ):
            self._refresh_token = True
            return False
        return is_fatal(error)

    async def _target(self) -> tuple[str, dict[str, str]]:
        core = self.core
        if self._refresh_token and core.token_refresher is not None:
            token: str | None = await core.token_refresher()
        elif core.token_provider is not None:
            token = await core.token_provider()
        else:
            token = core.http.token
        if not token:
            raise ConfigurationError("the data-push socket needs the company token: use mm.ManagerClient")
        headers = {"token": token}
        if self.group:
            headers["group"] = self.group
        return core.environment.manager_push_ws_url, headers

    async def _on_open(self, manager: ConnectionManager, reconnect: bool) -> None:
        self._refresh_token = False
        if reconnect:
            self.relay.reconnected()

    def _on_events(self, events: Sequence[object]) -> None:
        for event in events:
            if not isinstance(event, DataPushEvent):
                continue
            for subscription, (types, _) in self.subscribers.items():
                if types is None or event.event_type in types:
                    subscription.push(event)


class DataPushFeed:
    """Every data-push connection of one Manager client, one per consumer group."""

    def __init__(self, core: FeedHost) -> None:
        self._core = core
        self._groups: dict[str | None, _GroupFeed] = {}
        # Per group, and kept when a group disconnects: its replayed events after a re-entry are repeats.
        self._dedupe: dict[str | None, DedupeWindow] = {}

    def connection(self, group: str | None) -> ConnectionInfo | None:
        """The connection of ``group`` (state, counters), once it has been opened."""
        feed = self._groups.get(group)
        return feed.manager if feed is not None else None

    async def subscribe(
        self,
        subscription: Subscription[object],
        group: str | None,
        event_types: frozenset[str] | None,
        *,
        connection_events: bool,
    ) -> None:
        """Add ``subscription`` to ``group``'s connection, opening it if needed."""
        feed = self._groups.get(group)
        if feed is None:
            window = self._dedupe.setdefault(group, DedupeWindow())
            feed = self._groups[group] = _GroupFeed(self._core, group, window)
        feed.subscribers[subscription] = (event_types, connection_events)
        if not feed.started:
            feed.started = True
            try:
                await self._core.tasks.start(functools.partial(_run, feed, self._groups))
            except BaseException as exc:
                # Whoever joined this group while it was connecting goes down with it.
                del feed.subscribers[subscription]
                for other in list(feed.subscribers):
                    other.fail(exc if isinstance(exc, MultiMarketsError) else StreamError(str(exc)))
                raise

    def unsubscribe(self, subscription: Subscription[object], group: str | None) -> None:
        """Remove ``subscription``; the group disconnects when its last subscriber leaves."""
        feed = self._groups.get(group)
        if feed is not None:
            feed.subscribers.pop(subscription, None)
            if not feed.subscribers:
                # Disconnect rather than read events nobody consumes: while the group is offline
                # the platform keeps them and replays them on the next connect.
                feed.scope.cancel()
                if self._groups.get(group) is feed:
                    del self._groups[group]

    def close(self) -> None:
        """End every data-push subscription (the client is closing)."""
        for feed in self._groups.values():
            for subscription in list(feed.subscribers):
                subscription.close()


async def _run(
    feed: _GroupFeed,
    groups: dict[str | None, _GroupFeed],
    *,
    task_status: TaskStatus[None] = TASK_STATUS_IGNORED,
) -> None:
    try:
        with feed.scope:
            await supervise(feed.manager, lambda: list(feed.subscribers), task_status=task_status)
    finally:
        # Stopped for good (left, failed, or the client closing): the next subscriber connects anew.
        feed.started = False
        if groups.get(feed.group) is feed:
            del groups[feed.group]
