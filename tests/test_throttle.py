"""Client-side rate limiting, endpoint budgets and the clock offset."""

from __future__ import annotations

import pytest

from multimarkets_async.protocol.throttle import (
    ClockOffset,
    EndpointBudgets,
    SlidingWindowLimiter,
    read_ratelimit_headers,
)


def test_limiter_books_slots_in_order() -> None:
    limiter = SlidingWindowLimiter(3, window=60)
    assert [limiter.reserve(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.reserve(1.0) == pytest.approx(59.0)  # waits for the first to leave the window
    assert limiter.reserve(1.0) == pytest.approx(59.0)
    assert limiter.reserve(1.0) == pytest.approx(59.0)
    assert limiter.reserve(1.0) == pytest.approx(119.0)


def test_limiter_frees_slots_as_time_passes() -> None:
    limiter = SlidingWindowLimiter(2, window=10)
    limiter.reserve(0.0)
    limiter.reserve(5.0)
    assert limiter.reserve(10.0) == 0.0
    assert limiter.reserve(10.0) == pytest.approx(5.0)


def test_limiter_never_exceeds_the_limit_in_any_window() -> None:
    limiter = SlidingWindowLimiter(5, window=1.0)
    times = [i * 0.01 for i in range(100)]
    starts = sorted(t + limiter.reserve(t) for t in times)
    for i, start in enumerate(starts):
        in_window = [s for s in starts[: i + 1] if s > start - 1.0 + 1e-9]
        assert len(in_window) <= 5


def test_limiter_validates() -> None:
    with pytest.raises(ValueError, match="limit"):
        SlidingWindowLimiter(0)


def test_ratelimit_headers_read_both_spellings() -> None:
    names = ("x-ratelimit-remairing", "x-ratelimit-remaining")
    assert read_ratelimit_headers(
        {"x-ratelimit-limit": "300", "x-ratelimit-remairing": "299", "x-ratelimit-reset": "60"}, names
    ) == (300, 299, 60.0)
    assert read_ratelimit_headers({"x-ratelimit-remaining": "4"}, names) == (None, 4, None)
    assert read_ratelimit_headers({"x-ratelimit-remaining": "x"}, names) == (None, None, None)


def test_endpoint_budget_closes_when_spent_and_reopens_after_the_window() -> None:
    budgets = EndpointBudgets()
    budgets.observe("/global/a", remaining=0, reset=60, now=100.0)
    assert budgets.wait_for("/global/a", 130.0) == pytest.approx(30.0)
    assert budgets.wait_for("/global/b", 130.0) == 0.0
    assert budgets.wait_for("/global/a", 160.0) == 0.0
    budgets.observe("/global/a", remaining=0, reset=None, now=0.0)
    budgets.observe("/global/a", remaining=5, reset=60, now=1.0)
    assert budgets.wait_for("/global/a", 1.0) == 0.0


def test_clock_offset_uses_the_round_trip_midpoint() -> None:
    clock = ClockOffset()
    assert clock.server_ms(1000) == 1000
    assert clock.update(sent_ms=1000, received_ms=1100, server_ms=6050) == 5000
    assert clock.round_trip_ms == 100
    assert clock.synced
    assert clock.server_ms(2000) == 7000
