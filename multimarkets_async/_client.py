"""The client users write against: ``MultiMarkets`` owns one HTTP session and its sockets.

``async with MultiMarkets(...) as client`` opens no connection eagerly; it owns the task group every
socket task runs in, and closes everything on exit. ``MultiMarkets.call`` reaches every platform
operation by its bizType; ``client.quotes`` and ``client.messages`` stream.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Self

import anyio

from ._base_client import BaseClient, check_header_value, mask
from ._config import (
    Environment,
    ProtocolSettings,
    RateLimitPolicy,
    ReconnectPolicy,
    RetryPolicy,
    StreamSettings,
    Timeouts,
)
from ._env import client_options
from ._logging import CLIENT_LOGGER
from ._types import NOT_GIVEN, NotGivenOr
from ._ws import SocketBackend
from .errors import ConfigurationError, ProtocolError
from .models._answers import parse_answer
from .models.customer import LoginResult
from .protocol.crypto import BodyEncryptor, OpenApiSigner, md5_password
from .protocol.operations import Family
from .resources import (
    AccountResource,
    Auth2,
    Customer,
    Lookup,
    Messages,
    Orders,
    Positions,
    Quotes,
    Rpc,
    Symbols,
    WebIframe,
)

if TYPE_CHECKING:  # the only runtime importer of httpx is _http
    import httpx

__all__ = ["LoginType", "MultiMarkets"]

logger = logging.getLogger(CLIENT_LOGGER)

_LOGIN = "customer.app.CustomerWebApiService.login"


class LoginType(IntEnum):
    """How ``login_name`` identifies the customer (the login body's ``type``)."""

    EMAIL = 1
    """By e-mail address."""
    PHONE = 2
    """By phone number (with ``phone_area``)."""
    CUSTOMER_NO = 3
    """By customer number."""


class MultiMarkets(BaseClient):
    """An asyncio client of the MultiMarkets platform.

    Choose one way to authenticate:

    * ``api_key`` + ``secret_key``: the Open API, every request signed with SHA1withRSA (bots);
    * ``token``: an existing Client API login token;
    * neither: a guest, who may then ``login`` with a password.

    ``public_key`` (the company's RSA public key) switches Client API calls to the encrypted-body mode.

    Args:
        base_url: ``"https://host[:port]"``, a preset name (``"prd"``, ``"pre"``) or an
            ``Environment``. Every family's URL is derived from it.
        company_id: the white-label company id (``companyId`` header).
        api_key: Open API key (32 lowercase hex).
        secret_key: the key's private key, as the platform's base64 PKCS#8 text or PEM.
        token: an existing login token.
        public_key: the company public key for the Client API's encrypted-body mode.
        timeouts: HTTP timeouts; a number sets the read/write timeout.
        retry: retry policy; an int sets ``max_retries``.
        rate_limit: client-side throttling policy.
        settings: the protocol's configurable assumptions.
        streams: socket heartbeats, timeouts and buffers.
        reconnect: socket reconnect policy.
        http_client: an ``httpx.AsyncClient`` to use instead of the SDK's own (not closed by the SDK),
            or ``mm.AiohttpClient()`` (sends with this client's timeouts; closed by the SDK).
        transport: an httpx transport for the SDK's own client (e.g. an aiohttp-backed one, or a mock).
        socket_backend: the socket library behind every stream (``websockets`` by default).

    Raises:
        ConfigurationError: on an incomplete or contradictory set of credentials, or unreadable keys.
    """

    def __init__(
        self,
        *,
        base_url: str | Environment,
        company_id: int,
        api_key: str | None = None,
        secret_key: str | bytes | None = None,
        token: str | None = None,
        public_key: str | bytes | None = None,
        timeouts: Timeouts | float | None = None,
        retry: RetryPolicy | int | None = None,
        rate_limit: RateLimitPolicy | None = None,
        settings: ProtocolSettings | None = None,
        streams: StreamSettings | None = None,
        reconnect: ReconnectPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        socket_backend: SocketBackend | None = None,
    ) -> None:
        if (api_key is None) != (secret_key is None):
            raise ConfigurationError("api_key and secret_key go together: pass both or neither")
        if api_key is not None and token is not None:
            raise ConfigurationError(
                "pass either api_key/secret_key (Open API) or token (Client API), not both"
            )
        check_header_value("token", token)
        chunk_size = (settings or ProtocolSettings()).enc_chunk_size
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
            api_key=api_key,
            signer=OpenApiSigner(secret_key) if secret_key is not None else None,
            encryptor=BodyEncryptor(public_key, chunk_size=chunk_size) if public_key is not None else None,
        )
        self._api_key = api_key
        self._session.token = token
        lookup = Lookup(self._core)  # what the namespaces look up for each other: products, accounts, prices
        self.symbols = Symbols(self._core, lookup)
        """The product catalogue and symbol-name resolution."""
        self.quotes = Quotes(self._core, lookup)
        """Market data streams and K-lines (the quote socket)."""
        self.messages = Messages(self._core)
        """Private account pushes (the message socket)."""
        self.rpc = Rpc(self._core)
        """The Client API over the header/body WebSocket (an optional transport)."""
        self.account = AccountResource(self._core, lookup)
        """The customer's trading accounts and balances."""
        self.customer = Customer(self._core, lookup)
        """Profile, registration, the one-time-token exchange and API keys."""
        self.orders = Orders(self._core, lookup)
        """Market, limit and stop orders; pending orders; order history."""
        self.positions = Positions(self._core, lookup)
        """Open positions: list, close, stop-loss and take-profit."""
        self.auth2 = Auth2(self._core)
        """Account linking (the Auth2 API)."""
        self.iframe = WebIframe(self._core)
        """The web iframe flow: one-time tokens and the trading UI's URL."""
        self._login_body: dict[str, object] | None = None
        self._relogin_lock = anyio.Lock()
        self._login_on_enter: tuple[str, str] | None = None

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        /,
        *,
        require_credentials: bool = False,
        **overrides: object,
    ) -> Self:
        """A client configured from ``MULTIMARKETS_*`` environment variables.

        Reads ``MULTIMARKETS_BASE_URL``, ``MULTIMARKETS_COMPANY_ID`` and the first complete credential
        set of: ``MULTIMARKETS_API_KEY`` + ``MULTIMARKETS_SECRET_KEY`` (Open API),
        ``MULTIMARKETS_TOKEN``, ``MULTIMARKETS_LOGIN_NAME`` + ``MULTIMARKETS_PASSWORD`` (the client logs
        in with them when it is entered, as an e-mail login); none is a guest. ``MULTIMARKETS_PUBLIC_KEY``
        turns on the encrypted-body mode. See ``docs/configuration.md``.

        Args:
            environ: the variables to read; ``os.environ`` by default.
            require_credentials: refuse to build a guest client.
            **overrides: constructor arguments (and ``login_name``/``password``) that win over the
                environment; a credential given here replaces the environment's credential sets.

        Raises:
            ConfigurationError: a variable missing or half of a pair set (named, never its value).
        """
        options, login = client_options(environ, overrides, require_credentials=require_credentials)
        client = cls(**options)
        client._login_on_enter = login
        return client

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        login, self._login_on_enter = self._login_on_enter, None
        if login is not None:  # from_env with MULTIMARKETS_LOGIN_NAME / MULTIMARKETS_PASSWORD
            try:
                await self.login(login_name=login[0], password=login[1])
            except BaseException:
                await self.aclose()
                raise
        return self

    def __repr__(self) -> str:
        if self._api_key is not None:
            auth = f"open_api, api_key={mask(self._api_key)!r}"
        elif self._session.token:
            auth = "token"
        else:
            auth = "guest"
        state = ", closed" if self._closed else ""
        return f"<MultiMarkets {self.environment.name} company_id={self.company_id} auth={auth}{state}>"

    # -- lifecycle (async with / aclose: BaseClient) ---------------------------------------------

    def _close_streams(self) -> None:
        self.quotes.close()
        self.messages.close()

    # -- state -----------------------------------------------------------------------------------

    @property
    def authenticated(self) -> bool:
        """Whether calls carry credentials (an API key signature or a login token)."""
        return self._api_key is not None or bool(self._session.token)

    @property
    def clock_offset_ms(self) -> int:
        """Measured server clock minus local clock, in ms (0 until ``sync_clock`` ran)."""
        return self._session.clock_offset.offset_ms

    @property
    def locked_until(self) -> float | None:
        """Epoch seconds until which the API key is locked out after an HTTP 418, if it is."""
        return self._session.locked_until

    # -- operations ------------------------------------------------------------------------------

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
        """Call any platform operation by its bizType and return the envelope's ``data``.

        This is the escape hatch that reaches every operation of the Client and Open APIs. The
        ``version``/``group`` headers, the URL path, signing, retries and idempotency keys are derived
        from the bizType; pass them explicitly only to override.

        Args:
            biz_type: e.g. ``"config.app.AppSymbolDubboService.getSymbolBaseList"``.
            body: the operation's JSON body; leave out optional fields rather than sending ``None``.
            idempotency_key: override the ``idempotency-key`` (order calls get a fresh one by default;
                ``None`` sends none, which also disables retrying them).
            version: override the ``version`` header (``None`` sends none).
            group: override the ``group`` header (``None`` sends none).
            timeout: read timeout for this call in seconds (``None`` waits forever).

        Raises:
            APIError: the platform refused the call (a subclass names why).
            OrderStateUnknownError: an order call got no answer; reconcile before retrying.
            TransportError: the network failed.
            RuntimeError: the client is closed.
        """
        return await self._session.request(
            biz_type, body, idempotency_key=idempotency_key, version=version, group=group, timeout=timeout
        )

    async def server_time(self) -> int:
        """The server's clock, in epoch milliseconds (``/thirdExt/now``)."""
        data = await self._session.request("thirdExt/now", None, family=Family.CLIENT)
        if not isinstance(data, int) or isinstance(data, bool):
            raise ProtocolError(f"server time is not an integer: {data!r}")
        return data

    async def sync_clock(self) -> int:
        """Measure the offset between the server clock and ours and use it from now on.

        The SDK also does this by itself whenever the server answers "outside the time window".

        Returns:
            The offset in milliseconds (server minus local).
        """
        return await self._session.sync_clock()

    async def login(
        self,
        *,
        login_name: str,
        password: str,
        login_type: LoginType = LoginType.EMAIL,
        phone_area: str | None = None,
        device: int = 9,
        captcha: str | None = None,
    ) -> LoginResult:
        """Log in with a password and keep the token for later calls.

        The password is sent as its MD5 hash, as the platform requires; neither is stored in clear.
        When the server later reports the session expired, the client logs in again once by itself.

        Args:
            login_name: e-mail, phone number or customer number, as ``login_type`` says.
            password: the plain password.
            login_type: how ``login_name`` identifies the customer.
            phone_area: dialling prefix, for phone logins.
            device: the device code (9 = other).
            captcha: a reCAPTCHA token, for companies that require one.

        Raises:
            ConfigurationError: the client signs with an API key (the Open API has no login).
            LoginFailedError: wrong credentials, or the account is locked.
        """
        if self._api_key is not None:
            raise ConfigurationError(
                "this client authenticates with an API key; login() is for Client API users"
            )
        body: dict[str, object] = {
            "type": int(login_type),
            "loginName": login_name,
            "loginPwd": md5_password(password),
            "device": device,
            "isThird": False,
        }
        if phone_area is not None:
            body["phoneArea"] = phone_area
        result = await self._login(body, captcha)
        self._login_body = body
        self._session.reauthenticate = self._relogin
        return result

    async def _login(self, body: Mapping[str, object], captcha: str | None = None) -> LoginResult:
        data = await self._session.request(_LOGIN, body, family=Family.CLIENT, token=None, captcha=captcha)
        if not isinstance(data, dict):
            raise ProtocolError("the login answer carries no profile object")
        result = parse_answer(LoginResult, data)
        self._session.token = result.token.get_secret_value()
        self._core.customer_group_id = result.customer_group_id
        logger.info("logged in as customer %s", result.customer_no, extra={"customer_no": result.customer_no})
        await self.quotes._follow_login()  # a guest quote socket moves to /quote now
        return result

    async def _relogin(self) -> None:
        # Concurrent calls that met the same expired token log in once: the others wait for the lock
        # and find a new token already in place.
        stale = self._session.token
        async with self._relogin_lock:
            if self._login_body is not None and self._session.token == stale:
                logger.info("session expired; logging in again")
                await self._login(self._login_body)

    async def logout(self) -> None:
        """End the login session (``/logout``) and forget the token."""
        if self._session.token:
            try:
                await self._session.request("logout", None, family=Family.CLIENT)
            finally:
                self._session.token = None
                self._login_body = None
                self._session.reauthenticate = None
            await self.quotes._follow_login()  # and a /quote socket back to /quote_guest
