"""What every fault handle shares: counting the events a fault affected, waiting for them, and a
release that ends the fault's delays at once."""

from __future__ import annotations

import anyio

from .._thread import UNBOUND, LoopBinding, on_loop, on_loop_async

__all__ = ["HitCounter"]


class HitCounter:
    """Hits of one armed fault, ``wait_hit``, and ``release`` for its delays (a base for the handles).

    Attributes:
        times: how many more events the fault will affect (``None``: until released).
        hits: how many events it affected so far.
    """

    _binding: LoopBinding = UNBOUND

    def __init__(self, times: int | None) -> None:
        self.times = times
        self.hits = 0
        self._hit_event: anyio.Event | None = None
        self._release_event: anyio.Event | None = None
        self._released = False

    def _fire(self) -> None:
        if self.times is not None:
            self.times -= 1
        self.hits += 1
        if self._hit_event is not None:
            self._hit_event.set()
            self._hit_event = None

    @on_loop_async
    async def wait_hit(self, count: int = 1) -> None:
        """Wait until the fault has affected at least ``count`` events (bound it with ``fail_after``)."""
        while self.hits < count:
            if self._hit_event is None:
                self._hit_event = anyio.Event()
            await self._hit_event.wait()

    @on_loop
    def release(self) -> None:
        """End the fault's current and future delays at once."""
        self._released = True
        if self._release_event is not None:
            self._release_event.set()

    async def _sleep(self, seconds: float) -> None:
        if self._released:
            return
        if self._release_event is None:
            self._release_event = anyio.Event()
        with anyio.move_on_after(seconds):
            await self._release_event.wait()
