"""The simulator's settings: one frozen dataclass, every protocol Assumption behind a named field.

Each field that implements an **Assumption** of the protocol reference names the setting it stands for
in the assumption registry (protocol README section 6), so a reader can trace the behaviour back to the
documented choice and change it without touching the protocol code.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["SimulatorConfig"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatorConfig:
    """How the simulator behaves. Every default is the documented (or assumed) platform behaviour.

    Attributes:
        seed: seeds every random choice (price walk, tokens, API key), so two runs with the same seed
            produce the same prices and identifiers.
        host: interface the HTTP server binds to; always loopback by default.
        port: TCP port; 0 picks a free ephemeral port.
        company_id: the white-label company id (``companyId`` header); the vendor's test company is 439.
        login_name: e-mail login name (login ``type`` 1) of the seeded customer.
        password: the seeded customer's plain password (the wire carries its MD5).
        initial_balance: starting balance of each seeded trading account, in account currency.
        open_api_rate_per_min: Assumption ``open_api_rate_per_min``: requests per API key per 60 s
            window before HTTP 429.
        client_rate_limit: Client API requests per (companyId, token or IP, path) per window before
            HTTP 429; also the ``x-ratelimit-limit`` header (Assumption
            ``ratelimit_remaining_header``).
        rate_window_s: length of both fixed rate-limit windows, in seconds (documented: one minute).
        lockout_first_s: Assumption ``lockout_schedule``: the first 418 locks the key for 5 minutes.
        lockout_step_s: Assumption ``lockout_schedule``: every further 418 adds 5 minutes (5, 10, 15 ...).
        lockout_reset_s: Assumption ``lockout_schedule``: the schedule restarts after this long without
            a lockout (one full lockout-free minute).
        recv_window_ms: Assumption ``recv_window_ms``: Open API time window when no ``recvWindow``
            header is sent.
        max_clock_ahead_ms: Assumption ``max_clock_ahead_ms``: how far an Open API ``timestamp`` may
            run ahead of the server clock.
        client_timestamp_tolerance_ms: Client API ``timestamp`` skew that gives ``GATEWAY_CODE_014``.
            Not documented: the simulator checks it only when the header is present.
        strict_version_group: Assumption ``send_version_group``: when true, the ``version``/``group``
            headers must match the operation's metadata, else ``GATEWAY_CODE_010``.
        require_encryption: Assumption ``encrypt_client_body`` (strict mode): reject plain Client API
            bodies with ``GATEWAY_CODE_015``.
        captcha_token: when set, login, registration and ``verifyCodeSend`` need the header
            ``captcha`` equal to it, else ``F999999``.
        verify_code: the one-time code every ``verifyCodeSend`` "sends" (e-mail or SMS); registration
            and password-less login accept it with the ``sendToken`` of that send (endpoints 2.2).
        verify_code_ttl_s: how long a ``sendToken`` stays valid (not documented: 10 minutes).
        auth2_code_ttl_s: Assumption ``auth2_lifetimes``: an Auth2 authorization code lives 5 minutes.
        auth2_access_ttl_s: Assumption ``auth2_lifetimes``: an Auth2 access token lives 2 hours.
        auth2_refresh_ttl_s: lifetime of an Auth2 refresh token (not documented: 30 days).
        idempotency_ttl_s: how long an ``idempotency-key`` answer is replayed (24 hours).
        emit_message_key: Assumption ``open_api_envelope_message_key``: also write ``message`` next to
            ``msg`` in every envelope.
        default_lang: language of ``msg`` when the request has no ``lang`` header (the
            server's default, ``zh-CN``).
        tick_interval_s: when set, prices take one random-walk step every so many seconds in the
            background; ``None`` (the default) moves prices only on ``Simulator.tick()``, which keeps
            tests deterministic.
        graceful_shutdown_s: how long shutdown waits for requests still being answered.
        clock_ms: the base clock in epoch milliseconds (wall time when ``None``); the server clock is
            this plus ``Simulator.server_clock_offset_ms``. Inject a callable to drive time windows,
            rate windows and lockouts in tests without sleeping.
        quote_idle_timeout_s: the market-data socket drops a client that sent no frame for this long
            (30 s without a heartbeat).
        msg_idle_timeout_s: Assumption ``msg_ws_ping_interval``: the message-push socket drops a client that
            sent no frame for this long.
        rpc_idle_timeout_s: idle timeout of the Client RPC socket; not documented, so ``None`` (never).
        quote_max_calls_per_s: commands per second per market-data connection before ``ret`` 202
            (Assumption ``quote_limit_error``).
        socket_queue_size: bound of each socket connection's outgoing queue. A push that finds it full
            is dropped (and counted) so a slow client never holds up the exchange.
        bridge_callback_timeout_s: how long one Bridge callback attempt waits for the answer.
        bridge_callback_retry_delays_s: pauses before each retry of a Bridge callback that got no
            HTTP 200 (not documented: three retries).
        webhook_timeout_s: Assumption ``webhook_timeout``: the platform treats a credit-limit
            adjustment not answered within this many seconds as refused (endpoints 12.2: 3 s).
        webhook_other_timeout_s: Assumption ``webhook_timeout``: timeout of ``get-user-amount``, the
            cancel call and the Message API call (5 s).
        webhook_cancel_retry_delays_s: Assumption ``webhook_cancel_retries``: pauses before each retry
            of a cancel call that failed (1, 2 and 4 s); make them small in tests.
        push_token_bases: where ``getMsgPushToken`` signed with an API key is served: ``"client"``
            (``/api/global/getMsgPushToken``, the vendor page's URL) and ``"open"``
            (``/openapi-c/global/getMsgPushToken``). Leave one out to answer ``GATEWAY_CODE_002`` there.
        replay: a directory recorded with ``multimarkets record`` (or ``data.Recorder``): its ticks,
            books and trades are replayed into the quote socket, and the exchange's prices follow them
            (``Simulator.replay`` holds the controls). Cannot be combined with ``tick_interval_s``.
        replay_speed: the replay's pace: the recorded pace divided by this factor (1.0 real time, 10
            ten times faster); ``None`` or 0 as fast as the subscribers read (the next event goes out
            once every subscribed quote connection has sent the previous ones).
    """

    seed: int = 7
    host: str = "127.0.0.1"
    port: int = 0
    company_id: int = 439
    login_name: str = "trader@example.com"
    password: str = "a123456"  # noqa: S105 - the vendor's published example password
    initial_balance: str = "10000"
    open_api_rate_per_min: int = 100
    client_rate_limit: int = 300
    rate_window_s: int = 60
    lockout_first_s: int = 300
    lockout_step_s: int = 300
    lockout_reset_s: int = 60
    recv_window_ms: int = 5000
    max_clock_ahead_ms: int = 1000
    client_timestamp_tolerance_ms: int = 60_000
    strict_version_group: bool = False
    require_encryption: bool = False
    captcha_token: str | None = dataclasses.field(default=None, repr=False)
    verify_code: str = dataclasses.field(default="123456", repr=False)
    verify_code_ttl_s: int = 600
    auth2_code_ttl_s: int = 300
    auth2_access_ttl_s: int = 7200
    auth2_refresh_ttl_s: int = 30 * 86400
    idempotency_ttl_s: int = 24 * 3600
    emit_message_key: bool = False
    default_lang: str = "zh-CN"
    tick_interval_s: float | None = None
    graceful_shutdown_s: int = 2
    clock_ms: Callable[[], int] | None = dataclasses.field(default=None, compare=False)
    quote_idle_timeout_s: float = 30.0
    msg_idle_timeout_s: float = 60.0
    rpc_idle_timeout_s: float | None = None
    quote_max_calls_per_s: int = 50
    socket_queue_size: int = 256
    bridge_callback_timeout_s: float = 5.0
    bridge_callback_retry_delays_s: tuple[float, ...] = (1.0, 2.0, 4.0)
    webhook_timeout_s: float = 3.0
    webhook_other_timeout_s: float = 5.0
    webhook_cancel_retry_delays_s: tuple[float, ...] = (1.0, 2.0, 4.0)
    push_token_bases: frozenset[str] = frozenset({"client", "open"})
    replay: str | os.PathLike[str] | None = None
    replay_speed: float | None = 1.0

    def __post_init__(self) -> None:
        positive = {
            "open_api_rate_per_min": self.open_api_rate_per_min,
            "client_rate_limit": self.client_rate_limit,
            "rate_window_s": self.rate_window_s,
            "lockout_first_s": self.lockout_first_s,
            "idempotency_ttl_s": self.idempotency_ttl_s,
            "quote_idle_timeout_s": self.quote_idle_timeout_s,
            "msg_idle_timeout_s": self.msg_idle_timeout_s,
            "quote_max_calls_per_s": self.quote_max_calls_per_s,
            "socket_queue_size": self.socket_queue_size,
            "verify_code_ttl_s": self.verify_code_ttl_s,
            "auth2_code_ttl_s": self.auth2_code_ttl_s,
            "auth2_access_ttl_s": self.auth2_access_ttl_s,
            "auth2_refresh_ttl_s": self.auth2_refresh_ttl_s,
            "bridge_callback_timeout_s": self.bridge_callback_timeout_s,
            "webhook_timeout_s": self.webhook_timeout_s,
            "webhook_other_timeout_s": self.webhook_other_timeout_s,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ValueError(f"SimulatorConfig.{name} must be positive, got {value!r}")
        for name, value in {
            "lockout_step_s": self.lockout_step_s,
            "lockout_reset_s": self.lockout_reset_s,
            "recv_window_ms": self.recv_window_ms,
            "max_clock_ahead_ms": self.max_clock_ahead_ms,
            "client_timestamp_tolerance_ms": self.client_timestamp_tolerance_ms,
        }.items():
            if value < 0:
                raise ValueError(f"SimulatorConfig.{name} must not be negative, got {value!r}")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"SimulatorConfig.port must be 0..65535, got {self.port!r}")
        if self.tick_interval_s is not None and self.tick_interval_s <= 0:
            raise ValueError("SimulatorConfig.tick_interval_s must be positive or None")
        if self.rpc_idle_timeout_s is not None and self.rpc_idle_timeout_s <= 0:
            raise ValueError("SimulatorConfig.rpc_idle_timeout_s must be positive or None")
        for name, delays in (
            ("bridge_callback_retry_delays_s", self.bridge_callback_retry_delays_s),
            ("webhook_cancel_retry_delays_s", self.webhook_cancel_retry_delays_s),
        ):
            if any(d < 0 for d in delays):
                raise ValueError(f"SimulatorConfig.{name} must not hold negative delays, got {delays!r}")
        if self.replay_speed is not None and not self.replay_speed >= 0:
            raise ValueError(f"SimulatorConfig.replay_speed must be >= 0 or None, got {self.replay_speed!r}")
        if self.replay is not None and self.tick_interval_s is not None:
            raise ValueError(
                "SimulatorConfig.replay and tick_interval_s exclude each other: a replay moves the prices"
            )
        if not self.verify_code:
            raise ValueError("SimulatorConfig.verify_code must not be empty")
