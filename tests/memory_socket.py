"""An in-memory socket backend for testing the connection manager without a network."""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from multimarkets_async.errors import MultiMarketsError, ProtocolError, TransportError
from multimarkets_async.protocol.dialects import Inbound


class MemorySocket:
    """One end of an in-memory socket."""

    def __init__(
        self, send: MemoryObjectSendStream[str | bytes], recv: MemoryObjectReceiveStream[str | bytes]
    ):
        self._send = send
        self._recv = recv
        self.url = ""
        self.headers: dict[str, str] = {}

    async def send(self, text: str | bytes) -> None:
        try:
            await self._send.send(text)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
            raise TransportError("memory socket closed") from exc

    async def recv(self) -> str | bytes:
        try:
            return await self._recv.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError) as exc:
            raise TransportError("memory socket closed") from exc

    async def close(self) -> None:
        self._send.close()
        self._recv.close()


class MemoryBackend:
    """Connects to an in-memory "server": each connect yields the server end on ``accepted``."""

    def __init__(self) -> None:
        self.refuse: list[MultiMarketsError] = []
        self.connects = 0
        self.sockets: list[MemorySocket] = []
        self._accepted_send, self.accepted = anyio.create_memory_object_stream[MemorySocket](100)

    async def connect(self, url: str, *, headers: Mapping[str, str], open_timeout: float) -> MemorySocket:
        self.connects += 1
        if self.refuse:
            raise self.refuse.pop(0)
        a_send, b_recv = anyio.create_memory_object_stream[str | bytes](1000)
        b_send, a_recv = anyio.create_memory_object_stream[str | bytes](1000)
        client = MemorySocket(a_send, a_recv)
        server = MemorySocket(b_send, b_recv)
        server.url = url
        server.headers = dict(headers)
        self.sockets += [client, server]
        self._accepted_send.send_nowait(server)
        return client

    async def aclose(self) -> None:
        """Close every socket and the accept queue (no resource warnings)."""
        for socket in self.sockets:
            await socket.close()
        self._accepted_send.close()
        self.accepted.close()


class JsonDialect:
    """A toy dialect: ``{"id": n}`` requests/replies, ``{"ping": n}``/``{"pong": n}``, ``{"event": x}``."""

    def __init__(self, ping_interval: float = 10.0, dead_after: float = 30.0) -> None:
        self.ping_interval = ping_interval
        self.dead_after = dead_after

    def encode_ping(self, seq: int) -> tuple[str, Hashable | None]:
        return json.dumps({"ping": seq}), seq

    def decode(self, frame: str | bytes) -> Inbound:
        try:
            obj = json.loads(frame)
        except ValueError as exc:
            raise ProtocolError("not json") from exc
        if "pong" in obj:
            return Inbound(pong=True, pong_id=obj["pong"])
        if "end" in obj:
            from multimarkets_async.errors import SessionEndedError

            error = SessionEndedError("server ended the session")
            return Inbound(session_error=error)
        if "event" in obj:
            return Inbound(events=(obj["event"],))
        if "id" in obj:
            return Inbound(correlation=obj["id"], reply=obj.get("reply"))
        return Inbound()
