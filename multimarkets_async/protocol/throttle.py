"""Client-side rate limiting and clock-offset state, as pure objects that take the time as an argument.

* ``SlidingWindowLimiter`` spends the Open API's documented 100 requests per minute per key
  before the server has to answer 429 (and then lock the key out with 418).
* ``EndpointBudgets`` follows the Client/Manager ``x-ratelimit-*`` headers per endpoint.
* ``RateLimitPause`` holds calls back after an HTTP 429 until the server's wait is over.
* ``ClockOffset`` keeps the measured difference between the server clock and ours.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

__all__ = [
    "KEY_SCOPE",
    "ClockOffset",
    "EndpointBudgets",
    "RateLimitPause",
    "SlidingWindowLimiter",
    "read_ratelimit_headers",
]

KEY_SCOPE = "api-key"
"""The pause scope shared by every call signed with the API key (Open API and Bridge: 100 calls a
minute per key)."""


class SlidingWindowLimiter:
    """At most ``limit`` events in any ``window`` seconds.

    ``reserve`` books a slot and returns how long the caller must wait before using it, so
    concurrent callers queue fairly without a lock (each reservation is final).
    """

    __slots__ = ("_slots", "limit", "window")

    def __init__(self, limit: int, window: float = 60.0) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._slots: deque[float] = deque()

    def reserve(self, now: float) -> float:
        """Book the next free slot; return the seconds to wait until it (0 when free now)."""
        slots = self._slots
        while slots and slots[0] <= now - self.window:
            slots.popleft()
        if len(slots) < self.limit:
            slots.append(now)
            return 0.0
        # The slot frees when the request `limit` places back leaves the window.
        start = slots[-self.limit] + self.window
        slots.append(start)
        return start - now


def read_ratelimit_headers(
    headers: Mapping[str, str], remaining_names: tuple[str, ...]
) -> tuple[int | None, int | None, float | None]:
    """``(limit, remaining, reset seconds)`` from ``x-ratelimit-*`` headers; ``None`` where absent or bad."""

    def _int(name: str) -> int | None:
        value = headers.get(name)
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None

    remaining = None
    for name in remaining_names:
        remaining = _int(name)
        if remaining is not None:
            break
    reset_text = headers.get("x-ratelimit-reset")
    try:
        reset = float(reset_text) if reset_text is not None else None
    except ValueError:
        reset = None
    return _int("x-ratelimit-limit"), remaining, reset


def _seconds_left(deadlines: dict[str, float], key: str, now: float) -> float:
    """Seconds from ``now`` to ``key``'s deadline; 0 when it has none or it has passed (then it is
    forgotten)."""
    until = deadlines.get(key)
    if until is None:
        return 0.0
    if until <= now:
        del deadlines[key]
        return 0.0
    return until - now


class EndpointBudgets:
    """Per-endpoint call budgets of the Client and Manager APIs, learned from ``x-ratelimit-*`` headers.

    ``x-ratelimit-reset`` is the window length in seconds, not a timestamp; when an endpoint reports
    no calls left, it is closed until a full window has passed since that answer.
    """

    __slots__ = ("_closed_until",)

    def __init__(self) -> None:
        self._closed_until: dict[str, float] = {}

    def observe(self, endpoint: str, remaining: int | None, reset: float | None, now: float) -> None:
        """Record an answer's headers for ``endpoint``."""
        if remaining is not None and remaining <= 0:
            self._closed_until[endpoint] = now + (reset if reset is not None else 60.0)
        else:
            self._closed_until.pop(endpoint, None)

    def wait_for(self, endpoint: str, now: float) -> float:
        """Seconds to wait before ``endpoint`` may be called again (0 when open)."""
        return _seconds_left(self._closed_until, endpoint, now)


class RateLimitPause:
    """Scopes on hold after an HTTP 429, each until the end of the wait the server asked for.

    The Open API and Bridge count 100 calls a minute per API key and lock the key out (418) when calls
    continue after a 429: a 429 on one call must hold back every call signed with that
    key (scope ``KEY_SCOPE``), not only the one that got it. The Client and Manager APIs count per
    endpoint, so their scope is the endpoint. A later, shorter wait never shortens a pause.
    """

    __slots__ = ("_until",)

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    def pause(self, scope: str, until: float) -> None:
        """Hold ``scope`` back until ``until`` (the caller's clock, seconds)."""
        if until > self._until.get(scope, float("-inf")):
            self._until[scope] = until

    def wait_for(self, scope: str, now: float) -> float:
        """Seconds to wait before a call in ``scope`` may be sent (0 when it may go now)."""
        return _seconds_left(self._until, scope, now)


class ClockOffset:
    """The server clock minus ours, measured from server-time round trips (``/thirdExt/now``, in ms).

    The server's stamp is taken to fall at the midpoint of the round trip.
    """

    __slots__ = ("offset_ms", "round_trip_ms", "synced")

    def __init__(self) -> None:
        self.offset_ms = 0
        """Add this to local epoch milliseconds to get server time."""
        self.round_trip_ms: int | None = None
        """The round trip of the last measurement."""
        self.synced = False
        """Whether a measurement has been taken."""

    def update(self, sent_ms: int, received_ms: int, server_ms: int) -> int:
        """Record one measurement and return the new offset."""
        midpoint = (sent_ms + received_ms) // 2
        self.offset_ms = server_ms - midpoint
        self.round_trip_ms = max(0, received_ms - sent_ms)
        self.synced = True
        return self.offset_ms

    def server_ms(self, local_ms: int) -> int:
        """Local epoch milliseconds translated to the server's clock."""
        return local_ms + self.offset_ms
