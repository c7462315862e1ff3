"""Client configuration: environments, credentials-free settings and policies, frozen and validated.

Every protocol point the vendor leaves open (an "Assumption" in the protocol reference) is a named field
here with the documented default, so it can be changed without touching protocol code. The settings
objects are plain frozen dataclasses: cheap to copy with ``dataclasses.replace``, hashable, and
validated once at construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import ConfigurationError

__all__ = [
    "PRD",
    "PRE",
    "Environment",
    "ProtocolSettings",
    "RateLimitPolicy",
    "ReconnectPolicy",
    "RetryPolicy",
    "StreamSettings",
    "Timeouts",
    "resolve_environment",
]


def _ws_scheme(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return ("wss" if scheme == "https" else "ws") + "://" + rest


@dataclass(frozen=True, slots=True)
class Environment:
    """Where each API family and socket of one MultiMarkets deployment lives.

    Build one from a single base URL with ``from_base_url`` (the layout every documented
    deployment and the simulator share), or use the presets ``PRD`` and ``PRE``.
    """

    client_url: str
    """Client API base, ``{base}/api``: login, registration and ``/global/{bizType}`` calls."""
    open_api_url: str
    """Open API base, ``{base}/openapi-c``: the same operations signed with an API key."""
    manager_url: str
    """Manager (Business) API base, ``{base}/openapi-b``."""
    bridge_url: str
    """Bridge API base, ``{base}/webhook`` (unrelated to the Webhook API, which calls *you*)."""
    quote_ws_url: str
    """Market-data socket base, ``{ws base}/apiQuote`` (``/quote``, ``/quote_guest`` are appended)."""
    msg_ws_url: str
    """Message-push socket URL template, ``{ws base}/openapi-c/openMsg/{appId}``."""
    manager_push_ws_url: str
    """Manager data-push socket, ``{ws base}/openapi-b/ws``."""
    rpc_ws_url: str
    """Client RPC socket (header/body frames), ``{ws base}/api/ws`` (Assumption ``rpc_ws_url``)."""
    auth2_url: str = ""
    """Auth2 API base, ``{base}/cats-gateway-auth2`` (documented for PRE only)."""
    name: str = "custom"
    """A label for logs and reprs."""

    @classmethod
    def from_base_url(cls, base_url: str, *, name: str = "custom") -> Environment:
        """Derive every family's URL from ``scheme://host[:port]``.

        Raises:
            ConfigurationError: if ``base_url`` is not an absolute http(s) URL without a path.
        """
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigurationError(f"base_url must look like 'https://host[:port]', got {base_url!r}")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ConfigurationError(
                f"base_url must not carry a path or query (the SDK adds /api, /openapi-c, ...): {base_url!r}"
            )
        base = f"{parts.scheme}://{parts.netloc}"
        ws = _ws_scheme(base)
        return cls(
            client_url=f"{base}/api",
            open_api_url=f"{base}/openapi-c",
            manager_url=f"{base}/openapi-b",
            bridge_url=f"{base}/webhook",
            quote_ws_url=f"{ws}/apiQuote",
            msg_ws_url=f"{ws}/openapi-c/openMsg/{{appId}}",
            manager_push_ws_url=f"{ws}/openapi-b/ws",
            rpc_ws_url=f"{ws}/api/ws",
            auth2_url=f"{base}/cats-gateway-auth2",
            name=name,
        )


PRD = Environment.from_base_url("https://api.multimarkets.org", name="prd")
"""Production. The socket hosts are not documented for PRD; they follow the PRD HTTP host
(Assumption ``environment.prd.*_ws_url``)."""

PRE = Environment(
    client_url="https://prewppc-3.cmfbl.com/api",
    open_api_url="https://prewppc-3.cmfbl.com/openapi-c",
    # Every working vendor sample uses pre-api-test (Assumption ``manager_base_url``).
    manager_url="https://pre-api-test.cmfbl.com/openapi-b",
    bridge_url="https://pre-api-test.cmfbl.com/webhook",
    quote_ws_url="wss://prewppc-3.cmfbl.com/apiQuote",
    msg_ws_url="wss://pre-api-test.cmfbl.com/openapi-c/openMsg/{appId}",
    manager_push_ws_url="wss://pre-api-test.cmfbl.com/openapi-b/ws",
    rpc_ws_url="wss://prewppc-3.cmfbl.com/api/ws",
    auth2_url="https://prepc-real.headline.net/cats-gateway-auth2",
    name="pre",
)
"""The vendor's test environment (PRE)."""

