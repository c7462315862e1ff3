"""The relay's settings: how long JetStream keeps what the relay publishes, and the lease that lets one
relay of several hold the platform connections.

Frozen and validated at construction, like the client's settings (``_config``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from ..errors import ConfigurationError

__all__ = ["DEFAULT_NATS_URL", "LeaseSettings", "Retention"]

DEFAULT_NATS_URL: Final = "nats://127.0.0.1:4222"
"""Where the relay and its readers look for NATS when no URL is given (``MULTIMARKETS_NATS_URL``)."""

_DAY_S: Final = 86_400.0


@dataclass(frozen=True, slots=True)
class Retention:
    """What the relay's JetStream streams keep. The relay creates the streams, or updates them to
    these limits, when it starts.

    Market data (``..._MARKET``) keeps the latest message per subject, so a reader that starts late
    gets every product's current tick, book, trade and 24 h statistics at once. The account's pushes
    (``..._ACCOUNT``) and the data-push events (``..._DATAPUSH``) are kept by age and size, for worker
    pools reading them through durable consumers.

    Attributes:
        market_max_age_s: a product's latest market message is dropped this long after it was
            published (a product the relay stopped carrying goes away).
        market_storage: ``"memory"`` (fast; lost when the NATS server restarts) or ``"file"``.
        market_duplicate_window_s: how long JetStream remembers market message ids (short: market
            data is high-rate, and only the latest message per subject counts).
        kept_max_age_s: how long account pushes and data-push events are kept (7 days by default, as
            long as the platform keeps a data-push group's events).
        kept_max_bytes: the size limit of each kept stream (the oldest messages go first); ``None``
            (the default) for none: the streams are then bounded by age and by the server's own
            storage limit. JetStream reserves a stream's byte limit up front, so set one on servers
            with room for it (two kept streams per company).
        kept_duplicate_window_s: how long JetStream remembers the ids of kept messages, so a relay
            that restarts or takes over within this window publishes nothing twice.
        replicas: copies of each stream in a NATS cluster (1 on a single server).
    """

    market_max_age_s: float = 3600.0
    market_storage: Literal["memory", "file"] = "memory"
    market_duplicate_window_s: float = 5.0
    kept_max_age_s: float = 7 * _DAY_S
    kept_max_bytes: int | None = None
    kept_duplicate_window_s: float = 600.0
    replicas: int = 1

    def __post_init__(self) -> None:
        for name in (
            "market_max_age_s",
            "market_duplicate_window_s",
            "kept_max_age_s",
            "kept_duplicate_window_s",
        ):
            if not getattr(self, name) > 0:
                raise ConfigurationError(f"Retention.{name} must be positive, got {getattr(self, name)!r}")
        if self.market_duplicate_window_s > self.market_max_age_s:
            raise ConfigurationError("Retention.market_duplicate_window_s cannot exceed market_max_age_s")
        if self.kept_duplicate_window_s > self.kept_max_age_s:
            raise ConfigurationError("Retention.kept_duplicate_window_s cannot exceed kept_max_age_s")
        if self.market_storage not in ("memory", "file"):
            raise ConfigurationError(
                f"Retention.market_storage must be 'memory' or 'file', got {self.market_storage!r}"
            )
        if self.kept_max_bytes is not None and self.kept_max_bytes <= 0:
            raise ConfigurationError(
                f"Retention.kept_max_bytes must be positive or None, got {self.kept_max_bytes!r}"
            )
        if not 1 <= self.replicas <= 5:
            raise ConfigurationError(f"Retention.replicas must be 1 to 5, got {self.replicas!r}")


@dataclass(frozen=True, slots=True)
class LeaseSettings:
    """The lease that makes one relay of several the active one (a key-value entry with a TTL).

    The active relay renews its lease every ``renew_every_s``; a relay that cannot renew (it lost NATS,
    or another relay holds the key) closes its platform connections at once. A standby tries to take
    the lease every ``renew_every_s``; it succeeds once the key has expired, at most ``ttl_s`` after
    the active relay's last renewal, so a relay that dies is replaced within about ``ttl_s +
    renew_every_s``. A relay that stops cleanly releases the lease, and a standby takes over within
    ``renew_every_s``.

    Attributes:
        ttl_s: how long a lease lives without renewal.
        renew_every_s: how often the holder renews and a standby tries; a third of ``ttl_s`` when
            ``None``.
    """

    ttl_s: float = 5.0
    renew_every_s: float | None = None

    def __post_init__(self) -> None:
        if not self.ttl_s >= 0.5:
            raise ConfigurationError(f"LeaseSettings.ttl_s must be at least 0.5 s, got {self.ttl_s!r}")
        if self.renew_every_s is not None and not 0 < self.renew_every_s <= self.ttl_s / 2:
            raise ConfigurationError(
                "LeaseSettings.renew_every_s must be positive and at most half of ttl_s "
                f"(got {self.renew_every_s!r} with ttl_s={self.ttl_s!r})"
            )

    @property
    def interval_s(self) -> float:
        """The renewal (and take-over attempt) interval in seconds."""
        return self.renew_every_s if self.renew_every_s is not None else self.ttl_s / 3
