"""The SDK's logger names and structured fields, and keeping secrets out of logs.

One logger per layer (``LOGGER_NAMES``, documented in ``docs/logging.md``); each record carries its
layer's fields as ``extra`` (``http_fields``, ``socket_fields``), plain attributes of the record that
JSON formatters pick up. None of them is ever a credential.

The socket libraries log their handshakes and frames at DEBUG: the request line (the quote socket
carries the login token in ``?token=``, the message socket the API key in ``/openMsg/<key>``), every
header (the Manager company token), and the first bytes of every frame (the push token is in each
message-socket frame). ``RedactingLogger`` is the ``LoggerAdapter`` the backends hand to their library
instead of its default logger. For each record it renders the message once, masks credential values
with ``redact`` (query values, ``/openMsg/`` path segments, credential headers, JSON fields), formats
any exception into the text so its message is masked too, and passes on a record without arguments.
Data-frame dumps become ``TEXT [123 bytes]`` unless the backend was built with ``log_frames=True``,
in which case the whole payload is masked first and then shortened.

This module is pure: it imports only the standard library (``logging``, ``re``, ``traceback``).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Mapping, MutableMapping
from typing import Any, Protocol

__all__ = [
    "CLIENT_LOGGER",
    "HTTP_FIELDS",
    "HTTP_LOGGER",
    "LOGGER_NAMES",
    "MASK",
    "RELAY_LOGGER",
    "SECRET_NAMES",
    "SIMULATOR_LOGGER",
    "SOCKET_FIELDS",
    "STREAMS_LOGGER",
    "WEBHOOKS_LOGGER",
    "WEBHOOK_FIELDS",
    "WIRE_LOGGER",
    "WS_LOGGER",
    "RedactingLogger",
    "http_fields",
    "redact",
    "socket_fields",
    "webhook_fields",
]

MASK = "***"
"""What a masked value is replaced with."""

CLIENT_LOGGER = "multimarkets_async.client"
"""The clients and their resources: login, re-login, Manager authorization, background task failures."""
HTTP_LOGGER = "multimarkets_async.http"
"""HTTP calls: each attempt (DEBUG), retries, base-URL fallbacks, 429 pauses, calls given up."""
WS_LOGGER = "multimarkets_async.ws"
"""Managed sockets: connect, reconnect, give up, silent peers, malformed frames."""
WIRE_LOGGER = "multimarkets_async.ws.wire"
"""The logger the socket libraries log to (their handshake and frame logs, redacted)."""
STREAMS_LOGGER = "multimarkets_async.streams"
"""Subscriptions and the feeds behind them: failed subscriptions, refused lists, kick-outs."""
WEBHOOKS_LOGGER = "multimarkets_async.webhooks"
"""The server side of the platform's calls: refusals, replays, failing callbacks (each call at DEBUG)."""
RELAY_LOGGER = "multimarkets_async.relay"
"""The NATS relay and its feeds: role changes, NATS connections, give-ups, undecodable payloads."""
SIMULATOR_LOGGER = "multimarkets_async.simulator"
"""The simulator in ``multimarkets_async.testing``: start, stop, injected connection drops."""

LOGGER_NAMES: tuple[str, ...] = (
    CLIENT_LOGGER,
    HTTP_LOGGER,
    WS_LOGGER,
    WIRE_LOGGER,
    STREAMS_LOGGER,
    WEBHOOKS_LOGGER,
    RELAY_LOGGER,
    SIMULATOR_LOGGER,
)
"""Every logger the SDK logs to; all are children of ``multimarkets_async`` (which has a NullHandler)."""

HTTP_FIELDS: tuple[str, ...] = ("biz_type", "trace", "attempt", "status", "elapsed_ms")
"""The ``extra`` fields of ``multimarkets_async.http`` records (``None`` where not known)."""
SOCKET_FIELDS: tuple[str, ...] = ("connection", "state", "reconnects", "latency_ms")
"""The ``extra`` fields of ``multimarkets_async.ws`` records and of stream records about a connection."""


def http_fields(
    biz_type: str,
    *,
    trace: str | None = None,
    attempt: int | None = None,
    status: int | None = None,
    elapsed_ms: float | None = None,
    **more: object,
) -> dict[str, object]:
    """The ``extra`` of an HTTP record: the operation, its trace, the 1-based attempt, the HTTP
    status (``None`` without an answer) and the attempt's time in ms (rounded to 0.1 ms), plus
    ``more`` (a record's own fields, such as ``delay_s``)."""
    return {
        "biz_type": biz_type,
        "trace": trace,
        "attempt": attempt,
        "status": status,
        "elapsed_ms": None if elapsed_ms is None else round(elapsed_ms, 1),
        **more,
    }


