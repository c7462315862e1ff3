"""Operation metadata: for a bizType, its URL path, ``version``/``group`` headers and retry safety.

The gateway routes on (bizType, version, group): the API-key permission list names operations
``bizType_version_group`` and ``GATEWAY_CODE_010`` reads "Downstream port does not exist". So the SDK
sends ``version``/``group`` only where the operation declares them (Assumption ``send_version_group``).
Rather than a hand-typed list
of hundreds of operations, the documented rules are applied by prefix, with explicit overrides for the
documented exceptions. Whether a call is safe to repeat decides whether the HTTP session may retry it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Final

__all__ = [
    "MANAGER_AUTHORIZE",
    "Family",
    "Operation",
    "bridge_operation",
    "fallback_biz_type",
    "manager_operation",
    "may_repeat",
    "operation_for",
    "signed_bases",
]


class Family(StrEnum):
    """The API families an integrator calls, each on its own base URL (see ``Environment``)."""

    CLIENT = "client"
    """Client API: a login token, or a guest."""
    OPEN = "open"
    """Open API: apiKey + SHA1withRSA signature."""
    MANAGER = "manager"
    """Manager (Business) API: a company token."""
    BRIDGE = "bridge"
    """Bridge API: apiKey + signature, at ``/webhook/global``."""
    AUTH2 = "auth2"
    """Auth2 API: header ``company`` instead of ``companyId``; no timestamp."""


@dataclass(frozen=True, slots=True)
class Operation:
    """What the SDK knows about one operation."""

    biz_type: str
    """The bizType as written in the URL path."""
    path: str
    """Path below the family's base URL, e.g. ``/global/<bizType>``."""
    version: str | None = None
    """``version`` header, or ``None`` to send none."""
    group: str | None = None
    """``group`` header, or ``None`` to send none."""
    guest: bool = False
    """Callable without a token (reference data, server time, login)."""
    safe_to_repeat: bool = False
    """A read: the SDK may retry it after the request may have reached the server."""
    changes_orders: bool = False
    """Places, changes or cancels orders or positions: sent with an ``idempotency-key`` and never
    retried without one."""
    moves_money: bool = False
    """Credits, debits or transfers funds (a balance adjustment, a bonus, a withdrawal or transfer
    proposal): once an attempt may have reached the server, a failure is an unknown outcome."""
    reconcile: str | None = None
    """For a write that neither changes orders nor moves money but whose lost answer the caller must
    still hear of (a webhook URL registration): how to learn its outcome. Set, such a call raises
    ``OutcomeUnknownError`` with this advice once an attempt may have reached the server."""
    timestamp: bool = True
    """Send the ``timestamp`` header (Assumption ``always_send_timestamp``); not on the server-time
    call, whose documented headers are only ``companyId``, ``trace`` and ``lang``."""


# version/group by bizType prefix, as the vendor specs send them.
_VERSION_GROUP: Final[tuple[tuple[str, str | None, str | None], ...]] = (
    ("tradeapi.app.", "0.0.1", "tradeApi"),
    ("customer.app.", "0.0.1", None),
    ("fund.app.", "0.0.1", None),
    ("message.app.", "0.0.1", None),
    ("report.app.", "0.0.1", None),
    ("config.app.", None, None),
)

# Documented exceptions to the prefix rules (the spec marks getSymbolDetail's ``version: 0.0.2`` required).
_VERSION_OVERRIDES: Final[dict[str, str | None]] = {
    "config.app.AppSymbolDubboService.getSymbolDetail": "0.0.2",
}

# Client API paths outside ``/global/{bizType}``.
_SPECIAL_PATHS: Final[dict[str, str]] = {
    "customer.app.CustomerWebApiService.login": "/login/customer.app.CustomerWebApiService.login",
    "customer.app.CustomerWebApiService.register": "/register/customer.app.CustomerWebApiService.register",
    "logout": "/logout",
    "thirdExt/now": "/thirdExt/now",
    "thirdExt/switchAccount": "/thirdExt/switchAccount",
    "thirdExt/randomKey": "/global/thirdExt/randomKey",
}

_GUEST_PREFIXES: Final = ("config.app.",)
_GUEST_OPERATIONS: Final = frozenset(
    {
        "customer.app.CustomerWebApiService.login",
        "customer.app.CustomerWebApiService.register",
        "message.app.VerificationApiService.verifyCodeSend",
        "thirdExt/now",
    }
)

