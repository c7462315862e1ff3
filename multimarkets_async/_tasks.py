"""Background tasks with an owner: one host task per client runs the task group its sockets live in.

A client's readers, heartbeats and reconnect loops must not live in a cancel scope held open in the
task that entered the client: closing from another task (``asyncio.wait_for`` on Python 3.11, a
pytest-asyncio fixture's teardown, a FastAPI lifespan) or closing two clients out of order would then
exit that scope from the wrong task, and cancel the caller. So each client starts one *host* task of
its own on entry; the host enters an anyio task group and keeps it open until ``aclose()`` stops it
and waits for it to end. Every background task is started in that group (``TaskHost.start``, from any
task of the same loop), reports readiness through ``task_status.started()``, and is guarded: an error
before it started goes to the caller of ``start``; an error after it is logged and ends only that task,
never the group and never the user's code (the task's own code ends its subscriptions with the error).

This is the shape aiohttp's and asyncpg's clients have (the client owns its tasks), built with anyio's
task group on the one asyncio task the SDK creates itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.abc

from ._logging import CLIENT_LOGGER

__all__ = ["TaskHost"]

logger = logging.getLogger(CLIENT_LOGGER)

TaskFunc = Callable[..., Awaitable[Any]]


class TaskHost:
    """Owns one asyncio task that hosts an anyio task group for a client's background tasks.

    Args:
        owner: names the client in errors and logs, e.g. ``"MultiMarkets"``.
        close_timeout: seconds ``aclose`` waits for the tasks to finish their cleanup (closing
            sockets) before it stops waiting; the tasks are cancelled either way.
    """

    def __init__(self, owner: str, *, close_timeout: float = 10.0) -> None:
        self.owner = owner
        self.close_timeout = close_timeout
        self.loop: asyncio.AbstractEventLoop | None = None
        """The event loop the host runs on (set by ``open``)."""
        self._task: asyncio.Task[None] | None = None
        self._group: anyio.abc.TaskGroup | None = None
        self._stop: anyio.Event | None = None
        self._closed = False
        self._children: set[asyncio.Task[Any]] = set()

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("running" if self._group is not None else "new")
        return f"<TaskHost {self.owner} {state}>"

    @property
    def running(self) -> bool:
        """Whether background tasks can be started now."""
        return self._group is not None and not self._closed

    def check_loop(self) -> None:
        """Refuse use from an event loop other than the client's: the one it was entered on, or for a
        client never entered, the one its first call ran on (where its connection pool lives).

        Raises:
            RuntimeError: called on another loop (or outside any), naming the rule.
        """
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if self.loop is None:
            if self._task is None and not self._closed:
                self.loop = current  # bind on first use
            return
        if current is not self.loop:
            raise RuntimeError(
                f"this {self.owner} client belongs to the event loop it was entered on and is used from "
                "another one; create one client per event loop (e.g. inside the loop's lifespan or fixture)"
            )

    async def open(self) -> None:
        """Start the host task and wait until its task group accepts tasks.

        Raises:
            RuntimeError: the host was opened before, or is closed.
        """
        if self._task is not None or self._closed:
            raise RuntimeError(f"the {self.owner} client's background tasks were started before")
        try:
            self.loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                f"the {self.owner} client runs on asyncio (its socket library is asyncio-only): enter it "
                "inside asyncio.run(), anyio.run(backend='asyncio') or an asyncio-based framework"
            ) from None
        ready = anyio.Event()
        self._stop = anyio.Event()
        # The one unstructured task of the SDK: it belongs to the client, which ends it in aclose().
        self._task = self.loop.create_task(
            self._host(ready, self._stop), name=f"{self.owner} background tasks"
        )
        try:
            await ready.wait()
        except BaseException:
            await self.aclose()
            raise
        if self._group is None:
            raise RuntimeError(f"the {self.owner} client's background tasks could not start")

    async def _host(self, ready: anyio.Event, stop: anyio.Event) -> None:
        try:
            async with anyio.create_task_group() as group:
                self._group = group
                ready.set()
                await stop.wait()
                group.cancel_scope.cancel()
        except Exception:  # never into the loop's exception handler; cancellation and exits propagate
            logger.exception("%s: background tasks stopped unexpectedly", self.owner)
        finally:
            self._group = None
            ready.set()

    async def start(self, func: TaskFunc, *args: object, name: str | None = None) -> None:
        """Run ``func(*args, task_status=...)`` in the client's task group and wait until it started.

        Callable from any task of the host's loop. An exception before ``task_status.started()`` is
        raised here; after it, an ``Exception`` is logged and ends that task only.

        Raises:
            RuntimeError: the client is not entered, is closed, or is used from another loop.
        """
        self.check_loop()
        group = self._group
        if group is None or self._closed:
            if self._closed:
                raise RuntimeError(f"this {self.owner} client is closed; create a new one to open streams")
            raise RuntimeError(
                f"streams run in the client's background tasks: enter the client first "
                f"('async with {self.owner}(...) as client:' or 'await client.__aenter__()')"
            )
        await group.start(self._guarded, func, args, name=name or getattr(func, "__name__", None))

    def start_soon(self, func: Callable[[], Awaitable[Any]], *, name: str | None = None) -> None:
        """Run ``func()`` in the task group without waiting for it; an ``Exception`` it raises is logged.

        Raises:
            RuntimeError: the host is not running (not entered, or closed).
        """
        group = self._group
        if group is None or self._closed:
            raise RuntimeError(f"the {self.owner}'s background tasks are not running")
        group.start_soon(self._logged, func, name=name or getattr(func, "__name__", None))

    async def _logged(self, func: Callable[[], Awaitable[Any]]) -> None:
        try:
            await func()
        except Exception:
            logger.exception("%s: a background task failed", self.owner)

    async def _guarded(
        self,
        func: TaskFunc,
        args: tuple[object, ...],
        *,
        task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        status = _StatusProxy(task_status)
        me = asyncio.current_task()
        if me is not None:
            self._children.add(me)
        try:
            await func(*args, task_status=status)
        except Exception:
            if not status.started_:
                raise  # to the caller of start(): the task never began
            logger.exception("%s: a background task failed", self.owner)
        finally:
            self._children.discard(me)

    async def aclose(self) -> None:
        """Cancel every background task and wait for them to finish. Safe to call twice, from any task.

        The wait is shielded from the caller's cancellation (a close that was asked for completes), and
        bounded by ``close_timeout``.
        """
        self.check_loop()
        self._closed = True
        if self._stop is not None:
            self._stop.set()
        task = self._task
        if task is None or task.done():
            return
        if asyncio.current_task() in self._children:
            return  # closing from one of our own tasks: it is being cancelled with the rest
        with anyio.CancelScope(shield=True), anyio.move_on_after(self.close_timeout):
            await asyncio.wait([task])
        if not task.done():
            logger.warning("%s: background tasks did not finish within %g s", self.owner, self.close_timeout)
            task.cancel()


class _StatusProxy:
    """A ``TaskStatus`` that remembers whether the task reported itself started."""

    __slots__ = ("_inner", "started_")

    def __init__(self, inner: anyio.abc.TaskStatus[Any]) -> None:
        self._inner = inner
        self.started_ = False

    def started(self, value: object = None) -> None:
        self.started_ = True
        self._inner.started(value)