class _Stats(Protocol):
    @property
    def reconnects(self) -> int: ...
    @property
    def latency(self) -> float | None: ...


class _Connection(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def state(self) -> object: ...
    @property
    def stats(self) -> _Stats: ...


WEBHOOK_FIELDS: tuple[str, ...] = ("callback", "trace")
"""The ``extra`` fields of every ``multimarkets_async.webhooks`` record."""


def webhook_fields(callback: str, trace: str | None = None, **more: object) -> dict[str, object]:
    """The ``extra`` of a webhook record: which callback (``"message"``, ``"balance query"``...), the
    platform's trace of the call (``None`` when it sent none), plus ``more`` (``code``, ``elapsed_ms``)."""
    return {"callback": callback, "trace": trace, **more}


def socket_fields(connection: _Connection, **more: object) -> dict[str, object]:
    """The ``extra`` of a socket record: the connection's name, state (its value, ``"open"``...),
    reconnects so far and last heartbeat round trip in ms (``None`` before the first pong), plus
    ``more`` (a record's own fields, such as ``delay_s``)."""
    stats = connection.stats
    latency = stats.latency
    state = connection.state
    return {
        "connection": connection.name,
        "state": str(getattr(state, "value", state)),
        "reconnects": stats.reconnects,
        "latency_ms": None if latency is None else round(latency * 1000, 1),
        **more,
    }


SECRET_NAMES: tuple[str, ...] = (
    "token",
    "rtoken",
    "refreshtoken",
    "refresh_token",
    "accesstoken",
    "access_token",
    "authorization",
    "proxy-authorization",
    "signature",
    "sign",
    "apikey",
    "api_key",
    "api-key",
    "x-api-key",
    "secret",
    "secretkey",
    "secret_key",
    "appsecret",
    "app_secret",
    "password",
    "passwd",
    "pwd",
    "loginpwd",
    "cookie",
    "set-cookie",
    "captcha",
)
"""Header, query and field names whose values are always masked (compared case-insensitively)."""

_NAME = "(?:" + "|".join(re.escape(n) for n in sorted(SECRET_NAMES, key=len, reverse=True)) + ")"
_EDGE_L = r"(?<![A-Za-z0-9_-])"
_EDGE_R = r"(?![A-Za-z0-9_-])"

# "token":"value", 'token': 'value', ('token', 'value'), (b'token', b'value') (a truncated dump
# may lack the closing quote).
_FIELD = re.compile(rf"""(?i)(b?["']{_NAME}["']\s*[:,]\s*b?)(["'])(?:\\.|(?!\2).)*\2?""")
# "token": 123 (an unquoted JSON value).
_FIELD_BARE = re.compile(rf"""(?i)(["']{_NAME}["']\s*:\s*)(?!["'\s])[^,}}\]\s]+""")
# ?token=value and &sign=value in URLs, token=value in free text.
_QUERY = re.compile(rf"(?i)({_EDGE_L}{_NAME}=)[^&\s\"'#;,)]*")
# A header line, as the libraries dump them: "> token: value", "token: value\r\n".
_HEADER = re.compile(rf"(?im)(^[ \t<>]*{_NAME}[ \t]*:[ \t]*)[^\r\n]*")
# "token: value" pairs inside an escaped dump (b'...\r\ntoken: value\r\n...').
_HEADER_ESCAPED = re.compile(rf"(?i)((?:\\r\\n|\\n){_NAME}:[ \t]*)(?:(?!\\r|\\n|['\"]).)*")
# Authorization-style credentials: "Bearer abc...", "Basic abc...".
_SCHEME = re.compile(r"\b(Bearer|Basic) [A-Za-z0-9._~+/=-]{8,}")
# The message socket's URL names the API key as a path segment.
_OPEN_MSG = re.compile(r"(?i)(/openMsg/)[^/?\s\"'#]+")

_DATA_OPCODES = frozenset({"TEXT", "BINARY", "CONT"})
_FRAME_TEMPLATES = frozenset({"> %s", "< %s"})  # websockets' frame dumps
_MAX_FRAME_TEXT = 200


def redact(text: str) -> str:
    """Mask every credential value in ``text`` (a log line, a URL, a header dump, a JSON frame).

    Masks the values of ``SECRET_NAMES`` as query parameters, header lines and JSON/dict fields,
    ``Bearer``/``Basic`` credentials, and the ``/openMsg/<appId>`` path segment.
    """
    if not text:
        return text
    text = _FIELD.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}", text)
    text = _FIELD_BARE.sub(rf"\g<1>{MASK}", text)
    text = _HEADER.sub(rf"\g<1>{MASK}", text)
    text = _HEADER_ESCAPED.sub(rf"\g<1>{MASK}", text)
    text = _QUERY.sub(rf"\g<1>{MASK}", text)
    text = _SCHEME.sub(rf"\g<1> {MASK}", text)
    return _OPEN_MSG.sub(rf"\g<1>{MASK}", text)


