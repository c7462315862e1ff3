"""The HTTP layer's log lines: what the session says about each attempt, retry and give-up.

All go to ``multimarkets_async.http`` with the fields of ``_logging.http_fields`` (``biz_type``,
``trace``, ``attempt``, ``status``, ``elapsed_ms``) and, on a retry, ``delay_s``. A successful
attempt is DEBUG; a retry, a move to the other base URL and a call given up after retrying are INFO;
a call cancelled after it was sent is WARNING. No header, body or token is ever logged.
"""

from __future__ import annotations

import logging

import httpx

from .._logging import HTTP_LOGGER, http_fields
from ..protocol.operations import Family
from ._failures import AttemptFailed
from ._request import Call

__all__ = [
    "log_answer",
    "log_cancelled",
    "log_gave_up",
    "log_other_base",
    "log_retry",
    "log_sending",
    "logger",
]

logger = logging.getLogger(HTTP_LOGGER)


def _failed_fields(call: Call, failed: AttemptFailed, **more: object) -> dict[str, object]:
    status = getattr(failed.error, "status_code", None)
    return (
        http_fields(call.operation.biz_type, trace=failed.trace, attempt=call.attempts, status=status) | more
    )


def _elapsed_ms(response: httpx.Response) -> float | None:
    try:
        return response.elapsed.total_seconds() * 1000
    except RuntimeError:  # a response not read yet has no elapsed time
        return None


def log_sending(call: Call, url: str, trace: str) -> None:
    """DEBUG: an attempt is about to be sent (``call.attempts`` not yet counted)."""
    fields = http_fields(call.operation.biz_type, trace=trace, attempt=call.attempts + 1)
    logger.debug("POST %s trace=%s", url, trace, extra=fields)


def log_answer(call: Call, response: httpx.Response, trace: str) -> None:
    """DEBUG: an attempt was answered (its status and time)."""
    biz_type, status = call.operation.biz_type, response.status_code
    fields = http_fields(
        biz_type, trace=trace, attempt=call.attempts, status=status, elapsed_ms=_elapsed_ms(response)
    )
    logger.debug("%s: HTTP %d (trace %s)", biz_type, status, trace, extra=fields)


def log_other_base(call: Call, failed: AttemptFailed, other: Family) -> None:
    """INFO: the call moves to the other API's base URL."""
    biz_type = call.operation.biz_type
    logger.info("%s: trying the %s API's base URL", biz_type, other, extra=_failed_fields(call, failed))


def log_retry(call: Call, failed: AttemptFailed, delay: float, reason: str, attempt: int) -> None:
    """INFO: the call is retried after ``delay`` seconds (``attempt``: the 1-based attempt that failed)."""
    logger.info(
        "retrying %s in %.2f s (%s, attempt %d)",
        call.operation.biz_type,
        delay,
        reason,
        attempt,
        extra=_failed_fields(call, failed, delay_s=delay),
    )


def log_gave_up(call: Call, failed: AttemptFailed) -> None:
    """INFO: the call failed after retrying (the error itself is raised to the caller)."""
    logger.info(
        "%s: giving up after %d attempts (%s)",
        call.operation.biz_type,
        call.attempts,
        type(failed.error).__name__,
        extra=_failed_fields(call, failed),
    )


def log_cancelled(call: Call) -> None:
    """WARNING: the caller cancelled a call that may have run; its outcome is unknown."""
    logger.warning(
        "%s cancelled after it was sent: its outcome is unknown (idempotency-key %s); "
        "reconcile before sending it again",
        call.operation.biz_type,
        call.idempotency_key,
        extra=http_fields(call.operation.biz_type, attempt=call.attempts),
    )
