"""The Manager API's reference-data operations.

Dictionaries (``getListByParentCode``: ``phone_code``, ``register_source``, ``bank_code``,
``Language`` and the networks of ``USDT``; an unknown code gives ``[]``), the country dictionary,
company currencies, asset permissions per group, the product list and the customer groups. A missing
required parameter answers ``GATEWAY_CODE_015``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ....protocol import crypto
from ..error_codes import gateway_error
from ..fields import lenient_int
from ..operation import Handler, SimCall
from ..views import symbol_row_view

if TYPE_CHECKING:
    from ..state_view import HttpState

__all__ = ["REFERENCE_HANDLERS", "company_record"]

_DICTIONARY: Final[dict[str, list[tuple[str, str]]]] = {
    "phone_code": [("+86", "China"), ("+44", "United Kingdom"), ("+1", "United States")],
    "register_source": [(str(n), f"source {n}") for n in range(1, 10)],
    "bank_code": [("HSBC", "HSBC"), ("BOC", "Bank of China")],
    "Language": [("en-US", "English"), ("zh-CN", "简体中文")],
    "USDT": [("Tron(TRC20)", "Tron"), ("Ethereum(ERC20)", "Ethereum")],
}
_COUNTRIES: Final = [("CN", "China"), ("GB", "United Kingdom"), ("US", "United States")]


def _dict_rows(code: str, rows: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {
            "id": 1300 + i,
            "parentId": 469,
            "code": key,
            "name": name,
            "displayName": name,
            "nameEn": name,
            "nameTw": name,
            "parentCode": code,
            "sort": i + 1,
            "showType": 1,
            "extend": "",
            "status": 1,
            "hasLeaf": 0,
            "revision": 1,
            "createBy": "system",
            "updateBy": "system",
            "createTime": 1_700_000_000_000,
            "updateTime": 1_700_000_000_000,
        }
        for i, (key, name) in enumerate(rows)
    ]


def _dictionary(call: SimCall) -> list[dict[str, Any]]:
    code = call.body.get("parentCode")
    if not isinstance(code, str) or not code:
        raise gateway_error("015")
    return _dict_rows(code, _DICTIONARY.get(code, []))


def _countries(call: SimCall) -> list[dict[str, Any]]:
    code = call.body.get("parentCode")
    return _dict_rows(code if isinstance(code, str) and code else "country", _COUNTRIES)


def _assets(call: SimCall) -> list[dict[str, Any]]:
    if not isinstance(call.body.get("companyId"), str):
        raise gateway_error("015")
    return [
        {
            "id": 13,
            "strId": "13",
            "code": "USDT",
            "name": "USDT",
            "displayName": "USDT",
            "digits": 4,
            "type": 1,
            "status": 1,
            "fundId": 1,
            "initState": 2,
            "bizName": "ASSETS",
            "revision": 1,
            "createBy": "system",
            "createTime": 1_700_000_000_000,
            "updateBy": "system",
            "updateTime": 1_700_000_000_000,
        }
    ]


def _trade_type_list(call: SimCall) -> list[dict[str, Any]]:
    return [{"tradeType": str(t), "allCurrency": "USDT", "isWallet": 0, "id": t} for t in (1, 2, 5)]


def _symbols(call: SimCall) -> list[dict[str, Any]]:
    if not isinstance(call.body.get("companyId"), str):
        raise gateway_error("015")
    trade_type = lenient_int(call.body.get("tradeType"))
    return [
        symbol_row_view(symbol, t)
        for symbol in call.state.exchange.market.symbols
        for t in symbol.trade_types
        if trade_type is None or t == trade_type
    ]


def _groups(call: SimCall) -> list[dict[str, Any]]:
    trade_type = lenient_int(call.body.get("tradeType")) or 1
    return [
        {
            "id": 1,
            "name": "Default",
            "openAccountType": 1,
            "type": 0,
            "tradeType": trade_type,
            "assets": "USDT",
        }
    ]


REFERENCE_HANDLERS: Final[dict[str, Handler]] = {
    "config.admin.AdminDictDubboService.getListByParentCode": _dictionary,
    "config.admin.AdminDictDubboService.getCountryListByParentCode": _countries,
    "config.admin.AdminAssetsDubboService.getAssetsList": _assets,
    "config.admin.AdminAssetsDubboService.getTradeTypeList": _trade_type_list,
    "config.admin.AdminSymbolDubboService.getSymbolByCompanyId": _symbols,
    "customer.admin.CustomerGroupAdminApiService.groupList": _groups,
}
"""Reference-data bizType -> handler."""


def company_record(state: HttpState, token: str) -> dict[str, Any]:
    """The company record authorize answers."""
    store, cid = state.manager, state.config.company_id
    return {
        "token": token,
        "publicKey": state.company_public_key,
        "id": cid,
        "strId": str(cid),
        "code": "sim",
        "codeMd5": crypto.md5_password("sim"),
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
