"""``BridgeClient``: the Bridge API (trading on external exchanges) with an apiKey and its secret key.

Every call is signed with SHA1withRSA exactly like the Open API (Assumption ``bridge_sign_algorithm``)
and sent to ``{bridge_url}/global/{bizType}``; the client spends the documented budget of 100
requests per minute per key itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self

from ._base_client import BaseClient, mask
from ._config import (
    Environment,
    ProtocolSettings,
    RateLimitPolicy,
    RetryPolicy,
    Timeouts,
)
from ._env import bridge_options
from ._types import NOT_GIVEN, NotGivenOr
from .errors import ConfigurationError, ProtocolError
from .protocol.crypto import OpenApiSigner
from .resources.bridge import BridgeAccounts, BridgeCustomers, BridgeProducts, BridgeSession
from .resources.bridge_trading import BridgeBalances, BridgeOrders, BridgeRecords

if TYPE_CHECKING:  # the only runtime importer of httpx is _http
    import httpx

__all__ = ["BridgeClient"]

_SUBSCRIBE = "admin.admin.CompanyApiKeyDubboService.subscribe"


class BridgeClient(BaseClient):
    """An asyncio client of the Bridge API.

    Args:
        base_url: ``"https://host[:port]"``, a preset name (``"prd"``, ``"pre"``) or an ``Environment``.
        company_id: the white-label company id (``companyId`` header).
        api_key: the Bridge API key (32 lowercase hex), issued by the vendor's business staff.
        secret_key: the key's private key, as base64 PKCS#8 text or PEM.
        timeouts: HTTP timeouts; a number sets the read/write timeout.
        retry: retry policy; an int sets ``max_retries``.
        rate_limit: client-side throttling policy (100 requests per minute per key by default).
        settings: the protocol's configurable assumptions.
        http_client: an ``httpx.AsyncClient`` to use instead of the SDK's own (not closed by the SDK),
            or ``mm.AiohttpClient()`` (sends with this client's timeouts; closed by the SDK).
        transport: an httpx transport for the SDK's own client (e.g. a mock).

    Raises:
        ConfigurationError: missing credentials or an unreadable secret key.
    """

    def __init__(
        self,
        *,
        base_url: str | Environment,
        company_id: int,
        api_key: str,
        secret_key: str | bytes,
        timeouts: Timeouts | float | None = None,
        retry: RetryPolicy | int | None = None,
        rate_limit: RateLimitPolicy | None = None,
        settings: ProtocolSettings | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not api_key or not secret_key:
            raise ConfigurationError("api_key and secret_key are required for the Bridge API")
        self._open_session(
            base_url=base_url,
            company_id=company_id,
            settings=settings,
            timeouts=timeouts,
            retry=retry,
            rate_limit=rate_limit,
            http_client=http_client,
            transport=transport,
            sockets=False,  # the Bridge has no sockets of its own
            api_key=api_key,
            signer=OpenApiSigner(secret_key),
        )
        self._api_key = api_key
        self._bridge = BridgeSession(self._session)
        self.customers = BridgeCustomers(self._bridge)
        """Customers: list, detail, closure."""
        self.accounts = BridgeAccounts(self._bridge)
        """Exchange accounts (API keys) per customer: add, update, list, delete."""
        self.products = BridgeProducts(self._bridge, company_id)
        """The products the bridge trades (their ids are the trading calls' ``symbol_id``)."""
        self.balances = BridgeBalances(self._bridge)
        """Balances on an exchange account."""
        self.records = BridgeRecords(self._bridge)
        """Deposit and trade records."""
        self.orders = BridgeOrders(self._bridge)
        """Orders: place, query, cancel."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, /, **overrides: object) -> Self:
        """A Bridge client configured from ``MULTIMARKETS_BASE_URL``, ``MULTIMARKETS_COMPANY_ID``,
        ``MULTIMARKETS_BRIDGE_API_KEY`` and ``MULTIMARKETS_BRIDGE_SECRET_KEY``.

        Args:
            environ: the variables to read; ``os.environ`` by default.
            **overrides: constructor arguments (``api_key``, ``secret_key`` ...) that win over the
                environment.

        Raises:
            ConfigurationError: a variable missing or half of the pair set (named, never its value).
        """
        return cls(**bridge_options(environ, overrides))

    def __repr__(self) -> str:
        state = ", closed" if self._closed else ""
        return (
            f"<BridgeClient {self.environment.name} company_id={self.company_id} "
            f"api_key={mask(self._api_key)!r}{state}>"
        )

    @property
    def locked_until(self) -> float | None:
        """Epoch seconds until which the API key is locked out after an HTTP 418, if it is."""
        return self._session.locked_until

    async def subscribe(self, webhook_url: str, *, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> bool:
        """Register the URL the platform sends trade reports to (``{webhook_url}/notification``).

        Args:
            webhook_url: where ``multimarkets_async.webhooks.webhook_routes`` is mounted.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Returns:
            Whether the platform accepted it (it answers the string ``"true"``).
        """
        body = {"apiKey": self._api_key, "webhookUrl": webhook_url}
        data = await self._bridge.call(_SUBSCRIBE, body, timeout=timeout)
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.lower() in ("true", "false"):
            return data.lower() == "true"
        raise ProtocolError(f"subscribe answered {data!r}, not true/false")

    async def call(
        self,
        biz_type: str,
        body: Mapping[str, object] | None = None,
        *,
        version: NotGivenOr[str | None] = NOT_GIVEN,
        group: NotGivenOr[str | None] = NOT_GIVEN,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Any:
        """Call any Bridge operation by its bizType (signed, at ``/global/{bizType}``) and return ``data``.

        ``version: 0.0.1`` is sent on every call and ``group: tradeApi`` on ``tradeapi.*``.

        Args:
            biz_type: e.g. ``"tradeapi.admin.OrderAdminApiService.queryDirectOrder"``.
            body: the operation's JSON body.
            version: override the ``version`` header (``None`` sends none).
            group: override the ``group`` header (``None`` sends none).
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Raises:
            APIError: the platform refused the call (a subclass names why).
            OrderStateUnknownError: an order call got no answer; query it before placing again.
            TransportError: the network failed.
            RuntimeError: the client is closed.
        """
        return await self._bridge.call(biz_type, body, version=version, group=group, timeout=timeout)
