"""The ``data`` of each Manager data-push event, built from the exchange's records.

Field names and types follow the event catalogue: ``id`` is always a string, times are epoch ms,
prices are integers scaled by ``symbolDigits`` (``digits`` on ``trade_deal``), fees by
``currencyDigits``/``feeDigits``, ledger and subject amounts by ``digits``. The proposal events
(``deposit``, ``withdraw``, ``account_adjust``) are built in ``datapush_hub``. Pure functions: the
caller passes the server time.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from .._exchange.account_book import AccountBook
from .._exchange.records import SimAccount, SimCustomer, SimLedgerEntry, SimOrder, SimPosition

__all__ = [
    "ASSET_IDS",
    "EVENT_TYPES",
    "account_event",
    "customer_event",
    "customer_info_event",
    "deal_event",
    "kyc_event",
    "ledger_event",
    "position_event",
    "register_event",
    "subject_event",
]

EVENT_TYPES: Final = (
    "register",
    "customer_update",
    "customer_info_insert",
    "customer_info_update",
    "kyc",
    "open_account",
    "account_update",
    "subject_insert",
    "subject_update",
    "subject_water_insert",
    "subject_water_update",
    "position_insert",
    "position_update",
    "position_delete",
    "trade_deal",
    "deposit",
    "account_adjust",
    "withdraw",
)
"""The 18 event types of the catalogue, in catalogue order."""

ASSET_IDS: Final = {"USDT": 13}
"""Asset ids (``currency`` in account and ledger events) of the simulated currencies."""


def _scaled(value: Decimal, digits: int) -> int:
    return int((value * (Decimal(10) ** digits)).to_integral_value())


def register_event(customer: SimCustomer) -> dict[str, Any]:
    """``register``: a customer registered."""
    return {
        "companyId": customer.company_id,
        "id": str(customer.customer_id),
        "customerNo": customer.customer_no,
        "customerGroupId": customer.customer_group_id,
        "country": customer.country,
        "createTime": customer.register_time_ms,
        "ext2": customer.third_server_code,
        "ext4": customer.third_server_code,
        "kycAuditStatus": 0,
        "kycAuditRemark": "",
        "language": "en-US",
        "optional": 0,
        "phone": customer.phone,
        "phoneArea": customer.phone_area,
        "email": customer.email,
        "emailArea": customer.phone_area,
        "registerSource": customer.register_source,
        "registerType": 1 if customer.email else 2,
        "status": 1,
    }


def customer_event(
    customer: SimCustomer, now_ms: int, *, kyc_status: int = 0, revision: int = 1
) -> dict[str, Any]:
    """``customer_update``: customer master data changed."""
    return {
        "birthday": "",
        "companyId": customer.company_id,
        "country": customer.country,
        "createBy": "system",
        "createTime": customer.register_time_ms,
        "customerGroupId": customer.customer_group_id,
        "customerNo": customer.customer_no,
        "email": customer.email,
        "emailArea": customer.phone_area,
        "firstOpenAccountTime": customer.register_time_ms,
        "id": str(customer.customer_id),
        "kycAuditRemark": "",
        "kycAuditStatus": kyc_status,
        "language": "en-US",
        "loginIp": "127.0.0.1",
        "loginTime": now_ms,
        "optional": 0,
        "phone": customer.phone,
        "phoneArea": customer.phone_area,
        "revision": revision,
        "status": 1,
        "updateBy": "system",
        "updateTime": now_ms,
    }


def customer_info_event(
    customer: SimCustomer, now_ms: int, *, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``customer_info_insert`` / ``customer_info_update``: the customer detail record."""
    data: dict[str, Any] = {
        "companyId": customer.company_id,
        "unitId": 0,
        "country": customer.country,
        "registerIp": "127.0.0.1",
        "registerDevice": "",
        "province": "",
        "city": "",
        "address": "",
        "remark": "",
        "createBy": "system",
        "createTime": customer.register_time_ms,
        "updateBy": "system",
        "updateTime": now_ms,
        "customerInfoId": customer.customer_id,
        "customerNo": customer.customer_no,
        "id": str(customer.customer_id),
        "revision": 1,
        "status": 1,
    }
    for name in ("utmSource", "utmMedium", "utmCampaign", "utmContent", "utmTerm"):
        data[name] = ""
    for n in range(1, 6):
        data[f"ext{n}"] = customer.third_server_code if n == 2 else ""
    data.update(extra or {})
    return data


def kyc_event(customer: SimCustomer, now_ms: int, *, level: str = "level_2") -> dict[str, Any]:
    """``kyc``: a KYC level was approved."""
    return {
        "approval": "simulator",
        "approvalTime": now_ms,
        "businessCode": "1",
        "companyId": customer.company_id,
        "createTime": now_ms,
        "customerNo": customer.customer_no,
        "ext1": "KYC_WEB_ADD",
        "ext2": "",
        "id": f"{customer.customer_id}{now_ms % 100000:05d}",
        "levelCode": level,
        "pathCode": "AF",
        "pno": f"K{now_ms}{customer.customer_id}",
        "revision": 1,
        "status": 2,
        "updateBy": "simulator",
        "updateTime": now_ms,
    }


def account_event(book: AccountBook, account: SimAccount, now_ms: int) -> dict[str, Any]:
    """``open_account`` / ``account_update``: a trading account."""
    customer = book.customer_of(account)
    return {
        "id": str(account.account_id),
        "customerId": customer.customer_id,
        "customerNo": customer.customer_no,
        "companyId": customer.company_id,
        "tradeType": account.trade_type,
        "currency": ASSET_IDS.get(account.currency, 0),
        "currencyCode": account.currency,
        "digits": account.digits,
        "type": 1,
        "status": 2,
        "activateStatus": 2,
        "createTime": account.create_time_ms,
        "updateTime": now_ms,
    }


