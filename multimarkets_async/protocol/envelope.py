"""The one envelope codec shared by the HTTP session and the socket manager.

It builds request headers and traces, encodes request bodies, decodes the platform's response envelope
(``code`` "0" = success) into data or an ``APIError``, and encodes and
decodes the Client RPC socket's header/body frames (requests, ``bizType`` ping and the flat pong).
Server JSON is read by ``_json.loads``, so every decoding failure is a ``ProtocolError`` whose message
never shows the payload.

Sans-I/O: the clock and the trace ids are passed in, so every function here is deterministic.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from ..errors import APIError, ProtocolError
from ._json import DECODE_ERRORS, cause_of, decode_error, loads_object
from .error_codes import api_error_from_envelope

__all__ = [
    "DEFAULT_SUCCESS_CODES",
    "Envelope",
    "SocketPong",
    "decode_envelope",
    "decode_json_object",
    "decode_socket_frame",
    "encode_body",
    "encode_socket_ping",
    "encode_socket_request",
    "envelope_error",
    "make_trace",
    "request_headers",
    "unwrap_envelope",
]

DEFAULT_SUCCESS_CODES: Final = frozenset({"0"})


def _json_default(value: object) -> object:
    # Money travels as decimal strings; a Decimal is sent as its exact text.
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serialisable")


def encode_body(body: Mapping[str, object] | None) -> bytes:
    """Serialise a request body as compact UTF-8 JSON; ``None`` becomes ``{}``.

    Raises:
        TypeError: if the body holds a value JSON cannot carry (Decimal is written as a string).
    """
    if not body:
        return b"{}"
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=_json_default).encode()


def make_trace(uuid_hex: str, now_ms: int, *, encrypted: bool = False) -> str:
    """Build a request trace ``<uuid>-<ms>``, prefixed ``x-`` when the body is encrypted (as the Manager
    Sign page requires and the vendor's H5 client does on the Client API)."""
    trace = f"{uuid_hex}-{now_ms}"
    return "x-" + trace if encrypted else trace


def request_headers(
    *,
    company_id: int | None,
    trace: str,
    timestamp_ms: int | None,
    lang: str | None,
    version: str | None = None,
    group: str | None = None,
    token: str | None = None,
    api_key: str | None = None,
    recv_window_ms: int | None = None,
    idempotency_key: str | None = None,
    captcha: str | None = None,
) -> dict[str, str]:
    """The platform's request headers in their documented camelCase spelling (``companyId``, ``apiKey``...).

    Only the headers given a value are returned. ``signature`` is added by the signing auth flow,
    which needs the final body and timestamp.
    """
    headers = {"Content-Type": "application/json", "trace": trace}
    if company_id is not None:
        headers["companyId"] = str(company_id)
    if timestamp_ms is not None:
        headers["timestamp"] = str(timestamp_ms)
    if lang:
        headers["lang"] = lang
    if version:
        headers["version"] = version
    if group:
        headers["group"] = group
    if token:
        headers["token"] = token
    if api_key:
        headers["apiKey"] = api_key
    if recv_window_ms is not None:
        headers["recvWindow"] = str(recv_window_ms)
    if idempotency_key:
        headers["idempotency-key"] = idempotency_key
    if captcha:
        headers["captcha"] = captcha
    return headers


@dataclass(frozen=True, slots=True)
class Envelope:
    """A decoded response envelope (``code``, ``msg``, ``bizCode``, ``tm``, ``trace``, ``msgParams``,
    ``data``). Unknown keys are ignored."""

    code: str | None
    """``"0"`` on success; otherwise an error code (``None`` when the envelope has none). Compared as a
    string; ``""`` is never success."""
    message: str
    """``msg`` (or ``message``), with ``%s`` placeholders still in place."""
    data: object
    """The payload; on failure usually the bizType string."""
    biz_code: str | None = None
    """The module that answered (``G`` gateway, ``US`` customer, ``CFD`` ...)."""
    trace: str | None = None
    """The echoed request trace."""
    msg_params: str | None = None
    """Comma-separated values for the ``%s`` placeholders of ``message``."""
    tm: int | None = None
    """Server processing time in ms."""
    ok: bool | None = None
    """The ``ok`` flag, used only when ``code`` is missing."""

    def is_success(self, success_codes: frozenset[str] = DEFAULT_SUCCESS_CODES) -> bool:
        """Apply the success rule: ``code`` in ``success_codes``; without a code, ``ok is True``."""
        if self.code is not None:
            return self.code in success_codes
        return self.ok is True


def decode_json_object(raw: bytes | str, what: str = "response") -> dict[str, object]:
    """Parse ``raw`` as a JSON object (strictly, see ``_json.loads``).

    Raises:
        ProtocolError: ``raw`` is not a JSON object; the message names ``what``, never the payload.
    """
    return loads_object(raw, what=what)


def _opt_str(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def decode_envelope(
    raw: bytes | str | Mapping[str, object],
    *,
    message_keys: tuple[str, ...] = ("msg", "message"),
    what: str = "HTTP response",
) -> Envelope:
    """Decode a response envelope, tolerating the documented variations.

    ``code`` may be a string or a number; ``tm`` a number or a string (``None`` when it is not an
    integer); the text may be under ``msg`` or ``message`` (the Open API's Request page prints a three-field
    ``{code, message, data}`` envelope).

    Raises:
        ProtocolError: if ``raw`` is not a JSON object, carries neither ``code`` nor ``ok``, or holds
            values no text can be made of. The message names ``what``, never the payload.
    """
    obj = raw if isinstance(raw, Mapping) else decode_json_object(raw, what)
    try:
        return _envelope(obj, message_keys, what)
    except DECODE_ERRORS as exc:  # str() of an absurd value: nesting, a 5000-digit int
        raise decode_error(what, exc) from cause_of(exc)


def _envelope(obj: Mapping[str, object], message_keys: tuple[str, ...], what: str) -> Envelope:
    code_raw = obj.get("code")
    if code_raw is None and not isinstance(obj.get("ok"), bool):
        raise ProtocolError(f"malformed {what} (an envelope with neither 'code' nor 'ok')")
    code = None if code_raw is None else str(code_raw)
    message = ""
    for key in message_keys:
        text = obj.get(key)
        if text:
            message = str(text)
            break
    tm_raw = obj.get("tm")
    try:
        tm = int(tm_raw) if tm_raw not in (None, "") else None  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):  # a tm that is no integer is dropped: it only informs
        tm = None
    ok = obj.get("ok")
    return Envelope(
        code=code,
        message=message,
        data=obj.get("data"),
        biz_code=_opt_str(obj.get("bizCode")) or None,
        trace=_opt_str(obj.get("trace")) or None,
        msg_params=_opt_str(obj.get("msgParams")),
        tm=tm,
        ok=ok if isinstance(ok, bool) else None,
    )


def envelope_error(envelope: Envelope, *, status_code: int | None = None) -> APIError:
    """The typed error an unsuccessful envelope stands for (one code table, in ``errors``)."""
    return api_error_from_envelope(
        envelope.code or "UNKNOWN",
        envelope.biz_code,
        envelope.message,
        msg_params=envelope.msg_params,
        trace=envelope.trace,
        data=envelope.data,
        status_code=status_code,
    )


def unwrap_envelope(
    envelope: Envelope,
    *,
    success_codes: frozenset[str] = DEFAULT_SUCCESS_CODES,
    status_code: int | None = None,
) -> object:
    """Return the envelope's ``data`` on success, otherwise raise its typed ``APIError``."""
    if envelope.is_success(success_codes):
        return envelope.data
    raise envelope_error(envelope, status_code=status_code)


# -- Client RPC socket (header/body frames) -----------------------------------------------


def encode_socket_request(
    *,
    biz_type: str,
    body: Mapping[str, object] | None,
    trace: str,
    timestamp_ms: int,
    company_id: int,
    lang: str,
    token: str | None = None,
    version: str | None = None,
    group: str | None = None,
) -> str:
    """Encode a ``{header, body}`` request frame. ``companyId`` and ``timestamp`` are JSON numbers here."""
    header: dict[str, object] = {
        "trace": trace,
        "bizType": biz_type,
        "companyId": company_id,
        "timestamp": timestamp_ms,
        "lang": lang,
    }
    if token:
        header["token"] = token
    if version:
        header["version"] = version
    if group is not None:
        header["group"] = group
    frame = {"header": header, "body": dict(body or {})}
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def encode_socket_ping(*, trace: str, timestamp_ms: int, lang: str, token: str | None = None) -> str:
    """Encode the heartbeat: a header with ``bizType`` ``ping`` and no body."""
    header: dict[str, object] = {
        "trace": trace,
        "bizType": "ping",
        "sendTime": timestamp_ms,
        "lang": lang,
        "timestamp": timestamp_ms,
    }
    if token:
        header["token"] = token
    return json.dumps({"header": header}, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class SocketPong:
    """The flat heartbeat reply ``{"bizType": "pong", "trace": ..., "sendTime": ...}``."""

    trace: str | None
    """The echoed ping trace."""
    send_time_ms: int | None
    """The server's own send time."""


def decode_socket_frame(
    raw: bytes | str, *, message_keys: tuple[str, ...] = ("msg", "message")
) -> SocketPong | Envelope:
    """Classify a header/body socket frame: the flat pong, or a reply envelope correlated on ``trace``.

    Raises:
        ProtocolError: if the frame is neither (the message never holds the frame).
    """
    what = "RPC socket frame"
    obj = decode_json_object(raw, what)
    if obj.get("bizType") == "pong":
        send_time = obj.get("sendTime")
        try:
            trace = _opt_str(obj.get("trace"))
        except DECODE_ERRORS as exc:
            raise decode_error(what, exc) from cause_of(exc)
        return SocketPong(
            trace=trace,
            send_time_ms=send_time
            if isinstance(send_time, int) and not isinstance(send_time, bool)
            else None,
        )
    return decode_envelope(obj, message_keys=message_keys, what=what)
