"""The Manager and Bridge families' gateway: admission checks, authorize and the company record.

Manager API: ``/openapi-b/auth/admin.admin.CompanyAuthDubboService.auth`` takes ``{appId, appSecret}``
(plain JSON; ``trace`` and ``timestamp`` are required: ``GATEWAY_CODE_004`` without a trace,
``GATEWAY_CODE_009`` without a timestamp and ``014`` when it is off; a ``companyId`` sent must be the
simulator's; an unknown pair answers ``CUSTOMER_API_0000131``, the code the simulator also uses for
Auth2's unknown app) and answers the company record with a fresh company token (``<uuid>admin``).
Every other operation is served at ``/openapi-b/{bizType}`` and ``/openapi-b/global/{bizType}``
(Assumption ``manager_path_style``: both). Check order: the per-endpoint rate limit shared with the
Client API (429 with ``x-ratelimit-*`` headers), ``companyId`` (003 missing, 015 another company),
``trace`` (004), operation (002), ``token`` (001 missing, 005 unknown or expired), ``timestamp`` (014
when present and off), body (006 empty, 015 unreadable; plain JSON, or the encrypted ``{"data"}`` form
with an ``x-`` trace; ``require_encryption`` refuses plain).

Bridge API: ``/webhook/global/{bizType}``, signed exactly like the Open API (Assumption
``bridge_sign_algorithm``): ``companyId`` (003/015), ``trace`` (004), ``apiKey`` (00012003), the
per-key rate limit shared with the Open API (429/418), ``timestamp``/``recvWindow`` (00012002), body
(006, 015), ``signature`` (00012001), operation (002). The seeded Bridge key uses the published
``POSTMAN_ROBOT`` test pair.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .error_codes import GATEWAY, SimError, gateway_error
from .gateway import (
    Admitted,
    Incoming,
    check_client_timestamp,
    check_company,
    check_signed,
    check_trace,
    check_version_group,
    client_body,
    json_object,
)
from .handlers.bridge import BRIDGE_OPERATIONS
from .handlers.manager import AUTH_BIZ_TYPE, AUTH_OPERATION, MANAGER_OPERATIONS
from .operation import SimOperation
from .wire import HTTPReply

if TYPE_CHECKING:
    from .state_view import HttpState

__all__ = ["admit_bridge", "admit_manager"]


def _lookup(table: dict[str, SimOperation], biz_type: str) -> SimOperation:
    op = table.get(biz_type)
    if op is None:
        raise gateway_error("002")
    return op


def admit_manager(state: HttpState, inc: Incoming) -> Admitted:
    """Admit a Manager API request (company token; see the module docstring for the order)."""
    headers = inc.headers
    if inc.route == "auth":  # the spec names only ``trace`` here; a ``companyId`` sent must match
        company_id = check_company(state, headers) if "companyid" in headers else state.config.company_id
        check_trace(headers)
        if "timestamp" not in headers:  # the reference page marks it required
            raise SimError("GATEWAY_CODE_009", GATEWAY, msg="Head request cannot be null")
        check_client_timestamp(state, headers, state.now_ms())
        if inc.biz_type != AUTH_BIZ_TYPE:
            raise gateway_error("002")
        return Admitted(AUTH_OPERATION, json_object(inc.raw_body, allow_empty=False), None, company_id, None)
    token = headers.get("token") or None
    verdict = state.client_limiter.hit(
        (headers.get("companyid", ""), token or inc.client_host, inc.path), state.now_ms()
    )
    inc.response_headers.extend(verdict.headers())
    if not verdict.allowed:
        raise HTTPReply(verdict.status, tuple(inc.response_headers))
    company_id = check_company(state, headers)
    check_trace(headers)
    op = _lookup(MANAGER_OPERATIONS, inc.biz_type)
    check_version_group(state, op, headers)
    if token is None:
        raise gateway_error("001")
    if not state.manager.valid(token):
        raise gateway_error("005")
    timestamp = check_client_timestamp(state, headers, state.now_ms())
    body = client_body(state, op, inc, timestamp)
    return Admitted(op, body, None, company_id, token)


def admit_bridge(state: HttpState, inc: Incoming) -> Admitted:
    """Admit a Bridge API request (scheme A; see the module docstring for the order)."""
    now, headers = state.now_ms(), inc.headers
    company_id = check_company(state, headers)
    check_trace(headers)
    key_text = headers.get("apikey", "")
    store = state.manager
    if key_text != store.bridge_api_key:
        raise SimError("00012003", "")
    body = check_signed(state, inc, key_text, store.bridge_public_key, now)
    op = _lookup(BRIDGE_OPERATIONS, inc.biz_type)
    check_version_group(state, op, headers)
    return Admitted(op, body, None, company_id, None)
