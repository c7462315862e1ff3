"""The simulator's socket registry (``sim.sockets``): live sessions per kind, counters, a change signal.

``SocketRegistry`` is the observable side: live sessions per kind, every client frame each one
received, counters, and ``SocketRegistry.wait_for``, which re-checks a predicate whenever socket
state changes (no polling). The sessions themselves are in ``session`` (the base) and ``kinds`` (one
per socket family); they reach the registry through ``session.SessionHost``, which it satisfies.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, TypeVar, cast

import anyio

from .._faults.sockets import GARBAGE_FRAMES, SOCKET_KINDS, SocketFaultHandle, SocketFaults, SocketKind
from .._thread import UNBOUND, LoopBinding, on_loop_async
from .kinds import DataPushSession, MessageSession, QuoteSession, RpcSession
from .session import SocketCounters, SocketSession

__all__ = ["SocketRegistry"]

T = TypeVar("T")


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
