"""What the webhook handlers answer: the envelopes, the codes we chose, ``Refused`` and ``WebhookAnswer``.

The Webhook API and the Bridge callback are answered with the platform's standard envelope
(``code`` ``"0"`` = success); the Message API with ``{"msg":"success","code":"200"}``. The
platform documents only ``"0"``, ``US_0000001`` and ``US_0000002`` for these answers; every other
code below is ours, shaped like the platform's (``WH_`` + 7 digits) so that it reads as a refusal in
the platform's logs. Every answer travels with HTTP 200 (the platform reads
the envelope; a non-200 status is not documented for these calls), except a Bridge report whose callback
raised: HTTP 500, to invite a redelivery; and a body over the size limit: HTTP 413 (``WH_0000400``, or the
Message API's ``"400"``), answered without reading the rest of it.
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = [
    "CALLBACK_FAILED",
    "CALLBACK_TIMEOUT",
    "CANCELLED_BEFORE_RECEIPT",
    "CANCEL_NOT_PROCESSED",
    "CANCEL_NOT_RECEIVED",
    "FORBIDDEN",
    "IN_PROGRESS",
    "MALFORMED_REQUEST",
    "MESSAGE_BAD_REQUEST",
    "MESSAGE_BAD_SIGN",
    "MESSAGE_FAILED",
    "MESSAGE_OK",
    "NOT_CONFIGURED",
    "STORE_FAILED",
    "SUCCESS",
    "Refused",
    "WebhookAnswer",
    "envelope",
    "message_answer",
]

SUCCESS: Final = "0"
"""Processed successfully."""
CANCEL_NOT_PROCESSED: Final = "US_0000001"
"""Cancel call only: the adjustment was received but not processed correctly (refused or failed)."""
CANCEL_NOT_RECEIVED: Final = "US_0000002"
"""Cancel call only: no adjustment with that ``reverseRequestUniqueNo`` was ever received."""

MALFORMED_REQUEST: Final = "WH_0000400"
"""Ours: the body is too large, not UTF-8 JSON, not an object, nested too deep, holds a number out of range
(``1e400``), or misses or mistypes a documented field."""
FORBIDDEN: Final = "WH_0000403"
"""Ours: wrong shared secret, a ``companyId`` other than the configured one, a caller IP outside the
allow-list, or a Bridge callback whose signature does not verify or whose ``timestamp`` is outside
``bridge_max_skew``."""
IN_PROGRESS: Final = "WH_0000409"
"""Ours: the same ``requestUniqueNo`` (or the adjustment a cancel refers to) is still being processed and
did not finish within the wait; nothing was applied by this call. Retrying later gets the final answer."""
CANCELLED_BEFORE_RECEIPT: Final = "WH_0000410"
"""Ours: an adjustment arrived after the platform had already cancelled it (we answered ``US_0000002``);
it is refused and never applied."""
CALLBACK_FAILED: Final = "WH_0000500"
"""Ours: the integrator's callback raised an unexpected exception (details only in our own log)."""
NOT_CONFIGURED: Final = "WH_0000501"
"""Ours: no callback is configured for this endpoint."""
STORE_FAILED: Final = "WH_0000503"
"""Ours: the replay store raised; the request's number stays blocked (pending) until resolved, so a
replay cannot apply it twice. Details only in our own log."""
CALLBACK_TIMEOUT: Final = "WH_0000504"
"""Ours: the adjustment callback did not finish within ``adjust_timeout``; it was cancelled."""

MESSAGE_OK: Final = "200"
"""Message API success code."""
MESSAGE_BAD_REQUEST: Final = "400"
"""Ours, Message API: the body is too large, not valid JSON (as for ``MALFORMED_REQUEST``) or misses a
required field."""
MESSAGE_BAD_SIGN: Final = "401"
"""Ours, Message API: ``sign`` does not verify, the timestamp is stale, or the secret/IP check failed."""
MESSAGE_FAILED: Final = "500"
"""Ours, Message API: the integrator's sender raised."""


class WebhookAnswer(NamedTuple):
    """A handler's answer: the HTTP status and the JSON object to send (unpacks as a 2-tuple)."""

    status: int
    """HTTP status: 200, except 500 for a Bridge report whose callback raised."""
    body: dict[str, object]
    """The JSON answer."""

    @property
    def code(self) -> str:
        """The answer's ``code`` member."""
        return str(self.body.get("code"))


class Refused(Exception):
    """Raise from a callback to refuse a call with a code of your choice.

    Args:
        code: the envelope ``code`` to answer (anything but ``"0"``), e.g. ``"INSUFFICIENT_BALANCE"``.
        msg: the envelope ``msg``; sent to the platform, so keep secrets out of it.
    """

    def __init__(self, code: str, msg: str = "Refused") -> None:
        if str(code) == SUCCESS:
            raise ValueError('Refused needs a code other than "0"')
        super().__init__(f"{code}: {msg}")
        self.code = str(code)
        self.msg = msg


def envelope(
    code: str,
    msg: str,
    *,
    trace: str | None = None,
    data: object = None,
    elapsed_ms: int = 0,
) -> dict[str, object]:
    """Build the standard envelope the Webhook API expects back.

    Args:
        code: ``"0"`` for success, otherwise the refusal code.
        msg: human-readable status.
        trace: the request's ``trace`` header, echoed (``""`` when absent).
        data: the payload; ``{}`` on success when not given, the empty string on failure.
        elapsed_ms: processing time for ``tm`` (the envelope's ``tm`` is a duration, not a timestamp).

    Returns:
        ``{"code", "msg", "bizCode", "trace", "tm", "data", "ok", "fail"}``.
    """
    ok = code == SUCCESS
    return {
        "code": code,
        "msg": msg,
        "bizCode": "",
        "trace": trace or "",
        "tm": elapsed_ms,
        "data": ({} if ok else "") if data is None else data,
        "ok": ok,
        "fail": not ok,
    }


def message_answer(code: str = MESSAGE_OK, msg: str = "success") -> dict[str, object]:
    """Build the Message API answer: ``{"msg":"success","code":"200"}`` on success."""
    return {"msg": msg, "code": code}
