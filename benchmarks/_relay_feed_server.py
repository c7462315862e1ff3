"""A quote-socket server for ``relay_throughput.py``: ticker pushes over several products, held until the
parent says "go"; its own process.

It speaks the market-data socket just enough for ticker subscribers: a 14000 subscribe *replaces* the
connection's product list and is answered with 14001 (empty snapshot), a 14006 cancel clears it
(14007), heartbeats and any other command get an empty ``cmd_id + 1`` reply. The products are symbol
ids ``1001 .. 1000 + products``, trade type 1, trade mode 1 (``FIRST_SYMBOL``); all of them must be
on one connection (the SDK puts up to 100 products on one), which is the connection the pushes go to.

Unlike ``_feed_server.py`` the pushes do not start on the subscribe: the subscriber may be a relay
whose own readers (other processes, behind NATS) are not subscribed yet. They start on the parent's
``{"go": true}``, and cycle through the products in order (push ``i`` goes to product ``i % products``):

* ``throughput`` mode: ``n`` pushes (``seq`` 1..n) written as fast as the socket takes them, from
  frames built when the mode was set, then one sentinel push (``seq`` 0) per product.
* ``latency`` mode: ``n`` pushes at ``rate`` per second, each carrying its send time
  (``time.time_ns()``) in the opaque ``seq`` field, then one sentinel per product.

Protocol with the parent process: the server prints ``{"port": N}`` once it listens on 127.0.0.1, then
answers each JSON command line on stdin with one JSON line: ``{"mode": "throughput", "n": 100000,
"products": 100}`` or ``{"mode": "latency", "n": 6000, "rate": 2000, "products": 100}`` ->
``{"ok": true}``; ``{"go": true}`` -> ``{"ok": true}`` once the pushes started, or ``{"ok": false,
"error": "..."}`` when no connection carries every product. End of stdin stops it. Ctrl+C is ignored
here: the parent owns it and closes stdin.

Run: ``python benchmarks/_relay_feed_server.py`` (the benchmark starts it for you).
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

__all__ = ["FIRST_SYMBOL", "main"]

FIRST_SYMBOL = 1001
"""Symbol id of the first product; product ``i`` is ``(FIRST_SYMBOL + i, 1, 1)``."""
PRICES = "1.08500,1.08499,1.08501,100,200"
CHUNK_FRAMES = 2048
"""Frames per transport write in throughput mode."""
HIGH_WATER = 1 << 20
"""Stop writing while more than this many bytes wait in the transport buffer."""


def push_frame(symbol_id: int, seq: int, tick_ms: int) -> bytes:
    """One ``p(`` record in the 10-field form, as a complete WebSocket text frame."""
    return ws_text_frame(f"p({symbol_id},1,1,{seq},{tick_ms},{PRICES});")


class Feed:
    """The current mode, who subscribed what, and the running pump."""

    def __init__(self) -> None:
        self.config: dict[str, Any] = {"mode": "throughput", "n": 1000, "products": 1}
        self.chunks: list[bytes] = []
        self.lists: dict[ServerConnection, set[int]] = {}
        self.pump: asyncio.Task[None] | None = None

    def set_mode(self, command: dict[str, Any]) -> None:
        """Apply a mode command; in throughput mode build the frames now, not while a client is measured."""
        self.config = command
        products = int(command["products"])
        if command["mode"] == "throughput":
            tick_ms = time.time_ns() // 1_000_000
            n = int(command["n"])
            frames = [push_frame(FIRST_SYMBOL + i % products, i + 1, tick_ms) for i in range(n)]
            frames += [push_frame(FIRST_SYMBOL + i, 0, tick_ms) for i in range(products)]
            self.chunks = [
                b"".join(frames[i : i + CHUNK_FRAMES]) for i in range(0, len(frames), CHUNK_FRAMES)
            ]
        else:
            self.chunks = []

    def go(self) -> str | None:
        """Start the pushes; the reason why not, or ``None``."""
        wanted = {FIRST_SYMBOL + i for i in range(int(self.config["products"]))}
        homes = [ws for ws, ids in self.lists.items() if wanted <= ids and not ws.transport.is_closing()]
        if not homes:
            return f"no connection subscribed all {len(wanted)} products"
        if self.pump is not None and not self.pump.done():
            return "the previous pushes are still being sent"
        ws = homes[-1]
        if self.config["mode"] == "throughput":
            self.pump = asyncio.create_task(self.blast(ws))
        else:
            self.pump = asyncio.create_task(self.paced(ws))
        return None

    async def blast(self, ws: ServerConnection) -> None:
        """Write every prepared chunk, waiting only while the transport buffer is full."""
        transport = ws.transport
        for chunk in self.chunks:
            while transport.get_write_buffer_size() > HIGH_WATER:
                if transport.is_closing():
                    return
                await asyncio.sleep(0.001)
            if transport.is_closing():
                return
            transport.write(chunk)

    async def paced(self, ws: ServerConnection) -> None:
        """Send ``n`` pushes at ``rate`` per second, each stamped with its send time in ``seq``."""
        n, rate = int(self.config["n"]), float(self.config["rate"])
        products = int(self.config["products"])
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
            transport.write(push_frame(FIRST_SYMBOL + i % products, now_ns, now_ns // 1_000_000))
        tick_ms = time.time_ns() // 1_000_000
        transport.write(b"".join(push_frame(FIRST_SYMBOL + i, 0, tick_ms) for i in range(products)))

    async def handler(self, ws: ServerConnection) -> None:
        """Answer the commands of one connection; forget its products when it closes."""

        async def subscribe(request: dict[str, Any]) -> None:
            symbols = request.get("data", {}).get("symbol_list") or []
            await ws.send(reply(14001, request, {"tick_list": []}))
            self.lists[ws] = {int(s["symbol_id"]) for s in symbols}

        async def unsubscribe(request: dict[str, Any]) -> None:
            self.lists.pop(ws, None)
            await ws.send(reply(14007, request, {}))

        try:
            await answer_commands(ws, {14000: subscribe, 14006: unsubscribe})
        finally:
            self.lists.pop(ws, None)

    async def stop(self) -> None:
        if self.pump is not None:
            self.pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.pump


async def read_commands(feed: Feed) -> None:
    """Apply the parent's commands until stdin closes; one answer line each."""
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        command = json.loads(line)
        answer: dict[str, Any] = {"ok": True}
        if command.get("go"):
            error = feed.go()
            if error is not None:
                answer = {"ok": False, "error": error}
        else:
            feed.set_mode(command)
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


async def main() -> None:
    """Listen on 127.0.0.1, print the port, serve until stdin closes."""
    feed = Feed()
    async with announced_server(feed.handler) as server:
        try:
            await read_commands(feed)
        finally:
            await feed.stop()
            server.close(close_connections=True)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl+C and closes our stdin
    with asyncio.Runner(loop_factory=select_loop) as runner:
        runner.run(main())
