"""Finding and ending the tasks nats-py leaves running after a subscription or a connection is closed.

Why this exists (checked with nats-py 2.16): ``Client.close()`` and ``Client.drain()`` cancel the
connection's reader, pinger, flusher and dispatch tasks without waiting for them, and never cancel a
JetStream push subscription's heartbeat and flow-control tasks (``_JSI.activity_check`` and
``check_flow_control_response``; only ``unsubscribe`` does). Those keep running for up to two
heartbeat intervals after the connection closed, so an event loop closed in that time reports "Task
was destroyed but it is pending!", and a test that counts tasks sees them. ``NatsLink.aclose`` and
the readers therefore collect these tasks before closing and wait until every one has ended.

The tasks are found through nats-py's private attributes, the only place they are. Every lookup is
defensive: an attribute that a nats-py release renamed or retyped yields no task (no extra cleanup,
never an error). ``tests/test_relay_nats.py`` shows both the need and the fallback.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

__all__ = ["client_tasks", "settle", "subscription_tasks"]

_CLIENT_TASKS: Final = ("_reading_task", "_ping_interval_task", "_flusher_task", "_reconnection_task")


def _running(candidates: list[object]) -> list[asyncio.Task[Any]]:
    return [task for task in candidates if isinstance(task, asyncio.Task) and not task.done()]


def client_tasks(nc: object) -> list[asyncio.Task[Any]]:
    """Every task nats-py runs for the client ``nc`` and its subscriptions (``[]`` for what cannot be
    found)."""
    found = _running([getattr(nc, name, None) for name in _CLIENT_TASKS])
    subs = getattr(nc, "_subs", None)
    for sub in list(subs.values()) if isinstance(subs, dict) else []:
        found.extend(subscription_tasks(sub))
    return found


def subscription_tasks(sub: object) -> list[asyncio.Task[Any]]:
    """The tasks nats-py runs for one subscription (plain, push or pull): message dispatch, and a
    JetStream subscription's heartbeat and flow-control checks.

    Not the tasks of pending ``next_msg`` calls: a caller's task awaits each, and cancelling one under
    it would leak a ``CancelledError`` into that caller (nats-py cancels them itself on close).
    """
    inner = getattr(sub, "_sub", sub)
    jsi = getattr(inner, "_jsi", None)
    return _running(
        [
            getattr(inner, "_wait_for_msgs_task", None),
            getattr(jsi, "_hbtask", None),
            getattr(jsi, "_fctask", None),
        ]
    )


async def settle(tasks: list[asyncio.Task[Any]]) -> None:
    """Cancel what is still running of ``tasks`` (never the current task) and wait until every one has
    ended."""
    current = asyncio.current_task()
    pending = [task for task in tasks if task is not current and not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending)
