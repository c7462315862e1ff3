"""How an attempt fails and what the caller is told: the one seam where httpx's exceptions, HTTP
statuses and error envelopes become the SDK's errors, and where a lost answer becomes
``OutcomeUnknownError``.

Every attempt that does not return raises :class:`AttemptFailed`, carrying how it failed (a
``protocol.backoff.Failure``, which the retry decision reads) and the SDK error to raise if it is
final. httpx exceptions are mapped here once (always ``raise ... from exc``); a test enumerates them.
"""

from __future__ import annotations

import json
import re

import httpx

from ..errors import (
    ConnectError,
    MultiMarketsError,
    OrderStateUnknownError,
    OutcomeUnknownError,
    ProtocolError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TransportError,
    UnknownOperationError,
)
from ..protocol.backoff import Failure
from ..protocol.hints import UNREACHABLE_HINT, add_hint, cannot_connect, host_port
from ..protocol.operations import Operation
from ._request import Call

__all__ = [
    "AttemptFailed",
    "envelope_failure",
    "final_error",
    "map_httpx_exception",
    "outcome_matters",
    "outcome_unknown",
    "wrong_base",
]

# httpx exception -> (how the attempt failed, the SDK class). Looked up along the MRO, most specific first.
_HTTPX_ERRORS: tuple[tuple[type[httpx.HTTPError], Failure, type[TransportError]], ...] = (
    (httpx.ConnectTimeout, Failure.NOT_SENT, ConnectError),
    (httpx.ConnectError, Failure.NOT_SENT, ConnectError),
    (httpx.PoolTimeout, Failure.NOT_SENT, RequestTimeoutError),
    (httpx.UnsupportedProtocol, Failure.FATAL, TransportError),
    (httpx.LocalProtocolError, Failure.FATAL, TransportError),
    (httpx.ProxyError, Failure.FATAL, TransportError),
    (httpx.DecodingError, Failure.FATAL, TransportError),
    (httpx.TooManyRedirects, Failure.FATAL, TransportError),
    (httpx.TimeoutException, Failure.NO_ANSWER, RequestTimeoutError),
    (httpx.RemoteProtocolError, Failure.NO_ANSWER, TransportError),
    (httpx.NetworkError, Failure.NO_ANSWER, TransportError),
    (httpx.HTTPError, Failure.NO_ANSWER, TransportError),
)


# A URL inside an I/O library's message (aiohttp's connect timeout repeats the whole request URL).
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
# h11 repeats the header value it refuses ("Illegal header value b'...'"): an API key, a token.
_QUOTED_TAIL = re.compile(r"\s*b?['\"].*", re.DOTALL)


def _reason(exc: httpx.HTTPError) -> str:
    """``exc``'s class and text, without what the text may carry of the request: a URL shrinks to its
    scheme, host and port (the path and query can hold a token or the API key), and the header value
    a ``LocalProtocolError`` quotes is left out."""
    text = str(exc)
    if isinstance(exc, httpx.LocalProtocolError) and _QUOTED_TAIL.search(text):
        text = _QUOTED_TAIL.sub("", text) + " (the value is not shown)"
    text = _URL_IN_TEXT.sub(lambda found: f"{found[0].split(':', 1)[0]}://{host_port(found[0])}", text)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def map_httpx_exception(exc: httpx.HTTPError, *, url: str | None = None) -> tuple[Failure, TransportError]:
    """Translate an httpx exception into how the attempt failed and the SDK error to raise.

    With the request's ``url``, a connection that could not be made names its host and port and asks
    whether ``base_url`` is right. No message names a URL's path or query, or a header value.
    """
    for cls, failure, sdk_cls in _HTTPX_ERRORS:
        if isinstance(exc, cls):
            reason = _reason(exc)
            if url is not None and sdk_cls is ConnectError:
                error = sdk_cls(cannot_connect(url, reason))
                return failure, add_hint(error, UNREACHABLE_HINT)
            return failure, sdk_cls(reason)
    raise AssertionError("unreachable: httpx.HTTPError is the last row")  # pragma: no cover


class AttemptFailed(Exception):
    """Internal: one attempt failed; carries how, and the SDK error to raise if it is final."""

    def __init__(
        self,
        failure: Failure,
        error: MultiMarketsError,
        *,
        trace: str | None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(failure.value)
        self.failure = failure
        self.error = error
        self.trace = trace
        self.retry_after = retry_after


def envelope_failure(error: MultiMarketsError) -> Failure:
    """How an attempt answered with an error envelope failed: rate-limited, a server fault, or final."""
    if isinstance(error, RateLimitError):
        return Failure.RATE_LIMITED
    if isinstance(error, ServerError):
        return Failure.SERVER
    return Failure.FATAL


def wrong_base(error: MultiMarketsError) -> bool:
    """Whether a signed call's answer says its operation is not served at that base URL: an unknown
    operation, or the Client gateway asking for the login token it takes instead of a signature."""
    return isinstance(error, UnknownOperationError) or error.code == "GATEWAY_CODE_001"


def outcome_matters(operation: Operation) -> bool:
    """Whether running ``operation`` twice, or not knowing if it ran, can cost the caller money (or, for
    a back-office write with ``reconcile`` advice, must be reported as an unknown outcome)."""
    return operation.changes_orders or operation.moves_money or operation.reconcile is not None


def final_error(call: Call, failed: AttemptFailed) -> MultiMarketsError:
    """The error to raise when ``failed`` was the call's last attempt."""
    if call.maybe_delivered and outcome_matters(call.operation):
        return outcome_unknown(call, failed.error, trace=failed.trace, failure=failed.failure)
    return failed.error


def outcome_unknown(
    call: Call, error: MultiMarketsError, *, trace: str | None, failure: Failure | None = None
) -> OutcomeUnknownError:
    """The error for a call that may have run although ``error`` ended it."""
    # Once any attempt may have run, a different failure of a later retry (a 503, a refused
    # connection, an HTML page) does not tell the caller it did not.
    reason = error.message.rstrip(".")
    biz_type = call.operation.biz_type
    if failure is Failure.NO_ANSWER:
        message = f"no answer to {biz_type}: {reason}"
    elif isinstance(error, ProtocolError):
        message = f"the answer to {biz_type} could not be read ({reason})"
    else:
        message = f"an attempt of {biz_type} got no answer and the retry failed ({reason})"
    cls = OrderStateUnknownError if call.operation.changes_orders else OutcomeUnknownError
    return cls(
        message,
        biz_type=biz_type,
        body=json.loads(call.body),
        idempotency_key=call.idempotency_key,
        reconcile=call.operation.reconcile,
        trace=trace,
    )
