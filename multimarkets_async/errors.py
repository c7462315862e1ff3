"""The public exception tree: every error the SDK raises on purpose derives from `MultiMarketsError`.

    MultiMarketsError
    ├── ConfigurationError          bad settings or key material given to the SDK (also a ValueError)
    ├── InvalidArgumentError        a bad argument, refused before anything is sent (also a ValueError)
    ├── TransportError              network failure or timeout (raised ``from`` the I/O library's error)
    │   ├── ConnectError
    │   │   └── HandshakeError      a socket upgrade refused by the server (``status_code``)
    │   └── RequestTimeoutError
    ├── OutcomeUnknownError         a state-changing request may have run, its answer was lost: reconcile
    │   └── OrderStateUnknownError  the same for an order-placing or order-changing request
    ├── HTTPStatusError             HTTP status other than 200 (``status_code``, ``body``)
    │   ├── TooManyRequestsError    429 (``retry_after``)
    │   ├── LockedOutError          418 (``retry_after``, ``locked_until``)
    │   ├── WAFBlockedError         403
    │   └── ServerUnavailableError  5xx
    ├── ProtocolError               unparseable envelope, bad socket frame, decompression failure
    ├── StreamError                 a subscription cannot go on
    │   ├── SlowConsumerError       a never-drop subscription's consumer fell too far behind
    │   └── SessionEndedError       the server ended the push session (token refused, forced logout)
    └── APIError                    envelope ``code`` != "0", or a market-data ``ret`` != 200
        ├── AuthenticationError
        │   ├── SessionExpiredError     GATEWAY_CODE_001/005/017/101: log in again, retry once
        │   ├── LoginFailedError        wrong credentials, account locked or suspended
        │   ├── SignatureError          00012001
        │   └── ApiKeyError             00012003, 00012006
        ├── TimeWindowError             00012002, GATEWAY_CODE_014: resync the clock, retry once
        ├── PermissionDeniedError
        ├── RateLimitError              00012005, GATEWAY_CODE_018
        ├── ValidationError
        │   ├── UnknownOperationError   GATEWAY_CODE_002, GATEWAY_CODE_010
        │   ├── VerificationCodeError   SMS, e-mail or Google code wrong or missing
        │   └── CaptchaError            F999999
        ├── BusinessError               understood, then refused by a business rule
        │   └── TradingRuleError        CFDWBW... / CFD... trading rejections
        └── ServerError                 *500, downstream failures, timeouts reported in the envelope

``RateLimitError`` is an error code in the envelope; ``TooManyRequestsError`` is the HTTP 429 status.
Which code maps to which class: :mod:`multimarkets_async.protocol.error_codes`. Deprecated for one
release (warning): ``RateLimitedError`` (now ``TooManyRequestsError``) and that module's names here.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypedDict, TypeVar, Unpack

__all__ = [
    "APIError", "ApiKeyError", "AuthenticationError", "BusinessError", "CaptchaError", "ConfigurationError",
    "ConnectError", "HTTPStatusError", "HandshakeError", "InvalidArgumentError", "LockedOutError",
    "LoginFailedError",
    "MultiMarketsError", "OrderStateUnknownError", "OutcomeUnknownError", "PermissionDeniedError",
    "ProtocolError", "RateLimitError", "RequestTimeoutError", "ServerError", "ServerUnavailableError",
    "SessionEndedError", "SessionExpiredError", "SignatureError", "SlowConsumerError", "StreamError",
    "TimeWindowError", "TooManyRequestsError", "TradingRuleError", "TransportError",
    "UnknownOperationError", "ValidationError", "VerificationCodeError", "WAFBlockedError"
]  # fmt: skip

_E = TypeVar("_E", bound=BaseException)


class _ErrorFields(TypedDict, total=False):
    """The keyword arguments every exception of the tree accepts."""

    code: str | None
    biz_code: str | None
    trace: str | None
    msg_params: str | None
    status_code: int | None
    retry_after: float | None
    data: object


def _rebuild(cls: type[_E], args: tuple[object, ...]) -> _E:
    # Unpickling bypasses __init__ (whose keyword-only extras differ per class); the state dict
    # restores every attribute afterwards.
    return cls.__new__(cls, *args)


class MultiMarketsError(Exception):
    """Base class of every error the SDK raises on purpose.

    Attributes:
        message: Human-readable text, placeholders already filled.
        code: The error code as the server sent it (``"E000031"``, ``"429"`` as text for quote ``ret``).
        biz_code: The module that answered (``"G"``, ``"US"``, ``"CFD"`` ...), when known.
        trace: The request's trace id, to quote to the vendor's support.
        msg_params: The raw comma-separated ``msgParams`` the message was filled from.
        status_code: The HTTP status of the response, when there was one.
        retry_after: Seconds to wait before retrying, when the server said so.
        data: The envelope's ``data`` (on failures usually the bizType string). Never printed.
        hint: What to check first, when the SDK can tell (also at the end of ``message``); see the
            Errors page of the docs. ``None`` otherwise.
    """

    message: str
    code: str | None
    biz_code: str | None
    trace: str | None
    msg_params: str | None
    status_code: int | None
    retry_after: float | None
    data: object

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        biz_code: str | None = None,
        trace: str | None = None,
        msg_params: str | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
        data: object = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.biz_code = biz_code
        self.trace = trace
        self.msg_params = msg_params
        self.status_code = status_code
        self.retry_after = retry_after
        self.data = data
        self.hint: str | None = None

    def __str__(self) -> str:
        status = self.status_code if self.status_code != 200 else None
        fields = (("code", self.code), ("biz_code", self.biz_code), ("status", status), ("trace", self.trace))
        extras = ", ".join(f"{name}={value}" for name, value in fields if value not in (None, ""))
        return f"{self.message} ({extras})" if extras else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.args), self.__dict__)


class ConfigurationError(MultiMarketsError, ValueError):
    """Bad settings or key material given to the SDK."""


class InvalidArgumentError(MultiMarketsError, ValueError):
    """An argument the SDK refuses before sending the operation: fix the call; the operation never
    reached the platform (a read it needed to check the argument, such as the product catalogue or
    the customer's accounts, may have).

    Distinct from `ValidationError`, which is the platform refusing a parameter it received.
    """


class TransportError(MultiMarketsError):
    """The network failed: DNS, TLS, connection reset, or a timeout."""


class ConnectError(TransportError):
    """The connection could not be established."""


class HandshakeError(ConnectError):
    """The server refused a WebSocket upgrade (``status_code`` holds its HTTP status)."""


class RequestTimeoutError(TransportError):
    """No answer arrived in time (named so as not to shadow the builtin ``TimeoutError``)."""


class OutcomeUnknownError(MultiMarketsError):
    """A state-changing request may have reached the server, but its answer was lost: its fate is unknown.

    Raised, never retried blindly, once an attempt may have been delivered (no answer, a dropped
    connection, an unreadable answer), whatever a later retry then failed with. The error keeps
    what was sent so the caller can reconcile; the message names the idempotency key (if any), never
    the body or any credential. ``OrderStateUnknownError`` is the order-specific subclass; the Manager
    API's money operations (balance adjustments, bonuses) and webhook URL registration raise this class
    itself (``reconcile``: the advice the message ends with, instead of the generic one).

    Attributes:
        biz_type: The operation that was sent, e.g. ``"tradeapi.app.OrderApiService.addMarketOrder"``.
        body: The request body that was sent (kept for reconciliation, never printed).
        idempotency_key: The ``idempotency-key`` header sent with the request (or the caller's request
            number for a Manager money operation), if any.
    """

    biz_type: str
    body: Mapping[str, object] | None
    idempotency_key: str | None

    def __init__(
        self,
        message: str,
        *,
        biz_type: str,
        body: Mapping[str, object] | None = None,
        idempotency_key: str | None = None,
        reconcile: str | None = None,
        **kwargs: Unpack[_ErrorFields],
    ) -> None:
        ways = [reconcile] if reconcile else self._ways(body, idempotency_key)
        text = (
            f"{message or f'No answer to {biz_type}'}: {self._subject} may or may not have been applied; "
            f"reconcile before acting again: {' or '.join(ways)}"
        )
        super().__init__(text, **kwargs)
        self.biz_type = biz_type
        self.body = body
        self.idempotency_key = idempotency_key

    _subject = "the operation"

    @staticmethod
    def _ways(body: Mapping[str, object] | None, idempotency_key: str | None) -> list[str]:
        # The Manager API documents no idempotency-key: a repeat may run again, so never suggest one.
        where = "look for it before sending it again (the customer's balance and fund flow, or the data push)"
        return [f"{where}; its request number was {idempotency_key}" if idempotency_key else where]


class OrderStateUnknownError(OutcomeUnknownError):
    """An order-placing or order-changing request got no answer: its fate is unknown.

    The SDK never retries such a request blindly. The message tells the caller how to reconcile; it
    names the idempotency key and the ``thirdPartyOrder`` tag, never the body or any credential.
    ``client.orders.resend(exc)`` sends it again under the same key.

    Attributes:
        biz_type: The operation that was sent, e.g. ``"tradeapi.app.OrderApiService.addMarketOrder"``.
        body: The request body that was sent (kept for reconciliation, never printed).
        idempotency_key: The ``idempotency-key`` header sent with the request, if any.
    """

    _subject = "the order"

    @staticmethod
    def _ways(body: Mapping[str, object] | None, idempotency_key: str | None) -> list[str]:
        ways = []
        if idempotency_key:
            ways.append(
                f"resend it with the same idempotency-key {idempotency_key} "
                "(the gateway replays its cached answer for 24 h)"
            )
        tag = body.get("thirdPartyOrder") if body is not None else None
        if isinstance(tag, str) and tag:
            ways.append(f"query orders and positions by thirdPartyOrder {tag!r}")
        else:
            ways.append("query open orders and positions")
        return ways


class HTTPStatusError(MultiMarketsError):
    """The HTTP status was not 200; no envelope is guaranteed.

    Attributes:
        body: The response body as text, truncated to 200 characters.
    """

    body: str

    def __init__(self, message: str, *, body: str = "", **kwargs: Unpack[_ErrorFields]) -> None:
        super().__init__(message, **kwargs)
        self.body = body[:200]


class TooManyRequestsError(HTTPStatusError):
    """HTTP 429: too many requests. Wait ``retry_after`` seconds; retry idempotent calls only.

    Not to be confused with `RateLimitError`, the platform's own "too frequent" code in an envelope.
    Called ``RateLimitedError`` before; that name still works for one release, with a warning.
    """


class LockedOutError(HTTPStatusError):
    """HTTP 418: requests continued after a 429, so the key or IP is locked out (5 min, then 10, ...).

    Attributes:
        locked_until: Expected unlock time in epoch seconds, when known.
    """

    locked_until: float | None

    def __init__(
        self,
        message: str,
        *,
        body: str = "",
        locked_until: float | None = None,
        **kwargs: Unpack[_ErrorFields],
    ) -> None:
        super().__init__(message, body=body, **kwargs)
        self.locked_until = locked_until


class WAFBlockedError(HTTPStatusError):
    """HTTP 403: the request broke a web-application-firewall rule. Not retried."""


class ServerUnavailableError(HTTPStatusError):
    """HTTP 5xx: a server-side fault. Retried with backoff, idempotent calls only."""


class ProtocolError(MultiMarketsError):
    """The server's answer could not be understood: bad envelope, bad frame, bad compression."""


class StreamError(MultiMarketsError):
    """A subscription cannot go on; raised from its iterator, never delivered as data."""


class SlowConsumerError(StreamError):
    """A subscription that never drops messages (private pushes) fell too far behind its consumer."""


class SessionEndedError(StreamError):
    """The server ended the push session: token refused, forced logout, or a login elsewhere."""


class APIError(MultiMarketsError):
    """The server answered with an error code (envelope ``code`` != "0", or quote ``ret`` != 200).

    Attributes:
        raw_message: The message as received, ``%s`` placeholders unfilled (``""`` if none was sent).
            Defaults to ``message`` when the error is built directly.
    """

    raw_message: str | None

    def __init__(
        self, message: str, *, raw_message: str | None = None, **kwargs: Unpack[_ErrorFields]
    ) -> None:
        super().__init__(message, **kwargs)
        self.raw_message = raw_message if raw_message is not None else message


class AuthenticationError(APIError):
    """The caller could not be authenticated (session, login, signature or API key)."""


class SessionExpiredError(AuthenticationError):
    """The token is missing or expired: log in again, then retry once."""


class LoginFailedError(AuthenticationError):
    """Wrong credentials, or the account is locked or suspended."""


class SignatureError(AuthenticationError):
    """The request signature did not verify (00012001)."""


class ApiKeyError(AuthenticationError):
    """The API key is unknown (00012003) or expired (00012006)."""


class TimeWindowError(APIError):
    """The request's timestamp fell outside the accepted window: resync the clock, retry once."""


class PermissionDeniedError(APIError):
    """The caller is authenticated but not allowed to do this (key permission, IP, interface)."""


class RateLimitError(APIError):
    """Requests too frequent, reported in the envelope (also a concurrent idempotency-key reuse)."""


class ValidationError(APIError):
    """A parameter is missing or invalid."""


class UnknownOperationError(ValidationError):
    """The bizType (operation) or the downstream port does not exist."""


class VerificationCodeError(ValidationError):
    """An SMS, e-mail or Google Authenticator code is wrong or missing."""


class CaptchaError(ValidationError):
    """The ``captcha`` header is missing or invalid (F999999)."""


class BusinessError(APIError):
    """The request was understood and refused by a business rule."""


class TradingRuleError(BusinessError):
    """A contract-trading rule refused the order (CFDWBW... / CFD... codes)."""


class ServerError(APIError):
    """The server or a downstream service failed (``*500``, downstream errors, envelope timeouts)."""


if TYPE_CHECKING:  # so that `except RateLimitedError` type-checks; at run time __getattr__ warns
    RateLimitedError = TooManyRequestsError

_MOVED = frozenset(
    ["CODE_TABLE", "api_error_class", "api_error_from_envelope", "http_status_error", "quote_error_from_ret"]
)


def __getattr__(name: str) -> object:
    if name == "RateLimitedError":
        new, value = "multimarkets_async.errors.TooManyRequestsError (HTTP 429)", TooManyRequestsError
    elif name in _MOVED:
        from .protocol import error_codes  # on use only: the table sits above this module

        new, value = f"multimarkets_async.protocol.error_codes.{name}", getattr(error_codes, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    message = (
        f"multimarkets_async.errors.{name} is deprecated, use {new}; the old name goes in the next release"
    )
    warnings.warn(message, DeprecationWarning, stacklevel=2)
    return value
