"""What the benchmark scripts share: their common options and ``--profile`` printout, stopping a server
process, the feed servers' listening socket and event loop, and the quote socket's wire pieces they
write (a raw text frame, a reply envelope)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import select
import selectors
import struct
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractContextManager
from typing import IO, Any, TypeVar

from websockets.asyncio.server import Server, ServerConnection, serve

__all__ = [
    "announced_server",
    "answer_commands",
    "load_parser",
    "print_profile",
    "read_json_line",
    "reply",
    "run_with_server",
    "select_loop",
    "stop_process",
    "ws_text_frame",
]

T = TypeVar("T")
S = TypeVar("S")


def load_parser(doc: str, *, quick: str, n: str, repeat: str, profile: str) -> argparse.ArgumentParser:
    """The options of a load benchmark: ``--quick``, ``--n``, ``--repeat`` and ``--profile``, with these
    help texts; the description is the first paragraph of the script's ``doc``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--quick", action="store_true", help=quick)
    parser.add_argument("--n", type=int, help=n)
    parser.add_argument("--repeat", type=int, help=repeat)
    parser.add_argument("--profile", action="store_true", help=profile)
    return parser


async def print_profile(
    run: Callable[[], Awaitable[T]], summary: Callable[[T], str], *, own: int, cumulative: int
) -> None:
    """Await ``run()`` under cProfile; print ``summary`` of its result, then the ``own`` functions with the
    most time of their own and the ``cumulative`` ones with the most time in all."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    result = await run()
    profiler.disable()
    print(summary(result))
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(own)
    stats.sort_stats("cumulative").print_stats(cumulative)


def read_json_line(stream: IO[str] | None, timeout: float, what: str) -> dict[str, Any]:
    """The next line a child process writes to ``stream``, a JSON object; a ``RuntimeError`` naming
    ``what`` (say, "the feed server") if none comes within ``timeout`` seconds or the child has exited."""
    assert stream is not None
    ready, _, _ = select.select([stream], [], [], timeout)
    if not ready:
        raise RuntimeError(f"{what} did not answer within {timeout:g} s")
    line = stream.readline()
    if not line:
        raise RuntimeError(f"{what} process exited unexpectedly")
    answer: dict[str, Any] = json.loads(line)
    return answer


def run_with_server(
    server: AbstractContextManager[S], announce: Callable[[S], str], run: Callable[[S], object], stopped: str
) -> int:
    """Enter ``server`` (a child process that is always stopped), print ``announce`` of it, ``run`` the
    benchmark against it; the exit status: 0, or 130 after Ctrl+C (saying that ``stopped`` was stopped)."""
    try:
        with server as handle:
            print(announce(handle))
            run(handle)
    except KeyboardInterrupt:
        print(f"\ninterrupted; {stopped} was stopped")
        return 130
    return 0


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
