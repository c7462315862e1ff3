"""Building one attempt's request, pure: a call in, the URL, headers and body to send out (no httpx).

Like httpx's ``build_request`` kept apart from ``send``: :class:`Call` holds the state of one logical
call across its attempts; :func:`build_request` turns it, the session's settings and the attempt's
clock reading and request id into an :class:`OutgoingRequest`, including which auth scheme signs or
encrypts it. Every operation is a ``POST``. Nothing here reads a clock, draws an id or sends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from enum import Enum

from .._config import Environment, ProtocolSettings
from .._types import NOT_GIVEN, NotGivenOr
from ..protocol.envelope import make_trace, request_headers
from ..protocol.operations import Family, Operation, signed_bases

__all__ = [
    "AuthScheme",
    "Call",
    "OutgoingRequest",
    "build_request",
    "family_for",
    "first_base",
    "other_base",
    "url_for",
]


@dataclass(slots=True)
class Call:
    """The state of one logical call across its attempts."""

    operation: Operation
    family: Family
    body: bytes
    idempotency_key: str | None
    version: str | None
    group: str | None
    token: str | None
    timeout: NotGivenOr[float | None] = NOT_GIVEN
    """The caller's timeout for this call; not given: the client's timeouts; ``None``: none at all."""
    captcha: str | None = None
    extra_headers: Mapping[str, str] | None = None
    omit_headers: Collection[str] = ()
    reauthenticate: Callable[[], Awaitable[None]] | None = None
    maybe_delivered: bool = False
    """An attempt may have reached the server (no answer, or an unreadable one): the operation may have
    run even if later attempts fail."""
    sending: bool = False
    """An attempt has started sending: a cancellation from now on leaves the outcome unknown."""
    resynced: bool = False
    reauthenticated: bool = False
    fell_back: bool = False
    base: Family | None = None
    """The family whose base URL the call goes to when it is not the call's own (a signed
    ``getMsgPushToken`` goes to the Client API's base first; see ``protocol.operations.signed_bases``)."""
    rebased: bool = False
    """The call already moved to its other base URL once."""
    attempts: int = 0
    """Attempts sent so far (the ``attempt`` field of the HTTP logger's records)."""


class AuthScheme(Enum):
    """How the auth flow treats an attempt's request."""

    NONE = "none"
    """Sent as built."""
    SIGNED = "signed"
    """Scheme A: a ``signature`` header over the body and ``timestamp`` (Open API, Bridge API)."""
    ENCRYPTED = "encrypted"
    """Scheme B: the body sealed with MD5 + RSA (Client API, Manager API)."""


@dataclass(frozen=True, slots=True)
class OutgoingRequest:
    """What one attempt sends: ``POST url`` with ``headers`` and ``body``, then ``scheme``'s auth flow."""

    url: str
    headers: dict[str, str]
    body: bytes
    trace: str
    scheme: AuthScheme


def family_for(operation: Operation, *, signs_requests: bool) -> Family:
    """The family of an operation sent without one: ``/global`` ones go signed to the Open API."""
    if signs_requests and operation.path.startswith("/global/"):
        return Family.OPEN
    return Family.CLIENT


def first_base(operation: Operation, family: Family, remembered: Mapping[str, Family]) -> Family | None:
    """The base URL a call goes to first when it is not its family's own: for a signed operation with
    more than one (``signed_bases``), the one that ``remembered`` says worked last, else the first."""
    bases = signed_bases(operation.biz_type) if family is Family.OPEN else ()
    return remembered.get(operation.biz_type, bases[0]) if len(bases) > 1 else None


def other_base(call: Call) -> Family | None:
    """The base URL a call moves to when its own does not serve the operation; ``None`` when it has no
    other or already moved once."""
    if call.base is None or call.rebased:
        return None
    return next((b for b in signed_bases(call.operation.biz_type) if b is not call.base), None)


def url_for(environment: Environment, family: Family, path: str) -> str:
    """The full URL of ``path`` on the family's base URL."""
    base = {
        Family.CLIENT: environment.client_url,
        Family.OPEN: environment.open_api_url,
        Family.MANAGER: environment.manager_url,
        Family.BRIDGE: environment.bridge_url,
        Family.AUTH2: environment.auth2_url,
    }[family]
    return base + path


def build_request(
    call: Call,
    *,
    environment: Environment,
    company_id: int,
    settings: ProtocolSettings,
    api_key: str | None,
    can_encrypt: bool,
    now_ms: int,
    request_id: str,
) -> OutgoingRequest:
    """The request one attempt of ``call`` sends.

    Args:
        call: the logical call.
        environment: where the families live.
        company_id: the ``companyId`` header (Auth2 names it ``company``).
        settings: the language, ``recvWindow`` and the other configurable assumptions.
        api_key: the ``apiKey`` header of signed (Open API, Bridge) requests.
        can_encrypt: whether a scheme B key is at hand for the call's family.
        now_ms: the server-clock time of this attempt, in ms.
        request_id: a fresh unique id; the trace is built from it.
    """
    # The encrypted-body MD5 covers the timestamp, so calls sent without one (server time) go plain.
    encrypted = can_encrypt and call.family in (Family.CLIENT, Family.MANAGER) and call.operation.timestamp
    trace = make_trace(request_id, now_ms, encrypted=encrypted)
    signed = call.family in (Family.OPEN, Family.BRIDGE)
    headers = request_headers(
        company_id=company_id,
        trace=trace,
        timestamp_ms=now_ms if call.operation.timestamp or signed else None,
        lang=settings.default_lang,
        version=call.version,
        group=call.group,
        token=call.token,
        api_key=api_key if signed else None,
        recv_window_ms=settings.recv_window_ms if signed else None,
        idempotency_key=call.idempotency_key,
        captcha=call.captcha,
    )
    if call.family is Family.AUTH2:
        # Auth2 names the company "company" and sends neither companyId, timestamp nor lang.
        headers = {k: v for k, v in headers.items() if k not in ("companyId", "timestamp", "lang")}
        headers["company"] = str(company_id)
    if call.extra_headers:
        headers.update(call.extra_headers)
    for name in call.omit_headers:
        headers.pop(name, None)
    scheme = AuthScheme.SIGNED if signed else (AuthScheme.ENCRYPTED if encrypted else AuthScheme.NONE)
    return OutgoingRequest(
        url=url_for(environment, call.base or call.family, call.operation.path),
        headers=headers,
        body=call.body,
        trace=trace,
        scheme=scheme,
    )
