"""Fault controls of the simulator: deterministic, one-shot misbehaviour queued by a test.

Each control queues a fault that the next matching request(s) consume, in the order the faults were
queued. A fault matches a request when its ``biz_type`` filter (if any) is a substring of the request's
bizType and its ``family`` filter (if any) equals the request's family. Faults act at fixed points of
the request pipeline:

* ``http_status_next``, ``fail_next`` and ``drop_next()`` act when the request arrives, before any
  check: nothing executes and nothing is cached for idempotent replay.
* ``delay_next`` acts where the operation executes: after the gateway checks and after the
  ``idempotency-key`` is registered, so a concurrent request with the same key sees it in flight.
* ``drop_next(after_processing=True)`` acts after the operation executed and its answer was cached:
  the client never sees the answer, but a replay with the same ``idempotency-key`` gets it.

Every control returns a ``FaultHandle`` to observe the fault (``hits``, ``await wait_hit()``) and,
for delays, to end them early (``release()``); no test needs to sleep to line events up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .._thread import UNBOUND, LoopBinding, on_loop
from .handle import HitCounter

__all__ = ["FaultHandle", "Faults"]

FaultKind = Literal["status", "fail", "drop", "drop_after", "delay"]


class FaultHandle(HitCounter):
    """One queued fault: how often it fired, and a way to wait for it.

    Attributes:
        kind: ``"status"``, ``"fail"``, ``"drop"``, ``"drop_after"`` or ``"delay"``.
        times: how many requests it will still affect.
        hits: how many requests it affected so far.
    """

    def __init__(self, kind: FaultKind, times: int, biz_type: str | None, family: str | None) -> None:
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times!r}")
        super().__init__(times)
        self.times: int = times
        self.kind: FaultKind = kind
        self._biz_type = biz_type
        self._family = family

    def __repr__(self) -> str:
        return (
            f"FaultHandle(kind={self.kind!r}, times={self.times}, hits={self.hits}, "
            f"biz_type={self._biz_type!r}, family={self._family!r})"
        )

    def matches(self, biz_type: str, family: str) -> bool:
        """Whether this fault applies to a request of ``biz_type`` in ``family``."""
        if self.times < 1:
            return False
        if self._biz_type is not None and self._biz_type not in biz_type:
            return False
        return self._family is None or self._family == family


@dataclass(frozen=True, slots=True)
class StatusFault:
    """What ``http_status_next`` answers: a bare status with headers and a raw body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class FailFault:
    """What ``fail_next`` answers: an envelope error."""

    code: str
    biz_code: str
    msg: str | None
    msg_params: tuple[str, ...] | None


@dataclass(slots=True)
class _Queued:
    handle: FaultHandle
    payload: StatusFault | FailFault | float | None = None


