"""One simulator socket connection (``SocketSession``), its counters, and the lenient JSON reader.

A ``SocketSession`` is one connection as the simulator sees it: what the client sent, what was
sent back, and a bounded outgoing queue. Pushes are queued with ``send_nowait`` from synchronous code
(``sim.tick()``): a full queue drops the push and counts it, so a slow client never blocks the
exchange. Replies are queued with a waiting ``send``, so they are never lost. The tasks that move the
frames live in ``runner``; the sessions of each family (quote, messages, RPC, data push) in ``kinds``.

A session reaches the registry that owns it through ``SessionHost``, a protocol that
``registry.SocketRegistry`` satisfies, so this module imports neither the registry nor the session
kinds: the modules of ``_sockets`` import each other without a circle.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, Final, Protocol

import anyio
import anyio.abc
from anyio.streams.memory import MemoryObjectSendStream

from .._faults.sockets import SocketFaultHandle, SocketFaults, SocketKind
from .._thread import LoopBinding, on_loop

__all__ = [
    "INVALID",
    "Close",
    "FrameHandler",
    "OutFrame",
    "SessionHost",
    "SocketCounters",
    "SocketSession",
    "loads_lenient",
]

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


class SessionHost(Protocol):
    """What a session and the runner use of the registry that owns it (``SocketRegistry``)."""

    @property
    def queue_size(self) -> int:
        """Bound of each connection's outgoing queue."""
        ...

    @property
    def counters(self) -> dict[SocketKind, SocketCounters]:
        """Counters per socket family."""
        ...

    @property
    def faults(self) -> SocketFaults:
        """The socket fault controls."""
        ...

    @property
    def _ids(self) -> Iterator[int]: ...

    @property
    def _binding(self) -> LoopBinding: ...

    def _notify(self) -> None: ...

    def _abort(self, scope: dict[str, Any]) -> bool: ...

    def _opened(self, session: SocketSession) -> None: ...

    def _finished(self, session: SocketSession) -> None: ...


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

    def __init__(self, registry: SessionHost, kind: SocketKind, path: str) -> None:
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
    def queued(self) -> int:
        """Frames waiting in this connection's outgoing queue (0 once all queued were handed over)."""
        return 0 if self._send is None else self._send.statistics().current_buffer_used

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
