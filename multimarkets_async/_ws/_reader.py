"""The reader of one socket connection: its frames in; events, replies and pong times out.

``read_frames`` runs once per connection, beside the heartbeat task, in the task group of
``ConnectionManager._serve`` (``_connection.py``), and ends only by raising why the connection ended
(an SDK error), which ends that task group. It is the hot path, one pass per market-data message: the
dialect decodes each frame (sans-I/O), events go to the manager's ``on_events`` (a subscriber's failure
is logged, never kills the reader), replies to the waiting request (``resolve``), pongs to the heartbeat
state; a malformed frame is counted and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import NoReturn

import anyio.lowlevel

from .._logging import WS_LOGGER
from ..errors import ProtocolError
from ..protocol.dialects import Inbound
from ..protocol.heartbeat import HeartbeatState
from ._backend import Receiver, SocketConnection
from ._state import ConnectionStats

__all__ = ["read_frames"]

logger = logging.getLogger(WS_LOGGER)


async def read_frames(
    conn: SocketConnection,
    heartbeat: HeartbeatState,
    *,
    name: str,
    decode: Callable[[str | bytes], Inbound | tuple[object, ...]],
    on_events: Callable[[Sequence[object]], None],
    resolve: Callable[[Inbound], None],
    stats: ConnectionStats,
    clock: Callable[[], float],
    log_fields: Callable[[], dict[str, object]],
) -> NoReturn:
    """Read frames until the connection ends, then raise why it ended (an SDK error).

    This loop runs once per market-data message, so it keeps to locals and asks the backend for
    its fastest way in (``receiver`` in ``_backend.py`` and ``_picows.py``): websockets' own
    ``recv`` (no wrapper coroutine per frame), or every frame picows has queued at once. A frame
    whose dialect returns only events (a bare tuple, see ``Dialect.decode``) goes straight out.

    Args:
        conn: the open connection.
        heartbeat: its heartbeat state, told when anything arrives and when a pong does.
        name: the connection's label, for logs.
        decode: the dialect's frame decoder.
        on_events: receives the events of each frame; must not block.
        resolve: hands a reply (an ``Inbound`` with a correlation id) to the request waiting for it.
        stats: the connection's counters (messages, malformed frames, latency).
        clock: the monotonic clock.
        log_fields: the ``extra`` of a log record about this connection.
    """
    checkpoint = anyio.lowlevel.checkpoint
    receiver = getattr(conn, "receiver", None)
    way_in: Receiver = receiver() if receiver is not None else (conn.recv, False, None)
    recv, batched, translate = way_in
    try:
        while True:
            # Raises TransportError (or ProtocolError) when the socket ends.
            frames: Sequence[str | bytes] = await recv() if batched else (await recv(),)
            heartbeat.last_received = clock()
            for frame in frames:
                if not stats.messages & 0xFF:
                    # recv() does not yield while frames are buffered (nor does a batch): let the
                    # consumers, the heartbeat and the rest of the application run every 256 frames.
                    await checkpoint()
                stats.messages += 1
                try:
                    inbound = decode(frame)
                except ProtocolError as exc:
                    stats.malformed += 1
                    logger.warning("%s: skipping a malformed frame: %s", name, exc, extra=log_fields())
                    continue
                if type(inbound) is tuple:  # only events (Dialect.decode)
                    if inbound:
                        try:  # _deliver, inlined
                            on_events(inbound)
                        except Exception:  # a subscriber's problem must never kill the reader
                            logger.exception("%s: event delivery failed", name, extra=log_fields())
                    continue
                assert isinstance(inbound, Inbound)
                if inbound.events:
                    _deliver(inbound.events, on_events, name, log_fields)
                if inbound.correlation is not None:
                    resolve(inbound)
                if inbound.pong:
                    latency = heartbeat.pong(heartbeat.last_received, inbound.pong_id)
                    if latency is not None:
                        stats.latency = latency
                if inbound.session_error is not None:
                    raise inbound.session_error
    except Exception as exc:
        error = translate(exc) if translate is not None else None
        if error is None:
            raise
        raise error from exc


def _deliver(
    events: Sequence[object],
    on_events: Callable[[Sequence[object]], None],
    name: str,
    log_fields: Callable[[], dict[str, object]],
) -> None:
    try:
        on_events(events)
    except Exception:  # a subscriber's problem must never kill the reader
        logger.exception("%s: event delivery failed", name, extra=log_fields())
