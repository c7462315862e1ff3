"""The rate-limit half of the HTTP session: when the next attempt may go, and what 418 and 429 mean.

Before an attempt: the client-side budget of signed calls, the per-endpoint budgets the server
announces, the pause after a 429 (every call sharing the budget waits, so that a 429 never turns into a
418 lockout) and the lockout after a 418. After an answer: a 418 or 429 becomes the typed error and
the state every later call checks. :class:`RateLimitGate` is a base of ``HTTPSession`` and keeps its
state on the session (``locked_until`` is public; tests may swap ``_clock``, ``_sleep``, ``_limiter``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import NoReturn

import httpx

from .._config import RetryPolicy
from .._logging import HTTP_LOGGER, http_fields
from ..errors import LockedOutError, TooManyRequestsError
from ..protocol.backoff import Failure, parse_retry_after
from ..protocol.error_codes import http_status_error
from ..protocol.operations import Family
from ..protocol.throttle import (
    KEY_SCOPE,
    EndpointBudgets,
    RateLimitPause,
    SlidingWindowLimiter,
    read_ratelimit_headers,
)
from ._failures import AttemptFailed
from ._request import Call

__all__ = ["RateLimitGate"]

logger = logging.getLogger(HTTP_LOGGER)

# The first 418 locks the key out for 5 minutes, each further one 5 more (Assumption ``lockout_schedule``).
_LOCKOUT_STEP_S = 300.0


class RateLimitGate:
    """Waits before each attempt and records what a 418 or 429 answered (the session's base class)."""

    retry: RetryPolicy
    locked_until: float | None
    """Epoch seconds until which the key is locked out after a 418."""
    _lockouts: int
    _clock: Callable[[], float]
    _sleep: Callable[[float], Awaitable[None]]
    _pauses: RateLimitPause
    _limiter: SlidingWindowLimiter | None
    _budgets: EndpointBudgets | None

    def _pause_scope(self, family: Family, endpoint: str) -> str:
        # Open API and Bridge calls spend one budget per API key; Client and Manager ones, per endpoint.
        return KEY_SCOPE if family in (Family.OPEN, Family.BRIDGE) else f"{family}:{endpoint}"

    async def _throttle(self, call: Call, endpoint: str) -> None:
        limited = call.family in (Family.OPEN, Family.BRIDGE)
        scope = self._pause_scope(call.family, endpoint)
        reserved = False
        while True:
            now = self._clock()
            # Checked again after every wait: a 418 or a 429 may have arrived for another call meanwhile.
            if limited:
                self._refuse_while_locked_out(now)
            wait = self._pauses.wait_for(scope, now)
            if wait > self.retry.max_retry_after:
                raise TooManyRequestsError(
                    f"calls are held back after HTTP 429 for another {wait:.0f} s; not sending",
                    status_code=429,
                    retry_after=wait,
                )
            if wait > 0:
                logger.info(
                    "HTTP 429 pause: waiting %.2f s before %s",
                    wait,
                    endpoint,
                    extra=http_fields(call.operation.biz_type, attempt=call.attempts + 1) | {"delay_s": wait},
                )
            elif not reserved:
                reserved = True
                if self._limiter is not None and limited:
                    wait = self._limiter.reserve(now)
                if self._budgets is not None:
                    wait = max(wait, self._budgets.wait_for(endpoint, now))
                if wait > 0:
                    logger.debug(
                        "client-side rate limit: waiting %.2f s before %s",
                        wait,
                        endpoint,
                        extra=http_fields(call.operation.biz_type, attempt=call.attempts + 1)
                        | {"delay_s": wait},
                    )
            if wait <= 0:
                return
            await self._sleep(wait)

    def _refuse_while_locked_out(self, now: float) -> None:
        if self.locked_until is None:
            return
        if now < self.locked_until:
            left = self.locked_until - now
            raise LockedOutError(
                f"the API key is locked out after HTTP 418 for another {left:.0f} s; not sending",
                status_code=418,
                retry_after=left,
                locked_until=self.locked_until,
            )
        self.locked_until = None

    def _raise_for_status(self, response: httpx.Response, trace: str, now: float, scope: str) -> NoReturn:
        status = response.status_code
        # No body format is documented for 403/418/429: never parse them as an envelope.
        body = response.text[:200]
        retry_after = parse_retry_after(response.headers.get("retry-after"), now_epoch=now)
        if status == 418:
            self._lockouts += 1
            wait = retry_after if retry_after is not None else _LOCKOUT_STEP_S * self._lockouts
            self.locked_until = now + wait
            error = http_status_error(418, body, retry_after=wait, locked_until=self.locked_until)
            error.trace = trace
            raise AttemptFailed(Failure.FATAL, error, trace=trace)
        if status == 429:
            if retry_after is None:
                _limit, _remaining, reset = read_ratelimit_headers(response.headers, ())
                retry_after = reset if reset is not None else self.retry.default_rate_limit_wait
            # Every call sharing this budget waits too: one more call now would lock the key out (418).
            self._pauses.pause(scope, now + retry_after)
            error = http_status_error(429, body, retry_after=retry_after)
            error.trace = trace
            raise AttemptFailed(Failure.RATE_LIMITED, error, trace=trace, retry_after=retry_after)
        error = http_status_error(status, body, retry_after=retry_after)
        error.trace = trace
        failure = Failure.SERVER if status >= 500 else Failure.FATAL
        raise AttemptFailed(failure, error, trace=trace, retry_after=retry_after if status >= 500 else None)
