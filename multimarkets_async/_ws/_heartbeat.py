"""The heartbeat task: drives a socket's ``HeartbeatState`` (``protocol/heartbeat.py``).

It sends the dialect's ping every ``interval`` and declares the connection dead when *nothing at all*
has been received for ``dead_after`` seconds (a pong is traffic too); it then closes the socket, which
makes the connection manager reconnect. It never raises into user code (STYLE rule 5, after
websockets' ``keepalive``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import anyio

from .._logging import WS_LOGGER
from ..protocol.heartbeat import HeartbeatState

__all__ = ["run_heartbeat"]

logger = logging.getLogger(WS_LOGGER)


async def run_heartbeat(
    state: HeartbeatState,
    *,
    send_ping: Callable[[], Awaitable[object]],
    on_dead: Callable[[], Awaitable[None]],
    clock: Callable[[], float],
    name: str = "socket",
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
) -> None:
    """Ping on schedule; when the peer goes silent past ``dead_after``, call ``on_dead`` and return.

    ``send_ping`` returns the ping's correlation id (or ``None``). A failing send is left to the
    reader, which sees the closed socket; the heartbeat itself never raises.
    """
    while True:
        now = clock()
        if state.overdue(now):
            logger.warning(
                "%s: no frame for %.1f s (limit %.1f s); closing it to reconnect",
                name,
                now - state.last_received,
                state.dead_after,
                extra={"connection": name, "silent_s": round(now - state.last_received, 3)},
            )
            await on_dead()
            return
        if state.ping_due(now):
            try:
                ping_id = await send_ping()
            except Exception:  # the reader notices the broken socket and reconnects
                logger.debug("%s: heartbeat send failed", name, exc_info=True, extra={"connection": name})
                return
            state.ping_sent(now, ping_id)
        await sleep(state.next_wakeup(clock()))
