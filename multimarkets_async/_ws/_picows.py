"""An optional, faster socket backend on picows (``pip install "multimarkets-async[fast]"``).

picows parses frames in C and calls back per frame; this adapter queues the payloads so the
connection manager keeps its one small pull interface (connect, send text, receive, close). On this
machine it receives ticker pushes several times faster than the ``websockets`` library
(``benchmarks/stream_throughput.py``). Fragmented messages are reassembled up to ``max_message_size``
(a bigger message fails the connection with close code 1009 and ``ProtocolError``, as websockets'
``max_size`` does); pings are answered by picows; a close or a dropped TCP connection surfaces as
``TransportError`` (``code`` holds the server's close code, when it sent one).
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections import deque
from collections.abc import Awaitable, Callable, Mapping

from .._logging import RedactingLogger
from ..errors import ConfigurationError, ConnectError, HandshakeError, ProtocolError, TransportError
from ..protocol.hints import UNREACHABLE_HINT, add_hint, cannot_connect

try:
    import picows
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError("PicowsBackend needs picows: pip install 'multimarkets-async[fast]'") from exc

__all__ = ["PicowsBackend"]

_TEXT = picows.WSMsgType.TEXT
_BINARY = picows.WSMsgType.BINARY
_CONTINUATION = picows.WSMsgType.CONTINUATION
_CLOSE = picows.WSMsgType.CLOSE


class _Listener(picows.WSListener):
    def __init__(self, max_message_size: int | None = None) -> None:
        self.frames: deque[str | bytes] = deque()
        self.waiter: asyncio.Future[None] | None = None
        self.closed: str | None = None
        self.close_code: int | None = None
        """The close code the server sent, if it closed the connection."""
        self.too_big = False
        self._max = max_message_size
        self._parts: list[bytes] = []
        self._size = 0
        self._binary = False

    def _wake(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def on_ws_frame(self, transport: picows.WSTransport, frame: picows.WSFrame) -> None:
        kind = frame.msg_type
        if kind is _TEXT and frame.fin:  # the hot path: one text frame per message (_wake, inlined)
            self.frames.append(frame.get_payload_as_utf8_text())
            waiter = self.waiter
            if waiter is not None:
                self.waiter = None
                if not waiter.done():
                    waiter.set_result(None)
            return
        if kind is _TEXT or kind is _BINARY or kind is _CONTINUATION:
            if self.closed is not None:
                return
            if kind is not _CONTINUATION:
                self._binary = kind is _BINARY
                self._parts, self._size = [], 0
            # max_frame_size bounds one frame only: bound the reassembled message too.
            self._size += frame.payload_size
            if self._max is not None and self._size > self._max:
                self._too_big(transport)
                return
            self._parts.append(frame.get_payload_as_bytes())
            if frame.fin:
                self._complete()
            return
        elif kind is _CLOSE:
            self.close_code = int(frame.get_close_code().value)
            self.closed = f"closed by the server (code {self.close_code})"
            transport.send_close(frame.get_close_code())
            transport.disconnect()
        else:
            return
        self._wake()

    def _too_big(self, transport: picows.WSTransport) -> None:
        self._parts, self._size = [], 0
        self.too_big = True
        self.closed = f"a fragmented message exceeded {self._max} bytes"
        transport.send_close(picows.WSCloseCode.MESSAGE_TOO_BIG)
        transport.disconnect()
        self._wake()

    def _complete(self) -> None:
        payload = b"".join(self._parts)
        self._parts = []
        self.frames.append(payload if self._binary else payload.decode("utf-8", "replace"))
        self._wake()

    def on_ws_disconnected(self, transport: picows.WSTransport) -> None:
        if self.closed is None:
            self.closed = "the connection dropped"
        self._wake()


class _PicowsConnection:
    __slots__ = ("_listener", "_transport")

    def __init__(self, transport: picows.WSTransport, listener: _Listener) -> None:
        self._transport = transport
        self._listener = listener

    async def send(self, text: str) -> None:
        if self._listener.closed is not None:
            raise TransportError(f"the WebSocket is closed ({self._listener.closed})")
        self._transport.send(_TEXT, text.encode())

    async def recv(self) -> str | bytes:
        listener = self._listener
        if not listener.frames:
            await self._wait()
        return listener.frames.popleft()

    async def recv_batch(self) -> deque[str | bytes]:
        """Every frame queued so far (at least one), oldest first; waits and raises as ``recv`` does."""
        listener = self._listener
        if not listener.frames:
            await self._wait()
        frames, listener.frames = listener.frames, deque()
        return frames

    async def _wait(self) -> None:
        listener = self._listener
        while not listener.frames:
            if listener.too_big:
                raise ProtocolError(f"the WebSocket was closed: {listener.closed}")
            if listener.closed is not None:
                code = None if listener.close_code is None else str(listener.close_code)
                raise TransportError(f"the WebSocket closed ({listener.closed})", code=code)
            listener.waiter = asyncio.get_running_loop().create_future()
            await listener.waiter

    def receiver(self) -> tuple[Callable[[], Awaitable[deque[str | bytes]]], bool, None]:
        """The reader's hot path: every queued frame at once (``recv_batch``); errors are the SDK's."""
        return self.recv_batch, True, None

    async def close(self) -> None:
        if not self._transport.is_disconnected:
            self._transport.send_close(picows.WSCloseCode.OK)
            self._transport.disconnect()
        await self._transport.wait_disconnected()


class PicowsBackend:
    """A ``SocketBackend`` on picows; pass it as ``socket_backend=``.

    Args:
        max_frame_size: largest single frame accepted (picows fails the connection past it).
        max_message_size: largest message accepted once its fragments are joined; ``None`` for no
            limit. A bigger one closes the connection (1009) and ``recv`` raises ``ProtocolError``,
            which the reconnect loop treats as a lost connection.

    picows logs through a ``RedactingLogger`` (``multimarkets_async.ws.wire``), never its own: its
    handshake dump (level 9) would show the URL's token and the headers. It logs no frames.
    """

    def __init__(
        self, *, max_frame_size: int = 16 * 1024 * 1024, max_message_size: int | None = 16 * 1024 * 1024
    ) -> None:
        self._max_frame_size = max_frame_size
        self._max_message_size = max_message_size

    async def connect(
        self, url: str, *, headers: Mapping[str, str], open_timeout: float
    ) -> _PicowsConnection:
        try:
            transport, listener = await picows.ws_connect(
                functools.partial(_Listener, self._max_message_size),
                url,
                websocket_handshake_timeout=open_timeout,
                extra_headers=dict(headers),
                max_frame_size=self._max_frame_size,
                logger_name=RedactingLogger(),  # masks the URL's token and the auth headers
            )
        except picows.WSInvalidURL:  # its text repeats the URL, which may carry a token
            raise ConfigurationError("invalid WebSocket URL (not shown: it may carry a token)") from None
        except picows.WSInvalidStatusError as exc:
            status = getattr(getattr(exc, "response", None), "status", None)
            found = re.search(r"received (\d{3})", str(exc))
            code = int(status) if status is not None else (int(found.group(1)) if found else None)
            message = f"the server refused the WebSocket upgrade with HTTP {code}"
            raise HandshakeError(message, status_code=code) from exc
        except picows.WSError as exc:
            raise HandshakeError(f"WebSocket handshake failed ({type(exc).__name__})") from exc
        except (TimeoutError, OSError) as exc:
            reason = "it did not open in time" if isinstance(exc, TimeoutError) else None
            reason = reason or (exc.strerror if isinstance(exc, OSError) else None) or type(exc).__name__
            raise add_hint(ConnectError(cannot_connect(url, reason)), UNREACHABLE_HINT) from exc
        assert isinstance(listener, _Listener)
        return _PicowsConnection(transport, listener)
