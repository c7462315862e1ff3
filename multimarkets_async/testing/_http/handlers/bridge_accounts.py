"""The Bridge API's exchange-account operations: add, edit, list and delete.

``customer.admin.CustomerDirectAccAdminApiService.{add, edit, getPage, delete}`` and the older
``customer.admin.WhiteCustomerAdminDriectAccService.{add, update, list, delete}`` (fields ``apiKey`` and
``secretKey`` instead of ``accountApiKey``/``accountSecretKey``). ``delete`` takes ``{id}`` (Assumption
``bridge_delete_account_biztype``) or, as the older spec, ``{customerNo, accountName}``. An unknown
customer or record answers ``CUSTOMER_API_0000003``, a missing field ``CUSTOMER_API_0000501``, an
exchange other than ``binance``/``okx``/``cumberland`` or an account type other than
``spot``/``futures`` ``GATEWAY_CODE_015``. A new account holds 10000 USDT. The secret key is never
answered back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from ..._partners.state import SimBridgeAccount
from ..error_codes import CUSTOMER, SimError, gateway_error
from ..operation import Handler, SimCall
from .manager import customer_by_no

__all__ = ["ACCOUNT_HANDLERS", "EXCHANGES", "text_field"]

EXCHANGES: Final = frozenset({"binance", "okx", "cumberland"})
_ACC: Final = "customer.admin.CustomerDirectAccAdminApiService."
_OLD_ACC: Final = "customer.admin.WhiteCustomerAdminDriectAccService."


def text_field(body: dict[str, Any], name: str, *, required: bool = True) -> str:
    """A string (or integer) field as stripped text; ``""`` when optional and absent.

    Raises:
        SimError: ``CUSTOMER_API_0000501`` when required and missing or mistyped.
    """
    value = body.get(name)
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    if required:
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    return ""


def _add_account(call: SimCall) -> dict[str, Any]:
    body, bridge = call.body, call.state.bridge
    customer = customer_by_no(call, text_field(body, "customerNo"))
    exchange_code = text_field(body, "exchangeCode")
    if exchange_code not in EXCHANGES:
        raise gateway_error("015")
    account_type = text_field(body, "accountType")
    if account_type not in ("spot", "futures"):
        raise gateway_error("015")
    old = call.biz_type.startswith(_OLD_ACC)
    account = SimBridgeAccount(
        id=bridge.new_account_id(),
        customer_no=customer.customer_no,
        exchange_code=exchange_code,
        account_type=account_type,
        account_name=text_field(body, "accountName"),
        api_key=text_field(body, "apiKey" if old else "accountApiKey"),
        secret_key=text_field(body, "secretKey" if old else "accountSecretKey"),
        passphrase=text_field(body, "passphrase", required=False),
        is_test=1 if body.get("isTest") in (1, "1") else 0,
        balances={"USDT": Decimal(10000)},
    )
    bridge.accounts[account.id] = account
    return {**account.view(), "companyId": call.state.config.company_id, "customerId": customer.customer_id}


def _find_account(call: SimCall) -> SimBridgeAccount:
    body, bridge = call.body, call.state.bridge
    record_id = text_field(body, "id", required=False)
    if record_id:
        found = bridge.accounts.get(record_id)
    else:
        name, customer_no = text_field(body, "accountName"), text_field(body, "customerNo")
        found = next(
            (a for a in bridge.accounts.values() if a.account_name == name and a.customer_no == customer_no),
            None,
        )
    if found is None:
        raise SimError("CUSTOMER_API_0000003", CUSTOMER)
    return found


def _edit_account(call: SimCall) -> None:
    account, body = _find_account(call), call.body
    for key, attr in (
        ("accountName", "account_name"),
        ("accountApiKey", "api_key"),
        ("apiKey", "api_key"),
        ("accountSecretKey", "secret_key"),
        ("secretKey", "secret_key"),
        ("passphrase", "passphrase"),
    ):
        value = text_field(body, key, required=False)
        if value:
            setattr(account, attr, value)


def _list_accounts(call: SimCall) -> dict[str, Any]:
    body = call.body
    filters = {
        k: text_field(body, k, required=False)
        for k in ("customerNo", "exchangeCode", "accountType", "accountName")
    }
    rows = [
        a.view()
        for a in call.state.bridge.accounts.values()
        if all(not v or a.view()[k] == v for k, v in filters.items())
    ]
    current, size = (
        int(text_field(body, "current", required=False) or 1),
        int(text_field(body, "size", required=False) or 20),
    )
    start = (current - 1) * size
    return {"records": rows[start : start + size], "total": len(rows), "size": size, "current": current}


def _delete_account(call: SimCall) -> None:
    account = _find_account(call)
    del call.state.bridge.accounts[account.id]


ACCOUNT_HANDLERS: Final[dict[str, Handler]] = {
    _ACC + "add": _add_account,
    _ACC + "edit": _edit_account,
    _ACC + "getPage": _list_accounts,
    _ACC + "delete": _delete_account,
    _OLD_ACC + "add": _add_account,
    _OLD_ACC + "update": _edit_account,
    _OLD_ACC + "list": _list_accounts,
    _OLD_ACC + "delete": _delete_account,
}
"""Exchange-account bizType -> handler."""
