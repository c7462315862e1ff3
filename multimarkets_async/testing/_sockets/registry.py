"""The simulator's socket sessions and their registry (``sim.sockets``), plus the lenient JSON reader.

A ``SocketSession`` is one connection as the simulator sees it: what the client sent, what was
sent back, and a bounded outgoing queue. Pushes are queued with ``send_nowait`` from synchronous code
(``sim.tick()``): a full queue drops the push and counts it, so a slow client never blocks the
exchange. Replies are queued with a waiting ``send``, so they are never lost. The tasks that move the
frames live in ``runner``.

``SocketRegistry`` is the observable side: live sessions per kind, every client frame each one
received, counters, and ``SocketRegistry.wait_for``, which re-checks a predicate whenever socket
state changes (no polling).
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

import anyio
import anyio.abc
from anyio.streams.memory import MemoryObjectSendStream

from .._faults.sockets import GARBAGE_FRAMES, SOCKET_KINDS, SocketFaultHandle, SocketFaults, SocketKind
from .._thread import UNBOUND, LoopBinding, on_loop, on_loop_async

if TYPE_CHECKING:
    from .datapush import DataPushSession
    from .message import MessageSession
    from .quote import QuoteSession
    from .rpc_session import RpcSession

__all__ = [
    "INVALID",
    "Close",
    "FrameHandler",
    "OutFrame",
    "SocketCounters",
    "SocketRegistry",
    "SocketSession",
    "loads_lenient",
]

T = TypeVar("T")
OutFrame = str | bytes

INVALID: Final = object()
"""What ``loads_lenient`` returns for text that is not JSON."""


@dataclass(frozen=True, slots=True)
class Close:
    """A close request queued behind the frames already waiting (the writer sends it in order)."""

    code: int
    reason: str


def _strip_trailing_commas(text: str) -> str:
    out: list[str] = []
    in_string = escaped = False
    for ch in text:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "}]":
            j = len(out) - 1
            while j >= 0 and out[j] in " \t\r\n":
                j -= 1
            if j >= 0 and out[j] == ",":
                del out[j]
        out.append(ch)
    return "".join(out)


def loads_lenient(text: str) -> Any:
    """Parse client JSON, tolerating trailing commas (Assumption ``lenient_json``).

    Returns:
        The JSON value, or ``INVALID`` when the text is not JSON even without trailing commas.
    """
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return json.loads(_strip_trailing_commas(text))
    except ValueError:
        return INVALID


@dataclass(slots=True)
class SocketCounters:
    """What one socket family did since the simulator started.

    Attributes:
        accepted: handshakes accepted.
        refused: handshakes refused (bad token, ``refuse_handshakes``).
        closed: connections ended, whoever ended them.
        frames_received: client frames received.
        frames_sent: frames sent to clients (garbage frames included).
        pushes_dropped: pushes dropped because a connection's queue was full.
        suppressed: frames not sent because the family was silent.
    """

    accepted: int = 0
    refused: int = 0
    closed: int = 0
    frames_received: int = 0
    frames_sent: int = 0
    pushes_dropped: int = 0
    suppressed: int = 0


class SocketSession:
    """One live (or finished) socket connection, as the simulator sees it.

    Attributes:
        kind: ``"quote"``, ``"messages"``, ``"rpc"`` or ``"datapush"``.
        id: a number unique within the simulator, in connection order.
        path: the URL path the client connected to (no query string: tokens stay out).
        received: every client frame in arrival order: the parsed JSON, or the raw text/bytes when it
            is not JSON.
        frames_sent: frames sent to this client.
        pushes_dropped: pushes dropped because this client's queue was full.
        closed: whether the connection has ended.
        close_code: the close code the server sent, if it closed the connection.
    """

    def __init__(self, registry: SocketRegistry, kind: SocketKind, path: str) -> None:
        self.kind: SocketKind = kind
        self.id = next(registry._ids)
        self.path = path
        self.received: list[Any] = []
        self.frames_sent = 0
        self.pushes_dropped = 0
        self.closed = False
        self.close_code: int | None = None
        self._registry = registry
        self._send: MemoryObjectSendStream[OutFrame | Close] | None = None
        self._cancel: anyio.CancelScope | None = None
        self._task_group: anyio.abc.TaskGroup | None = None
        self._forced_close: Close | None = None
        self._scope: dict[str, Any] = {}
        self._garbage: list[tuple[SocketFaultHandle, str]] = []
        self._last_seen = anyio.current_time()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        name, count = type(self).__name__, len(self.received)
        return f"{name}(id={self.id}, path={self.path!r}, {state}, received={count})"

    @property
    def counters(self) -> SocketCounters:
        """The counters of this session's family."""
        return self._registry.counters[self.kind]

    @property
    def _binding(self) -> LoopBinding:
        return self._registry._binding

    @on_loop
    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection cleanly once the frames already queued are sent."""
        if self.closed or self._send is None:
            return
        try:
            self._send.send_nowait(Close(code, reason))
        except anyio.WouldBlock:
            # The client is not reading: stop the connection's tasks; the runner sends the close.
            self._forced_close = Close(code, reason)
            if self._cancel is not None:
                self._cancel.cancel()
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            pass

    @on_loop
    def drop(self) -> bool:
        """Abort the TCP connection without a close frame; False if it is already gone."""
        return not self.closed and self._registry._abort(self._scope)

    # ------------------------------------------------------------------ used by the dialects

    @on_loop
    def push(self, frame: OutFrame) -> bool:
        """Queue a push without waiting; a full queue drops it (counted). False when not queued."""
        if self.closed or self._send is None:
            return False
        try:
            self._send.send_nowait(frame)
        except anyio.WouldBlock:
            self.pushes_dropped += 1
            self.counters.pushes_dropped += 1
            self._registry._notify()
            return False
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            return False
        return True

    async def reply(self, frame: OutFrame) -> None:
        """Queue a reply to a client frame, after any ``delay_replies`` fault; waits for queue room."""
        await self._registry.faults._delay(self.kind)
        if self.closed or self._send is None:
            return
        with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
            await self._send.send(frame)

    def spawn(self, func: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``func`` in this connection's task group (ends with the connection)."""
        if self._task_group is not None:
            self._task_group.start_soon(func)


