"""A minimal quote-socket server for ``stream_throughput.py``, run in its own process.

It speaks the market-data socket just enough for one ticker subscriber: it answers the 14000 subscribe
with a 14001 reply (empty snapshot), 14008 heartbeats with 14009, a 14006 cancel with 14007 (and any
other command with an empty ``cmd_id + 1`` reply), and after the 14001 reply it sends ``p(`` ticker
pushes, one record per text frame, then a sentinel push whose ``seq`` is 0:

* ``throughput`` mode: ``n`` pushes as fast as the socket takes them. The frames are built before the
  subscription is answered (and cached), then written straight to the transport in large chunks, so
  the server spends next to no CPU while the client is measured.
* ``latency`` mode: ``n`` pushes at ``rate`` per second, each carrying its send time
  (``time.time_ns()``) in the opaque ``seq`` field, for the client to compute one-way latency.

Protocol with the parent process: the server prints ``{"port": N}`` once it listens on 127.0.0.1, then
reads one JSON command per line on stdin (``{"mode": "throughput", "n": 200000}`` or
``{"mode": "latency", "n": 6000, "rate": 2000}``), applies it to the next connections and answers
``{"ok": true}``. End of stdin stops it. Ctrl+C is ignored here: the parent owns it and closes stdin.

Run: ``python benchmarks/_feed_server.py`` (the benchmark starts it for you).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from typing import Any

from _common import (  # benchmarks/ is the script's directory
    announced_server,
    answer_commands,
    reply,
    select_loop,
    ws_text_frame,
)
from websockets.asyncio.server import ServerConnection

__all__ = ["build_frames", "main", "ws_text_frame"]

SYMBOL = "1001,1,1"
PRICES = "1.08500,1.08499,1.08501,100,200"
CHUNK_FRAMES = 2048
"""Frames per transport write in throughput mode."""
HIGH_WATER = 1 << 20
"""Stop writing while more than this many bytes wait in the transport buffer."""
_config: dict[str, Any] = {"mode": "throughput", "n": 1000}
_frame_cache: dict[int, list[bytes]] = {}


def push_text(seq: int, tick_ms: int) -> str:
    """One ``p(`` record in the 10-field form, with the given ``seq`` and ``tick_time``."""
    return f"p({SYMBOL},{seq},{tick_ms},{PRICES});"


def build_frames(n: int) -> list[bytes]:
    """The throughput run's ``n`` pushes (seq 1..n) and the sentinel, joined into write chunks."""
    cached = _frame_cache.get(n)
    if cached is not None:
        return cached
    tick_ms = time.time_ns() // 1_000_000
    frames = [ws_text_frame(push_text(seq, tick_ms)) for seq in range(1, n + 1)]
    frames.append(ws_text_frame(push_text(0, tick_ms)))
    chunks = [b"".join(frames[i : i + CHUNK_FRAMES]) for i in range(0, len(frames), CHUNK_FRAMES)]
    _frame_cache.clear()
    _frame_cache[n] = chunks
    return chunks


async def blast_throughput(ws: ServerConnection, chunks: list[bytes]) -> None:
    """Write every prepared chunk, waiting only while the transport buffer is full."""
    transport = ws.transport
    for chunk in chunks:
        while transport.get_write_buffer_size() > HIGH_WATER:
            if transport.is_closing():
                return
            await asyncio.sleep(0.001)
        if transport.is_closing():
            return
        transport.write(chunk)


async def blast_latency(ws: ServerConnection, n: int, rate: float) -> None:
    """Send ``n`` pushes at ``rate`` per second, each stamped with its send time in ``seq``."""
    transport = ws.transport
    clock = time.perf_counter
    start = clock()
    for i in range(n):
        delay = start + i / rate - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        if transport.is_closing():
            return
        now_ns = time.time_ns()
        transport.write(ws_text_frame(push_text(now_ns, now_ns // 1_000_000)))
    transport.write(ws_text_frame(push_text(0, time.time_ns() // 1_000_000)))


async def handler(ws: ServerConnection) -> None:
    """Answer the commands of one connection; start the pushes after the first ticker subscribe."""
    config = dict(_config)
    chunks = build_frames(int(config["n"])) if config["mode"] == "throughput" else []
    blast: asyncio.Task[None] | None = None

    async def subscribe(request: dict[str, Any]) -> None:
        nonlocal blast
        await ws.send(reply(14001, request, {"tick_list": []}))
        if blast is None and request.get("data", {}).get("symbol_list"):
            if config["mode"] == "throughput":
                blast = asyncio.create_task(blast_throughput(ws, chunks))
            else:
                blast = asyncio.create_task(blast_latency(ws, int(config["n"]), float(config["rate"])))

    try:
        await answer_commands(ws, {14000: subscribe})
    finally:
        if blast is not None:
            blast.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await blast


async def read_commands() -> None:
    """Apply the parent's commands until stdin closes."""
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        command = json.loads(line)
        _config.clear()
        _config.update(command)
        if command["mode"] == "throughput":
            build_frames(int(command["n"]))  # prepared now, not while a client is being measured
        sys.stdout.write(json.dumps({"ok": True}) + "\n")
        sys.stdout.flush()


async def main() -> None:
    """Listen on 127.0.0.1, print the port, serve until stdin closes."""
    async with announced_server(handler) as server:
        await read_commands()
        server.close(close_connections=True)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl+C and closes our stdin
    with asyncio.Runner(loop_factory=select_loop) as runner:
        runner.run(main())
