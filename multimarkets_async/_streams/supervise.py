"""How a feed runs inside its client: the host it needs (``FeedHost``), the supervisor that keeps a
connection's failure away from the client's task group (``supervise``), the one SDK error a subscriber
sees (``as_stream_error``), and the relay of a connection's life into in-band ``ConnectionEvent``s.

``FeedHost`` names what the feeds use of a client (settings, the HTTP session, the background-task
host); ``resources._core.ClientCore`` is one, so the feeds need not import the resources layer above.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Protocol

from anyio import TASK_STATUS_IGNORED
from anyio.abc import TaskStatus

from .._config import Environment, ProtocolSettings, ReconnectPolicy, StreamSettings
from .._http import HTTPSession
from .._logging import STREAMS_LOGGER, socket_fields
from .._tasks import TaskHost
from .._ws import ConnectionManager, ConnectionState, SocketBackend
from ..errors import MultiMarketsError, StreamError
from ..models.stream import ConnectionEvent, ConnectionEventKind
from .subscription import Subscription

__all__ = ["ConnectionEventRelay", "FeedHost", "as_stream_error", "supervise"]

logger = logging.getLogger(STREAMS_LOGGER)


class FeedHost(Protocol):
    """What a feed uses of its client (``ClientCore`` is one)."""

    @property
    def environment(self) -> Environment:
        """The socket URLs."""
        ...

    @property
    def company_id(self) -> int:
        """The company, for the message socket's app id without an API key."""
        ...

    @property
    def settings(self) -> ProtocolSettings:
        """The default language."""
        ...

    @property
    def streams(self) -> StreamSettings:
        """Heartbeats, buffers, limits and timeouts of the sockets."""
        ...

    @property
    def reconnect(self) -> ReconnectPolicy:
        """The reconnect backoff and limits."""
        ...

    @property
    def http(self) -> HTTPSession:
        """The HTTP session: the clock offset, the login token, push-token calls."""
        ...

    @property
    def tasks(self) -> TaskHost:
        """The client's background-task host: every socket task runs in it."""
        ...

    @property
    def api_key(self) -> str | None:
        """The Open API key, when the client has one."""
        ...

    @property
    def backend(self) -> SocketBackend | None:
        """The socket library (``None``: websockets)."""
        ...

    @property
    def token_provider(self) -> Callable[[], Awaitable[str]] | None:
        """Returns the token of sockets that carry one in the handshake (the Manager company token)."""
        ...

    @property
    def token_refresher(self) -> Callable[[], Awaitable[str]] | None:
        """Gets a new such token even if the current one looks valid."""
        ...


class _Started:
    """Wraps a task status to remember whether the task reported itself started."""

    def __init__(self, inner: TaskStatus[None]) -> None:
        self.inner = inner
        self.done = False

    def started(self, value: None = None) -> None:
        self.done = True
        self.inner.started(value)


async def supervise(
    manager: ConnectionManager,
    subscriptions: Callable[[], Sequence[Subscription[object]]],
    *,
    task_status: TaskStatus[None] = TASK_STATUS_IGNORED,
) -> None:
    """Run ``manager`` in the client's task group.

    Before the first connection opens, an error goes to whoever started it (the subscriber entering
    ``async with``). After that, anything unexpected ends the connection's subscriptions with that
    error instead of crashing the client's task group into an ``ExceptionGroup``.
    """
    status = _Started(task_status)
    try:
        await manager.run(task_status=status)
    except Exception as exc:
        if not status.done:
            raise
        logger.exception("%s stopped unexpectedly", manager.name, extra=socket_fields(manager))
        error = as_stream_error(manager.name, exc)
        for subscription in subscriptions():
            subscription.fail(error)


def as_stream_error(name: str, exc: BaseException) -> MultiMarketsError:
    """The one SDK exception a subscriber sees for ``exc``: never a raw ``ExceptionGroup``.

    An SDK error (alone in its group) is kept; anything else (a bug) becomes a ``StreamError`` that
    names the connection and chains the original as its ``__cause__``.
    """
    leaf = exc
    while isinstance(leaf, BaseExceptionGroup) and len(leaf.exceptions) == 1:
        leaf = leaf.exceptions[0]
    if isinstance(leaf, MultiMarketsError):
        return leaf
    error = StreamError(f"{name} stopped: unexpected {type(leaf).__name__} in its background task (logged)")
    error.__cause__ = leaf
    return error


class ConnectionEventRelay:
    """Turns one connection's life into in-band ``ConnectionEvent``s for the subscribers that asked for
    them, and ends every subscription with the error when the connection stops for good.

    Args:
        subscriptions: the connection's current subscriptions.
        wants_events: whether a subscription opted in to connection events.
    """

    def __init__(
        self,
        subscriptions: Callable[[], Iterable[Subscription[object]]],
        wants_events: Callable[[Subscription[object]], bool],
    ) -> None:
        self._subscriptions = subscriptions
        self._wants_events = wants_events
        self._outage = False
        self.manager: ConnectionManager | None = None
        """The connection; set right after it is built."""

    def on_state(self, state: ConnectionState, error: BaseException | None) -> None:
        """The manager's ``on_state`` hook."""
        manager = self.manager
        if state is ConnectionState.RECONNECTING and not self._outage and manager and manager.stats.connects:
            self._outage = True
            self._emit(ConnectionEventKind.DISCONNECTED, error)
        elif state is ConnectionState.CLOSED and error is not None:
            for subscription in list(self._subscriptions()):
                subscription.fail(error)

    def reconnected(self) -> None:
        """Call from ``on_open`` on a reconnect, before replaying subscriptions."""
        self._outage = False
        self._emit(ConnectionEventKind.RECONNECTED, None)

    def _emit(self, kind: ConnectionEventKind, error: BaseException | None) -> None:
        manager = self.manager
        if manager is None:
            return
        event = ConnectionEvent(
            kind=kind,
            connection=manager.name,
            reconnects=manager.stats.reconnects,
            reason=str(error) if error is not None else None,
        )
        for subscription in list(self._subscriptions()):
            if self._wants_events(subscription):
                subscription.push(event)
