"""The simulator's gateway: admit a request of one API family, or refuse it as the platform would.

Per family it checks headers (looked up case-insensitively), authenticates (login token or apiKey and
signature), applies the time window and the rate limits, decodes the body (decrypting scheme B bodies)
and resolves the operation. The result is an ``Admitted`` request, or a ``SimError``
(envelope error, HTTP 200) or ``HTTPReply`` (429/418) raised.

Check order, Client API: rate limit (429), ``companyId`` (003), ``trace`` (004), operation (002),
strict version/group (010), token (001 missing, 005 unknown or expired), ``timestamp`` (014), body
(006 empty, 015 unreadable or failed decryption), captcha on login, registration and
``verifyCodeSend`` (F999999).

Check order, Open API: ``companyId`` (003), ``trace`` (004), ``apiKey`` (00012003), rate limit and
lockout (429/418), ``timestamp``/``recvWindow`` (00012002), body (006, 015), ``signature`` (00012001),
key expired (00012006), caller's IP not bound to the key (00012007), operation (002), the key's
permissions (00012004, Assumption ``api_permission_map``), strict version/group (010). A ``token``
header is ignored.

``getMsgPushToken`` is served at both bases (``SimulatorConfig.push_token_bases`` can leave one out,
which then answers 002): at the Client base it takes the Open API's checks (from ``apiKey`` on) when
the request carries an ``apiKey`` header, as the vendor's page sends it, and a login token otherwise.

Check order, Auth2: ``company`` (003 missing, 015 another company; the header is
``company``, not ``companyId``), ``trace`` (004), operation (002), ``token`` on ``/auth2/code`` and
``/auth2/refresh`` (001 missing, 005 unknown or expired), body (006 empty, 015 unreadable).

The Manager and Bridge families' checks are in ``partner_gateway``, which builds on the shared checks
here; ``app.FAMILIES`` maps each family to its admission function.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ... import errors
from ...protocol import crypto
from .apikeys import required_permission
from .error_codes import GATEWAY, SimError, gateway_error
from .handlers.table import SimOperation, find_operation
from .wire import HTTPReply, RecordedHeaders, RecordedRequest

__all__ = [
    "DIGITS",
    "LOGIN_BIZ_TYPE",
    "Admitted",
    "Incoming",
    "admit_auth2",
    "admit_client",
    "admit_open",
    "check_client_timestamp",
    "check_company",
    "check_signed",
    "check_time_window",
    "check_trace",
    "check_version_group",
    "client_body",
    "json_object",
]

LOGIN_BIZ_TYPE = "customer.app.CustomerWebApiService.login"
PUSH_TOKEN_BIZ_TYPE = "getMsgPushToken"  # noqa: S105 - an operation name, not a secret
# The calls reCAPTCHA can protect: login, registration and sending a verification code.
_CAPTCHA_BIZ_TYPES = frozenset(
    {
        LOGIN_BIZ_TYPE,
        "customer.app.CustomerWebApiService.register",
        "message.app.VerificationApiService.verifyCodeSend",
    }
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    from .state_view import HttpState
DIGITS = re.compile(r"[0-9]{1,19}")
_ENCRYPTED_TRACE_PREFIX = "x-"


@dataclass(slots=True)
class Incoming:
    """A request as it arrived, plus the response headers the gateway decided on.

    Attributes:
        family: ``"client"``, ``"open"``, ``"auth2"``, ``"manager"`` or ``"bridge"``.
        route: path kind within the family (``"login"``, ``"register"``, ``"global"``, ``"logout"``,
            ``"now"``, ``"auth2"``; Manager ``"auth"``, ``"global"``, ``"bare"``).
        biz_type: the operation from the path.
        path: the URL path.
        headers: request headers.
        raw_body: the body bytes.
        client_host: the peer address (rate-limit key when there is no token).
        record: the request's record, updated with the decrypted body.
        response_headers: headers to send whatever the outcome (rate-limit headers).
    """

    family: str
    route: str
    biz_type: str
    path: str
    headers: RecordedHeaders
    raw_body: bytes
    client_host: str
    record: RecordedRequest
    response_headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Admitted:
    """A request the gateway let through.

    Attributes:
        op: the operation.
        body: the business body.
        customer_id: the authenticated customer, or ``None`` on a guest call.
        company_id: the ``companyId`` header.
        token: the Client login token sent, if any.
    """

    op: SimOperation
    body: dict[str, Any]
    customer_id: int | None
    company_id: int
    token: str | None


# ---------------------------------------------------------------------------- shared checks


def check_company(state: HttpState, headers: RecordedHeaders, name: str = "companyid") -> int:
    text = headers.get(name, "").strip()
    if not text:
        raise gateway_error("003")
    if text != str(state.config.company_id):
        raise gateway_error("015")  # another company's id, or not a number
    return state.config.company_id


def check_trace(headers: RecordedHeaders) -> str:
    trace = headers.get("trace", "")
    if not trace:
        raise gateway_error("004")
    return trace


def _operation(state: HttpState, route: str, biz_type: str, family: str) -> SimOperation:
    op = find_operation(route, biz_type, family)
    if op is None or (biz_type == PUSH_TOKEN_BIZ_TYPE and family not in state.config.push_token_bases):
        raise gateway_error("002")
    return op


def check_version_group(state: HttpState, op: SimOperation, headers: RecordedHeaders) -> None:
    """Assumption ``send_version_group``: in strict mode the headers must match the operation."""
    if not state.config.strict_version_group:
        return
    version, group = headers.get("version", ""), headers.get("group", "")
    if (version != op.version and version not in op.alt_versions) or group != op.group:
        raise gateway_error("010")


def _login_customer(state: HttpState, op: SimOperation, token: str | None) -> int | None:
    """The customer of the login ``token`` an operation needs (001 missing, 005 unknown or expired)."""
    if op.access != "login":
        return None
    if token is None:
        raise gateway_error("001")
    session = state.sessions.lookup(token)
    if session is None or session.expired:
        raise gateway_error("005")
    return session.customer_id


def json_object(raw: bytes, *, allow_empty: bool) -> dict[str, Any]:
    """Parse the body as JSON whatever the content type; ``{}`` for an allowed empty body."""
    if not raw.strip():
        if allow_empty:
            return {}
        raise gateway_error("006")
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise gateway_error("015") from None
    if not isinstance(parsed, dict):
        raise gateway_error("015")
    return parsed


# ---------------------------------------------------------------------------- Client API


def check_client_timestamp(state: HttpState, headers: RecordedHeaders, now_ms: int) -> int | None:
    """``GATEWAY_CODE_014`` when a ``timestamp`` header is present and off by more than the tolerance.

    The docs give no rule for the Client API; the simulator checks only a header that is present.
    """
    text = headers.get("timestamp")
    if text is None:
        return None
    if not DIGITS.fullmatch(text.strip()):
        raise gateway_error("015")
    timestamp = int(text)
    if abs(now_ms - timestamp) > state.config.client_timestamp_tolerance_ms:
        raise gateway_error("014")
    return timestamp


def client_body(state: HttpState, op: SimOperation, inc: Incoming, timestamp: int | None) -> dict[str, Any]:
    """Plain JSON, or the scheme B ``{"data": ...}`` form when the trace starts with ``x-``.

    Any decryption problem answers ``GATEWAY_CODE_015``: the ciphertext does not decrypt, the MD5
    signature does not match, or the body's ``timestamp`` differs from the header's (inside the sealed
    body, the ``timestamp`` signed with the MD5 must be the header's).
    """
    parsed = json_object(inc.raw_body, allow_empty=op.allow_empty_body)
    encrypted = inc.headers.get("trace", "").startswith(_ENCRYPTED_TRACE_PREFIX)
    if not encrypted:
        if state.config.require_encryption and not op.allow_empty_body:
            raise gateway_error("015")
        return parsed
    if not parsed and op.allow_empty_body:
        return parsed
    data = parsed.get("data")
    if set(parsed) != {"data"} or not isinstance(data, str):
        raise gateway_error("015")
    try:
        payload = crypto.decrypt_body(data, state.company_private_key)
    except errors.ProtocolError:
        raise gateway_error("015") from None
    if not crypto.verify_md5_signature(payload):
        raise gateway_error("015")
    if timestamp is None or payload.get("timestamp") != timestamp:
        raise gateway_error("015")
    business = {k: v for k, v in payload.items() if k not in ("signature", "timestamp")}
    inc.record.decrypted_body = business
    return business


def admit_client(state: HttpState, inc: Incoming) -> Admitted:
    """Admit a Client API request (login token auth; see the module docstring for the order)."""
    now = state.now_ms()
    headers = inc.headers
    token = headers.get("token") or None
    verdict = state.client_limiter.hit(
        (headers.get("companyid", ""), token or inc.client_host, inc.path), now
    )
    inc.response_headers.extend(verdict.headers())
    if not verdict.allowed:
        raise HTTPReply(verdict.status, tuple(inc.response_headers))
    company_id = check_company(state, headers)
    check_trace(headers)
    op = _operation(state, inc.route, inc.biz_type, "client")
    if op.biz_type == PUSH_TOKEN_BIZ_TYPE and headers.get("apikey"):
        return _admit_signed(state, inc, op, company_id, now)  # the vendor page's signed form
    check_version_group(state, op, headers)
    customer_id = _login_customer(state, op, token)
    timestamp = check_client_timestamp(state, headers, now)
    body = client_body(state, op, inc, timestamp)
    captcha = state.config.captcha_token
    if op.biz_type in _CAPTCHA_BIZ_TYPES and captcha is not None and headers.get("captcha") != captcha:
        raise SimError("F999999", GATEWAY)
    return Admitted(op, body, customer_id, company_id, token)


# ---------------------------------------------------------------------------- Open API


def check_time_window(state: HttpState, headers: RecordedHeaders, now_ms: int) -> int:
    """Scheme A's time window (Assumptions ``recv_window_ms``, ``max_clock_ahead_ms``).

    Returns the ``timestamp`` header; ``00012002`` when it or ``recvWindow`` is not a number, or the
    request is older than the window or further ahead than the allowed clock skew.
    """
    ts_text, window_text = headers.get("timestamp", "").strip(), headers.get("recvwindow")
    if not DIGITS.fullmatch(ts_text):
        raise SimError("00012002", "")
    if window_text is not None and not DIGITS.fullmatch(window_text.strip()):
        raise SimError("00012002", "")
    timestamp = int(ts_text)
    recv_window = int(window_text) if window_text is not None else state.config.recv_window_ms
    if now_ms - timestamp > recv_window or timestamp - now_ms > state.config.max_clock_ahead_ms:
        raise SimError("00012002", "")
    return timestamp


def check_signed(
    state: HttpState, inc: Incoming, key_text: str, public_key: RSAPublicKey | str, now_ms: int
) -> dict[str, Any]:
    """Scheme A once the key is known: the per-key rate limit and lockout (429/418), the time window
    (00012002), the body (006, 015) and the SHA1withRSA ``signature`` (00012001). Returns the body."""
    verdict = state.open_limiter.hit(key_text, now_ms)
    inc.response_headers.extend(verdict.headers())
    if not verdict.allowed:
        raise HTTPReply(verdict.status, tuple(inc.response_headers))
    timestamp = check_time_window(state, inc.headers, now_ms)
    body = json_object(inc.raw_body, allow_empty=False)
    signature = inc.headers.get("signature", "")
    if not signature or not crypto.verify_open_api_signature(public_key, body, timestamp, signature):
        raise SimError("00012001", "")
    return body


def _open_error(code: str) -> SimError:
    return SimError(code, "")


def admit_open(state: HttpState, inc: Incoming) -> Admitted:
    """Admit an Open API request (apiKey + SHA1withRSA; see the module docstring for the order)."""
    now = state.now_ms()
    company_id = check_company(state, inc.headers)
    check_trace(inc.headers)
    return _admit_signed(state, inc, None, company_id, now)


def _admit_signed(
    state: HttpState, inc: Incoming, op: SimOperation | None, company_id: int, now: int
) -> Admitted:
    """The Open API's checks from ``apiKey`` on; ``op`` when the route already resolved it."""
    headers = inc.headers
    key_text = headers.get("apikey", "")
    api_key = state.api_keys.get(key_text)
    if api_key is None:
        raise _open_error("00012003")
    body = check_signed(state, inc, key_text, state.api_keys.verifier(key_text), now)
    if api_key.expired(now):
        raise _open_error("00012006")
    if not api_key.ip_allowed(inc.client_host):
        raise _open_error("00012007")
    op = op or _operation(state, "global", inc.biz_type, "open")
    if api_key.permissions.get(required_permission(op.biz_type)) != 1:
        raise _open_error("00012004")
    check_version_group(state, op, headers)
    return Admitted(op, body, api_key.customer_id, company_id, None)


# ---------------------------------------------------------------------------- Auth2 API


def admit_auth2(state: HttpState, inc: Incoming) -> Admitted:
    """Admit an Auth2 request (header ``company``; the user's login token where the docs ask for it)."""
    headers = inc.headers
    company_id = check_company(state, headers, "company")
    check_trace(headers)
    op = _operation(state, inc.route, inc.biz_type, "auth2")
    token = headers.get("token") or None
    customer_id = _login_customer(state, op, token)
    body = json_object(inc.raw_body, allow_empty=False)
    return Admitted(op, body, customer_id, company_id, token)