def _elide(text: str, limit: int = _MAX_FRAME_TEXT) -> str:
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    return f"{text[:head]}...{text[len(text) - (limit - head - 3) :]}"


def _as_text(data: object) -> str:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data).decode("utf-8", "replace")
    return str(data)


def _is_frame(arg: object) -> bool:
    """A websockets ``Frame`` (duck-typed, so this module needs no socket library)."""
    return hasattr(arg, "opcode") and isinstance(getattr(arg, "data", None), (bytes, bytearray, memoryview))


def _describe_frame(frame: Any, *, log_frames: bool) -> str:
    opcode = str(getattr(frame.opcode, "name", frame.opcode))
    size = len(frame.data)
    fin = "" if getattr(frame, "fin", True) else ", continued"
    if opcode not in _DATA_OPCODES:
        return str(frame)  # ping/pong/close: short, and redacted with the line
    if not log_frames:
        return f"{opcode} [{size} bytes{fin}]"
    return f"{opcode} {_elide(redact(_as_text(frame.data)))!r} [{size} bytes{fin}]"


class RedactingLogger(logging.LoggerAdapter[logging.Logger]):
    """A ``LoggerAdapter`` that masks credentials before any handler sees a record.

    Give it to a library that accepts a logger (``websockets.connect(logger=...)``,
    ``picows.ws_connect(logger_name=...)``). Records keep their level and reach the wrapped logger
    with the message already rendered and redacted, no arguments, and any exception rendered into
    the text (masked) rather than attached.

    Args:
        logger: where the records go (``WIRE_LOGGER`` by default).
        log_frames: show data frames' payloads (masked, shortened) instead of only their size.
    """

    def __init__(self, logger: logging.Logger | None = None, *, log_frames: bool = False) -> None:
        super().__init__(logger or logging.getLogger(WIRE_LOGGER), {})
        self.log_frames = log_frames

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        """Keep the caller's ``extra`` (websockets adds the connection); add nothing."""
        return msg, kwargs

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        """Render, mask and forward one record (nothing is done when ``level`` is disabled)."""
        if not self.isEnabledFor(level):
            return
        text = self._render(msg, args)
        exc_info = kwargs.pop("exc_info", None)
        if exc_info:
            text = f"{text}\n{self._render_exception(exc_info)}"
        self.logger.log(level, redact(text), **kwargs)

    def _render(self, msg: object, args: tuple[object, ...]) -> str:
        template = str(msg)
        if not args:
            return template
        if template in _FRAME_TEMPLATES and len(args) == 1 and _is_frame(args[0]):
            return template % (_describe_frame(args[0], log_frames=self.log_frames),)
        shown: object = tuple(_as_text(a) if isinstance(a, (bytes, bytearray)) else a for a in args)
        if len(args) == 1 and isinstance(args[0], Mapping) and args[0]:
            shown = args[0]  # logging's one-mapping form: "%(name)s"
        try:
            return template % shown
        except (TypeError, ValueError, KeyError):  # a malformed call: log it, but not its values
            return f"{template} [arguments not shown: {', '.join(type(a).__name__ for a in args)}]"

    @staticmethod
    def _render_exception(exc_info: object) -> str:
        if isinstance(exc_info, BaseException):
            exc: BaseException | None = exc_info
        elif isinstance(exc_info, tuple) and len(exc_info) == 3:
            exc = exc_info[1]
        else:
            exc = sys.exc_info()[1]
        if exc is None:
            return "NoneType: None"
        return "".join(traceback.format_exception(exc)).rstrip()
