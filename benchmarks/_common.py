"""What the benchmark scripts share: stopping a server process, the feed servers' listening socket and
event loop, and the quote socket's wire pieces they write (a raw text frame, a reply envelope)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import selectors
import struct
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve

__all__ = ["announced_server", "answer_commands", "reply", "select_loop", "stop_process", "ws_text_frame"]


def stop_process(proc: subprocess.Popen[str]) -> None:
    """Close the child's stdin (its stop signal), then terminate and kill it if it lingers."""
    with contextlib.suppress(OSError):
        if proc.stdin is not None:
            proc.stdin.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


@contextlib.asynccontextmanager
async def announced_server(handler: Callable[[ServerConnection], Awaitable[None]]) -> AsyncIterator[Server]:
    """Serve ``handler`` on a free port of 127.0.0.1 (no compression, no pings, frames up to 1 MiB) and
    write ``{"port": N}`` as the first line of stdout, which the parent process reads."""
    async with serve(
        handler,
        "127.0.0.1",
        0,
        compression=None,
        ping_interval=None,
        max_size=1 << 20,
        server_header=None,
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        sys.stdout.write(json.dumps({"port": port}) + "\n")
        sys.stdout.flush()
        yield server


async def answer_commands(
    ws: ServerConnection, handlers: Mapping[int, Callable[[dict[str, Any]], Awaitable[None]]]
) -> None:
    """Answer one connection's quote commands until it closes: a ``cmd_id`` in ``handlers`` through its
    handler, any other (the 14008 heartbeat too) with an empty reply of ``cmd_id + 1``."""
    try:
        async for message in ws:
            request = json.loads(message)
            cmd_id = request.get("cmd_id")
            if cmd_id in handlers:
                await handlers[cmd_id](request)
            elif isinstance(cmd_id, int):
                await ws.send(reply(cmd_id + 1, request, {}))
    except Exception:  # a client that vanishes mid-run ends only its own connection
        pass


def select_loop() -> asyncio.AbstractEventLoop:
    """The feed servers' event loop, on ``select()``: it takes its timeout in microseconds, where epoll
    rounds it up to whole milliseconds, which would pace sub-millisecond pushes in bursts."""
    return asyncio.SelectorEventLoop(selectors.SelectSelector())


def ws_text_frame(text: str) -> bytes:
    """A complete unmasked, unfragmented server-to-client WebSocket text frame."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 1 << 16:
        return struct.pack("!BBH", 0x81, 126, size) + payload
    return struct.pack("!BBQ", 0x81, 127, size) + payload


def reply(cmd_id: int, request: dict[str, Any], data: dict[str, Any]) -> str:
    """A quote reply envelope (``ret`` 200) echoing the request's ``seq_id`` and ``ext``."""
    return json.dumps(
        {
            "ret": 200,
            "msg": "ok",
            "cmd_id": cmd_id,
            "seq_id": request.get("seq_id"),
            "ext": request.get("ext"),
            "data": data,
        },
        separators=(",", ":"),
    )