def subject_event(
    account: SimAccount, now_ms: int, *, subject_type: int = 1, version: int = 1
) -> dict[str, Any]:
    """``subject_insert`` / ``subject_update``: one balance bucket (type 1 = balance by default)."""
    return {
        "accountId": account.account_id,
        "amount": _scaled(account.balance, account.digits),
        "digits": account.digits,
        "id": f"{account.account_id}{subject_type:02d}",
        "type": subject_type,
        "createTime": account.create_time_ms,
        "updateTime": now_ms,
        "version": version,
    }


def ledger_event(book: AccountBook, entry: SimLedgerEntry, account: SimAccount) -> dict[str, Any]:
    """``subject_water_insert`` / ``subject_water_update``: one ledger entry."""
    customer = book.customer_of(account)
    digits = account.digits
    return {
        "id": str(entry.entry_id),
        "accountId": account.account_id,
        "accountType": 1,
        "amountIn": _scaled(max(entry.amount, Decimal(0)), digits),
        "amountOut": _scaled(max(-entry.amount, Decimal(0)), digits),
        "amountAfter": _scaled(entry.amount_after, digits),
        "digits": digits,
        "bookkeepId": entry.bookkeep_id,
        "businessType": entry.business_type,
        "businessType1": entry.business_type1,
        "companyId": customer.company_id,
        "customerId": customer.customer_id,
        "customerNo": customer.customer_no,
        "currency": ASSET_IDS.get(account.currency, 0),
        "currencyCode": account.currency,
        "orderId": entry.bookkeep_id,
        "remark": entry.remark,
        "status": 1,
        "subjectId": int(f"{account.account_id}01"),
        "subjectType": 1,
        "tradeType": account.trade_type,
        "createTime": entry.time_ms,
        "updateTime": entry.time_ms,
        "version": 1,
    }


def position_event(book: AccountBook, position: SimPosition, now_ms: int) -> dict[str, Any]:
    """``position_insert`` / ``position_update`` / ``position_delete`` (one layout)."""
    symbol = book.symbol_of(position)
    account = book.accounts[position.account_id]
    customer = book.customer_of(account)
    digits, money = symbol.digits, account.digits
    lots = position.volume if position.volume else position.close_volume
    return {
        "id": str(position.position_id),
        "accountId": account.account_id,
        "companyId": customer.company_id,
        "customerId": customer.customer_id,
        "customerNo": customer.customer_no,
        "customerGroupId": customer.customer_group_id,
        "symbolId": symbol.symbol_id,
        "symbolDigits": digits,
        "tradeType": position.trade_type,
        "tradeModel": symbol.deal_mode,
        "bizType": 1,
        "direction": position.direction,
        "orderId": position.order_id,
        "dealId": position.deal_id,
        "status": int(position.status),
        "contractSize": symbol.contract_size,
        "openVolume": float(lots * symbol.contract_size),
        "costPrice": _scaled(position.open_price, digits),
        "openPrice": _scaled(position.open_price, digits),
        "takeProfit": str(position.take_profit),
        "stopLoss": str(position.stop_loss),
        "currency": account.currency,
        "currencyDigits": money,
        "openFee": _scaled(-position.open_fee, money),
        "closeFee": _scaled(-position.close_fee, money),
        "openMargin": float(position.open_margin),
        "collatrealFrozen": 0,
        "crossLevelNum": position.leverage,
        "marginSetType": "1",
        "interest": "0",
        "lockNum": "0",
        "maintenanceMargin": "0",
        "occupyTheMargin": format(position.margin, "f"),
        "singleMargin": "0",
        "warningMargin": "0",
        "openTradeAmount": format(position.open_price * position.open_volume * symbol.contract_size, "f"),
        "currentTradeAmount": format(position.open_price * position.volume * symbol.contract_size, "f"),
        "createBy": customer.customer_id,
        "updateBy": customer.customer_id,
        "createTime": position.open_time_ms,
        "updateTime": now_ms,
    }


def deal_event(book: AccountBook, order: SimOrder) -> dict[str, Any]:
    """``trade_deal``: an executed order."""
    account = book.accounts[order.account_id]
    customer = book.customer_of(account)
    symbol = book.market.get(order.symbol_id)
    assert symbol is not None
    money = account.digits
    data: dict[str, Any] = {
        "id": str(order.deal_id),
        "orderId": order.order_id,
        "positionId": order.position_id,
        "orderStatus": 2,
        "bizType": order.biz_type,
        "direction": order.direction,
        "tradeType": order.trade_type,
        "symbolId": symbol.symbol_id,
        "symbolName": symbol.name,
        "contractSize": symbol.contract_size,
        "pointRatio": 1,
        "spread": symbol.spread_points,
        "executeNum": float(order.execute_num),
        "executePrice": _scaled(order.execute_price, symbol.digits),
        "digits": symbol.digits,
        "executeTime": order.execute_time_ms,
        "executeMargin": _scaled(order.margin, money),
        "executeMarginCategoryId": 1,
        "fee": _scaled(-order.fee, money),
        "feeDigits": money,
        "convertFee": _scaled(-order.fee, money),
        "convertFeeDigits": money,
        "convertExchangeRate": 1,
        "accountId": account.account_id,
        "accountDigits": money,
        "companyId": customer.company_id,
        "customerId": customer.customer_id,
        "customerNo": customer.customer_no,
        "customerGroupId": order.customer_group_id,
        "source": order.source or "System",
        "thirdPartyOrder": order.third_party_order,
        "createTime": order.execute_time_ms,
        "updateTime": order.execute_time_ms,
    }
    if order.open_or_close == 2:
        data["pnl"] = _scaled(order.profit, money)
    return data
