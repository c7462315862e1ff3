"""Heartbeat state: when to ping, whether the peer is overdue, and the measured latency (sans-I/O).

The state takes the time as an argument so tests can step it; the task that drives it on a socket is
``multimarkets_async._ws._heartbeat.run_heartbeat``. A connection is dead when *nothing at all* has been
received for ``dead_after`` seconds (a pong is traffic too).
"""

from __future__ import annotations

__all__ = ["HeartbeatState"]


class HeartbeatState:
    """When to ping, whether the peer is overdue, and the measured round-trip latency."""

    __slots__ = ("_pending", "dead_after", "interval", "last_ping", "last_received", "latency")

    def __init__(self, *, interval: float, dead_after: float, now: float) -> None:
        if interval <= 0 or dead_after <= 0:
            raise ValueError("interval and dead_after must be positive")
        self.interval = interval
        """Seconds between pings."""
        self.dead_after = dead_after
        """Seconds of silence after which the connection is dead."""
        self.last_received = now
        """When the last frame of any kind arrived (the connection's opening counts)."""
        self.last_ping: float | None = None
        """When the last ping was sent."""
        self.latency: float | None = None
        """Round trip of the last answered ping, in seconds."""
        self._pending: dict[object, float] = {}

    def received(self, now: float) -> None:
        """Record that a frame arrived."""
        self.last_received = now

    def ping_due(self, now: float) -> bool:
        """Whether it is time to send a ping."""
        return self.last_ping is None or now - self.last_ping >= self.interval

    def ping_sent(self, now: float, ping_id: object = None) -> None:
        """Record a ping; ``ping_id`` correlates its pong where the dialect has one."""
        self.last_ping = now
        if ping_id is not None:
            self._pending[ping_id] = now
            if len(self._pending) > 16:  # unanswered pings: keep the newest few only
                self._pending.pop(next(iter(self._pending)))

    def pong(self, now: float, ping_id: object = None) -> float | None:
        """Record a pong; return the latency when it answers a known ping."""
        self.last_received = now
        sent = self._pending.pop(ping_id, None) if ping_id is not None else None
        if sent is None and ping_id is None and self.last_ping is not None:
            sent = self.last_ping
        if sent is not None:
            self.latency = max(0.0, now - sent)
        return self.latency if sent is not None else None

    def overdue(self, now: float) -> bool:
        """Whether the peer has been silent for longer than ``dead_after``."""
        return now - self.last_received > self.dead_after

    def next_wakeup(self, now: float) -> float:
        """Seconds until something must be checked: the next ping or the silence deadline."""
        next_ping = 0.0 if self.last_ping is None else self.last_ping + self.interval - now
        deadline = self.last_received + self.dead_after - now
        return max(0.0, min(next_ping, deadline)) + 0.001