FrameHandler = Callable[[Any, Any, "str | bytes"], Awaitable[None]]
"""``handler(session, parsed, raw)``: ``parsed`` is the JSON value or ``INVALID``."""


class SocketRegistry:
    """Every socket session of one simulator (``sim.sockets``), its counters and a change signal.

    Args:
        queue_size: bound of each connection's outgoing queue.
    """

    _binding: LoopBinding = UNBOUND

    def __init__(self, queue_size: int) -> None:
        self.queue_size = queue_size
        self.counters: dict[SocketKind, SocketCounters] = {k: SocketCounters() for k in SOCKET_KINDS}
        """Counters per socket family."""
        self.history: list[SocketSession] = []
        """Every session accepted so far, closed ones included, in connection order."""
        self.faults = SocketFaults(
            self._drop_kinds,
            self._notify,
            lambda kinds: frozenset(s.id for s in self._live if s.kind in kinds),
        )
        self.faults._arm_malformed = self._arm_malformed
        self._ids = itertools.count(1)
        self._push_seq = itertools.count(1)
        self._live: list[SocketSession] = []
        self._changed: anyio.Event | None = None
        self._abort_scope: Callable[[dict[str, Any]], bool] | None = None
        self._closing = False

    def __repr__(self) -> str:
        live = {k: len(self.live(k)) for k in SOCKET_KINDS}
        return f"SocketRegistry(live={live!r})"

    def live(self, kind: SocketKind | None = None) -> list[SocketSession]:
        """The open sessions, optionally of one kind, in connection order."""
        return [s for s in self._live if kind is None or s.kind == kind]

    @property
    def quote(self) -> list[QuoteSession]:
        """The open market-data sessions."""
        return cast("list[QuoteSession]", self.live("quote"))

    @property
    def messages(self) -> list[MessageSession]:
        """The open message-push sessions."""
        return cast("list[MessageSession]", self.live("messages"))

    @property
    def rpc(self) -> list[RpcSession]:
        """The open Client RPC sessions."""
        return cast("list[RpcSession]", self.live("rpc"))

    @property
    def datapush(self) -> list[DataPushSession]:
        """The open Manager data-push sessions."""
        return cast("list[DataPushSession]", self.live("datapush"))

    @on_loop_async
    async def wait_for(self, predicate: Callable[[], T], *, timeout: float = 5.0) -> T:
        """Wait until ``predicate()`` is truthy, re-checking it whenever socket state changes.

        State changes are: a connection opened or closed, a client frame received, a frame sent or
        dropped, a subscription changed, a fault control used.

        Returns:
            The predicate's truthy value.

        Raises:
            TimeoutError: it stayed falsy for ``timeout`` seconds.
        """
        with anyio.fail_after(timeout):
            while True:
                value = predicate()
                if value:
                    return value
                if self._changed is None:
                    self._changed = anyio.Event()
                await self._changed.wait()

    # ------------------------------------------------------------------ private

    def _notify(self) -> None:
        event, self._changed = self._changed, None
        if event is not None:
            event.set()

    def _opened(self, session: SocketSession) -> None:
        self._live.append(session)
        self.history.append(session)
        self.counters[session.kind].accepted += 1
        self._notify()

    def _finished(self, session: SocketSession) -> None:
        session.closed = True
        if session in self._live:
            self._live.remove(session)
            self.counters[session.kind].closed += 1
        self._notify()

    def _abort(self, scope: dict[str, Any]) -> bool:
        return self._abort_scope is not None and self._abort_scope(scope)

    def _drop_kinds(self, kinds: tuple[SocketKind, ...], code: int | None, reason: str) -> int:
        count = 0
        for session in self.live():
            if session.kind in kinds:
                if code is None:
                    count += session.drop()
                else:
                    session.close(code, reason)
                    count += 1
        return count

    def _arm_malformed(self, handle: SocketFaultHandle, count: int) -> None:
        for session in self.live():
            if session.kind in handle.kinds:
                frames = GARBAGE_FRAMES[session.kind]
                session._garbage.extend((handle, frames[i % 2]) for i in range(count))

    def _shutdown(self) -> None:
        self._closing = True
        self.faults._close()
        for session in self.live():
            session.close(1001, "simulator shutting down")
