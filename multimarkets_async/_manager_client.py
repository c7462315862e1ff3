"""``ManagerClient``: the Manager (Business) API with the company's ``app_id``/``app_secret``.

The client authorizes lazily on its first call, keeps the company token and public key, and sends
every operation to ``{manager_url}/{bizType}`` (or ``/global/{bizType}``) with an encrypted body.
``async with`` owns the task group the data-push socket runs in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Self

from ._base_client import BaseClient, mask
from ._config import (
    Environment,
    ProtocolSettings,
    RateLimitPolicy,
    ReconnectPolicy,
    RetryPolicy,
    StreamSettings,
    Timeouts,
)
from ._env import manager_options
from ._types import NOT_GIVEN, NotGivenOr
from ._ws import SocketBackend
from .errors import ConfigurationError
from .models.manager import CompanyAuthorization
from .resources.datapush import DataPush
from .resources.manager import Company, Dictionaries, ManagedCustomers, Products
from .resources.manager_ops import Balances, ManagedPositions, Webhooks
from .resources.manager_session import ManagerSession

if TYPE_CHECKING:  # the only runtime importer of httpx is _http
    import httpx

__all__ = ["ManagerClient"]

DEFAULT_TOKEN_TTL = 24 * 3600.0
"""Seconds after which the company token is renewed proactively (its lifetime is undocumented)."""


class ManagerClient(BaseClient):
    """An asyncio client of the Manager (Business) API.

    Args:
        base_url: ``"https://host[:port]"``, a preset name (``"prd"``, ``"pre"``) or an ``Environment``.
        company_id: the white-label company id (``companyId`` header).
        app_id: the company authorisation id issued by the platform operator.
        app_secret: the company secret.
        path_style: ``"bare"`` sends ``/{bizType}``, ``"global"`` ``/global/{bizType}`` (Assumption
            ``manager_path_style``).
        public_key: a company public key to encrypt bodies with instead of the one authorize answers.
        encrypt_body: encrypt call bodies (Assumption ``encrypt_manager_body``); ``False`` sends plain JSON.
        token_ttl: seconds after which the token is renewed before the next call (``None``: only when
            the server says it expired).
        timeouts: HTTP timeouts; a number sets the read/write timeout.
        retry: retry policy; an int sets ``max_retries``.
        rate_limit: client-side throttling policy.
        settings: the protocol's configurable assumptions.
        streams: socket heartbeats, timeouts and buffers.
        reconnect: socket reconnect policy.
        http_client: an ``httpx.AsyncClient`` to use instead of the SDK's own (not closed by the SDK),
            or ``mm.AiohttpClient()`` (sends with this client's timeouts; closed by the SDK).
        transport: an httpx transport for the SDK's own client (e.g. a mock).
        socket_backend: the socket library behind the data-push stream.
        clock: monotonic seconds used for ``token_ttl`` (injectable for tests).

    Raises:
        ConfigurationError: missing credentials, a bad ``path_style`` or ``token_ttl``, unreadable keys.
    """

    def __init__(
        self,
        *,
        base_url: str | Environment,
        company_id: int,
        app_id: str,
        app_secret: str,
        path_style: str = "bare",
        public_key: str | bytes | None = None,
        encrypt_body: bool = True,
        token_ttl: float | None = DEFAULT_TOKEN_TTL,
        timeouts: Timeouts | float | None = None,
        retry: RetryPolicy | int | None = None,
        rate_limit: RateLimitPolicy | None = None,
        settings: ProtocolSettings | None = None,
        streams: StreamSettings | None = None,
        reconnect: ReconnectPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        socket_backend: SocketBackend | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not app_id or not app_secret:
            raise ConfigurationError("app_id and app_secret are required for the Manager API")
        self._open_session(
            base_url=base_url,
            company_id=company_id,
            settings=settings,
            timeouts=timeouts,
            retry=retry,
            rate_limit=rate_limit,
            http_client=http_client,
            transport=transport,
            streams=streams,
            reconnect=reconnect,
            socket_backend=socket_backend,
            token_provider=self.company_token,
            token_refresher=self._fresh_token,
        )
        self._app_id = app_id
        self._manager = ManagerSession(
            self._session,
            app_id=app_id,
            app_secret=app_secret,
            path_style=path_style,
            encrypt_body=encrypt_body,
            public_key=public_key,
            token_ttl=token_ttl,
            chunk_size=self.settings.enc_chunk_size,
            clock=clock,
        )
        self.dictionaries = Dictionaries(self._manager)
        """Universal dictionaries and the country list."""
        self.company = Company(self._manager, company_id)
        """The company's currencies."""
        self.products = Products(self._manager, company_id)
        """The company's products."""
        self.customers = ManagedCustomers(self._manager)
        """Customers: list, register, detail, groups, accounts, closure."""
        self.balances = Balances(self._manager, company_id)
        """Account balances, bonus/credit adjustments and their proposals."""
        self.positions = ManagedPositions(self._manager)
        """Positions across customers, and the forced close of a customer's positions."""
        self.webhooks = Webhooks(self._manager)
        """Registration of the Webhook API URLs that ``multimarkets_async.webhooks`` serves."""
        self.data_push = DataPush(self._core)
        """The company's business events as an async iterator (the data-push socket)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, /, **overrides: object) -> Self:
        """A Manager client configured from ``MULTIMARKETS_BASE_URL``, ``MULTIMARKETS_COMPANY_ID``,
        ``MULTIMARKETS_APP_ID`` and ``MULTIMARKETS_APP_SECRET`` (and ``MULTIMARKETS_PUBLIC_KEY``, when
        set, as ``public_key``).

        Args:
            environ: the variables to read; ``os.environ`` by default.
            **overrides: constructor arguments that win over the environment.

        Raises:
            ConfigurationError: a variable missing or half of the pair set (named, never its value).
        """
        return cls(**manager_options(environ, overrides))

    def _close_streams(self) -> None:
        self.data_push.close()

    async def _fresh_token(self) -> str:
        return (await self._manager.authorize()).token.get_secret_value()

    def __repr__(self) -> str:
        state = ", closed" if self._closed else ""
        auth = "authorized" if self._manager.authorization is not None else "not authorized"
        return (
            f"<ManagerClient {self.environment.name} company_id={self.company_id} "
            f"app_id={mask(self._app_id)!r} path_style={self._manager.path_style!r} {auth}{state}>"
        )

    @property
    def authorization(self) -> CompanyAuthorization | None:
        """The last authorize answer (the company record), ``None`` before the first call."""
        return self._manager.authorization

    async def authorize(self, *, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> CompanyAuthorization:
        """Authorize now and return the company record (calls authorize by themselves when needed).

        Args:
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        return await self._manager.authorize(timeout=timeout)

    async def company_token(self, *, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> str:
        """A valid company token (authorizing first when needed), e.g. for your own data-push consumer.

        Args:
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        return await self._manager.company_token(timeout=timeout)

    async def call(
        self,
        biz_type: str,
        body: Mapping[str, object] | None = None,
        *,
        idempotency_key: NotGivenOr[str | None] = NOT_GIVEN,
        version: NotGivenOr[str | None] = NOT_GIVEN,
        group: NotGivenOr[str | None] = NOT_GIVEN,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Any:
        """Call any Manager operation by its bizType and return the envelope's ``data``.

        The company token, the encrypted body, ``version: 0.0.1`` (and ``group: tradeApi`` on
        ``tradeapi.*``), the path style and re-authorization are handled as for the typed methods.

        Args:
            biz_type: e.g. ``"customer.admin.WhiteCustomerAdminApiService.page"``.
            body: the operation's JSON body; leave out optional fields rather than sending ``None``.
            idempotency_key: override the ``idempotency-key``. Order-changing ``tradeapi.*`` calls get
                a fresh one by default; ``None`` sends none. The Manager API documents no such
                header, so no write is sent again once an attempt may have reached the server.
            version: override the ``version`` header (``None`` sends none).
            group: override the ``group`` header (``None`` sends none).
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.

        Raises:
            APIError: the platform refused the call (a subclass names why).
            TransportError: the network failed.
            OutcomeUnknownError: an order or money operation may have been applied but no answer
                says so (``OrderStateUnknownError`` for orders): reconcile before sending it again.
            RuntimeError: the client is closed.
        """
        return await self._manager.call(
            biz_type, body, idempotency_key=idempotency_key, version=version, group=group, timeout=timeout
        )
