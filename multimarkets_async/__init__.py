"""multimarkets-async: the asyncio Python SDK for the MultiMarkets trading platform API.

>>> import multimarkets_async as mm
>>> async with mm.MultiMarkets(base_url="https://api.multimarkets.org", company_id=439,
...                            api_key="...", secret_key="...") as client:
...     symbols = await client.call(
...         "config.app.AppSymbolDubboService.getSymbolBaseList", {"customerGroupId": 1}
...     )

The public surface is exactly what ``__all__`` lists; underscored modules are private. The local
simulator lives in ``testing`` (install the ``[sim]`` extra).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ._bridge_client import BridgeClient
from ._client import LoginType, MultiMarkets
from ._config import (
    PRD,
    PRE,
    Environment,
    ProtocolSettings,
    RateLimitPolicy,
    ReconnectPolicy,
    RetryPolicy,
    StreamSettings,
    Timeouts,
)
from ._manager_client import ManagerClient
from ._streams.subscription import OverflowPolicy, Subscription, SubscriptionStats
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__
from ._ws import ConnectionInfo, ConnectionState, ConnectionStats, SocketBackend, SocketConnection
from .data import to_arrow, to_pandas
from .errors import (
    APIError,
    ApiKeyError,
    AuthenticationError,
    BusinessError,
    CaptchaError,
    ConfigurationError,
    ConnectError,
    HandshakeError,
    HTTPStatusError,
    InvalidArgumentError,
    LockedOutError,
    LoginFailedError,
    MultiMarketsError,
    OrderStateUnknownError,
    OutcomeUnknownError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ServerUnavailableError,
    SessionEndedError,
    SessionExpiredError,
    SignatureError,
    SlowConsumerError,
    StreamError,
    TimeWindowError,
    TooManyRequestsError,
    TradingRuleError,
    TransportError,
    UnknownOperationError,
    ValidationError,
    VerificationCodeError,
    WAFBlockedError,
)
from .models.api_keys import ApiKey, ApiKeyPermission, Permission
from .models.auth2 import Auth2Tokens, Auth2User
from .models.backoffice import AdjustmentProposal, ManagedPosition, ProposalStatus, WebhookUrls
from .models.bridge import (
    BridgeAccount,
    BridgeAccountType,
    BridgeBalance,
    BridgeDeposit,
    BridgeOrder,
    BridgeOrderStatus,
    BridgeOrderType,
    BridgeTrade,
    DepositStatus,
    Exchange,
    ExchangeAccount,
    TimeInForce,
)
from .models.customer import Account, CustomerProfile, LoginResult, Registration
from .models.datapush import (
    AccountAdjustEvent,
    AccountEvent,
    CustomerInfoEvent,
    CustomerUpdateEvent,
    DataPushEvent,
    DepositEvent,
    KycEvent,
    PositionEvent,
    RegisterEvent,
    SubjectEvent,
    SubjectWaterEvent,
    TradeDealEvent,
    WithdrawEvent,
)
from .models.funds import AssetsSummary, CustomerAssets, LedgerBusinessType
from .models.manager import (
    BalanceAdjustment,
    CompanyAsset,
    CompanyAuthorization,
    CustomerDetailType,
    CustomerGroup,
    DictionaryEntry,
    ManagedCustomer,
    ManagedCustomerDetail,
    ManagerProduct,
    TradeTypeCurrency,
)
from .models.market import (
    DepthBook,
    DepthLevel,
    Kline,
    KlineType,
    Rolling24h,
    SymbolKey,
    Tick,
    Trade,
    TradeDirection,
)
from .models.push import (
    AccountUpdate,
    DisconnectEvent,
    ForcedLogoutEvent,
    MessageEvent,
    NoticeEvent,
    NoticeUpdateType,
    PositionPnlUpdate,
    TradeBizType,
    TradeEvent,
    UnknownMessageEvent,
)
from .models.stream import ConnectionEvent, ConnectionEventKind
from .models.symbols import HolidayTime, MarginInfo, Symbol, SymbolDetail, TradeTime
from .models.trading import (
    Deal,
    ExpireType,
    LedgerEntry,
    Order,
    OrderBizType,
    OrderDetail,
    OrderOperation,
    OrderResult,
    OrderStatus,
    Page,
    PendingOrder,
    PendingOrderResult,
    Position,
    Side,
    SideLike,
    TrialResult,
)

__all__ = [
    "NOT_GIVEN",
    "PRD",
    "PRE",
    "APIError",
    "Account",
    "AccountAdjustEvent",
    "AccountEvent",
    "AccountUpdate",
    "AdjustmentProposal",
    "ApiKey",
    "ApiKeyError",
    "ApiKeyPermission",
    "AssetsSummary",
    "Auth2Tokens",
    "Auth2User",
    "AuthenticationError",
    "BalanceAdjustment",
    "BridgeAccount",
    "BridgeAccountType",
    "BridgeBalance",
    "BridgeClient",
    "BridgeDeposit",
    "BridgeOrder",
    "BridgeOrderStatus",
    "BridgeOrderType",
    "BridgeTrade",
    "BusinessError",
    "CaptchaError",
    "CompanyAsset",
    "CompanyAuthorization",
    "ConfigurationError",
    "ConnectError",
    "ConnectionEvent",
    "ConnectionEventKind",
    "ConnectionInfo",
    "ConnectionState",
    "ConnectionStats",
    "CustomerAssets",
    "CustomerDetailType",
    "CustomerGroup",
    "CustomerInfoEvent",
    "CustomerProfile",
    "CustomerUpdateEvent",
    "DataPushEvent",
    "Deal",
    "DepositEvent",
    "DepositStatus",
    "DepthBook",
    "DepthLevel",
    "DictionaryEntry",
    "DisconnectEvent",
    "Environment",
    "Exchange",
    "ExchangeAccount",
    "ExpireType",
    "ForcedLogoutEvent",
    "HTTPStatusError",
    "HandshakeError",
    "HolidayTime",
    "InvalidArgumentError",
    "Kline",
    "KlineType",
    "KycEvent",
    "LedgerBusinessType",
    "LedgerEntry",
    "LockedOutError",
    "LoginFailedError",
    "LoginResult",
    "LoginType",
    "ManagedCustomer",
    "ManagedCustomerDetail",
    "ManagedPosition",
    "ManagerClient",
    "ManagerProduct",
    "MarginInfo",
    "MessageEvent",
    "MultiMarkets",
    "MultiMarketsError",
    "NotGiven",
    "NoticeEvent",
    "NoticeUpdateType",
    "Order",
    "OrderBizType",
    "OrderDetail",
    "OrderOperation",
    "OrderResult",
    "OrderStateUnknownError",
    "OrderStatus",
    "OutcomeUnknownError",
    "OverflowPolicy",
    "Page",
    "PendingOrder",
    "PendingOrderResult",
    "Permission",
    "PermissionDeniedError",
    "Position",
    "PositionEvent",
    "PositionPnlUpdate",
    "ProposalStatus",
    "ProtocolError",
    "ProtocolSettings",
    "RateLimitError",
    "RateLimitPolicy",
    "ReconnectPolicy",
    "RegisterEvent",
    "Registration",
    "RequestTimeoutError",
    "RetryPolicy",
    "Rolling24h",
    "ServerError",
    "ServerUnavailableError",
    "SessionEndedError",
    "SessionExpiredError",
    "Side",
    "SideLike",
    "SignatureError",
    "SlowConsumerError",
    "SocketBackend",
    "SocketConnection",
    "StreamError",
    "StreamSettings",
    "SubjectEvent",
    "SubjectWaterEvent",
    "Subscription",
    "SubscriptionStats",
    "Symbol",
    "SymbolDetail",
    "SymbolKey",
    "Tick",
    "TimeInForce",
    "TimeWindowError",
    "Timeouts",
    "TooManyRequestsError",
    "Trade",
    "TradeBizType",
    "TradeDealEvent",
    "TradeDirection",
    "TradeEvent",
    "TradeTime",
    "TradeTypeCurrency",
    "TradingRuleError",
    "TransportError",
    "TrialResult",
    "UnknownMessageEvent",
    "UnknownOperationError",
    "ValidationError",
    "VerificationCodeError",
    "WAFBlockedError",
    "WebhookUrls",
    "WithdrawEvent",
    "__version__",
    "to_arrow",
    "to_pandas",
]

# A library does not configure logging; it only makes sure its records go nowhere until the
# application does (no "No handlers could be found" and no stderr fallback).
logging.getLogger(__name__).addHandler(logging.NullHandler())

if TYPE_CHECKING:  # imported on first use below; these give type checkers the real classes
    from . import relay as relay
    from . import testing as testing
    from ._http._aiohttp import AiohttpClient as AiohttpClient
    from ._ws._picows import PicowsBackend as PicowsBackend

    RateLimitedError = TooManyRequestsError  # deprecated alias; __getattr__ warns at run time


def __getattr__(name: str) -> object:
    # `mm.testing` and `mm.relay` without importing the simulator (and its optional dependencies) up front.
    import importlib

    if name == "testing":
        return importlib.import_module(".testing", __name__)
    if name == "relay":  # needs the optional nats-py ([relay] extra)
        return importlib.import_module(".relay", __name__)
    if name == "RateLimitedError":  # deprecated for one release
        import warnings

        warnings.warn(
            "multimarkets_async.RateLimitedError is deprecated, use TooManyRequestsError (HTTP 429; "
            "RateLimitError is the platform's error code); the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return TooManyRequestsError
    if name == "AiohttpClient":  # needs the optional httpx-aiohttp ([aiohttp] extra)
        return importlib.import_module("._http._aiohttp", __name__).AiohttpClient
    if name == "PicowsBackend":  # needs the optional picows ([fast] extra)
        return importlib.import_module("._ws._picows", __name__).PicowsBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
