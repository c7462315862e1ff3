"""multimarkets-async: the asyncio Python SDK for the MultiMarkets trading platform API.

>>> import multimarkets_async as mm
>>> async with mm.MultiMarkets(base_url="https://api.multimarkets.org", company_id=439,
...                            api_key="...", secret_key="...") as client:
...     symbols = await client.call(
...         "config.app.AppSymbolDubboService.getSymbolBaseList", {"customerGroupId": 1}
...     )

The public surface is exactly what ``__all__`` lists; underscored modules are private. The local
simulator lives in :mod:`multimarkets_async.testing` (install the ``[sim]`` extra).
"""

from __future__ import annotations

from ._client import LoginType, MultiMarkets
from ._config import PRD, PRE, Environment, ProtocolSettings, RateLimitPolicy, RetryPolicy, Timeouts
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__
from .errors import (
    APIError,
    ApiKeyError,
    AuthenticationError,
    BusinessError,
    CaptchaError,
    ConfigurationError,
    ConnectError,
    HTTPStatusError,
    LockedOutError,
    LoginFailedError,
    MultiMarketsError,
    OrderStateUnknownError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ServerUnavailableError,
    SessionExpiredError,
    SignatureError,
    TimeWindowError,
    TradingRuleError,
    TransportError,
    UnknownOperationError,
    ValidationError,
    VerificationCodeError,
    WAFBlockedError,
)
from .models.customer import Account, CustomerProfile, LoginResult

__all__ = [
    "NOT_GIVEN",
    "PRD",
    "PRE",
    "APIError",
    "Account",
    "ApiKeyError",
    "AuthenticationError",
    "BusinessError",
    "CaptchaError",
    "ConfigurationError",
    "ConnectError",
    "CustomerProfile",
    "Environment",
    "HTTPStatusError",
    "LockedOutError",
    "LoginFailedError",
    "LoginResult",
    "LoginType",
    "MultiMarkets",
    "MultiMarketsError",
    "NotGiven",
    "OrderStateUnknownError",
    "PermissionDeniedError",
    "ProtocolError",
    "ProtocolSettings",
    "RateLimitError",
    "RateLimitPolicy",
    "RateLimitedError",
    "RequestTimeoutError",
    "RetryPolicy",
    "ServerError",
    "ServerUnavailableError",
    "SessionExpiredError",
    "SignatureError",
    "TimeWindowError",
    "Timeouts",
    "TradingRuleError",
    "TransportError",
    "UnknownOperationError",
    "ValidationError",
    "VerificationCodeError",
    "WAFBlockedError",
    "__version__",
]


def __getattr__(name: str) -> object:
    # `mm.testing` without importing the simulator (and its optional dependencies) up front.
    if name == "testing":
        import importlib

        return importlib.import_module(".testing", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
