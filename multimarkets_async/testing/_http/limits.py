"""Request accounting of the simulator: rate-limit windows, the 418 lockout and the idempotency cache.

Pure state driven by the server time passed in (``now_ms``); no clock reads, so tests move time with
the simulator's injectable clock instead of sleeping.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from enum import Enum

__all__ = [
    "IN_FLIGHT",
    "CachedAnswer",
    "FixedWindowLimiter",
    "IdempotencyCache",
    "LockoutLimiter",
    "Verdict",
]


@dataclass(frozen=True, slots=True)
class Verdict:
    """Outcome of counting one request.

    Attributes:
        allowed: the request may proceed.
        status: 200 when allowed, else 429 (over the limit) or 418 (locked out).
        limit: requests allowed per window (``x-ratelimit-limit``).
        remaining: requests left in the window (``x-ratelimit-remaining``).
        reset_s: whole seconds until the window resets (``x-ratelimit-reset``).
        retry_after_s: for 429 and 418, whole seconds to wait (``Retry-After``); else ``None``.
    """

    allowed: bool
    status: int
    limit: int
    remaining: int
    reset_s: int
    retry_after_s: int | None = None

    def headers(self) -> list[tuple[str, str]]:
        """The rate-limit response headers, in both spellings of "remaining"."""
        out = [
            ("x-ratelimit-limit", str(self.limit)),
            ("x-ratelimit-remairing", str(self.remaining)),
            ("x-ratelimit-remaining", str(self.remaining)),
            ("x-ratelimit-reset", str(self.reset_s)),
        ]
        if self.retry_after_s is not None:
            out.append(("retry-after", str(self.retry_after_s)))
        return out


def _ceil_s(ms: int) -> int:
    return max(1, math.ceil(ms / 1000))


@dataclass(slots=True)
class _Window:
    start_ms: int
    count: int = 0
    throttled: bool = False


class FixedWindowLimiter:
    """Fixed windows per key: at most ``limit`` requests per ``window_s``, then HTTP 429.

    A window opens with the first request of a key and lasts ``window_s`` (anchoring it to the first
    request, not to the wall-clock minute, keeps short tests away from window edges).

    Args:
        limit: requests allowed per window.
        window_s: window length in seconds.
    """

    def __init__(self, limit: int, window_s: int) -> None:
        self.limit = limit
        self.window_ms = window_s * 1000
        self._windows: dict[Hashable, _Window] = {}

    def _window(self, key: Hashable, now_ms: int) -> _Window:
        window = self._windows.get(key)
        if window is None or now_ms - window.start_ms >= self.window_ms or now_ms < window.start_ms:
            window = self._windows[key] = _Window(now_ms)
        return window

    def hit(self, key: Hashable, now_ms: int) -> Verdict:
        """Count one request of ``key`` and say whether it may proceed."""
        window = self._window(key, now_ms)
        window.count += 1
        reset = _ceil_s(window.start_ms + self.window_ms - now_ms)
        if window.count > self.limit:
            window.throttled = True
            return Verdict(False, 429, self.limit, 0, reset, reset)
        return Verdict(True, 200, self.limit, self.limit - window.count, reset)

    def peek(self, key: Hashable, now_ms: int) -> tuple[_Window, int]:
        """Return the current window of ``key`` and the seconds until it resets, counting nothing."""
        window = self._window(key, now_ms)
        return window, _ceil_s(window.start_ms + self.window_ms - now_ms)

    def reset(self, key: Hashable) -> None:
        """Forget the window of ``key``."""
        self._windows.pop(key, None)


@dataclass(slots=True)
class _Lockout:
    until_ms: int = 0
    strikes: int = 0
    last_end_ms: int | None = None


class LockoutLimiter:
    """The Open API rule: 429 over the limit, then 418 and a growing lockout.

    After a 429, the next request of the same key inside the same window gets 418 and locks the key for
    ``first_s`` seconds, then ``first_s + step_s``, ``first_s + 2 * step_s`` ... (Assumption
    ``lockout_schedule``). While locked, every request gets 418 with ``Retry-After`` = the seconds left;
    it does not extend the lockout. The schedule restarts after ``reset_s`` seconds without a lockout.

    Args:
        limit: requests per window per key.
        window_s: window length in seconds.
        first_s: first lockout length.
        step_s: added to each further lockout.
        reset_s: lockout-free time after which the schedule restarts.
    """

    def __init__(self, limit: int, window_s: int, first_s: int, step_s: int, reset_s: int) -> None:
        self._windows = FixedWindowLimiter(limit, window_s)
        self._first_ms, self._step_ms, self._reset_ms = first_s * 1000, step_s * 1000, reset_s * 1000
        self._lockouts: dict[Hashable, _Lockout] = {}

    def locked_until_ms(self, key: Hashable) -> int | None:
        """End of the current or last lockout of ``key``, or ``None`` if it was never locked."""
        lockout = self._lockouts.get(key)
        return lockout.until_ms if lockout is not None and lockout.strikes else None

    def hit(self, key: Hashable, now_ms: int) -> Verdict:
        """Count one request of ``key``: 200, 429 or 418."""
        lockout = self._lockouts.setdefault(key, _Lockout())
        limit = self._windows.limit
        if now_ms < lockout.until_ms:
            left = _ceil_s(lockout.until_ms - now_ms)
            return Verdict(False, 418, limit, 0, left, left)
        if lockout.until_ms and lockout.last_end_ms != lockout.until_ms:
            # The lockout just ended: start from a fresh window.
            lockout.last_end_ms = lockout.until_ms
            self._windows.reset(key)
        window, _ = self._windows.peek(key, now_ms)
        if window.throttled:
            if lockout.last_end_ms is not None and now_ms - lockout.last_end_ms >= self._reset_ms:
                lockout.strikes = 0
            duration = self._first_ms + self._step_ms * lockout.strikes
            lockout.strikes += 1
            lockout.until_ms = now_ms + duration
            left = _ceil_s(duration)
            return Verdict(False, 418, limit, 0, left, left)
        return self._windows.hit(key, now_ms)


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """A response kept for idempotent replay: status, headers and body bytes as first sent."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    expires_ms: int


