"""The simulator on a thread and event loop of its own, with controls that are safe to call from others.

``with sim.serve_in_thread():`` starts a daemon thread that runs ``async with sim:`` on a new event
loop and returns once the server accepts connections; leaving the block closes the simulator on that
loop and joins the thread. This is what the pytest fixture uses: the server is independent of the
test's event loop, so it works the same under anyio's plugin, pytest-asyncio (any mode, any loop
scope) and plain synchronous tests, and a busy bot cannot stall the server it is tested against.

The simulator's state lives on its own loop. The controls a test calls (``tick``, the fault controls,
``sockets.wait_for`` ...) are decorated with ``on_loop`` / ``on_loop_async``: called from another
thread, they run on the simulator's loop and hand the result back; called on it, they run directly.
Reading state (``sim.requests``, ``sim.exchange``) needs no hop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

__all__ = ["UNBOUND", "Bound", "LoopBinding", "on_loop", "on_loop_async", "serve_in_thread"]

P = ParamSpec("P")
R = TypeVar("R")
_START_TIMEOUT_S = 30.0


class LoopBinding:
    """Which event loop (and thread) a simulator serves from, while it serves from a thread."""

    __slots__ = ("loop", "thread_id")

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread_id: int | None = None

    def foreign(self) -> bool:
        """Whether the caller is on another thread than the simulator's own loop."""
        return self.loop is not None and threading.get_ident() != self.thread_id

    def call(self, func: Callable[[], R]) -> R:
        """Run ``func`` on the simulator's loop and return its result (or raise its exception)."""
        loop = self.loop
        assert loop is not None
        future: concurrent.futures.Future[R] = concurrent.futures.Future()

        def run() -> None:
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(func())
                except BaseException as exc:
                    future.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return future.result(_START_TIMEOUT_S)

    async def run(self, coro: Coroutine[Any, Any, R]) -> R:
        """Await ``coro`` on the simulator's loop from the caller's loop (cancellation is passed on)."""
        loop = self.loop
        assert loop is not None
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))


UNBOUND = LoopBinding()
"""The binding of objects that no threaded simulator owns: never bound, so every call runs directly."""


class Bound(Protocol):
    """An object whose controls hop onto the simulator's loop."""

    @property
    def _binding(self) -> LoopBinding: ...


B = TypeVar("B", bound=Bound)


def on_loop(method: Callable[Concatenate[B, P], R]) -> Callable[Concatenate[B, P], R]:
    """Run a synchronous control on the simulator's loop when called from another thread."""

    @functools.wraps(method)
    def wrapper(self: B, /, *args: P.args, **kwargs: P.kwargs) -> R:
        binding = self._binding
        if not binding.foreign():
            return method(self, *args, **kwargs)
        return binding.call(functools.partial(method, self, *args, **kwargs))

    return wrapper


def on_loop_async(
    method: Callable[Concatenate[B, P], Awaitable[R]],
) -> Callable[Concatenate[B, P], Coroutine[Any, Any, R]]:
    """Run an async control on the simulator's loop when awaited from another thread's loop."""

    @functools.wraps(method)
    async def wrapper(self: B, /, *args: P.args, **kwargs: P.kwargs) -> R:
        binding = self._binding
        if not binding.foreign():
            return await method(self, *args, **kwargs)

        async def inner() -> R:
            return await method(self, *args, **kwargs)

        return await binding.run(inner())

    return wrapper


class _Serving(Protocol):
    @property
    def _binding(self) -> LoopBinding: ...

    async def __aenter__(self) -> Any: ...

    async def aclose(self) -> None: ...


@contextlib.contextmanager
def serve_in_thread(simulator: _Serving, *, name: str = "multimarkets-simulator") -> Iterator[None]:
    """Serve ``simulator`` from a new daemon thread with its own event loop for the ``with`` block.

    Raises:
        Exception: whatever starting the simulator raised (a port in use, a missing extra).
    """
    binding = simulator._binding
    started = threading.Event()
    failure: list[BaseException] = []
    stop: list[asyncio.Event] = []

    async def main() -> None:
        stop.append(asyncio.Event())
        try:
            await simulator.__aenter__()
        except BaseException as exc:
            failure.append(exc)
            started.set()
            return
        binding.loop, binding.thread_id = asyncio.get_running_loop(), threading.get_ident()
        started.set()
        try:
            await stop[0].wait()
        finally:
            await simulator.aclose()

    thread = threading.Thread(target=asyncio.run, args=(main(),), name=name, daemon=True)
    thread.start()
    if not started.wait(_START_TIMEOUT_S):
        raise RuntimeError(f"the simulator did not start within {_START_TIMEOUT_S:g} s")
    if failure:
        thread.join()
        raise failure[0]
    loop = binding.loop
    try:
        yield
    finally:
        assert loop is not None
        loop.call_soon_threadsafe(stop[0].set)
        thread.join()
        binding.loop = binding.thread_id = None
