"""The byte-moving seam of the sockets: the ``SocketBackend`` interface and its websockets implementation.

A backend opens sockets and moves text frames (connect, send, receive, close; optionally a control
ping). This is the only place that imports websockets; its exceptions become the SDK's here
(``map_websockets_exception``), always raised ``from`` the original. websockets logs through a
``RedactingLogger`` (``multimarkets_async.ws.wire``), never its own: its handshake and frame dumps
would otherwise show the tokens and the API key the URLs, headers and frames carry.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeAlias

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect

from .._logging import RedactingLogger
from ..errors import (
    ConfigurationError,
    ConnectError,
    HandshakeError,
    MultiMarketsError,
    ProtocolError,
    RequestTimeoutError,
    TransportError,
)
from ..protocol.hints import UNREACHABLE_HINT, add_hint, cannot_connect

__all__ = ["Receiver", "SocketBackend", "SocketConnection", "WebsocketsBackend", "map_websockets_exception"]


class SocketConnection(Protocol):
    """One open socket, as the manager needs it."""

    async def send(self, text: str) -> None:
        """Send a text frame."""

    async def recv(self) -> str | bytes:
        """Receive the next data frame; raise ``TransportError`` when the socket closes."""

    async def close(self) -> None:
        """Close the socket (idempotent)."""


Receiver: TypeAlias = tuple[
    Callable[[], Awaitable[Any]], bool, Callable[[BaseException], MultiMarketsError | None] | None
]
"""What a connection's optional ``receiver()`` returns to the reader: the receive call; whether it
returns a batch (every frame queued, oldest first, at least one) rather than one frame; and the
translation of a foreign exception it raises into the SDK's (``None`` for anything else; no
translation needed when the call raises SDK errors itself)."""


class SocketBackend(Protocol):
    """Opens sockets. The default is ``WebsocketsBackend``."""

    async def connect(self, url: str, *, headers: Mapping[str, str], open_timeout: float) -> SocketConnection:
        """Open a socket to ``url`` with extra handshake ``headers``."""


def _describe(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:  # a half-built exception must not break the translation
        text = ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def map_websockets_exception(exc: BaseException, *, url: str | None = None) -> MultiMarketsError:
    """Translate a websockets (or socket-level) exception into the SDK's tree.

    With the ``url`` being opened, a connection that could not be made names its host and port (never
    the path or query, which carry tokens or the API key) and asks whether ``base_url`` is right.
    """
    if isinstance(exc, websockets.exceptions.InvalidStatus):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        return HandshakeError(
            f"the server refused the WebSocket upgrade with HTTP {status}", status_code=status
        )
    if isinstance(exc, websockets.exceptions.InvalidURI):  # its text repeats the URL (and any token)
        reason = getattr(exc, "msg", None) or "malformed"
        return ConfigurationError(f"invalid WebSocket URL ({reason}; the URL is not shown)")
    if isinstance(exc, websockets.exceptions.InvalidHandshake):
        return HandshakeError(f"WebSocket handshake failed: {type(exc).__name__}")
    if isinstance(exc, websockets.exceptions.ConnectionClosed):
        received = getattr(exc, "rcvd", None)  # the server's close frame, if it sent one: its code says why
        code = None if received is None else str(received.code)
        return TransportError(f"the WebSocket closed ({_describe(exc)})", code=code)
    if isinstance(exc, websockets.exceptions.PayloadTooBig):
        return ProtocolError(f"a WebSocket frame was too big ({_describe(exc)})")
    if isinstance(exc, TimeoutError):
        if url is not None:
            return add_hint(
                RequestTimeoutError(cannot_connect(url, "it did not open in time")), UNREACHABLE_HINT
            )
        return RequestTimeoutError("the WebSocket did not open in time")
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        if url is not None:
            return add_hint(ConnectError(cannot_connect(url, reason)), UNREACHABLE_HINT)
        return ConnectError(f"could not connect: {reason}")
    return TransportError(f"WebSocket failure ({_describe(exc)})")


def _translate_foreign(exc: BaseException) -> MultiMarketsError | None:
    """The SDK error for a websockets (or socket) exception; ``None`` for anything else."""
    if isinstance(exc, websockets.exceptions.WebSocketException | OSError):
        return map_websockets_exception(exc)
    return None


class _WebsocketsConnection:
    __slots__ = ("_ws",)

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws

    async def send(self, text: str) -> None:
        try:
            await self._ws.send(text)
        except (websockets.exceptions.WebSocketException, OSError) as exc:
            raise map_websockets_exception(exc) from exc

    async def recv(self) -> str | bytes:
        try:
            return await self._ws.recv()
        except (websockets.exceptions.WebSocketException, OSError) as exc:
            raise map_websockets_exception(exc) from exc

    def receiver(self) -> Receiver:
        """The reader's hot path: websockets' own ``recv`` and the translation of what it raises.

        ``recv`` above wraps every frame in a coroutine of its own; the reader instead awaits the
        library's ``recv`` directly and translates an exception once, where its loop ends.
        """
        return self._ws.recv, False, _translate_foreign

    async def close(self) -> None:
        with contextlib.suppress(websockets.exceptions.WebSocketException, OSError):  # already gone
            await self._ws.close()

    async def ping(self) -> float:
        """Send a control ping and return the round trip when its pong arrives."""
        try:
            waiter = await self._ws.ping()
            return float(await waiter)
        except (websockets.exceptions.WebSocketException, OSError) as exc:
            raise map_websockets_exception(exc) from exc


class WebsocketsBackend:
    """The default backend, on the ``websockets`` library (asyncio implementation).

    Args:
        max_size: the largest message accepted, in bytes (``None``: no limit).
        log_frames: at DEBUG, log data frames' payloads (credentials masked, shortened) on
            ``multimarkets_async.ws.wire``; by default only their type and size are logged.
    """

    def __init__(self, *, max_size: int | None = 16 * 1024 * 1024, log_frames: bool = False) -> None:
        self._max_size = max_size
        self._logger = RedactingLogger(log_frames=log_frames)

    async def connect(self, url: str, *, headers: Mapping[str, str], open_timeout: float) -> SocketConnection:
        try:
            ws = await ws_connect(
                url,
                additional_headers=dict(headers),
                open_timeout=open_timeout,
                ping_interval=None,  # each dialect has its own heartbeat (_heartbeat.py)
                compression=None,
                max_size=self._max_size,
                proxy=None,
                user_agent_header="multimarkets-async",
                logger=self._logger,  # masks the token in the URL, auth headers and frames
            )
        except websockets.exceptions.InvalidURI as exc:
            raise map_websockets_exception(exc) from None  # the original names the URL
        except (websockets.exceptions.WebSocketException, OSError, TimeoutError) as exc:
            raise map_websockets_exception(exc, url=url) from exc
        return _WebsocketsConnection(ws)