class _InFlight(Enum):
    IN_FLIGHT = "in flight"


IN_FLIGHT = _InFlight.IN_FLIGHT
"""Marker returned by ``IdempotencyCache.lookup`` while the first request is still running."""


class IdempotencyCache:
    """The ``idempotency-key`` cache, keyed by (key, bizType, version, group, companyId): answers
    are replayed for 24 hours.

    Args:
        ttl_s: how long an answer is replayed.
    """

    def __init__(self, ttl_s: int) -> None:
        self._ttl_ms = ttl_s * 1000
        self._entries: dict[Hashable, CachedAnswer | _InFlight] = {}

    def lookup(self, key: Hashable, now_ms: int) -> CachedAnswer | _InFlight | None:
        """Return the cached answer, ``IN_FLIGHT``, or ``None`` when the key is new or expired."""
        entry = self._entries.get(key)
        if isinstance(entry, CachedAnswer) and now_ms >= entry.expires_ms:
            del self._entries[key]
            return None
        return entry

    def begin(self, key: Hashable) -> None:
        """Mark ``key`` as being processed; concurrent requests with it are refused."""
        self._entries[key] = IN_FLIGHT

    def complete(
        self, key: Hashable, status: int, headers: tuple[tuple[str, str], ...], body: bytes, now_ms: int
    ) -> None:
        """Store the answer of ``key`` for replay."""
        self._entries[key] = CachedAnswer(status, headers, body, now_ms + self._ttl_ms)

    def abandon(self, key: Hashable) -> None:
        """Forget an in-flight ``key`` whose processing failed without an answer."""
        if self._entries.get(key) is IN_FLIGHT:
            del self._entries[key]
