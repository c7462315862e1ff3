"""Keeping secrets out of logs: a redaction function and the logger the socket libraries are given.

The socket libraries log their handshakes and frames at DEBUG: the request line (the quote socket
carries the login token in ``?token=``, the message socket the API key in ``/openMsg/<key>``), every
header (the Manager company token), and the first bytes of every frame (the push token is in each
message-socket frame). ``RedactingLogger`` is the ``LoggerAdapter`` the backends hand to their library
instead of its default logger. For each record it renders the message once, masks credential values
with ``redact`` (query values, ``/openMsg/`` path segments, credential headers, JSON fields), formats
any exception into the text so its message is masked too, and passes on a record without arguments.
Data-frame dumps become ``TEXT [123 bytes]`` unless the backend was built with ``log_frames=True``,
in which case the whole payload is masked first and then shortened.

This module is pure: it imports only ``logging``, ``re`` and ``traceback``.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Mapping, MutableMapping
from typing import Any

__all__ = ["MASK", "SECRET_NAMES", "WIRE_LOGGER", "RedactingLogger", "redact"]

MASK = "***"
"""What a masked value is replaced with."""

WIRE_LOGGER = "multimarkets_async.ws.wire"
"""The logger the socket libraries log to (their handshake and frame logs, redacted)."""

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
