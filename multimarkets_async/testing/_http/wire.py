"""Wire-level values of the simulator: the response envelope, raw-status replies and request records.

Nothing here does I/O. The app builds an ``Envelope`` or an ``HTTPReply`` for every answer
and appends a ``RecordedRequest`` for every request it receives, so tests can assert on exactly
what an SDK sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .error_codes import SUCCESS_MSG, SimError, message_for

__all__ = [
    "HTTPReply",
    "RecordedHeaders",
    "RecordedRequest",
    "envelope_bytes",
    "error_envelope",
    "success_envelope",
]

# Header and body members whose values a repr must never show.
_SECRET_HEADERS = frozenset({"token", "signature", "apikey", "captcha", "authorization", "cookie"})
_SECRET_BODY_KEYS = frozenset(
    {
        "loginPwd",
        "pwd",
        "newPwd",
        "oldPwd",
        "password",
        "privateKey",
        "secretKey",
        "token",
        "rToken",
        "appSecret",
        "accessToken",
        "refreshToken",
        "code",
        "verifyCode",
        "sendToken",
        "googleCode",
        "phoneCode",
        "emailCode",
        "accountSecretKey",
        "accountApiKey",
        "apiKey",
        "passphrase",
        "certificate",
        "sign",
    }
)


class RecordedHeaders(Mapping[str, str]):
    """Request headers as received, looked up case-insensitively.

    Values are kept in full (this is a test server); ``repr`` masks ``token``, ``signature``,
    ``apiKey`` and ``captcha``. Repeated headers keep their last value.

    Args:
        items: ``(name, value)`` pairs in wire order.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._items: dict[str, str] = {name.lower(): value for name, value in items}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        shown = {k: ("***" if k in _SECRET_HEADERS else v) for k, v in self._items.items()}
        return f"RecordedHeaders({shown!r})"


def _mask_body(body: object) -> object:
    if isinstance(body, dict):
        return {k: ("***" if k in _SECRET_BODY_KEYS else _mask_body(v)) for k, v in body.items()}
    if isinstance(body, list):
        return [_mask_body(v) for v in body]
    return body


@dataclass(slots=True, eq=False)
class RecordedRequest:
    """One HTTP request the simulator received, in arrival order on ``Simulator.requests``.

    Attributes:
        method: the HTTP method.
        path: the URL path, e.g. ``/openapi-c/global/tradeapi.app.OrderApiService.addMarketOrder``.
        headers: the request headers (case-insensitive look-up; secrets masked in the repr only).
        body: the body parsed as JSON whatever the content type, or ``None`` when empty or not JSON.
            For an encrypted Client request this is the ``{"data": ...}`` wrapper.
        biz_type: the operation from the path (``thirdExt/now`` and ``logout`` for those paths).
        family: ``"client"``, ``"open"``, ``"auth2"``, ``"manager"`` or ``"bridge"``.
        time_ms: the server clock when the request arrived.
        decrypted_body: for an encrypted Client request, the business body after decryption (without
            ``signature``/``timestamp``); ``None`` otherwise.
        status: the HTTP status answered, or ``None`` while in flight or when the connection was dropped.
        code: the envelope ``code`` answered, or ``None`` for a non-envelope answer.
    """

    method: str
    path: str
    headers: RecordedHeaders
    body: Any
    biz_type: str
    family: str
    time_ms: int
    decrypted_body: Any = None
    status: int | None = None
    code: str | None = None

    def __repr__(self) -> str:
        return (
            f"RecordedRequest(method={self.method!r}, path={self.path!r}, biz_type={self.biz_type!r}, "
            f"family={self.family!r}, headers={self.headers!r}, body={_mask_body(self.body)!r}, "
            f"decrypted_body={_mask_body(self.decrypted_body)!r}, status={self.status!r}, "
            f"code={self.code!r})"
        )


class HTTPReply(Exception):
    """A non-envelope answer (429, 418, an injected 5xx), raised to cut the pipeline short.

    Args:
        status: the HTTP status.
        headers: extra response headers.
        body: the raw body (no envelope is promised on these statuses).
    """

    def __init__(self, status: int, headers: tuple[tuple[str, str], ...] = (), body: bytes = b"") -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.headers = headers
        self.body = body


def success_envelope(data: Any, *, trace: str, lang: str, tm: int, emit_message_key: bool) -> dict[str, Any]:
    """Return the standard success envelope around ``data``."""
    msg = SUCCESS_MSG["zh"] if lang.lower().startswith("zh") else SUCCESS_MSG["en"]
    env: dict[str, Any] = {
        "msg": msg,
        "fail": False,
        "trace": trace,
        "code": "0",
        "data": data,
        "bizCode": "",
        "tm": tm,
        "msgParams": None,
        "ok": True,
    }
    if emit_message_key:
        env["message"] = msg
    return env


def error_envelope(
    error: SimError, *, biz_type: str, trace: str, lang: str, tm: int, emit_message_key: bool
) -> dict[str, Any]:
    """Return the standard failure envelope for ``error``; ``data`` holds the bizType."""
    msg = error.msg if error.msg is not None else message_for(error.code, lang)
    env: dict[str, Any] = {
        "msg": msg,
        "fail": True,
        "trace": trace,
        "code": error.code,
        "data": biz_type,
        "bizCode": error.biz_code,
        "tm": tm,
        "msgParams": ",".join(error.msg_params) if error.msg_params else None,
        "ok": False,
    }
    if emit_message_key:
        env["message"] = msg
    return env


def envelope_bytes(envelope: Mapping[str, Any]) -> bytes:
    """Serialise an envelope as compact UTF-8 JSON."""
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