# A method name that only reads. Matched on the last dotted segment.
_READ_METHOD = re.compile(
    r"^(query|get|find|list|page|search|preview|calculate|check|detail|select|count|optional|wallet)",
    re.IGNORECASE,
)
_ORDER_METHOD = re.compile(r"(order|position|close|cancel|leverage|margin|stoploss|profit)", re.IGNORECASE)
_ALIAS = re.compile(r"^(tradeapi\.app\.)(?:CfdMM|CfdWBW|CrossLever|Stock)(\w*ApiService\.)")


# Operations that move money: the Manager balance update and bonus, and the Client API's Funds pages
# (deposit, withdrawal, transfer, loan).
_MONEY_OPERATIONS: Final = frozenset(
    {
        "fund.admin.CustomerAdjustProposalAdminDubboService.addCustomerAdjustProposal",
        "fund.admin.CustomerActivityBonusAdminDubboService.operationBonus",
        "fund.app.DepositAppDubboService.capitalTransfer",
        "fund.app.DepositAppDubboService.capitalTransferForAgent",
        "fund.app.DepositAppDubboService.capitalTransferSupportDiffCurr",
        "fund.app.DepositAppDubboService.createDepositProposal",
        "fund.app.DepositAppDubboService.manualLoan",
        "fund.app.DepositAppDubboService.manualRepayment",
        "fund.app.WithdrawAppDubboService.createWithdrawProposal",
        "passToCredit.app.AmountActiveService.addTransferProposal",
    }
)
# A Manager/Bridge method name that moves money, for operations the references do not list yet.
_MONEY_METHOD = re.compile(
    r"(adjust|bonus|withdraw|deposit|transfer|recharge|loan|repay|payout)", re.IGNORECASE
)

# The vendor documents the ``idempotency-key`` for the Client API only; the Open API runs the same
# operations behind the same gateway. Elsewhere (Manager, Bridge, Auth2) a key proves nothing.
_KEY_FAMILIES: Final = frozenset({Family.CLIENT, Family.OPEN})


def may_repeat(operation: Operation, family: Family, idempotency_key: str | None) -> bool:
    """Whether a call may be sent again after an attempt that may have reached the server.

    Reads may. Writes may only under an ``idempotency-key`` on a family whose documentation defines
    it (Client and Open API): there the gateway answers a repeat from its cache. A Manager balance
    adjustment retried under a key the Manager API ignores would pay the customer twice.
    """
    if operation.safe_to_repeat:
        return True
    return idempotency_key is not None and family in _KEY_FAMILIES


def _method_name(biz_type: str) -> str:
    return biz_type.rsplit(".", 1)[-1].rsplit("/", 1)[-1]


@lru_cache(maxsize=1024)
def operation_for(biz_type: str) -> Operation:
    """The metadata of ``biz_type`` from the documented rules.

    Args:
        biz_type: the operation name as used in the URL, e.g.
            ``"tradeapi.app.OrderApiService.addMarketOrder"``; the special paths ``"logout"``,
            ``"thirdExt/now"``, ``"thirdExt/switchAccount"`` and ``"thirdExt/randomKey"`` are accepted too.
            A value starting with ``/`` is taken as a path below the family's base (the few operations
            outside ``/global``, such as ``/third/login/...``); a leading ``/api/cats-gateway`` (the form
            some vendor pages print) is dropped.
    """
    if biz_type.startswith("/"):
        path = biz_type.removeprefix("/api/cats-gateway")
        return Operation(biz_type=path.rsplit("/", 1)[-1], path=path)
    if biz_type.startswith("auth2/"):  # the Auth2 family: /auth2/code, token, user, refresh
        return Operation(biz_type=biz_type, path=f"/{biz_type}", timestamp=False)
    version: str | None = None
    group: str | None = None
    for prefix, prefix_version, prefix_group in _VERSION_GROUP:
        if biz_type.startswith(prefix):
            version, group = prefix_version, prefix_group
            break
    if biz_type in _VERSION_OVERRIDES:
        version = _VERSION_OVERRIDES[biz_type]
    method = _method_name(biz_type)
    reads = bool(_READ_METHOD.match(method)) or biz_type in ("thirdExt/now", "getMsgPushToken")
    changes_orders = biz_type.startswith("tradeapi.") and not reads and bool(_ORDER_METHOD.search(method))
    return Operation(
        biz_type=biz_type,
        path=_SPECIAL_PATHS.get(biz_type, f"/global/{biz_type}"),
        version=version,
        group=group,
        guest=biz_type in _GUEST_OPERATIONS or biz_type.startswith(_GUEST_PREFIXES),
        safe_to_repeat=reads,
        changes_orders=changes_orders,
        moves_money=biz_type in _MONEY_OPERATIONS,
        timestamp=biz_type != "thirdExt/now",
    )


