"""API key management: apply, edit permissions and IP binding, delete, list, details.

Client API only (a login token), version 0.0.1, under ``customer.app.CustomerApiWebService``:

* ``applyApi`` ``{tag, googleCode?, phoneCode?, phoneSendToken?, emailCode?, emailSendToken?}``: a new
  read-only key with a generated RSA-1024 pair. ``data`` is the key record with ``privateKey`` (the
  secretKey, base64 PKCS#8; returned only here), ``pubKey``, ``secretKeyMd5``, ``permissionDTOList``
  (``ready_only`` on, the rest off), ``validityDays`` 90, ``expiredTime`` (+90 days) and
  ``withdrawTime`` (+48 hours). A tag the customer already uses answers ``USCUSTOMER_API_00011003``.
  When a ``phoneSendToken``/``emailSendToken`` is sent, its code must be the one sent with it
  (``verifyCodeSend`` to the customer's phone / e-mail), else ``MS`` ``P_VERIFY_CODE_ERROR``;
  ``googleCode`` is not checked.
* ``editApiPermission`` ``{id, tag?, permissionList?, whiteIps?, ...second factors}``: ``data`` null.
  An unknown permission code, a status other than 1/2, or disabling ``ready_only`` answers
  ``USCUSTOMER_API_00011001``. A non-empty ``whiteIps`` binds the key to those IPs and makes it
  permanent (``validityDays`` null); ``""`` unbinds it (90 days from creation again).
* ``delApi`` ``{id}``: ``data`` null; the key stops working at once (``00012003``).
* ``page`` ``{current, size, tag?}``: ``{records, total, size, current, pages}``, newest first, each
  record with ``privateKey`` null; ``tag`` filters by substring.
* ``queryApi`` ``{id}``: the record (``privateKey`` null) plus ``sources``, the operation keys
  (``bizType_version_group``) its enabled permissions allow.

An ``id`` that is not one of the caller's keys answers ``{"code":"CUSTOMER_API_0000003","bizCode":"US"}``.
"""

from __future__ import annotations

from typing import Any, Final

from ..apikeys import PERMISSIONS, SimApiKey, sources_for
from ..error_codes import CUSTOMER, SimError
from ..fields import page, paging
from ..operation import CLIENT_ONLY, V1, Handler, SimCall, SimOperation

__all__ = ["API_KEY_OPERATIONS", "api_key_view"]

_SERVICE: Final = "customer.app.CustomerApiWebService"
_HOURS_48_MS: Final = 48 * 3_600_000
_MESSAGE_SERVICE: Final = "MS"


def api_key_view(call: SimCall, key: SimApiKey, private_key: str | None = None) -> dict[str, Any]:
    """A key record; ``privateKey`` only when given (the answer to applyApi)."""
    exchange = call.state.exchange
    customer = exchange.customers[key.customer_id]
    expired = key.expired(call.now_ms)
    return {
        "id": key.record_id,
        "apiKey": key.api_key,
        "privateKey": private_key,
        "pubKey": key.public_key,
        "secretKeyMd5": key.secret_key_md5,
        "tag": key.tag,
        "permissionDTOList": [
            {
                "code": code,
                "name": name,
                "status": key.permissions.get(code, 2),
                "canEdit": can_edit,
                "paths": sources_for({code: 1}),
            }
            for code, name, _, can_edit in PERMISSIONS
        ],
        "ipLimit": bool(key.white_ips),
        "whiteIps": key.white_ips,
        "validityDays": -1 if expired else key.validity_days,
        "createTime": key.create_time_ms,
        "updateTime": key.update_time_ms,
        "expiredTime": key.expired_time_ms,
        "withdrawTime": key.create_time_ms + _HOURS_48_MS,
        "customerId": customer.customer_id,
        "customerNo": customer.customer_no,
        "companyId": customer.company_id,
        "customerGroupId": customer.customer_group_id,
    }


