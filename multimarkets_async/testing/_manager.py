"""The Manager and Bridge families' gateway: admission checks, authorize and the company record.

Manager API (endpoints 10, http.md 1.3): ``/openapi-b/auth/admin.admin.CompanyAuthDubboService.auth``
takes ``{appId, appSecret}`` (plain JSON; only ``trace`` is required, a ``companyId`` sent must be the
simulator's; an unknown pair answers ``CUSTOMER_API_0000131``, the code the simulator also uses for
Auth2's unknown app) and answers the company record with a fresh company token (``<uuid>admin``).
Every other operation is served at ``/openapi-b/{bizType}`` and ``/openapi-b/global/{bizType}``
(Assumption ``manager_path_style``: both). Check order: the per-endpoint
rate limit shared with the Client API (429, ``x-ratelimit-*`` headers, http.md 7.2), ``companyId``
(003 missing, 015 another company), ``trace`` (004), operation (002), ``token`` (001 missing, 005
unknown or expired), ``timestamp`` (014 when present and off), body (006 empty, 015 unreadable; plain
JSON, or the scheme B ``{"data"}`` form with an ``x-`` trace; ``require_encryption`` refuses plain).

Bridge API (endpoints 11, http.md 1.4): ``/webhook/global/{bizType}``, scheme A exactly like the
Open API (Assumption ``bridge_sign_algorithm``): ``companyId`` (003/015), ``trace`` (004), ``apiKey``
(00012003), the per-key rate limit shared with the Open API (429/418), ``timestamp``/``recvWindow``
(00012002), body (006, 015), ``signature`` (00012001), operation (002). The seeded Bridge key uses
the published ``POSTMAN_ROBOT`` test pair.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..protocol import signing
from ._gateway import (
    _DIGITS,
    Admitted,
    Incoming,
    _client_body,
    _client_timestamp,
    _company,
    _json_object,
    _strict_version_group,
    _trace,
)
from ._messages import CUSTOMER, SimError, gateway_error
from ._operation import Operation
from ._wire import HTTPReply

if TYPE_CHECKING:
    from ._state import SimState

__all__ = ["AUTH_BIZ_TYPE", "admit_bridge", "admit_manager", "authorize_handler", "company_record"]

AUTH_BIZ_TYPE = "admin.admin.CompanyAuthDubboService.auth"


def company_record(state: SimState, token: str) -> dict[str, Any]:
    """The company record authorize answers (endpoints 10.1)."""
    store, cid = state.manager, state.config.company_id
    return {
        "token": token,
        "publicKey": state.company_public_key,
        "id": cid,
        "strId": str(cid),
        "code": "sim",
        "codeMd5": signing.md5_password("sim"),
        "name": "Simulator",
        "bizName": "Simulator",
        "domain": "127.0.0.1",
        "logo": "",
        "bgImage": "",
        "adImage": "",
        "lang": "en-US",
        "timezone": 8,
        "tradeTypes": "1,2,5",
        "tradeTypeList": [
            {"id": 1, "code": "1", "name": "Contract (full margin)"},
            {"id": 2, "code": "2", "name": "Contract (isolated)"},
            {"id": 5, "code": "5", "name": "Spot"},
        ],
        "startNumber": 86000000,
        "endNumber": 86999999,
        "companyType": "real",
        "associationCompanyId": 0,
        "status": 1,
        "initProgress": 3,
        "dataSourceType": 1,
        "appId": store.app_id,
        "appSecret": store.app_secret,
        "demoInitialAmount": None,
        "stpAccount": None,
        "stpLoginUser": None,
        "stpPassword": None,
        "adminPassword": None,
        "adminRoleId": None,
        "adminUserId": None,
        "dbPassword": None,
        "revision": 1,
        "createBy": "system",
        "createTime": 1_700_000_000_000,
        "updateBy": "system",
        "updateTime": 1_700_000_000_000,
    }


def _authorize(call_state: SimState, body: dict[str, Any]) -> dict[str, Any]:
    store = call_state.manager
    if body.get("appId") != store.app_id or body.get("appSecret") != store.app_secret:
        raise SimError("CUSTOMER_API_0000131", CUSTOMER)
    return company_record(call_state, store.issue())


def _lookup(table: dict[str, Operation], biz_type: str) -> Operation:
    op = table.get(biz_type)
    if op is None:
        raise gateway_error("002")
    return op


def admit_manager(state: SimState, inc: Incoming) -> Admitted:
    """Admit a Manager API request (company token; see the module docstring for the order)."""
    from ._handlers_manager import AUTH_OPERATION, MANAGER_OPERATIONS

    headers = inc.headers
    if inc.route == "auth":  # the spec names only ``trace`` here; a ``companyId`` sent must match
        company_id = _company(state, headers) if "companyid" in headers else state.config.company_id
        _trace(headers)
        if inc.biz_type != AUTH_BIZ_TYPE:
            raise gateway_error("002")
        return Admitted(AUTH_OPERATION, _json_object(inc.raw_body, allow_empty=False), None, company_id, None)
    token = headers.get("token") or None
    verdict = state.client_limiter.hit(
        (headers.get("companyid", ""), token or inc.client_host, inc.path), state.now_ms()
    )
    inc.response_headers.extend(verdict.headers())
    if not verdict.allowed:
        raise HTTPReply(verdict.status, tuple(inc.response_headers))
    company_id = _company(state, headers)
    _trace(headers)
    op = _lookup(MANAGER_OPERATIONS, inc.biz_type)
    _strict_version_group(state, op, headers)
    if token is None:
        raise gateway_error("001")
    if not state.manager.valid(token):
        raise gateway_error("005")
    timestamp = _client_timestamp(state, headers, state.now_ms())
    body = _client_body(state, op, inc, timestamp)
    return Admitted(op, body, None, company_id, token)


def admit_bridge(state: SimState, inc: Incoming) -> Admitted:
    """Admit a Bridge API request (scheme A; see the module docstring for the order)."""
    from ._bridge import BRIDGE_OPERATIONS

    now, headers = state.now_ms(), inc.headers
    company_id = _company(state, headers)
    _trace(headers)
    key_text = headers.get("apikey", "")
    store = state.manager
    if key_text != store.bridge_api_key:
        raise SimError("00012003", "")
    verdict = state.open_limiter.hit(key_text, now)
    inc.response_headers.extend(verdict.headers())
    if not verdict.allowed:
        raise HTTPReply(verdict.status, tuple(inc.response_headers))
    ts_text, window_text = headers.get("timestamp", "").strip(), headers.get("recvwindow")
    if not _DIGITS.fullmatch(ts_text) or (
        window_text is not None and not _DIGITS.fullmatch(window_text.strip())
    ):
        raise SimError("00012002", "")
    timestamp = int(ts_text)
    recv_window = int(window_text) if window_text is not None else state.config.recv_window_ms
    if now - timestamp > recv_window or timestamp - now > state.config.max_clock_ahead_ms:
        raise SimError("00012002", "")
    body = _json_object(inc.raw_body, allow_empty=False)
    signature = headers.get("signature", "")
    if not signature or not signing.verify_open_api_signature(
        store.bridge_public_key, body, timestamp, signature
    ):
        raise SimError("00012001", "")
    op = _lookup(BRIDGE_OPERATIONS, inc.biz_type)
    _strict_version_group(state, op, headers)
    return Admitted(op, body, None, company_id, None)


def authorize_handler(call: Any) -> dict[str, Any]:
    """The authorize operation's handler (endpoints 10.1)."""
    return _authorize(call.state, call.body)
