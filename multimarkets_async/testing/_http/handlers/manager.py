"""The Manager API operations: bizType -> handler (reference data in ``manager_ref``, positions and
the forced close in ``manager_trading``).

Validation codes where the docs name none: customer operations answer ``CUSTOMER_API_0000501`` for a
missing or mistyped required field and ``CUSTOMER_API_0000003`` for an unknown customer; config
operations ``GATEWAY_CODE_015`` for a missing parameter; the balance update ``FS10001`` (missing
field) and ``FS10002`` (``businessType`` other than 4, ``withdraw`` not true, a zero amount, an unknown
account or a claw-back larger than the balance); the proposal lookup answers the proposal record
(``checkStatus`` 2, approved), ``FS10001`` without ``proposalNo`` and ``FS10002`` for an unknown one.
Registration (Assumption ``register_identity``) needs a phone or an e-mail; a duplicate answers
``CUSTOMER_API_0000106`` (phone) or ``0000107`` (e-mail); the group must be 1 (``0000301``);
``tradeTypeCurrencyList`` may ask for tradeTypes 1, 2, 5 and 10 (the Bridge, Assumption
``bridge_register_biztype``) in USDT (``0000314``/``0000114``). The customer list pages at most 2000
rows (a bigger ``size``: ``0000501``). The webhook registration (``CompanyWebhookDubboService.
subscribe``) needs the three URLs as ``http(s)://`` (``GATEWAY_CODE_015``) and replaces what was
registered; platform mode (``sim.platform``) then calls them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Final

from ..._exchange.records import SimAccount, SimCustomer
from ..error_codes import CUSTOMER, SimError, gateway_error
from ..fields import lenient_int, page
from ..identity import normalise_address
from ..operation import TRADE_GROUP, V1, SimCall, SimOperation
from ..views import account_view, profile_view
from .manager_ref import REFERENCE_HANDLERS, company_record
from .manager_trading import TRADING_HANDLERS

__all__ = [
    "AUTH_BIZ_TYPE",
    "AUTH_OPERATION",
    "MANAGER_OPERATIONS",
    "customer_by_no",
    "customer_detail",
    "customer_page",
    "manager_register",
]

_FUNDS: Final = "FS"
_TRADE_TYPES: Final = (1, 2, 5, 10)
AUTH_BIZ_TYPE: Final = "admin.admin.CompanyAuthDubboService.auth"


def _authorize(call: SimCall) -> dict[str, Any]:
    store = call.state.manager
    if call.body.get("appId") != store.app_id or call.body.get("appSecret") != store.app_secret:
        raise SimError("CUSTOMER_API_0000131", CUSTOMER)
    return company_record(call.state, store.issue())


AUTH_OPERATION: Final = SimOperation(
    biz_type=AUTH_BIZ_TYPE, handler=_authorize, access="guest", families=frozenset({"manager"})
)
"""Manager authorize, served at ``/openapi-b/auth/...`` (the gateway requires its ``timestamp``)."""


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if isinstance(value, (int, str)) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    raise SimError("CUSTOMER_API_0000501", CUSTOMER)


def customer_by_no(call: SimCall, customer_no: str) -> SimCustomer:
    """The customer with ``customer_no``.

    Raises:
        SimError: ``CUSTOMER_API_0000003`` when there is none.
    """
    for customer in call.state.exchange.customers.values():
        if customer.customer_no == customer_no:
            return customer
    raise SimError("CUSTOMER_API_0000003", CUSTOMER)


# ---------------------------------------------------------------------------- customers


def _customer_row(call: SimCall, c: SimCustomer) -> dict[str, Any]:
    return {
        "id": c.customer_id,
        "customerNo": c.customer_no,
        "companyId": c.company_id,
        "customerGroupId": c.customer_group_id,
        "customerGroupName": "Default",
        "customerType": 0,
        "agentCustomerNo": "",
        "email": c.email,
        "phone": c.phone,
        "phoneArea": c.phone_area,
        "name": c.name,
        "firstName": "",
        "lastName": "",
        "idCard": "",
        "idCardType": 0,
        "openAccountType": 0,
        "registerSource": c.register_source,
        "remark": "",
        "status": 1,
        "thirdAccountNo": c.third_server_code,
        "thirdLoginSource": "",
        "thirdUserId": "",
        "tgUserId": "",
        "tgUserName": "",
        "unitId": 0,
        "unitName": "",
        "createTime": c.register_time_ms,
        "loginTime": c.register_time_ms,
        "updateTime": c.register_time_ms,
        "firstAccountActivateTime": c.register_time_ms,
    }


def customer_page(call: SimCall) -> dict[str, Any]:
    """The customer list (Manager and Bridge): ``customerNo`` filter, ``size`` at most 2000."""
    body = call.body
    size, current = lenient_int(body.get("size", 20)), lenient_int(body.get("current", 1))
    if size is None or current is None or not 1 <= size <= 2000 or current < 1:
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    wanted = body.get("customerNo")
    rows = [
        _customer_row(call, c)
        for c in sorted(call.state.exchange.customers.values(), key=lambda c: c.customer_id)
        if wanted in (None, "") or c.customer_no == str(wanted)
    ]
    return page(rows, current, size)


def _accounts_wanted(body: dict[str, Any]) -> list[tuple[int, str]]:
    wanted = body.get("tradeTypeCurrencyList")
    if not isinstance(wanted, list) or not wanted:
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    out: list[tuple[int, str]] = []
    for item in wanted:
        trade_type = lenient_int(item.get("tradeType")) if isinstance(item, dict) else None
        currencies = item.get("allCurrency") if isinstance(item, dict) else None
        if trade_type not in _TRADE_TYPES:
            raise SimError("CUSTOMER_API_0000314", CUSTOMER)
        if not isinstance(currencies, str) or not currencies.strip():
            raise SimError("CUSTOMER_API_0000114", CUSTOMER)
        for currency in (part.strip() for part in currencies.split(",")):
            if currency != "USDT":
                raise SimError("CUSTOMER_API_0000114", CUSTOMER)
            if (trade_type, currency) not in out:
                out.append((trade_type, currency))
    return out


def manager_register(call: SimCall) -> str:
    """``addCusAndOpenAccountAndKyc`` (Manager and Bridge): create a customer and its accounts."""
    body, state = call.body, call.state
    exchange = state.exchange
    for name in ("pwd", "country", "registerSource", "customerGroupId"):
        _text(body, name)
    phone, email = body.get("phone"), body.get("email")
    if not (isinstance(phone, str) and phone.strip()) and not (isinstance(email, str) and email.strip()):
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    if isinstance(email, str) and email.strip() and exchange.customer_by_login(1, email):
        raise SimError("CUSTOMER_API_0000107", CUSTOMER)
    if isinstance(phone, str) and phone.strip() and exchange.customer_by_login(2, phone):
        raise SimError("CUSTOMER_API_0000106", CUSTOMER)
    if lenient_int(body.get("customerGroupId")) != exchange.customer.customer_group_id:
        raise SimError("CUSTOMER_API_0000301", CUSTOMER)
    wanted = _accounts_wanted(body)
    customer_id, customer_no = exchange.new_customer_ids()
    third = body.get("thirdServerCode")
    has_email = isinstance(email, str) and bool(email.strip())
    customer = SimCustomer(
        customer_id=customer_id,
        customer_no=customer_no,
        company_id=state.config.company_id,
        customer_group_id=exchange.customer.customer_group_id,
        email=normalise_address(1, email) if has_email and isinstance(email, str) else "",
        password_md5=str(body["pwd"]),
        phone=phone.strip() if isinstance(phone, str) else "",
        phone_area=str(body.get("phoneArea") or body.get("emailArea") or "+86"),
        name="",
        country=str(body["country"]),
        register_time_ms=call.now_ms,
        register_source=lenient_int(body.get("registerSource")) or 9,
        third_server_code=third if isinstance(third, str) else "",
    )
    first = exchange.new_account_id()
    accounts = [
        SimAccount(first + i, customer_id, trade_type, currency, 4, Decimal(0), call.now_ms)
        for i, (trade_type, currency) in enumerate(wanted)
    ]
    exchange.add_customer(customer, accounts)
    return customer_no


def customer_detail(call: SimCall) -> dict[str, Any]:
    """The customer detail (Manager ``detail``; Bridge ``detailByCustomerNo``)."""
    body = call.body
    kind = _text(body, "type")
    customer = customer_by_no(call, _text(body, "customerNo"))
    if call.biz_type.endswith(".detail"):
        _text(body, "id")
    exchange = call.state.exchange
    data = profile_view(exchange, customer)
    data.update(
        customerType=0,
        unitId=0,
        unitName="",
        address="",
        postalCode="",
        forceLevel=0,
        earlyWarningLevel=0,
        withdrawLevel=0,
        phone=customer.phone,
    )
    if kind != "tradeAccount":
        data.pop("accountList", None)
    return data


def _account_list(call: SimCall) -> list[dict[str, Any]]:
    customer = customer_by_no(call, _text(call.body, "customerNo"))
    trade_type = lenient_int(call.body.get("tradeType"))
    if trade_type is None:
        raise SimError("CUSTOMER_API_0000501", CUSTOMER)
    exchange = call.state.exchange
    return [account_view(exchange, a) for a in exchange.customer_accounts(customer.customer_id, trade_type)]


def _check_exist(call: SimCall) -> bool:
    name = _text(call.body, "loginName")
    kind = lenient_int(call.body.get("type")) or (1 if "@" in name else 2)
    return call.state.exchange.customer_by_login(kind, name) is not None


# ---------------------------------------------------------------------------- funds


def _adjust(call: SimCall) -> str:
    body = call.body
    for name in ("customerNo", "accountCurrency", "tradeType", "businessType", "amount", "withdraw"):
        if body.get(name) in (None, ""):
            raise SimError("FS10001", _FUNDS)
    if lenient_int(body.get("businessType")) != 4 or body.get("withdraw") is not True:
        raise SimError("FS10002", _FUNDS)
    try:
        amount = Decimal(str(body["amount"]))
    except InvalidOperation:
        raise SimError("FS10002", _FUNDS) from None
    if not amount.is_finite() or amount == 0 or isinstance(body["amount"], bool):
        raise SimError("FS10002", _FUNDS)
    try:
        customer = customer_by_no(call, str(body["customerNo"]))
    except SimError:
        raise SimError("FS10002", _FUNDS) from None
    account_id = body.get("accountId")
    account = call.state.exchange.find_account(
        lenient_int(body.get("tradeType")) or 0,
        account_id=lenient_int(account_id) if account_id is not None else None,
        currency=str(body["accountCurrency"]),
        customer_id=customer.customer_id,
    )
    if account is None or account.balance + amount < 0:
        raise SimError("FS10002", _FUNDS)
    remark = body.get("remark")
    proposal = call.state.datapush.adjust(account, amount, remark if isinstance(remark, str) else "")
    proposals = call.state.manager_proposals
    proposals[proposal] = {
        "id": len(proposals) + 1,
        "proposalNo": proposal,
        "companyId": customer.company_id,
        "customerId": customer.customer_id,
        "customerNo": customer.customer_no,
        "accountId": account.account_id,
        "tradeType": account.trade_type,
        "accountCurrency": account.currency,
        "businessType": 4,
        "businessTypeText": "Balance adjustment",
        "amount": int(amount) if amount == amount.to_integral_value() else float(amount),
        "withdraw": True,
        "checkStatus": 2,
        "checkBy": "system",
        "status": 1,
        "remark": remark if isinstance(remark, str) else "",
        "thirdOrderId": "",
        "thirdAccount": "",
        "resetAccount": False,
        "createBy": "openapi",
        "createTime": call.now_ms,
        "updateBy": "openapi",
        "updateTime": call.now_ms,
    }
    return proposal


def _proposal(call: SimCall) -> dict[str, Any]:
    number = call.body.get("proposalNo") or call.body.get("id")
    if number in (None, ""):
        raise SimError("FS10001", _FUNDS)
    found = call.state.manager_proposals.get(str(number))
    if found is None:
        raise SimError("FS10002", _FUNDS)
    return found


def _webhook_subscribe(call: SimCall) -> None:
    urls = {}
    for name in (
        "queryUserAccountBalanceUrl",
        "externalSystemAdjustmentUrl",
        "cancelExternalSystemAdjustmentUrl",
    ):
        value = call.body.get(name)
        if not isinstance(value, str) or not value.startswith(("http://", "https://")):
            raise gateway_error("015")
        urls[name] = value
    call.state.webhook_urls.update(urls)


def _op(biz_type: str, handler: Any, group: str = "") -> SimOperation:
    return SimOperation(
        biz_type=biz_type,
        handler=handler,
        access="guest",
        families=frozenset({"manager"}),
        version=V1,
        group=group,
    )


_TABLE: Final = (
    *(_op(biz_type, handler) for biz_type, handler in REFERENCE_HANDLERS.items()),
    *(_op(biz_type, handler, TRADE_GROUP) for biz_type, handler in TRADING_HANDLERS.items()),
    _op("customer.admin.WhiteCustomerAdminApiService.page", customer_page),
    _op("customer.admin.WhiteCustomerAdminApiService.addCusAndOpenAccountAndKyc", manager_register),
    _op("customer.admin.WhiteCustomerAdminApiService.detail", customer_detail),
    _op("customer.admin.WhiteCustomerAdminApiService.detailByCustomerNo", customer_detail),
    _op("customer.admin.CustomerAdminApiService.queryAccountList", _account_list),
    _op("customer.app.CustomerWebApiService.checkCustomerExist", _check_exist),
    _op("fund.admin.CustomerAdjustProposalAdminDubboService.addCustomerAdjustProposal", _adjust),
    _op("fund.admin.CustomerAdjustProposalAdminDubboService.getCustomerAdjustProposalById", _proposal),
    _op("admin.admin.CompanyWebhookDubboService.subscribe", _webhook_subscribe),
)

MANAGER_OPERATIONS: Final[dict[str, SimOperation]] = {op.biz_type: op for op in _TABLE}
"""Every Manager operation by bizType (served at ``/openapi-b/{bizType}`` and ``/global/{bizType}``)."""