def _second_factors(call: SimCall) -> None:
    """Each ticket sent must come with the code sent with it."""
    body, state = call.body, call.state
    customer = state.exchange.customers[call.customer_id or 0]
    for kind, ticket_name, code_name, address in (
        (2, "phoneSendToken", "phoneCode", customer.phone),
        (1, "emailSendToken", "emailCode", customer.email),
    ):
        ticket = body.get(ticket_name)
        if ticket in (None, ""):
            continue
        if not state.verifications.check(ticket, body.get(code_name), kind, address, call.now_ms):
            raise SimError("P_VERIFY_CODE_ERROR", _MESSAGE_SERVICE)
        state.verifications.consume(str(ticket))


def _tag(call: SimCall, *, required: bool, key: SimApiKey | None = None) -> str | None:
    tag = call.body.get("tag")
    if tag in (None, ""):
        if required:
            raise SimError("CUSTOMER_API_0000501", CUSTOMER)
        return None
    if not isinstance(tag, str):
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    for other in call.state.api_keys.of_customer(call.customer_id):
        if other.tag == tag and other is not key:
            raise SimError("CUSTOMER_API_00011003", CUSTOMER)
    return tag


def _key(call: SimCall) -> SimApiKey:
    key = call.state.api_keys.by_id(call.body.get("id"), call.customer_id)
    if key is None:
        raise SimError("CUSTOMER_API_0000003", CUSTOMER)
    return key


def _apply(call: SimCall) -> dict[str, Any]:
    tag = _tag(call, required=True)
    _second_factors(call)
    assert call.customer_id is not None
    assert tag is not None
    key, private_key = call.state.api_keys.generate(call.customer_id, tag, call.now_ms)
    return api_key_view(call, key, private_key)


def _edit(call: SimCall) -> None:
    key = _key(call)
    tag = _tag(call, required=False, key=key)
    permissions = dict(key.permissions)
    wanted = call.body.get("permissionList")
    if wanted is not None:
        editable = {code for code, _, _, can_edit in PERMISSIONS if can_edit}
        if not isinstance(wanted, list):
            raise SimError("CUSTOMER_API_00011001", CUSTOMER)
        for item in wanted:
            code = item.get("code") if isinstance(item, dict) else None
            status = item.get("status") if isinstance(item, dict) else None
            if code == "ready_only" and status == 1:
                continue  # unchanged: it is always on
            if code not in editable or status not in (1, 2):
                raise SimError("CUSTOMER_API_00011001", CUSTOMER)
            permissions[code] = status
    white_ips = call.body.get("whiteIps")
    if white_ips is not None and not isinstance(white_ips, str):
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    _second_factors(call)
    key.permissions = permissions
    if tag is not None:
        key.tag = tag
    if white_ips is not None:
        bound = ",".join(ip.strip() for ip in white_ips.split(",") if ip.strip())
        key.white_ips = bound or None
        key.validity_days = None if bound else 90  # binding makes the key long-lived
    key.update_time_ms = call.now_ms


def _delete(call: SimCall) -> None:
    call.state.api_keys.delete(_key(call))


def _page(call: SimCall) -> dict[str, Any]:
    try:
        current, size = paging(call.body, CUSTOMER)
    except SimError:
        raise SimError("CUSTOMER_API_0000501", CUSTOMER) from None
    tag = call.body.get("tag")
    keys = call.state.api_keys.of_customer(call.customer_id)
    if isinstance(tag, str) and tag:
        keys = [k for k in keys if tag in k.tag]
    return page([api_key_view(call, k) for k in keys], current, size)


def _query(call: SimCall) -> dict[str, Any]:
    key = _key(call)
    return {**api_key_view(call, key), "sources": sources_for(key.permissions)}


def _op(method: str, handler: Handler) -> SimOperation:
    return SimOperation(
        biz_type=f"{_SERVICE}.{method}", handler=handler, access="login", families=CLIENT_ONLY, version=V1
    )


API_KEY_OPERATIONS: tuple[SimOperation, ...] = (
    _op("applyApi", _apply),
    _op("editApiPermission", _edit),
    _op("delApi", _delete),
    _op("page", _page),
    _op("queryApi", _query),
)
"""The API key management operations."""
