"""Jittered exponential backoff, ``Retry-After`` parsing and the retry-or-give-up decision for HTTP.

Pure: randomness and the current time are passed in. The HTTP session asks ``retry_decision``
what to do after each failed attempt and sleeps for what it is told; the socket manager's reconnect
loop uses ``backoff_delays`` the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._config import ReconnectPolicy, RetryPolicy

__all__ = [
    "Failure",
    "RetryDecision",
    "backoff_delay",
    "backoff_delays",
    "parse_retry_after",
    "policy_delay",
    "retry_decision",
]


def backoff_delay(attempt: int, *, initial: float, maximum: float, multiplier: float, rand: float) -> float:
    """The delay before retry number ``attempt`` (0-based): "full jitter" over a capped exponential bound.

    ``rand`` is a number in [0, 1). The bound is ``min(maximum, initial * multiplier**attempt)``; the delay
    is drawn from its upper half so that a retry never fires immediately.
    """
    bound = min(maximum, initial * multiplier ** min(attempt, 64))
    return bound * (0.5 + 0.5 * rand)


def policy_delay(attempt: int, policy: RetryPolicy | ReconnectPolicy, rand: float) -> float:
    """``backoff_delay`` with the policy's ``initial_delay``, ``max_delay`` and ``multiplier``."""
    initial, maximum, multiplier = policy.initial_delay, policy.max_delay, policy.multiplier
    return backoff_delay(attempt, initial=initial, maximum=maximum, multiplier=multiplier, rand=rand)


def backoff_delays(
    *, initial: float, maximum: float, multiplier: float, rand: Callable[[], float]
) -> Iterator[float]:
    """An endless series of ``backoff_delay`` values for attempts 0, 1, 2, ..."""
    attempt = 0
    while True:
        yield backoff_delay(attempt, initial=initial, maximum=maximum, multiplier=multiplier, rand=rand())
        attempt += 1


def parse_retry_after(value: str | None, *, now_epoch: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), or ``None``."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - now_epoch
    return max(0.0, seconds)


class Failure(Enum):
    """How an attempt failed, as far as retrying is concerned."""

    NOT_SENT = "not sent"
    """The connection could not be opened: the server never saw the request."""
    NO_ANSWER = "no answer"
    """The request may have reached the server but no answer came (timeout, dropped connection)."""
    RATE_LIMITED = "rate limited"
    """HTTP 429, or the envelope codes ``00012005``/``GATEWAY_CODE_018``."""
    SERVER = "server"
    """HTTP 5xx, or a server-side envelope error."""
    FATAL = "fatal"
    """Anything that a retry cannot fix (418, 4xx, business and validation errors)."""


@dataclass(frozen=True, slots=True)
class RetryDecision:
    """What to do after a failed attempt."""

    retry: bool
    """Whether to try again."""
    delay: float = 0.0
    """Seconds to wait first."""
    reason: str = ""
    """Why not, or why; for logs and error messages."""


def retry_decision(
    failure: Failure,
    *,
    attempt: int,
    max_retries: int,
    repeatable: bool,
    backoff: float,
    retry_after: float | None = None,
    max_retry_after: float = 60.0,
    maybe_delivered: bool = False,
) -> RetryDecision:
    """Decide whether attempt number ``attempt`` (0-based) that failed with ``failure`` is retried.

    Args:
        failure: how the attempt failed.
        attempt: the attempt that just failed.
        max_retries: retries allowed after the first attempt.
        repeatable: the call is safe to run twice (a read, or a write with an ``idempotency-key``).
        backoff: the jittered backoff delay for this attempt.
        retry_after: the server's requested wait, if it named one.
        max_retry_after: the longest server-requested wait worth sleeping through.
        maybe_delivered: an earlier attempt may have reached the server. A call that is not
            ``repeatable`` is then never sent again, not even after a refused connection: the first
            attempt may have run, and a second one would run it twice.
    """
    if failure is Failure.FATAL:
        return RetryDecision(False, reason="not retryable")
    if maybe_delivered and not repeatable:
        return RetryDecision(False, reason="an earlier attempt may have been applied")
    if attempt >= max_retries:
        return RetryDecision(False, reason=f"gave up after {attempt + 1} attempts")
    if failure is not Failure.NOT_SENT and not repeatable:
        return RetryDecision(False, reason="the call is not safe to repeat")
    if retry_after is not None:
        if retry_after > max_retry_after:
            return RetryDecision(False, reason=f"the server asks to wait {retry_after:.0f} s")
        return RetryDecision(True, delay=max(retry_after, 0.0), reason="server asked to wait")
    return RetryDecision(True, delay=backoff, reason=failure.value)