def fallback_biz_type(biz_type: str) -> str | None:
    """The older description name of an operation whose path uses a ``CfdMM``/``CfdWBW``/... service.

    ``tradeapi.app.CfdMMOrderApiService.addMarketOrder`` -> ``tradeapi.app.OrderApiService.addMarketOrder``
    The vendor spec describes 37 paths under a different, older bizType (their ``CfdMM*``, ``CfdWBW*``,
    ``CrossLever*`` and ``Stock*`` services); the SDK sends the path and falls back once to the older
    name on an unknown-operation answer (Assumption ``bizType_fallback``). ``None`` when there is no
    alias.
    """
    alias = _ALIAS.sub(r"\1\2", biz_type)
    return alias if alias != biz_type else None


# Signed like the Open API, yet documented at the Client API base: the vendor's getMsgPushToken page
# sends ``{client base}/global/getMsgPushToken`` (``.../api/...``) with the apiKey/signature headers.
_SIGNED_AT_CLIENT_BASE: Final = frozenset({"getMsgPushToken"})


def signed_bases(biz_type: str) -> tuple[Family, ...]:
    """The base URLs a call signed with the API key may go to, in the order to try them.

    Usually only the Open API's (``.../openapi-c``). ``getMsgPushToken`` is documented at the Client
    API's base (``.../api/global/getMsgPushToken``) with the Open API's signature headers, while
    earlier SDK versions, and the Open API pages' own rule, send it to the Open API's: try the
    documented base first and the other once when the server does not know the operation there.
    """
    if biz_type in _SIGNED_AT_CLIENT_BASE:
        return (Family.CLIENT, Family.OPEN)
    return (Family.OPEN,)


MANAGER_AUTHORIZE: Final = Operation(
    biz_type="admin.admin.CompanyAuthDubboService.auth",
    path="/auth/admin.admin.CompanyAuthDubboService.auth",
    safe_to_repeat=True,
)
"""Manager authorize (``/auth/admin.admin.CompanyAuthDubboService.auth``): plain body (sent without a
token, it is never encrypted) and the ``timestamp`` header the reference page marks required."""

# Manager operations the Business spec lists only with the /global prefix, whatever ``path_style`` says.
_MANAGER_GLOBAL_ONLY: Final = frozenset(
    {
        "report.admin.CatsTradeDealService.getTradeDealInfoByDealId",
        "report.admin.CatsTradeDealService.getTradeDealInfoByOrderId",
        "admin.admin.CompanyWebhookDubboService.subscribe",
    }
)


# Back-office writes outside orders and money whose unknown outcome is reported, with how to learn it.
_RECONCILE: Final[dict[str, str]] = {
    "admin.admin.CompanyWebhookDubboService.subscribe": (
        "register the same URLs again (a registration replaces the previous one)"
    ),
}


def _admin_operation(biz_type: str, path: str) -> Operation:
    method = _method_name(biz_type)
    reads = bool(_READ_METHOD.match(method))
    return Operation(
        biz_type=biz_type,
        path=path,
        version="0.0.1",
        group="tradeApi" if biz_type.startswith("tradeapi.") else None,
        safe_to_repeat=reads,
        changes_orders=biz_type.startswith("tradeapi.") and not reads and bool(_ORDER_METHOD.search(method)),
        moves_money=biz_type in _MONEY_OPERATIONS or (not reads and bool(_MONEY_METHOD.search(method))),
        reconcile=_RECONCILE.get(biz_type),
    )


@lru_cache(maxsize=512)
def manager_operation(biz_type: str, *, path_style: str = "bare") -> Operation:
    """The metadata of a Manager (Business) API operation.

    Every Manager call sends ``version: 0.0.1``; ``tradeapi.*`` operations add ``group: tradeApi``.

    Args:
        biz_type: e.g. ``"customer.admin.WhiteCustomerAdminApiService.page"``.
        path_style: ``"bare"`` sends ``/{bizType}``, ``"global"`` sends ``/global/{bizType}``
            (Assumption ``manager_path_style``). The two deal reports always use ``/global``.

    Raises:
        ValueError: ``path_style`` is neither ``"bare"`` nor ``"global"``.
    """
    if path_style not in ("bare", "global"):
        raise ValueError(f"path_style must be 'bare' or 'global', got {path_style!r}")
    prefix = "/global" if path_style == "global" or biz_type in _MANAGER_GLOBAL_ONLY else ""
    return _admin_operation(biz_type, f"{prefix}/{biz_type}")


@lru_cache(maxsize=512)
def bridge_operation(biz_type: str) -> Operation:
    """The metadata of a Bridge API operation: ``/global/{bizType}``, ``version: 0.0.1``,
    ``group: tradeApi`` on ``tradeapi.*`` operations."""
    return _admin_operation(biz_type, f"/global/{biz_type}")
