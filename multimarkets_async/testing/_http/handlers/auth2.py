"""The Auth2 API: account linking at ``{base_url}/cats-gateway-auth2/auth2/...``.

Every call carries the header ``company`` (the company id; not ``companyId``) and ``trace``; answers
use the standard envelope. The simulator seeds one app (``Simulator.auth2_app_id`` /
``Simulator.auth2_app_secret``).

* ``POST /auth2/code`` (header ``token``: the user's login token) ``{appId, thirdAppType}`` -> the
  authorization code (a UUID string). This stands in for the consent page: the user behind the
  token consents at once.
* ``POST /auth2/token`` ``{appId, appSecret, code}`` -> ``{accessToken, refreshToken}``.
* ``POST /auth2/user`` ``{accessToken}`` -> ``{customerNo, accountId, email, thirdUserId,
  thirdLoginSource}`` (``accountId`` 0 as in the vendor example; ``thirdUserId`` and
  ``thirdLoginSource`` null: the simulated customers have no social logins).
* ``POST /auth2/refresh`` (header ``token``) ``{refreshToken}`` -> a new ``{accessToken,
  refreshToken}``; the old pair stops working.

A missing body field answers ``CUSTOMER_API_0000501``; the refusals of ``_identity.Auth2Store``
(``0000131``, ``0000148``, ``0000149``, ``0000128``) cover wrong credentials, used or expired codes
and tokens. Lifetimes: Assumption ``auth2_lifetimes`` (``SimulatorConfig.auth2_*_ttl_s``), on the
simulator's clock.
"""

from __future__ import annotations

from typing import Any

from ..error_codes import CUSTOMER, SimError
from ..operation import AUTH2_ONLY, Handler, SimCall, SimOperation

__all__ = ["AUTH2_OPERATIONS"]


def _required(call: SimCall, *names: str) -> list[str]:
    values = []
    for name in names:
        value = call.body.get(name)
        if not isinstance(value, str) or not value:
            raise SimError("CUSTOMER_API_0000501", CUSTOMER)
        values.append(value)
    return values


def _pair(access: str, refresh: str) -> dict[str, str]:
    return {"accessToken": access, "refreshToken": refresh}


def _code(call: SimCall) -> str:
    app_id, _ = _required(call, "appId", "thirdAppType")
    assert call.customer_id is not None
    return call.state.auth2.issue_code(app_id, call.customer_id, call.now_ms)


def _token(call: SimCall) -> dict[str, str]:
    app_id, app_secret, code = _required(call, "appId", "appSecret", "code")
    return _pair(*call.state.auth2.redeem(app_id, app_secret, code, call.now_ms))


def _user(call: SimCall) -> dict[str, Any]:
    (access,) = _required(call, "accessToken")
    grant = call.state.auth2.user_of(access, call.now_ms)
    customer = call.state.exchange.customers[grant.customer_id]
    return {
        "customerNo": customer.customer_no,
        "accountId": 0,
        "email": customer.email or None,
        "thirdUserId": None,
        "thirdLoginSource": None,
    }


def _refresh(call: SimCall) -> dict[str, str]:
    (refresh,) = _required(call, "refreshToken")
    assert call.customer_id is not None
    return _pair(*call.state.auth2.refresh(refresh, call.customer_id, call.now_ms))


def _op(name: str, handler: Handler, *, needs_token: bool) -> SimOperation:
    return SimOperation(
        biz_type=f"auth2/{name}",
        handler=handler,
        access="login" if needs_token else "guest",
        route="auth2",
        families=AUTH2_ONLY,
    )


AUTH2_OPERATIONS: tuple[SimOperation, ...] = (
    _op("code", _code, needs_token=True),
    _op("token", _token, needs_token=False),
    _op("user", _user, needs_token=False),
    _op("refresh", _refresh, needs_token=True),
)
"""The Auth2 operations (route ``"auth2"``, family ``"auth2"``)."""
