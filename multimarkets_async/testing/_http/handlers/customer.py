"""Customer operations beyond login: assets, verification codes, registration, the replacement token.

* ``customer.app.CustomerWebApiService.queryCustomerAssets``: ``{tradeType}`` ->
  ``{assetsId, currency, digits, balance}`` of the caller's (first) account of that tradeType
  (``CUSTOMER_API_0000003`` when there is none).
* ``customer.app.CustomerWebApiService.queryCustomerAssetsInfo``: ``{tradeType (3, 5 or 8),
  accountCurrency?}`` -> totals over the caller's accounts of that tradeType (``currency``, ``digits``,
  ``totalBalance``, ``totalAvailable``, ``totalLiabilities``, ``totalLiabilitiesPrincipal``,
  ``totalInterest``, ``totalNetAssets``, ``closeProportion``, ``riskLevel``, ``tradeType``,
  ``companyId``, ``customerNo``) and ``accountInfoMap`` (currency -> the account object of
  ``queryAccountById``). The simulator lends nothing, so liabilities and interest are 0 and the net
  assets are the balance. Contracts (tradeType 1, 2) answer ``CUSTOMER_API_0000314``, as the platform
  does not support them here; a tradeType without accounts answers ``CUSTOMER_API_0000003``.
* ``message.app.VerificationApiService.verifyCodeSend`` (guest, Client API; the body is not
  documented, so several shapes are accepted): the address in ``loginName``, ``toUser``, ``email``,
  ``phone`` or ``account``; the channel from ``type`` (1 e-mail, 2 phone), else from ``bizType``
  (``EMAIL_…`` e-mail, anything else SMS), else from the address (an ``@`` means e-mail). ``data``
  is the ``sendToken`` string. The code "sent" is always ``SimulatorConfig.verify_code``;
  ``Simulator.sent_codes`` lists every send. A missing or malformed address answers
  ``GATEWAY_CODE_015``.
* ``/register/customer.app.CustomerWebApiService.register``: checks, in order, the
  required fields (``CUSTOMER_API_0000501``), the ``type`` (``0000145``), the address format
  (``0000510`` e-mail, ``0000504`` phone), the code and its ticket (``0000511``), duplicates
  (``0000107`` e-mail, ``0000106`` phone), the group (``0000301``) and ``tradeTypeCurrencyList``
  (``0000314`` a tradeType other than 1, 2, 5; ``0000114`` a currency other than USDT). It creates the
  customer (ids follow the seeded one: 1177 / ``86001176``, ...) with an empty USDT account per
  requested tradeType (default 1, 2 and 5) and answers the profile plus ``capitalInStatus``,
  ``apiCheckSwitch``, ``apiCheckRule`` and ``list`` (KYC levels: none). No token is returned; log in.
* ``/global/thirdExt/randomKey`` (the web iframe flow): the one-time login token in header ``token``
  is used up and ``data`` is a new access token (a Client login token); the old token then answers
  ``GATEWAY_CODE_005``.

Captcha (``F999999``) applies to ``verifyCodeSend`` and ``register`` when ``captcha_token`` is set
(checked by the gateway).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Final

from ..._exchange.records import SimAccount, SimCustomer
from ..error_codes import CUSTOMER, SimError, gateway_error
from ..identity import normalise_address
from ..operation import CLIENT_ONLY, V1, SimCall, SimOperation
from ..views import account_view, profile_view

__all__ = ["CUSTOMER_OPERATIONS"]

_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE: Final = re.compile(r"\+?[0-9]{5,20}")
_TRADE_TYPES: Final = (1, 2, 5)
_ADDRESS_KEYS: Final = ("loginName", "toUser", "email", "phone", "account")
_CURRENCIES: Final = frozenset({"USDT"})


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _customer_assets(call: SimCall) -> dict[str, Any]:
    trade_type = call.body.get("tradeType")
    if not isinstance(trade_type, int) or isinstance(trade_type, bool):
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    accounts = call.state.exchange.customer_accounts(call.customer_id, trade_type)
    if not accounts:
        raise SimError("CUSTOMER_API_0000003", CUSTOMER)
    account = accounts[0]
    return {
        "assetsId": 13,
        "currency": account.currency,
        "digits": account.digits,
        "balance": format(account.balance.quantize(Decimal(1).scaleb(-account.digits)), "f"),
    }


def _assets_info(call: SimCall) -> dict[str, Any]:
    body, exchange = call.body, call.state.exchange
    trade_type = body.get("tradeType")
    if not isinstance(trade_type, int) or isinstance(trade_type, bool):
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    if trade_type not in (3, 5, 8):
        raise SimError("CUSTOMER_API_0000314", CUSTOMER)
    accounts = exchange.customer_accounts(call.customer_id, trade_type)
    wanted = body.get("accountCurrency")
    if isinstance(wanted, str) and wanted.strip():
        codes = {part.strip() for part in wanted.split(",") if part.strip()}
        accounts = [a for a in accounts if a.currency in codes]
    if not accounts:
        raise SimError("CUSTOMER_API_0000003", CUSTOMER)
    customer = exchange.customers[call.customer_id or 0]
    digits = max(a.digits for a in accounts)
    totals = [exchange.account_totals(a) for a in accounts]
    balance = sum((t["balance"] for t in totals), Decimal(0))
    available = sum((t["free_margin"] for t in totals), Decimal(0))
    zero = format(Decimal(0).quantize(Decimal(1).scaleb(-digits)), "f")

    def text(value: Decimal) -> str:
        return format(value.quantize(Decimal(1).scaleb(-digits)), "f")

    return {
        "currency": accounts[0].currency,
        "digits": digits,
        "tradeType": trade_type,
        "companyId": customer.company_id,
        "customerNo": customer.customer_no,
        "totalBalance": text(balance),
        "totalAvailable": text(available),
        "totalLiabilities": zero,
        "totalLiabilitiesPrincipal": zero,
        "totalInterest": zero,
        "totalNetAssets": text(balance),
        "closeProportion": "0.00%",
        "riskLevel": 1,
        "accountInfoMap": {a.currency: account_view(exchange, a) for a in accounts},
    }


def _send_code(call: SimCall) -> str:
    body = call.body
    address = next(
        (body[k] for k in _ADDRESS_KEYS if isinstance(body.get(k), str) and body[k].strip()),
        None,
    )
    if address is None:
        raise gateway_error("015")
    kind = _as_int(body.get("type"))
    purpose = body.get("bizType")
    if kind is None and isinstance(purpose, str) and purpose:
        kind = 1 if purpose.upper().startswith("EMAIL") else 2
    if kind is None:
        kind = 1 if "@" in address else 2
    if kind not in (1, 2) or not (_EMAIL if kind == 1 else _PHONE).fullmatch(address.strip()):
        raise gateway_error("015")
    return call.state.verifications.send(kind, address, call.now_ms)


def _accounts_wanted(body: dict[str, Any]) -> list[tuple[int, str]]:
    wanted = body.get("tradeTypeCurrencyList")
    if wanted in (None, []):
        return [(t, "USDT") for t in _TRADE_TYPES]  # the company's default group assets
    if not isinstance(wanted, list):
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    out: list[tuple[int, str]] = []
    for item in wanted:
        trade_type = _as_int(item.get("tradeType")) if isinstance(item, dict) else None
        currencies = item.get("allCurrency") if isinstance(item, dict) else None
        if trade_type not in _TRADE_TYPES:
            raise SimError("CUSTOMER_API_0000314", CUSTOMER)
        if not isinstance(currencies, str) or not currencies.strip():
            raise SimError("CUSTOMER_API_0000114", CUSTOMER)
        for currency in (c.strip() for c in currencies.split(",")):
            if currency not in _CURRENCIES:
                raise SimError("CUSTOMER_API_0000114", CUSTOMER)
            if (trade_type, currency) not in out:
                out.append((trade_type, currency))
    return out


def _register(call: SimCall) -> dict[str, Any]:
    body, state = call.body, call.state
    exchange = state.exchange
    for name in ("type", "loginName", "country", "verifyCode", "sendToken", "registerSource"):
        if body.get(name) in (None, ""):
            raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    kind, login_name = _as_int(body["type"]), body["loginName"]
    if kind not in (1, 2):
        raise SimError("CUSTOMER_API_0000145", CUSTOMER, msg_params=("1,2",))
    if not isinstance(login_name, str) or not (_EMAIL if kind == 1 else _PHONE).fullmatch(login_name.strip()):
        raise SimError("CUSTOMER_API_0000510" if kind == 1 else "CUSTOMER_API_0000504", CUSTOMER)
    if not state.verifications.check(body["sendToken"], body["verifyCode"], kind, login_name, call.now_ms):
        raise SimError("CUSTOMER_API_0000511", CUSTOMER)
    if exchange.customer_by_login(kind, normalise_address(kind, login_name)) is not None:
        raise SimError("CUSTOMER_API_0000107" if kind == 1 else "CUSTOMER_API_0000106", CUSTOMER)
    group = body.get("customerGroupId")
    if group not in (None, "", exchange.customer.customer_group_id):
        raise SimError("CUSTOMER_API_0000301", CUSTOMER)
    wanted = _accounts_wanted(body)
    pwd = body.get("pwd")
    source = _as_int(body.get("registerSource")) or 9
    customer_id, customer_no = exchange.new_customer_ids()
    third = body.get("thirdServerCode")
    customer = SimCustomer(
        customer_id=customer_id,
        customer_no=customer_no,
        company_id=state.config.company_id,
        customer_group_id=exchange.customer.customer_group_id,
        email=normalise_address(1, login_name) if kind == 1 else "",
        password_md5=pwd if isinstance(pwd, str) else "",
        phone=login_name.strip() if kind == 2 else "",
        phone_area=body.get("phoneArea") or "+86",
        name="",
        country=str(body["country"]),
        register_time_ms=call.now_ms,
        register_source=source,
        login_pass_set=isinstance(pwd, str) and bool(pwd),
        third_server_code=third if isinstance(third, str) else "",
    )
    accounts: list[SimAccount] = []
    for trade_type, currency in wanted:
        account_id = exchange.new_account_id() + len(accounts)
        accounts.append(SimAccount(account_id, customer_id, trade_type, currency, 4, Decimal(0), call.now_ms))
    exchange.add_customer(customer, accounts)
    state.verifications.consume(str(body["sendToken"]))
    return {
        **profile_view(exchange, customer),
        "capitalInStatus": 2,
        "apiCheckSwitch": False,
        "apiCheckRule": "",
        "list": [],
    }


def _random_key(call: SimCall) -> str:
    assert call.customer_id is not None
    assert call.token is not None
    sessions = call.state.sessions
    sessions.consume(call.token)
    token, _ = sessions.login(call.customer_id)
    return token


CUSTOMER_OPERATIONS: tuple[SimOperation, ...] = (
    SimOperation(
        biz_type="customer.app.CustomerWebApiService.queryCustomerAssets",
        handler=_customer_assets,
        access="login",
        version=V1,
    ),
    SimOperation(
        biz_type="customer.app.CustomerWebApiService.queryCustomerAssetsInfo",
        handler=_assets_info,
        access="login",
        version=V1,
    ),
    SimOperation(
        biz_type="message.app.VerificationApiService.verifyCodeSend",
        handler=_send_code,
        access="guest",
        families=CLIENT_ONLY,
        version=V1,
    ),
    SimOperation(
        biz_type="customer.app.CustomerWebApiService.register",
        handler=_register,
        access="guest",
        route="register",
        families=CLIENT_ONLY,
        version=V1,
    ),
    SimOperation(
        biz_type="thirdExt/randomKey",
        handler=_random_key,
        access="login",
        families=CLIENT_ONLY,
        allow_empty_body=True,
    ),
)
"""The customer, registration and replacement-token operations."""
