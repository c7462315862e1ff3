"""What every resource shares: the client's settings, its HTTP session and its background-task host."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

from anyio import TASK_STATUS_IGNORED
from anyio.abc import TaskStatus

from .._config import Environment, ProtocolSettings, ReconnectPolicy, StreamSettings
from .._http import HTTPSession
from .._subscriptions import Subscription
from .._tasks import TaskHost
from .._ws import ConnectionManager, ConnectionState, SocketBackend
from ..errors import MultiMarketsError, StreamError
from ..models.stream import ConnectionEvent, ConnectionEventKind

__all__ = ["ClientCore", "ConnectionEventRelay", "as_stream_error", "new_trace", "supervise"]

logger = logging.getLogger("multimarkets_async.ws")


def new_trace(now_ms: int, *, prefix: str = "") -> str:
    """A ``uuid4-ms`` trace, as the vendor's clients build them (at most 52 characters)."""
    return f"{prefix}{uuid.uuid4()}-{now_ms}"


@dataclass(slots=True)
class ClientCore:
    """The parts of a client that resources use."""

    environment: Environment
    company_id: int
    settings: ProtocolSettings
    streams: StreamSettings
    reconnect: ReconnectPolicy
    http: HTTPSession = field(repr=False)
    tasks: TaskHost = field(repr=False)
    """The client's background-task host: every socket task runs in it (``await core.tasks.start(...)``)."""
    api_key: str | None = field(default=None, repr=False)
    backend: SocketBackend | None = None
    customer_group_id: int | None = None
    """The customer's group, once known (login, or customer info)."""
    token_provider: Callable[[], Awaitable[str]] | None = field(default=None, repr=False)
    """Returns a valid token for sockets that carry one in the handshake (the Manager company token,
    authorizing first when needed); ``None`` uses the HTTP session's current token."""
    token_refresher: Callable[[], Awaitable[str]] | None = field(default=None, repr=False)
    """Gets a new token even if the current one looks valid (after a socket refused it)."""


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
        logger.exception("%s stopped unexpectedly", manager.name)
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