class Faults:
    """The fault controls of one simulator (``sim.faults``). Every control is synchronous."""

    _binding: LoopBinding = UNBOUND

    def __init__(self) -> None:
        self._queue: list[_Queued] = []
        self._sleeping: set[FaultHandle] = set()
        self._closed = False

    def __repr__(self) -> str:
        return f"Faults(pending={self.pending!r})"

    @on_loop
    def fail_next(
        self,
        code: str,
        *,
        biz_code: str = "G",
        msg: str | None = None,
        msg_params: tuple[str, ...] | None = None,
        times: int = 1,
        biz_type: str | None = None,
        family: str | None = None,
    ) -> FaultHandle:
        """Answer the next matching request(s) with an envelope error (HTTP 200, ``code`` != "0").

        Args:
            code: the envelope ``code``, e.g. ``"GATEWAY_CODE_005"`` or ``"E000031"``.
            biz_code: the envelope ``bizCode`` (``"G"`` gateway, ``"CFD"``, ``"US"`` ...).
            msg: the message; the catalogue text of ``code`` (or a generic one) when ``None``.
            msg_params: values of the message's ``%s`` placeholders.
            times: how many matching requests to fail.
            biz_type: only requests whose bizType contains this.
            family: only requests of this family (``"client"``, ``"open"``).
        """
        return self._add("fail", times, biz_type, family, FailFault(code, biz_code, msg, msg_params))

    @on_loop
    def http_status_next(
        self,
        status: int,
        *,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
        body: str | bytes = "",
        biz_type: str | None = None,
        family: str | None = None,
    ) -> FaultHandle:
        """Answer the next matching request(s) with a bare HTTP status, e.g. 500, 503, or 429 with
        ``{"Retry-After": "2"}``. No envelope is sent (a 4xx/5xx body is not promised).

        Args:
            status: the HTTP status.
            times: how many matching requests to answer so.
            headers: extra response headers.
            body: the raw response body.
            biz_type: only requests whose bizType contains this.
            family: only requests of this family.
        """
        raw = body.encode("utf-8") if isinstance(body, str) else body
        fault = StatusFault(status, tuple((headers or {}).items()), raw)
        return self._add("status", times, biz_type, family, fault)

    @on_loop
    def delay_next(
        self, seconds: float, *, times: int = 1, biz_type: str | None = None, family: str | None = None
    ) -> FaultHandle:
        """Hold the next matching request(s) for ``seconds`` where the operation executes, then answer
        normally. The wait ends early on ``handle.release()`` or when the simulator stops.

        Args:
            seconds: the server-side processing delay.
            times: how many matching requests to delay.
            biz_type: only requests whose bizType contains this.
            family: only requests of this family.
        """
        return self._add("delay", times, biz_type, family, float(seconds))

    @on_loop
    def drop_next(
        self,
        *,
        times: int = 1,
        biz_type: str | None = None,
        family: str | None = None,
        after_processing: bool = False,
    ) -> FaultHandle:
        """Close the TCP connection of the next matching request(s) without any HTTP response.

        Args:
            times: how many matching requests to drop.
            biz_type: only requests whose bizType contains this.
            family: only requests of this family.
            after_processing: execute the operation first (and cache its answer under its
                ``idempotency-key``), then drop: a lost answer to an order that was placed.
        """
        return self._add("drop_after" if after_processing else "drop", times, biz_type, family, None)

    @on_loop
    def clear(self) -> None:
        """Forget every queued fault and end every pending delay."""
        for handle in [q.handle for q in self._queue] + list(self._sleeping):
            handle.release()
        self._queue.clear()

    @property
    def pending(self) -> list[FaultHandle]:
        """Handles of the faults that still have requests to affect."""
        return [q.handle for q in self._queue if q.handle.times > 0]

    def _add(
        self,
        kind: FaultKind,
        times: int,
        biz_type: str | None,
        family: str | None,
        payload: StatusFault | FailFault | float | None,
    ) -> FaultHandle:
        handle = FaultHandle(kind, times, biz_type, family)
        handle._binding = self._binding
        if self._closed:
            handle.release()
        self._queue.append(_Queued(handle, payload))
        return handle

    # ------------------------------------------------------------------ used by the app (private)

    def _take(
        self, kinds: tuple[FaultKind, ...], biz_type: str, family: str
    ) -> tuple[FaultKind, StatusFault | FailFault | None] | None:
        """Consume the first queued fault of one of ``kinds`` that matches; return its kind and payload."""
        for queued in self._queue:
            if queued.handle.kind in kinds and queued.handle.matches(biz_type, family):
                queued.handle._fire()
                self._prune()
                payload = queued.payload
                return queued.handle.kind, payload if not isinstance(payload, float) else None
        return None

    async def _apply_delay(self, biz_type: str, family: str) -> None:
        """Consume a matching delay fault, if any, and wait it out."""
        for queued in self._queue:
            if queued.handle.kind == "delay" and queued.handle.matches(biz_type, family):
                queued.handle._fire()
                self._prune()
                assert isinstance(queued.payload, float)
                self._sleeping.add(queued.handle)
                try:
                    await queued.handle._sleep(queued.payload)
                finally:
                    self._sleeping.discard(queued.handle)
                return

    def _close(self) -> None:
        """End every pending delay (the simulator is stopping)."""
        self._closed = True
        for handle in [q.handle for q in self._queue] + list(self._sleeping):
            handle.release()

    def _prune(self) -> None:
        self._queue[:] = [q for q in self._queue if q.handle.times > 0]
