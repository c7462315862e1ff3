"""The WebSocket connection manager: one engine for every socket dialect.

For each connection it runs, in a task group owned by ``ConnectionManager.run``: one reader task
(``_reader.py``), one heartbeat task (``_heartbeat.py``), and the reconnect loop around them; one method
(``_gives_up``) decides retry or give up. What differs per dialect (frames, heartbeat,
correlation) comes from a sans-I/O ``Dialect``; what to send after (re)connecting (login, the
*desired* subscriptions) comes from the ``on_open`` hook, so a reconnect replays exactly what
subscribers currently want. Bytes move through a ``SocketBackend`` (``_backend.py``).
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence

import anyio

from .._config import ReconnectPolicy
from .._logging import WS_LOGGER, socket_fields
from ..errors import MultiMarketsError, RequestTimeoutError, TransportError
from ..protocol.backoff import policy_delay
from ..protocol.dialects import Dialect, Inbound
from ..protocol.heartbeat import HeartbeatState
from ..protocol.throttle import SlidingWindowLimiter
from ._backend import SocketBackend, SocketConnection, WebsocketsBackend
from ._heartbeat import run_heartbeat
from ._reader import read_frames
from ._state import ConnectionState, ConnectionStats, is_fatal

__all__ = ["ConnectionManager", "OpenHook"]

logger = logging.getLogger(WS_LOGGER)

_RATE_MARGIN_S = 0.1
"""Added to the documented one-second window of the per-connection call limit."""


class _Waiter:
    __slots__ = ("error", "event", "value")

    def __init__(self) -> None:
        self.event = anyio.Event()
        self.value: object = None
        self.error: BaseException | None = None


OpenHook = Callable[["ConnectionManager", bool], Awaitable[None]]


class ConnectionManager:
    """Keeps one logical socket alive and correlates its requests and replies.

    Args:
        name: a label for logs.
        dialect: the sans-I/O frame codec and heartbeat of this socket kind.
        target: returns ``(url, handshake headers)`` for each (re)connect; the place to refresh tokens.
        on_open: called after each connect, before the connection counts as open, with
            ``reconnect=True`` after the first; it sends the login and replays the desired subscriptions.
        on_events: receives the typed events of every frame; must not block.
        on_state: told about every state change (to deliver in-band connection events).
        policy: reconnect backoff and limits.
        backend: the socket library; ``WebsocketsBackend`` by default.
        calls_per_second: documented per-connection request limit, or ``None``.
        fatal: the retry-or-give-up classifier (``is_fatal`` by default).
    """

    def __init__(
        self,
        *,
        name: str,
        dialect: Dialect,
        target: Callable[[], Awaitable[tuple[str, Mapping[str, str]]]],
        on_open: OpenHook,
        on_events: Callable[[Sequence[object]], None],
        on_state: Callable[[ConnectionState, BaseException | None], None] | None = None,
        policy: ReconnectPolicy | None = None,
        backend: SocketBackend | None = None,
        calls_per_second: int | None = None,
        fatal: Callable[[BaseException], bool] = is_fatal,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.name = name
        self.dialect = dialect
        self.policy = policy or ReconnectPolicy()
        self.state = ConnectionState.CONNECTING
        self.stats = ConnectionStats()
        self._target = target
        self._on_open = on_open
        self._on_events = on_events
        self._on_state = on_state
        self._backend: SocketBackend = backend or WebsocketsBackend()
        # The server counts arrivals, which network jitter can bunch up: a window a little longer
        # than the documented second keeps a burst at the limit from being refused (ret 202).
        self._limiter = (
            SlidingWindowLimiter(calls_per_second, 1.0 + _RATE_MARGIN_S) if calls_per_second else None
        )
        self._is_fatal = fatal
        self._clock = clock
        self._rand = rand
        self._conn: SocketConnection | None = None
        self._waiters: dict[Hashable, _Waiter] = {}
        self._seq = 0
        self._open = anyio.Event()
        self._heartbeat: HeartbeatState | None = None

    def __repr__(self) -> str:
        return f"<ConnectionManager {self.name} {self.state.value} reconnects={self.stats.reconnects}>"

    def next_seq(self) -> int:
        """A fresh request sequence number for this connection (a counter from 1)."""
        self._seq += 1
        return self._seq

    @property
    def is_open(self) -> bool:
        """Whether the connection is up and its subscriptions replayed."""
        return self.state is ConnectionState.OPEN

    def _set_state(self, state: ConnectionState, error: BaseException | None = None) -> None:
        if state is self.state:
            return
        self.state = state
        if state is ConnectionState.OPEN:
            self._open.set()
        elif self._open.is_set():
            self._open = anyio.Event()
        if self._on_state is not None:
            try:
                self._on_state(state, error)
            except Exception:  # a hook must not break the connection
                logger.exception("%s: state hook failed", self.name, extra=socket_fields(self))

    # -- sending -----------------------------------------------------------------------------------

    async def send(self, text: str) -> None:
        """Send a frame on the current connection, within the per-connection call limit.

        Raises:
            TransportError: if there is no connection right now.
        """
        conn = self._conn
        if conn is None:
            raise TransportError(f"{self.name}: not connected")
        if self._limiter is not None:
            wait = self._limiter.reserve(self._clock())
            if wait > 0:
                await anyio.sleep(wait)
        await conn.send(text)

    async def request(
        self, encode: Callable[[int], tuple[str, Hashable]], *, timeout: float, wait_open: bool = False
    ) -> object:
        """Send a request and wait for the reply with the same correlation id.

        Args:
            encode: builds ``(frame, correlation id)`` from a fresh sequence number.
            timeout: seconds to wait for the reply (and for the connection, with ``wait_open``).
            wait_open: wait for the connection to be open first instead of failing at once.

        Raises:
            RequestTimeoutError: no reply in time.
            TransportError: the connection dropped before the reply.
            MultiMarketsError: the reply reported an error.
        """
        if wait_open and self._conn is None:
            await self.wait_open(timeout)
        frame, correlation = encode(self.next_seq())
        waiter = self._waiters[correlation] = _Waiter()
        try:
            await self.send(frame)
            with anyio.move_on_after(timeout):
                await waiter.event.wait()
        finally:
            self._waiters.pop(correlation, None)
        if not waiter.event.is_set():
            raise RequestTimeoutError(f"{self.name}: no reply within {timeout:g} s")
        if waiter.error is not None:
            raise waiter.error
        return waiter.value

    async def wait_open(self, timeout: float) -> None:
        """Wait until the connection is open.

        Raises:
            RequestTimeoutError: it did not open in time.
        """
        with anyio.move_on_after(timeout):
            await self._open.wait()
            return
        raise RequestTimeoutError(f"{self.name}: not connected within {timeout:g} s")

    async def drop(self) -> None:
        """Close the current socket; the reconnect loop opens a new one."""
        conn = self._conn
        if conn is not None:
            with anyio.CancelScope(shield=True):
                await conn.close()

    # -- the loop ----------------------------------------------------------------------------------

    async def run(self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Connect, keep the connection alive, and reconnect until cancelled.

        Signals ``task_status.started()`` once the first connection is open. A fatal error before
        that is raised (so the caller of ``TaskGroup.start`` sees it); after it, the error ends the
        loop through ``on_state(CLOSED, error)``.
        """
        attempt = 0
        started = False
        try:
            while True:
                connected_at: float | None = None
                try:
                    url, headers = await self._target()
                    conn = await self._backend.connect(
                        url, headers=headers, open_timeout=self.policy.open_timeout
                    )
                except MultiMarketsError as exc:
                    error: BaseException = exc
                else:
                    connected_at = self._clock()
                    error, opened = await self._serve(
                        conn, reconnect=started, first_open=task_status if not started else None
                    )
                    started = started or opened
                if self._gives_up(error, attempt, started=started, connected=connected_at is not None):
                    logger.warning(
                        "%s: giving up (%s)",
                        self.name,
                        error,
                        extra=socket_fields(
                            self, state="closed", attempts=attempt + 1, error=type(error).__name__
                        ),
                    )
                    if not started:
                        raise error  # to the caller of TaskGroup.start: the stream never began
                    self._set_state(ConnectionState.CLOSED, error)
                    return
                if connected_at is not None and self._clock() - connected_at >= self.policy.healthy_after:
                    attempt = 0  # a healthy connection resets the backoff
                await self._backoff(attempt, error)
                attempt += 1
        finally:
            self._conn = None
            self._fail_waiters(TransportError(f"{self.name}: closed"))
            if self.state is not ConnectionState.CLOSED:
                self._set_state(ConnectionState.CLOSED)

    def _gives_up(self, error: BaseException, attempt: int, *, started: bool, connected: bool) -> bool:
        """The one retry-or-give-up decision, asked once per failed attempt (0-based ``attempt``).

        A fatal error always ends the loop. A connection that came up after the stream began is
        otherwise always retried; a failed connect, or a connection that never opened, also ends it
        once the attempt limits are used up (``max_attempts``; ``first_connect_attempts`` before the
        first open).
        """
        if self._is_fatal(error):
            return True
        if started and connected:
            return False
        limits = (self.policy.max_attempts, None if started else self.policy.first_connect_attempts)
        return any(limit is not None and attempt + 1 >= limit for limit in limits)

    async def _backoff(self, attempt: int, error: BaseException) -> None:
        self.stats.last_error = str(error)
        self._set_state(ConnectionState.RECONNECTING, error)
        delay = policy_delay(attempt, self.policy, self._rand())
        logger.info(
            "%s: reconnecting in %.2f s (%s)",
            self.name,
            delay,
            error,
            extra=socket_fields(self, delay_s=round(delay, 3), error=type(error).__name__),
        )
        await anyio.sleep(delay)

    async def _serve(
        self, conn: SocketConnection, *, reconnect: bool, first_open: anyio.abc.TaskStatus[None] | None
    ) -> tuple[BaseException, bool]:
        """Run one connection until it ends; return why it ended and whether it had opened.

        ``on_open`` runs in this task (``first_open.started()`` must be called from the task that
        ``TaskGroup.start`` started); the reader runs beside it and ends the task group by raising
        why it stopped, as a failing ``on_open`` does.
        """
        self.stats.connects += 1
        if reconnect:
            self.stats.reconnects += 1
        opened = False
        error: BaseException = TransportError(f"{self.name}: connection lost")
        heartbeat = self._heartbeat = HeartbeatState(
            interval=self.dialect.ping_interval, dead_after=self.dialect.dead_after, now=self._clock()
        )
        self._conn = conn
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(
                    functools.partial(
                        read_frames,
                        conn,
                        heartbeat,
                        name=self.name,
                        decode=self.dialect.decode,
                        on_events=self._on_events,
                        resolve=self._resolve,
                        stats=self.stats,
                        clock=self._clock,
                        log_fields=functools.partial(socket_fields, self),
                    )
                )
                tg.start_soon(
                    functools.partial(
                        run_heartbeat,
                        heartbeat,
                        send_ping=self._send_ping,
                        on_dead=self._dead,
                        clock=self._clock,
                        name=self.name,
                    )
                )
                await self._on_open(self, reconnect)
                self._set_state(ConnectionState.OPEN)
                logger.info("%s: open%s", self.name, " again" if reconnect else "", extra=socket_fields(self))
                opened = True
                if first_open is not None:
                    first_open.started()
        except* MultiMarketsError as ended:
            leaf: BaseException = ended
            while isinstance(leaf, BaseExceptionGroup):  # the first of them, however nested
                leaf = leaf.exceptions[0]
            error = leaf
        finally:
            self._conn = None
            self._heartbeat = None
            with anyio.CancelScope(shield=True):
                await conn.close()
        self._fail_waiters(TransportError(f"{self.name}: connection lost ({error})"))
        return error, opened

    async def _send_ping(self) -> object:
        frame, ping_id = self.dialect.encode_ping(self.next_seq())
        await self.send(frame)
        conn = self._conn
        control = getattr(conn, "ping", None) if getattr(self.dialect, "control_ping", False) else None
        if control is not None:
            # The peer answers with a PONG control frame, which recv() never returns: measure it here.
            with anyio.move_on_after(self.dialect.ping_interval):
                latency = await control()
                heartbeat = self._heartbeat
                if heartbeat is not None:
                    heartbeat.pong(self._clock())
                    self.stats.latency = latency
        return ping_id

    async def _dead(self) -> None:
        self.stats.last_error = "heartbeat: peer silent"
        await self.drop()

    def _resolve(self, inbound: Inbound) -> None:
        waiter = self._waiters.pop(inbound.correlation, None) if inbound.correlation is not None else None
        if waiter is None:
            return
        waiter.value = inbound.reply
        waiter.error = inbound.error
        waiter.event.set()

    def _fail_waiters(self, error: BaseException) -> None:
        waiters, self._waiters = self._waiters, {}
        for waiter in waiters.values():
            waiter.error = error
            waiter.event.set()
