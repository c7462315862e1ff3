"""The heartbeat state (pure) and its task body."""

from __future__ import annotations

import pytest

from multimarkets_async._ws._heartbeat import run_heartbeat
from multimarkets_async.protocol.heartbeat import HeartbeatState
from tests._support import FakeClock


def test_ping_schedule_and_deadline() -> None:
    state = HeartbeatState(interval=10, dead_after=30, now=0)
    assert state.ping_due(0)
    state.ping_sent(0, ping_id=1)
    assert not state.ping_due(9.9)
    assert state.ping_due(10)
    assert not state.overdue(30)
    assert state.overdue(30.01)
    state.received(25)
    assert not state.overdue(50)
    assert state.next_wakeup(5) == pytest.approx(5.001)


def test_pong_measures_latency_by_id() -> None:
    state = HeartbeatState(interval=10, dead_after=30, now=0)
    state.ping_sent(1.0, ping_id="a")
    state.ping_sent(2.0, ping_id="b")
    assert state.pong(2.5, "a") == pytest.approx(1.5)
    assert state.pong(2.6, "unknown") is None
    assert state.latency == pytest.approx(1.5)
    assert state.last_received == 2.6


def test_invalid_intervals() -> None:
    with pytest.raises(ValueError, match="positive"):
        HeartbeatState(interval=0, dead_after=1, now=0)


@pytest.mark.anyio
async def test_task_pings_then_declares_a_silent_peer_dead() -> None:
    clock = FakeClock(0.0)  # a virtual clock: no real waiting
    pings: list[float] = []
    dead: list[float] = []
    state = HeartbeatState(interval=1, dead_after=3, now=0)

    async def send_ping() -> object:
        pings.append(clock.now)
        return len(pings)

    async def on_dead() -> None:
        dead.append(clock.now)

    await run_heartbeat(state, send_ping=send_ping, on_dead=on_dead, clock=clock, sleep=clock.sleep)
    assert [round(t, 2) for t in pings] == [0.0, 1.0, 2.0]
    assert len(dead) == 1
    assert 3.0 < dead[0] < 3.1  # within interval + timeout of the last frame


@pytest.mark.anyio
async def test_task_stops_quietly_when_sending_fails() -> None:
    state = HeartbeatState(interval=1, dead_after=3, now=0)

    async def broken() -> object:
        raise OSError("socket gone")

    async def never() -> None:
        raise AssertionError("not dead")

    await run_heartbeat(state, send_ping=broken, on_dead=never, clock=lambda: 0.0)
