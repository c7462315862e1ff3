"""Backoff delays, Retry-After parsing and the retry decision."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import multimarkets_async as mm
from multimarkets_async.protocol.backoff import (
    Failure,
    backoff_delay,
    backoff_delays,
    parse_retry_after,
    policy_delay,
    retry_decision,
)


@given(attempt=st.integers(0, 200), rand=st.floats(0, 1, exclude_max=True))
def test_delay_is_capped_and_never_zero(attempt: int, rand: float) -> None:
    delay = backoff_delay(attempt, initial=0.5, maximum=8.0, multiplier=2.0, rand=rand)
    bound = min(8.0, 0.5 * 2.0**attempt)
    assert bound / 2 <= delay <= bound


@pytest.mark.parametrize(
    "policy",
    [
        mm.RetryPolicy(initial_delay=0.25, max_delay=3.0, multiplier=3.0),
        mm.ReconnectPolicy(initial_delay=0.1, max_delay=5.0, multiplier=1.5),
    ],
    ids=["retry", "reconnect"],
)
def test_policy_delay_uses_the_policys_numbers(policy: mm.RetryPolicy | mm.ReconnectPolicy) -> None:
    for attempt in range(12):
        expected = backoff_delay(
            attempt,
            initial=policy.initial_delay,
            maximum=policy.max_delay,
            multiplier=policy.multiplier,
            rand=0.3,
        )
        assert policy_delay(attempt, policy, 0.3) == expected


def test_delays_grow_then_cap() -> None:
    delays = list(
        itertools.islice(backoff_delays(initial=1, maximum=10, multiplier=2, rand=lambda: 0.999999), 6)
    )
    assert delays == pytest.approx([1, 2, 4, 8, 10, 10], rel=1e-5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("7", 7.0), (" 2.5 ", 2.5), ("-3", 0.0), ("soon", None)],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now_epoch=0) == expected


def test_retry_after_http_date() -> None:
    # Wed, 21 Oct 2015 07:28:00 GMT == 1445412480
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now_epoch=1445412470) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00", now_epoch=0) is None  # no zone: ignore


def decide(failure: Failure, **kw: object) -> tuple[bool, float]:
    options: dict[str, object] = {"attempt": 0, "max_retries": 2, "repeatable": True, "backoff": 0.25}
    options.update(kw)
    decision = retry_decision(failure, **options)  # type: ignore[arg-type]
    return decision.retry, decision.delay


def test_fatal_is_never_retried() -> None:
    assert decide(Failure.FATAL) == (False, 0.0)


def test_not_sent_is_retried_even_when_not_repeatable() -> None:
    assert decide(Failure.NOT_SENT, repeatable=False) == (True, 0.25)


@pytest.mark.parametrize("failure", [Failure.NO_ANSWER, Failure.SERVER, Failure.RATE_LIMITED])
def test_sent_failures_need_a_repeatable_call(failure: Failure) -> None:
    assert decide(failure, repeatable=False)[0] is False
    assert decide(failure, repeatable=True) == (True, 0.25)


def test_attempts_run_out() -> None:
    assert decide(Failure.SERVER, attempt=2, max_retries=2)[0] is False
    assert decide(Failure.SERVER, attempt=0, max_retries=0)[0] is False


def test_server_wait_is_honoured_up_to_the_cap() -> None:
    assert decide(Failure.RATE_LIMITED, retry_after=3.0) == (True, 3.0)
    assert decide(Failure.RATE_LIMITED, retry_after=61.0, max_retry_after=60.0)[0] is False
