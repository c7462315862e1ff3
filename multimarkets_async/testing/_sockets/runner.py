"""The tasks behind every simulator socket: handshake refusal, accept, reader, writer, idle watchdog.

Every socket connection (market data, message push, Client RPC) runs the same way, in
``run_session``: accept, then one task group per connection holding a **writer** (the only task
that sends, fed by the session's bounded queue), an **idle watchdog** and the **reader** (parses each
client frame, records it and hands it to the dialect's handler). The task group lives in the
connection's ASGI task, which uvicorn's graceful shutdown waits for; the simulator closes every
session before it stops the server, so shutdown is prompt and leaves no task behind.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream
from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from .._faults.sockets import SocketKind
from .registry import SocketRegistry
from .session import INVALID, Close, FrameHandler, OutFrame, SocketSession, loads_lenient

__all__ = ["deny", "refuse_handshake", "run_session"]


async def refuse_handshake(websocket: WebSocket, registry: SocketRegistry, kind: SocketKind) -> bool:
    """Refuse the handshake if a ``refuse_handshakes`` fault (or shutdown) says so; True when refused."""
    status = 503 if registry._closing else registry.faults._take_refusal(kind)
    if status is None:
        return False
    registry.counters[kind].refused += 1
    registry._notify()
    await websocket.send_denial_response(Response(b"", status))
    return True


async def deny(websocket: WebSocket, registry: SocketRegistry, kind: SocketKind) -> None:
    """Refuse the handshake with HTTP 403 (close before accept), e.g. for a bad token."""
    registry.counters[kind].refused += 1
    registry._notify()
    await websocket.close(code=1008)


async def run_session(
    websocket: WebSocket,
    session: SocketSession,
    handler: FrameHandler,
    *,
    idle_timeout: float | None,
    on_open: Callable[[], None] | None = None,
) -> None:
    """Accept the connection and serve it until either side ends it (see the module docstring).

    ``on_open`` runs once the session is registered and can queue frames (a replay), before the
    first client frame is read.
    """
    registry = session._registry
    await websocket.accept()
    session._scope = {"client": websocket.scope.get("client")}  # what Simulator._drop needs
    send, receive = anyio.create_memory_object_stream[OutFrame | Close](max_buffer_size=registry.queue_size)
    with send, receive:
        session._send = send
        session._last_seen = anyio.current_time()
        registry._opened(session)
        if on_open is not None:
            on_open()
        try:
            async with anyio.create_task_group() as tg:
                session._task_group, session._cancel = tg, tg.cancel_scope
                tg.start_soon(_writer, websocket, session, receive)
                if idle_timeout is not None:
                    tg.start_soon(_watchdog, session, idle_timeout)
                await _reader(websocket, session, handler)
                tg.cancel_scope.cancel()
        finally:
            session._send = None
            registry._finished(session)
    forced = session._forced_close
    if forced is not None and websocket.application_state == WebSocketState.CONNECTED:
        session.close_code = forced.code
        with contextlib.suppress(WebSocketDisconnect, OSError, RuntimeError):
            await websocket.close(forced.code, forced.reason)


async def _reader(websocket: WebSocket, session: SocketSession, handler: FrameHandler) -> None:
    registry = session._registry
    counters = registry.counters[session.kind]
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        raw: str | bytes = message["text"] if message.get("text") is not None else message.get("bytes", b"")
        session._last_seen = anyio.current_time()
        if isinstance(raw, str):
            parsed = loads_lenient(raw)
        else:
            try:
                parsed = loads_lenient(raw.decode("utf-8"))
            except UnicodeDecodeError:
                parsed = INVALID
        session.received.append(raw if parsed is INVALID else parsed)
        counters.frames_received += 1
        registry._notify()
        silence = registry.faults._silence(session.kind, session.id)
        if silence is not None:
            silence.ignored += 1
            continue
        await handler(session, parsed, raw)


async def _send_frame(websocket: WebSocket, frame: OutFrame) -> None:
    if isinstance(frame, str):
        await websocket.send_text(frame)
    else:
        await websocket.send_bytes(frame)


async def _writer(
    websocket: WebSocket, session: SocketSession, receive: MemoryObjectReceiveStream[OutFrame | Close]
) -> None:
    registry = session._registry
    counters = registry.counters[session.kind]
    try:
        async for item in receive:
            if isinstance(item, Close):
                session.close_code = item.code
                await websocket.close(item.code, item.reason)
                return
            silence = registry.faults._silence(session.kind, session.id)
            if silence is not None:
                silence.suppressed += 1
                counters.suppressed += 1
                registry._notify()
                continue
            while session._garbage:
                handle, garbage = session._garbage.pop(0)
                await websocket.send_text(garbage)
                handle._fire()
                session.frames_sent += 1
                counters.frames_sent += 1
            await _send_frame(websocket, item)
            session.frames_sent += 1
            counters.frames_sent += 1
            registry._notify()
    except (WebSocketDisconnect, OSError, RuntimeError):
        # The client went away mid-send; the reader sees the disconnect and ends the connection.
        if session._cancel is not None:
            session._cancel.cancel()


async def _watchdog(session: SocketSession, timeout: float) -> None:
    faults = session._registry.faults
    while True:
        delay = session._last_seen + timeout - anyio.current_time()
        if delay > 0:
            await anyio.sleep(delay)
            continue
        if faults._silence(session.kind, session.id) is not None:  # a silent server drops nobody
            session._last_seen = anyio.current_time()
            continue
        session.close(1000, "idle timeout")
        return
