"""A quote-socket server for many products over many connections, for ``scale.py``; its own process.

It speaks the market-data socket just enough for ticker subscribers: a 14000 subscribe *replaces* the
connection's product list and is answered with 14001 (empty snapshot), 14008 heartbeats with 14009, a
14006 cancel clears the list and is answered with 14007, any other command with an empty
``cmd_id + 1`` reply.

The pushes run in *sessions*. A session starts when every product of the pumped range (symbol ids
``1001 .. 1000 + products``, trade type 1, trade mode 1) is subscribed, over however many connections;
it then sends ``rate`` ``p(`` pushes per second in total for ``seconds``, one record per text frame,
cycling through the products in a fixed shuffled order (so every product gets ``rate / products``
pushes a second and consecutive pushes go to different connections). Each push carries its send time
(``time.time_ns()``) in the opaque ``seq`` field. Then every connection of the session gets one
sentinel push (``seq`` 0) for one of its products, the server prints
``{"session": k, "sent": n, "seconds": s, "cpu_s": c}`` on stdout, and waits until no product is
subscribed any more before the next session may start. Products outside the range (an idle client's)
are answered but never pushed to and never start a session.

Protocol with the parent process: the server prints ``{"port": N}`` once it listens on 127.0.0.1, then
one line per session; end of stdin stops it. Ctrl+C is ignored here: the parent owns it.

Run: ``python benchmarks/_scale_server.py --products 1000 --rate 5000 --seconds 10`` (``scale.py``
starts it for you).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
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

__all__ = ["FIRST_SYMBOL", "main", "ws_text_frame"]

FIRST_SYMBOL = 1001
"""Symbol id of the first pumped product; products are ``FIRST_SYMBOL + i``, trade type 1, mode 1."""
PRICES = "1.08500,1.08499,1.08501,100,200"
Key = tuple[int, int, int]


class Feed:
    """Who subscribed which products, and the session pump."""

    def __init__(self, products: int, rate: float, seconds: float) -> None:
        self.pumped: set[Key] = {(FIRST_SYMBOL + i, 1, 1) for i in range(products)}
        self.order = sorted(self.pumped)
        random.Random(12).shuffle(self.order)  # fixed: every run pushes in the same order
        self.rate = rate
        self.seconds = seconds
        self.lists: dict[ServerConnection, list[Key]] = {}
        self.changed = asyncio.Event()
        self.sessions = 0

    def subscribed(self) -> dict[Key, ServerConnection]:
        """Each subscribed product of the pumped range and the connection that carries it."""
        return {key: ws for ws, keys in self.lists.items() for key in keys if key in self.pumped}

    def set_list(self, ws: ServerConnection, keys: list[Key]) -> None:
        if keys:
            self.lists[ws] = keys
        else:
            self.lists.pop(ws, None)
        self.changed.set()

    async def _wait_for(self, done: Any) -> None:
        while not done():
            self.changed.clear()
            await self.changed.wait()

    async def run(self) -> None:
        """Sessions forever: wait for the full product range, pump, sentinel, wait for everyone to leave."""
        while True:
            await self._wait_for(lambda: len(self.subscribed()) == len(self.pumped))
            await self.session()
            await self._wait_for(lambda: not self.subscribed())

    async def session(self) -> None:
        homes = self.subscribed()
        targets = [(homes[key].transport, f"{key[0]},{key[1]},{key[2]}") for key in self.order]
        count = len(targets)
        clock = time.perf_counter
        now_ns = time.time_ns
        total = int(self.rate * self.seconds)
        cpu0 = time.process_time()
        start = clock()
        sent = 0
        while sent < total:
            due = min(total, int((clock() - start) * self.rate) + 1)
            while sent < due:
                transport, symbol = targets[sent % count]
                if not transport.is_closing():
                    stamp = now_ns()
                    transport.write(ws_text_frame(f"p({symbol},{stamp},{stamp // 1_000_000},{PRICES});"))
                sent += 1
            delay = start + sent / self.rate - clock()
            if delay > 0:
                await asyncio.sleep(delay)
        elapsed = clock() - start
        ms = time.time_ns() // 1_000_000
        for ws, keys in list(self.lists.items()):
            mine = [key for key in keys if key in self.pumped]
            if mine and not ws.transport.is_closing():
                key = mine[0]
                ws.transport.write(ws_text_frame(f"p({key[0]},{key[1]},{key[2]},0,{ms},{PRICES});"))
        self.sessions += 1
        line = {
            "session": self.sessions,
            "sent": sent,
            "seconds": elapsed,
            "cpu_s": time.process_time() - cpu0,
        }
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()

    async def handler(self, ws: ServerConnection) -> None:
        """Answer the commands of one connection; forget its products when it closes."""

        async def subscribe(request: dict[str, Any]) -> None:
            symbols = request.get("data", {}).get("symbol_list") or []
            keys = [(s["symbol_id"], s["trade_type"], s["trade_mode"]) for s in symbols]
            await ws.send(reply(14001, request, {"tick_list": []}))
            self.set_list(ws, keys)  # after the reply: pushes never precede it

        async def unsubscribe(request: dict[str, Any]) -> None:
            self.set_list(ws, [])
            await ws.send(reply(14007, request, {}))

        try:
            await answer_commands(ws, {14000: subscribe, 14006: unsubscribe})
        finally:
            self.set_list(ws, [])


async def wait_for_stdin_eof() -> None:
    """Return when the parent closes our stdin (or dies)."""
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, sys.stdin.readline):
        pass


async def main(products: int, rate: float, seconds: float) -> None:
    """Listen on 127.0.0.1, print the port, run sessions until stdin closes."""
    feed = Feed(products, rate, seconds)
    async with announced_server(feed.handler) as server:
        pump = asyncio.create_task(feed.run())
        try:
            await wait_for_stdin_eof()
        finally:
            pump.cancel()
            server.close(close_connections=True)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl+C and closes our stdin
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=5000.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with asyncio.Runner(loop_factory=select_loop) as runner:
        runner.run(main(args.products, args.rate, args.seconds))
