"""Everything one simulator knows, in one place: clock, exchange, sessions, limits, faults, records.

The HTTP app and the socket endpoints read and change the simulator only through a
``SimState``, so every transport sees the same tokens, prices and orders.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from ...protocol import crypto
from .._config import SimulatorConfig
from .._exchange.exchange import SimExchange
from .._exchange.quote_data import QuoteData
from .._faults.http import Faults
from .._http.apikeys import SimApiKey, SimApiKeys
from .._http.identity import Auth2Store, Verifications
from .._http.limits import FixedWindowLimiter, IdempotencyCache, LockoutLimiter
from .._http.sessions import Session, Sessions
from .._http.wire import RecordedRequest
from .._keys import SIGN_DEMO, TRADE_H5_COMPANY
from .._partners.state import BridgeState, ManagerStore
from .._sockets.datapush_hub import DataPushHub
from .._sockets.registry import SocketRegistry
from .._thread import LoopBinding

__all__ = ["Session", "Sessions", "SimClock", "SimState"]


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class SimClock:
    """The server clock: a base clock in epoch ms plus a settable offset.

    Args:
        base_ms: the base clock (wall time by default).
    """

    def __init__(self, base_ms: Callable[[], int] | None = None) -> None:
        self._base = base_ms or _wall_clock_ms
        self.offset_ms = 0

    def now_ms(self) -> int:
        """The server's current time in epoch milliseconds."""
        return int(self._base()) + self.offset_ms


class SimState:
    """The whole mutable state of one simulator.

    Args:
        config: the settings.
    """

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.clock = SimClock(config.clock_ms)
        # Seeded on purpose: a test server's prices and identifiers must be reproducible, not secret.
        self.rng = random.Random(config.seed)  # noqa: S311
        now = self.clock.now_ms()
        self.exchange = SimExchange(
            company_id=config.company_id,
            login_name=config.login_name,
            password_md5=crypto.md5_password(config.password),
            initial_balance=config.initial_balance,
            now_ms=now,
        )
        self.sessions = Sessions(random.Random(self.rng.getrandbits(64)))  # noqa: S311
        key_text = f"{self.rng.getrandbits(128):032x}"
        self.api_key = SimApiKey(
            key_text,
            self.exchange.customer.customer_id,
            SIGN_DEMO.private_key,
            SIGN_DEMO.public_key,
            tag="sim",
            secret_key_md5=crypto.secret_key_md5(SIGN_DEMO.private_key),
            create_time_ms=now,
            update_time_ms=now,
        )
        # Separate seeded sources, so the draws above (and the price walk) stay what they were.
        self.api_keys = SimApiKeys(self.api_key, random.Random(f"api-keys-{config.seed}"))  # noqa: S311
        """Every Open API key (the seeded one first), with its permissions and verifier."""
        self.verifications = Verifications(
            random.Random(f"verify-{config.seed}"),  # noqa: S311
            config.verify_code,
            config.verify_code_ttl_s * 1000,
        )
        self.auth2 = Auth2Store(
            random.Random(f"auth2-{config.seed}"),  # noqa: S311
            config.auth2_code_ttl_s * 1000,
            config.auth2_access_ttl_s * 1000,
            config.auth2_refresh_ttl_s * 1000,
        )
        self.company_public_key = TRADE_H5_COMPANY.public_key
        self.company_private_key = crypto.load_private_key(TRADE_H5_COMPANY.private_key)
        self.binding = LoopBinding()
        """Where the simulator serves from when it runs on its own thread (``serve_in_thread``)."""
        self.faults = Faults()
        self.faults._binding = self.binding
        self.requests: list[RecordedRequest] = []
        self.client_limiter = FixedWindowLimiter(config.client_rate_limit, config.rate_window_s)
        self.open_limiter = LockoutLimiter(
            config.open_api_rate_per_min,
            config.rate_window_s,
            config.lockout_first_s,
            config.lockout_step_s,
            config.lockout_reset_s,
        )
        self.idempotency = IdempotencyCache(config.idempotency_ttl_s)
        self.sockets = SocketRegistry(config.socket_queue_size)
        self.sockets._binding = self.sockets.faults._binding = self.binding
        self.quote_feed = QuoteData(self.exchange.market, config.seed, now)
        self.manager = ManagerStore(random.Random(f"manager-{config.seed}"))  # noqa: S311
        """Manager credentials and company tokens, and the seeded Bridge key."""
        self.manager_proposals: dict[str, dict[str, Any]] = {}
        """Balance-adjustment proposals by proposal number."""
        self.webhook_urls: dict[str, str] = {}
        """The Webhook API URLs registered with ``CompanyWebhookDubboService.subscribe``."""
        self.datapush = DataPushHub(self.exchange, self.sockets, self.now_ms)
        self.datapush._binding = self.binding
        self.bridge = BridgeState(
            config.company_id, config.bridge_callback_retry_delays_s, config.bridge_callback_timeout_s
        )

    def now_ms(self) -> int:
        """The server clock."""
        return self.clock.now_ms()
