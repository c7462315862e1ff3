"""Fault controls of the simulator's sockets (``sim.socket_faults``): deterministic misbehaviour on demand.

Every control acts at once or on the next matching event, never at random, and each one that tests
need to line up with returns a ``SocketFaultHandle`` (``hits``, ``await wait_hit()``,
``release()``) or a ``SilenceHandle``. A ``kind`` argument limits a control to one socket family:
``"quote"`` (market data), ``"messages"`` (message push), ``"rpc"`` (Client RPC) or ``"datapush"``
(Manager data push); ``None`` means all.

* ``SocketFaults.drop_all`` ends every live connection now: a TCP abort without a close frame
  (what a network failure looks like), or a clean close frame with a given code (maintenance).
* ``SocketFaults.go_silent`` keeps the sockets open but sends nothing (no reply, no heartbeat
  answer, no push; what would have been sent is discarded) and processes nothing, until resumed.
  Frames received meanwhile are still recorded. Idle clients are not dropped while silent.
* ``SocketFaults.delay_replies`` holds every reply to a client frame for some seconds before it
  is queued; pushes keep flowing meanwhile, so a delayed reply arrives after later pushes.
* ``SocketFaults.send_malformed`` makes each live connection send garbage frames (a truncated
  text push such as ``p(1,2`` and invalid JSON, alternately) just before its next real frame.
* ``SocketFaults.reject_tokens`` refuses tokens: ``/quote`` handshakes with a token get HTTP 403,
  a message-socket ``login`` gets ``subscribe_fail`` and a close, an RPC request with a token
  ``GATEWAY_CODE_005``, a data-push handshake HTTP 403. Guest sockets are unaffected.
* ``SocketFaults.refuse_handshakes`` answers the next handshakes with a bare HTTP status (503 by
  default): the window of a platform restart.
* ``SocketFaults.fail_quote_commands`` answers the next market-data commands of one ``cmd_id`` with
  an error ``ret`` instead of executing them: 202 refuses a subscription (the previous one stays),
  203 on a heartbeat says the server lost the connection's session.
* ``SocketFaults.kick`` ends the live sessions the way the platform kicks a client out: a message-push
  ``notice`` with ``updateType`` 4, or a data-push close with code 4001 (what a newer connection of
  the same consumer group causes).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Final, Literal

from .._thread import UNBOUND, LoopBinding, on_loop
from .handle import HitCounter

__all__ = ["GARBAGE_FRAMES", "SilenceHandle", "SocketFaultHandle", "SocketFaults", "SocketKind"]

SocketKind = Literal["quote", "messages", "rpc", "datapush"]
"""The socket families: market data, message push, Client RPC, Manager data push."""

SOCKET_KINDS: Final[tuple[SocketKind, ...]] = ("quote", "messages", "rpc", "datapush")

GARBAGE_FRAMES: Final[dict[SocketKind, tuple[str, str]]] = {
    "quote": ("p(1,2", '{"cmd_id":14001,"seq_id":'),
    "messages": ("f(1,2", '{"msgCode":"trade","content":'),
    "rpc": ('{"trace":"', "pong("),
    "datapush": ('{"data":{"id":', '{"eventType":"position_update","data":'),
}
"""The malformed frames ``SocketFaults.send_malformed`` sends, alternately, per socket kind."""


def _kinds(kind: SocketKind | None) -> tuple[SocketKind, ...]:
    if kind is None:
        return SOCKET_KINDS
    if kind not in SOCKET_KINDS:
        raise ValueError(f"kind must be one of {SOCKET_KINDS} or None, got {kind!r}")
    return (kind,)


class SocketFaultHandle(HitCounter):
    """One armed socket fault: how often it fired, a way to wait for it, and a way to end it.

    Attributes:
        fault: ``"delay"``, ``"malformed"``, ``"refuse"`` or ``"fail"``.
        kinds: the socket families it applies to.
        times: how many more events it will affect (``None``: until released).
        hits: how many events it affected so far (delayed replies, garbage frames sent, handshakes
            refused, commands failed).
    """

    def __init__(self, fault: str, kinds: tuple[SocketKind, ...], times: int | None) -> None:
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1 or None, got {times!r}")
        super().__init__(times)
        self.fault = fault
        self.kinds = kinds

    def __repr__(self) -> str:
        return (
            f"SocketFaultHandle(fault={self.fault!r}, kinds={self.kinds!r}, "
            f"times={self.times}, hits={self.hits})"
        )

    @property
    def active(self) -> bool:
        """Whether the fault still affects events."""
        return not self._released and (self.times is None or self.times > 0)

    def applies(self, kind: SocketKind) -> bool:
        """Whether the fault is active for sockets of ``kind``."""
        return self.active and kind in self.kinds


class SilenceHandle:
    """A silence started by ``SocketFaults.go_silent``; ``resume()`` (or leaving ``with``) ends it.

    Attributes:
        kinds: the socket families kept silent.
        suppressed: frames the server did not send because of this silence.
        ignored: client frames the server received but did not process because of it.
    """

    _binding: LoopBinding = UNBOUND

    def __init__(
        self,
        kinds: tuple[SocketKind, ...],
        on_resume: Callable[[SilenceHandle], None],
        sessions: frozenset[int] | None = None,
    ) -> None:
        self.kinds = kinds
        self.sessions = sessions
        """The ids of the sessions kept silent; ``None`` silences new connections too."""
        self.suppressed = 0
        self.ignored = 0
        self._on_resume = on_resume
        self.active = True

    def __repr__(self) -> str:
        return f"SilenceHandle(kinds={self.kinds!r}, active={self.active}, suppressed={self.suppressed})"

    @on_loop
    def resume(self) -> None:
        """End the silence: later replies and pushes are sent again (nothing suppressed is replayed)."""
        if self.active:
            self.active = False
            self._on_resume(self)

    def __enter__(self) -> SilenceHandle:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.resume()


class SocketFaults:
    """The socket fault controls of one simulator (``sim.socket_faults``). Every control is synchronous.

    Args:
        drop: ends the live connections of some kinds (TCP abort when the code is ``None``, else a
            close frame with that code) and returns how many it ended; provided by the socket registry.
        changed: called whenever the fault state changes (wakes ``sim.sockets.wait_for``).
    """

    _binding: LoopBinding = UNBOUND

    def __init__(
        self,
        drop: Callable[[tuple[SocketKind, ...], int | None, str], int],
        changed: Callable[[], None],
        live_ids: Callable[[tuple[SocketKind, ...]], frozenset[int]] = lambda kinds: frozenset(),
    ) -> None:
        self._drop = drop
        self._live_ids = live_ids
        self._changed = changed
        self._silences: list[SilenceHandle] = []
        self._delays: list[tuple[SocketFaultHandle, float]] = []
        self._refusals: list[tuple[SocketFaultHandle, int]] = []
        self._rejecting_tokens = False
        self._quote_failures: list[tuple[SocketFaultHandle, int, int, str]] = []
        self._kickers: dict[SocketKind, Callable[[], int]] = {}
        """Per family, ends its live sessions as a kick-out; set by the socket routes."""
        self._arm_malformed: Callable[[SocketFaultHandle, int], None] | None = None
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"SocketFaults(silent={self.silent_kinds!r}, rejecting_tokens={self._rejecting_tokens}, "
            f"delays={len(self._delays)}, refusals={len(self._refusals)})"
        )

    # ------------------------------------------------------------------ controls

    @on_loop
    def drop_all(
        self, kind: SocketKind | None = None, *, close_code: int | None = None, reason: str = ""
    ) -> int:
        """End every live socket connection now (optionally of one kind).

        Args:
            kind: ``"quote"``, ``"messages"``, ``"rpc"``, or ``None`` for all.
            close_code: ``None`` aborts the TCP connection without a close frame (a network failure);
                a code (e.g. 1012, service restart) sends a clean close frame first.
            reason: the close reason, with ``close_code``.

        Returns:
            How many connections were ended.
        """
        return self._drop(_kinds(kind), close_code, reason)

    @on_loop
    def go_silent(self, kind: SocketKind | None = None, *, new_connections: bool = False) -> SilenceHandle:
        """Keep the sockets open but send and process nothing until ``resume()`` (see the module doc).

        This is the "dead peer" fault: the TCP connection stays up while nothing comes back. By default
        it holds only the connections open now, so a client that gives up on them and reconnects
        reaches a healthy server; ``new_connections=True`` silences later connections as well.

        Args:
            kind: the family to silence, or ``None`` for all.
            new_connections: also silence connections opened after this call.
        """
        kinds = _kinds(kind)
        sessions = None if new_connections else self._live_ids(kinds)
        handle = SilenceHandle(kinds, self._resumed, sessions)
        handle._binding = self._binding
        self._silences.append(handle)
        self._changed()
        return handle

    @on_loop
    def resume_all(self) -> None:
        """End every silence."""
        for handle in list(self._silences):
            handle.resume()

    @on_loop
    def delay_replies(
        self, seconds: float, *, kind: SocketKind | None = None, times: int | None = None
    ) -> SocketFaultHandle:
        """Hold each reply to a client frame for ``seconds`` before queueing it (pushes are not held).

        Args:
            seconds: the delay per reply.
            kind: the family, or ``None`` for all.
            times: how many replies to delay; ``None`` until ``release()`` or ``clear``.
        """
        handle = SocketFaultHandle("delay", _kinds(kind), times)
        handle._binding = self._binding
        if self._closed:
            handle.release()
        self._delays.append((handle, float(seconds)))
        return handle

    @on_loop
    def send_malformed(self, count: int = 1, *, kind: SocketKind | None = None) -> SocketFaultHandle:
        """Make every live connection send ``count`` garbage frames right before its next real frame.

        The frames alternate between a truncated text push and invalid JSON (``GARBAGE_FRAMES``).
        ``hits`` counts garbage frames sent, over all connections.

        Args:
            count: garbage frames per connection.
            kind: the family, or ``None`` for all.
        """
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count!r}")
        handle = SocketFaultHandle("malformed", _kinds(kind), None)
        handle._binding = self._binding
        if self._arm_malformed is not None:
            self._arm_malformed(handle, count)
        return handle

    @on_loop
    def reject_tokens(self, on: bool = True) -> None:
        """Refuse every token from now on (``on=False`` accepts them again); see the module doc."""
        self._rejecting_tokens = on
        self._changed()

    @property
    def rejecting_tokens(self) -> bool:
        """Whether tokens are being refused."""
        return self._rejecting_tokens

    @on_loop
    def refuse_handshakes(
        self, count: int = 1, *, status: int = 503, kind: SocketKind | None = None
    ) -> SocketFaultHandle:
        """Answer the next ``count`` socket handshakes with a bare HTTP ``status`` (a restart window).

        Args:
            count: handshakes to refuse.
            status: the HTTP status (4xx or 5xx).
            kind: the family, or ``None`` for all.
        """
        if not 400 <= status <= 599:
            raise ValueError(f"status must be 4xx or 5xx, got {status!r}")
        handle = SocketFaultHandle("refuse", _kinds(kind), count)
        handle._binding = self._binding
        self._refusals.append((handle, status))
        return handle

    @on_loop
    def fail_quote_commands(
        self, cmd_id: int, *, ret: int = 202, times: int | None = 1, msg: str = "refused by a fault"
    ) -> SocketFaultHandle:
        """Answer the next ``times`` market-data commands ``cmd_id`` with ``ret`` (nothing is executed).

        Args:
            cmd_id: the request number, e.g. 14000 (tickers) or 14008 (heartbeat).
            ret: the error status: 201/202 (invalid request), 203 (session lost), 5xx.
            times: how many commands to answer so; ``None`` until ``release()`` or ``clear``.
            msg: the reply's ``msg``.
        """
        if not 201 <= ret <= 599:
            raise ValueError(f"ret must be an error status (201..599), got {ret!r}")
        handle = SocketFaultHandle("fail", ("quote",), times)
        handle._binding = self._binding
        self._quote_failures.append((handle, cmd_id, ret, msg))
        return handle

    @on_loop
    def kick(self, kind: SocketKind) -> int:
        """Kick out every live ``"messages"`` or ``"datapush"`` session (see the module doc); how many."""
        kicker = self._kickers.get(kind)
        if kicker is None:
            raise ValueError(f"kick works on 'messages' and 'datapush' sockets, got {kind!r}")
        count = kicker()
        self._changed()
        return count

    @on_loop
    def clear(self) -> None:
        """End every silence, delay, refusal, command failure and token rejection."""
        self.resume_all()
        for handle in [d[0] for d in self._delays] + [r[0] for r in self._refusals]:
            handle.release()
        for failure in self._quote_failures:
            failure[0].release()
        self._delays.clear()
        self._refusals.clear()
        self._quote_failures.clear()
        self._rejecting_tokens = False
        self._changed()

    @property
    def silent_kinds(self) -> frozenset[SocketKind]:
        """The socket families currently silent."""
        return frozenset(k for h in self._silences if h.active for k in h.kinds)

    # ------------------------------------------------------------------ used by the sockets (private)

    def _silence(self, kind: SocketKind, session_id: int) -> SilenceHandle | None:
        for handle in self._silences:
            if (
                handle.active
                and kind in handle.kinds
                and (handle.sessions is None or session_id in handle.sessions)
            ):
                return handle
        return None

    def _resumed(self, handle: SilenceHandle) -> None:
        if handle in self._silences:
            self._silences.remove(handle)
        self._changed()

    async def _delay(self, kind: SocketKind) -> None:
        for handle, seconds in self._delays:
            if handle.applies(kind):
                handle._fire()
                self._delays[:] = [(h, s) for h, s in self._delays if h.active]
                await handle._sleep(seconds)
                return

    def _take_refusal(self, kind: SocketKind) -> int | None:
        for handle, status in self._refusals:
            if handle.applies(kind):
                handle._fire()
                self._refusals[:] = [(h, s) for h, s in self._refusals if h.active]
                return status
        return None

    def _take_quote_failure(self, cmd_id: object) -> tuple[int, str] | None:
        for handle, cmd, ret, msg in self._quote_failures:
            if cmd == cmd_id and handle.applies("quote"):
                handle._fire()
                self._quote_failures[:] = [f for f in self._quote_failures if f[0].active]
                return ret, msg
        return None

    def _close(self) -> None:
        """The simulator is stopping: end every delay and silence."""
        self._closed = True
        for handle, _ in self._delays:
            handle.release()
        for silence in list(self._silences):
            silence.active = False
        self._silences.clear()