_PRESETS = {"prd": PRD, "pre": PRE}


def resolve_environment(base_url: str | Environment) -> Environment:
    """Turn ``"prd"``, ``"pre"``, a base URL or an ``Environment`` into an ``Environment``."""
    if isinstance(base_url, Environment):
        return base_url
    preset = _PRESETS.get(base_url.strip().lower())
    return preset if preset is not None else Environment.from_base_url(base_url)


def _positive(name: str, value: float | None, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if value is None or value <= 0:
        raise ConfigurationError(f"{name} must be a positive number, got {value!r}")


@dataclass(frozen=True, slots=True)
class Timeouts:
    """HTTP timeouts in seconds.

    The server gives up after 15 s; the default read timeout of 20 s leaves network margin
    (Assumption ``http_timeout``).
    """

    connect: float = 5.0
    """Time to open a TCP/TLS connection."""
    read: float = 20.0
    """Time to wait for the answer once the request is sent."""
    write: float = 20.0
    """Time to send the request."""
    pool: float = 5.0
    """Time to wait for a free pooled connection."""

    def __post_init__(self) -> None:
        for name in ("connect", "read", "write", "pool"):
            _positive(f"Timeouts.{name}", getattr(self, name))


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how the HTTP session retries.

    Retries use capped, jittered exponential backoff and honour ``Retry-After``. Only calls that are
    safe to repeat are retried after the request may have reached the server: reads, and order calls
    carrying an ``idempotency-key``. A 418 lockout is never retried.
    """

    max_retries: int = 2
    """Extra attempts after the first (0 disables retries)."""
    initial_delay: float = 0.5
    """Upper bound of the first backoff delay, in seconds."""
    max_delay: float = 8.0
    """Cap of any backoff delay, in seconds."""
    multiplier: float = 2.0
    """Growth factor of the delay bound per attempt."""
    max_retry_after: float = 60.0
    """The longest server-requested wait (429 ``Retry-After``/``x-ratelimit-reset``) the SDK sleeps through;
    a longer one is raised as ``TooManyRequestsError`` instead."""
    default_rate_limit_wait: float = 60.0
    """Wait after a 429 that names no reset time (no ``x-ratelimit-reset`` header)."""

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ConfigurationError(f"RetryPolicy.max_retries must be >= 0, got {self.max_retries!r}")
        _positive("RetryPolicy.initial_delay", self.initial_delay)
        _positive("RetryPolicy.max_delay", self.max_delay)
        if self.multiplier < 1:
            raise ConfigurationError(f"RetryPolicy.multiplier must be >= 1, got {self.multiplier!r}")
        if self.max_retry_after < 0 or self.default_rate_limit_wait < 0:
            raise ConfigurationError("RetryPolicy waits must be >= 0")


@dataclass(frozen=True, slots=True)
class RateLimitPolicy:
    """Client-side throttling that follows the documented limits.

    The Open API and Bridge API allow 100 requests per minute per key; past that the server answers 429
    and then locks the key out with 418 (Assumption ``open_api_rate_per_min``). The SDK spends that budget
    itself so a busy bot waits a little instead of being locked out for five minutes.
    """

    open_api_per_minute: int | None = 100
    """Requests per rolling minute per API key; ``None`` disables client-side throttling."""
    window_margin: float = 1.0
    """Seconds added to the client-side limiter's minute. The server counts requests as they arrive,
    and network delays can bunch a burst at the limit closer together than it was sent: without a
    margin, a bot that keeps the budget spent earns a 429 (and, for the call already on its way, a
    418 lockout) at every window edge."""
    respect_ratelimit_headers: bool = True
    """Follow the Client/Manager ``x-ratelimit-*`` headers: when an endpoint's budget is spent, wait for
    its window to pass before calling it again."""

    def __post_init__(self) -> None:
        _positive("RateLimitPolicy.open_api_per_minute", self.open_api_per_minute, allow_none=True)
        if not 0 <= self.window_margin <= 60:
            raise ConfigurationError(
                f"RateLimitPolicy.window_margin must be between 0 and 60 seconds, got {self.window_margin!r}"
            )


@dataclass(frozen=True, slots=True)
class ProtocolSettings:
    """The protocol's open points, each behind the setting name of the protocol reference."""

    default_lang: str = "en-US"
    """``lang`` header sent on every request (Assumption ``default_lang``)."""
    recv_window_ms: int = 5000
    """``recvWindow`` header on signed requests (Assumption ``recv_window_ms``)."""
    success_codes: frozenset[str] = field(default_factory=lambda: frozenset({"0"}))
    """Envelope codes that mean success (Assumption ``success_codes``)."""
    envelope_message_keys: tuple[str, ...] = ("msg", "message")
    """Where the envelope's text is read, in order (Assumption ``open_api_envelope_message_key``)."""
    biz_type_fallback: bool = True
    """On an unknown-operation error, retry once under the operation's older description name
    (Assumption ``bizType_fallback``)."""
    ratelimit_remaining_headers: tuple[str, ...] = ("x-ratelimit-remairing", "x-ratelimit-remaining")
    """Header spellings read for the remaining budget; the vendor docs misspell it
    (Assumption ``ratelimit_remaining_header``)."""
    enc_chunk_size: int = 100
    """Piece size of the encrypted-body mode (Assumption ``enc_chunk_size``)."""
    send_idempotency_key: bool = True
    """Send a fresh ``idempotency-key`` (kept across the SDK's own retries) on every order-changing call."""
    leverage_field_name: str = "requestTime"
    """The body field that carries the leverage of ``setCrossLevelNum`` / ``updateCrossLevelNum``: every
    vendor spec titles ``requestTime`` "leverage" there (Assumption ``leverage_field_name``)."""

    def __post_init__(self) -> None:
        _positive("ProtocolSettings.recv_window_ms", self.recv_window_ms)
        if not 1 <= self.enc_chunk_size <= 117:
            raise ConfigurationError("ProtocolSettings.enc_chunk_size must be 1..117 (RSA-1024 PKCS#1 v1.5)")
        if not self.success_codes:
            raise ConfigurationError("ProtocolSettings.success_codes must not be empty")


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """How a socket reconnects: capped, jittered exponential backoff that resets after a healthy period.

    The platform's status page says sockets may drop during maintenance and clients "can reconnect
    immediately"; the defaults back off from 0.5 s doubling to 30 s.
    """

    initial_delay: float = 0.5
    """Upper bound of the first delay, in seconds."""
    max_delay: float = 30.0
    """Cap of any delay, in seconds."""
    multiplier: float = 2.0
    """Growth factor of the delay bound per failed attempt."""
    healthy_after: float = 30.0
    """A connection that stayed up this long resets the backoff."""
    max_attempts: int | None = None
    """Give up after this many failed attempts in a row; ``None`` retries forever."""
    first_connect_attempts: int | None = 5
    """Before a socket has ever opened, give up after this many failed attempts and raise the last
    error from the ``async with`` that opened it (about 7 s with the default delays), so a wrong URL
    or an unreachable host is an error rather than a stream that silently never starts. ``None``
    keeps trying (bounded only by ``max_attempts``)."""
    open_timeout: float = 10.0
    """Time allowed for a socket handshake."""

    def __post_init__(self) -> None:
        _positive("ReconnectPolicy.initial_delay", self.initial_delay)
        _positive("ReconnectPolicy.max_delay", self.max_delay)
        _positive("ReconnectPolicy.open_timeout", self.open_timeout)
        _positive("ReconnectPolicy.max_attempts", self.max_attempts, allow_none=True)
        _positive("ReconnectPolicy.first_connect_attempts", self.first_connect_attempts, allow_none=True)
        if self.multiplier < 1 or self.healthy_after < 0:
            raise ConfigurationError("ReconnectPolicy.multiplier must be >= 1 and healthy_after >= 0")


@dataclass(frozen=True, slots=True)
class StreamSettings:
    """Heartbeats, timeouts, buffers and routing of the sockets (see docs/streams.md), each overridable."""

    quote_ping_interval: float = 10.0
    """Market-data heartbeat (14008) period; the server drops a client silent for 30 s."""
    quote_dead_after: float = 30.0
    """Seconds without any frame after which the quote socket is dead (Assumption ``quote_pong_required``)."""
    msg_ping_interval: float = 15.0
    """Message-push ``ping`` period (Assumption ``msg_ws_ping_interval``)."""
    msg_dead_after: float = 60.0
    """Seconds without any frame after which the message socket is dead."""
    request_timeout: float = 30.0
    """Seconds to wait for a socket request's reply (the vendor's H5 client waits 60 s)."""
    quote_calls_per_second: int = 50
    """Documented request limit per quote connection."""
    max_products_per_connection: int = 100
    """Documented subscription limit per quote connection and command (Assumption
    ``quote_max_products_scope``); past it, another connection is opened."""
    market_buffer: int = 1024
    """Events a market-data subscription holds for a slow consumer beyond the latest one per product,
    which it always keeps (a newer tick or book replaces the waiting one): room for the events that
    are never merged (trades, connection events)."""
    private_buffer: int = 10_000
    """Messages a private subscription holds before it fails loudly (never drops)."""
    quote_token: bool = True
    """Use the login token on ``/quote`` when the client has one, else ``/quote_guest``
    (Assumption ``quote_ws_token``). A connection opened as a guest moves to ``/quote`` (reconnects)
    at ``client.login``, and back to ``/quote_guest`` at ``client.logout``."""
    quote_stock_trade_types: frozenset[int] = frozenset({6})
    """TradeTypes whose products stream on the stock socket, ``/quote_stock?token=`` (a login token is
    required there); every other product streams on ``/quote`` or ``/quote_guest``. Empty: no stock
    socket."""
    device: int = 1
    """``device`` code sent on the message socket (1 = H5, as in the docs' examples)."""
    log_frames: bool = False
    """At DEBUG, log the payload of each data frame (credentials masked, shortened) on
    ``multimarkets_async.ws.wire``; off, only each frame's type and size are logged. Frames carry
    account data (orders, balances) even with their tokens masked: turn this on for debugging only."""
    datapush_max_kicks: int = 3
    """Kick-outs of one data-push group's connection within ``datapush_kick_window`` after which its
    subscriptions fail with ``SessionEndedError``: the platform allows one connection per consumer
    group, and two consumers of one group would otherwise kick each other out forever."""
    datapush_kick_window: float = 60.0
    """Seconds over which ``datapush_max_kicks`` kick-outs are counted."""

    def __post_init__(self) -> None:
        for name in (
            "quote_ping_interval",
            "quote_dead_after",
            "msg_ping_interval",
            "msg_dead_after",
            "request_timeout",
        ):
            _positive(f"StreamSettings.{name}", getattr(self, name))
        if self.market_buffer < 1 or self.private_buffer < 1 or self.max_products_per_connection < 1:
            raise ConfigurationError("StreamSettings buffers and limits must be >= 1")
        if self.datapush_max_kicks < 1:
            raise ConfigurationError("StreamSettings.datapush_max_kicks must be >= 1")
        stock = self.quote_stock_trade_types
        if isinstance(stock, str) or not all(type(t) is int for t in stock):
            raise ConfigurationError(
                "StreamSettings.quote_stock_trade_types must be tradeType integers, e.g. {6}"
            )
        object.__setattr__(self, "quote_stock_trade_types", frozenset(stock))
        _positive("StreamSettings.datapush_kick_window", self.datapush_kick_window)
