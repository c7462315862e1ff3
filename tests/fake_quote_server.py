"""A scripted quote server on the in-memory backend: answers every command, records what it got."""

from __future__ import annotations

import json

import anyio
from anyio.abc import TaskGroup

from tests.memory_socket import MemoryBackend, MemorySocket


class FakeQuoteServer:
    """Answers 14000/14010/14016/14006/14008 like the platform; tests push text frames themselves."""

    def __init__(self, backend: MemoryBackend) -> None:
        self.backend = backend
        self.sockets: list[MemorySocket] = []
        self.frames: list[tuple[int, dict[str, object]]] = []  # (socket index, request)
        self.changed = anyio.Event()
        self.answer = True

    async def serve(self, task_group: TaskGroup) -> None:
        async for socket in self.backend.accepted:
            self.sockets.append(socket)
            task_group.start_soon(self._handle, len(self.sockets) - 1, socket)

    async def _handle(self, index: int, socket: MemorySocket) -> None:
        try:
            while True:
                request = json.loads(await socket.recv())
                self.frames.append((index, request))
                self._bump()
                if not self.answer:
                    continue
                reply = {
                    "ret": 200,
                    "msg": "ok",
                    "cmd_id": request["cmd_id"] + 1,
                    "seq_id": request["seq_id"],
                    "ext": request["ext"],
                    "data": {"tick_list": []} if request["cmd_id"] != 14008 else {},
                }
                await socket.send(json.dumps(reply))
        except Exception:  # the client went away
            self._bump()

    def _bump(self) -> None:
        self.changed.set()
        self.changed = anyio.Event()

    async def wait_for(self, predicate: object, timeout: float = 5) -> None:
        with anyio.fail_after(timeout):
            while not predicate():  # type: ignore[operator]
                await self.changed.wait()

    def commands(self, cmd_id: int, socket: int | None = None) -> list[dict[str, object]]:
        return [f for i, f in self.frames if f["cmd_id"] == cmd_id and (socket is None or i == socket)]

    def last_symbols(self, cmd_id: int, socket: int = 0) -> list[int]:
        frame = self.commands(cmd_id, socket)[-1]
        data = frame["data"]
        assert isinstance(data, dict)
        return [s["symbol_id"] for s in data.get("symbol_list", [])]

    async def push(self, text: str, socket: int = 0) -> None:
        await self.sockets[socket].send(text)
