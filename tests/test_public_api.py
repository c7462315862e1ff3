"""The public surface is what we mean to export (after httpx's test_exported_members)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import pytest

import multimarkets_async as mm

EXPECTED = {
    # client and configuration
    "MultiMarkets", "LoginType", "Environment", "PRD", "PRE", "ProtocolSettings", "RateLimitPolicy",
    "ReconnectPolicy", "RetryPolicy", "StreamSettings", "Timeouts", "NOT_GIVEN", "NotGiven", "__version__",
    # streams
    "Subscription", "SubscriptionStats", "OverflowPolicy", "ConnectionState", "ConnectionStats",
    "SocketBackend", "SocketConnection", "ConnectionEvent", "ConnectionEventKind", "ConnectionInfo",
    # models
    "Account", "CustomerProfile", "LoginResult", "Registration",
    "SymbolKey", "Tick", "Trade", "DepthBook", "DepthLevel",
    "Rolling24h", "Kline", "KlineType", "TradeDirection", "MessageEvent", "TradeEvent", "NoticeEvent",
    "NoticeUpdateType", "AccountUpdate", "PositionPnlUpdate", "TradeBizType", "DisconnectEvent",
    "ForcedLogoutEvent", "UnknownMessageEvent",
    # trading surface
    "ApiKey", "ApiKeyPermission", "Permission", "Auth2Tokens", "Auth2User", "Symbol", "SymbolDetail", "Deal",
    "ExpireType", "LedgerEntry", "Order", "OrderBizType", "OrderDetail", "OrderResult", "OrderStatus", "Page",
    "PendingOrder", "Position", "Side", "TrialResult", "OrderOperation", "PendingOrderResult", "SideLike",
    "AssetsSummary", "CustomerAssets", "LedgerBusinessType", "HolidayTime", "MarginInfo", "TradeTime",
    # Manager and Bridge APIs
    "ManagerClient", "BridgeClient", "BalanceAdjustment", "CompanyAsset", "CompanyAuthorization",
    "CustomerDetailType", "CustomerGroup", "DictionaryEntry", "ManagedCustomer", "ManagedCustomerDetail",
    "ManagerProduct", "TradeTypeCurrency", "BridgeAccount", "BridgeAccountType", "BridgeBalance",
    "BridgeDeposit", "BridgeOrder", "BridgeOrderStatus", "BridgeOrderType", "BridgeTrade", "DepositStatus",
    "Exchange", "ExchangeAccount", "TimeInForce", "AdjustmentProposal", "ManagedPosition", "ProposalStatus",
    "WebhookUrls",
    # data push
    "AccountAdjustEvent", "AccountEvent", "CustomerInfoEvent", "CustomerUpdateEvent", "DataPushEvent",
    "DepositEvent", "KycEvent", "PositionEvent", "RegisterEvent", "SubjectEvent", "SubjectWaterEvent",
    "TradeDealEvent", "WithdrawEvent",
    # errors
    "MultiMarketsError", "ConfigurationError", "TransportError", "ConnectError", "HandshakeError",
    "InvalidArgumentError",
    "RequestTimeoutError", "OutcomeUnknownError", "OrderStateUnknownError", "HTTPStatusError",
    "TooManyRequestsError", "LockedOutError",
    "WAFBlockedError", "ServerUnavailableError", "ProtocolError", "StreamError", "SlowConsumerError",
    "SessionEndedError", "APIError", "AuthenticationError", "SessionExpiredError", "LoginFailedError",
    "SignatureError", "ApiKeyError", "TimeWindowError", "PermissionDeniedError", "RateLimitError",
    "ValidationError", "UnknownOperationError", "VerificationCodeError", "CaptchaError", "BusinessError",
    "TradingRuleError", "ServerError",
    # bars as data (the data extra)
    "to_pandas", "to_arrow",
}  # fmt: skip


def test_all_is_exactly_the_public_surface() -> None:
    assert set(mm.__all__) == EXPECTED
    assert len(mm.__all__) == len(set(mm.__all__))
    for name in mm.__all__:
        assert hasattr(mm, name), name


def test_every_exported_class_and_function_is_documented() -> None:
    for name in mm.__all__:
        value = getattr(mm, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), name


def test_every_module_states_its_job_and_its_exports() -> None:
    for info in pkgutil.walk_packages(mm.__path__, prefix="multimarkets_async."):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module = importlib.import_module(info.name)
        assert module.__doc__, f"{info.name} has no docstring"
        if caught:  # only a one-release shim of a moved module may warn, and only that it moved
            assert module.__doc__.startswith("Deprecated"), f"{info.name} warns: {caught[0].message}"
            assert all(issubclass(w.category, DeprecationWarning) for w in caught), info.name
        if not info.ispkg and not info.name.endswith(("__main__", "pytest_plugin", "_version")):
            assert hasattr(module, "__all__"), f"{info.name} has no __all__"


def test_testing_is_imported_lazily() -> None:
    assert mm.testing.Simulator.__name__ == "Simulator"


# Public, documented, imported on first use, and kept out of __all__: each needs an optional extra, and
# `from multimarkets_async import *` must work without it.
OPTIONAL = {"AiohttpClient": "aiohttp", "PicowsBackend": "fast"}


@pytest.mark.parametrize(("name", "extra"), OPTIONAL.items())
def test_optional_names_are_lazy_documented_and_not_in_all(name: str, extra: str) -> None:
    assert name not in mm.__all__
    value = getattr(mm, name)
    assert value.__name__ == name
    assert inspect.getdoc(value)
    module = importlib.import_module(value.__module__)
    assert f"[{extra}]" in (module.__doc__ or "")  # the docstring names the extra to install


def test_deprecated_names_are_not_exported_but_still_answer() -> None:
    assert "RateLimitedError" not in mm.__all__
    with pytest.warns(DeprecationWarning, match="use TooManyRequestsError"):
        assert mm.RateLimitedError is mm.TooManyRequestsError
