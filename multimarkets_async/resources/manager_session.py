"""The Manager API's company session: authorize lazily, renew the token, send every call with it.

Authorize (``admin.admin.CompanyAuthDubboService.auth``, plain JSON ``{appId, appSecret}`` with the
``trace``, ``companyId`` and ``timestamp`` headers) answers the company token and the company public
key. Every later call carries the token and, by default, a body encrypted with that key (Assumption
``encrypt_manager_body``).
The token's lifetime is undocumented: the session authorizes again when the server reports it expired
(``GATEWAY_CODE_001/005/017``, then retries the call once) and, proactively, once it is older than
``token_ttl``. One authorize runs at a time: calls that find the token stale wait for it and reuse
its result rather than authorizing again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Unpack

import anyio

from .._http import HTTPSession
from .._logging import CLIENT_LOGGER
from .._types import NOT_GIVEN, NotGivenOr
from ..errors import ConfigurationError, ProtocolError
from ..models._answers import parse_answer
from ..models.manager import CompanyAuthorization
from ..protocol.crypto import BodyEncryptor
from ..protocol.operations import MANAGER_AUTHORIZE, Family, Operation, manager_operation
from ._core import KeyedCallOptions

__all__ = ["ManagerSession"]

logger = logging.getLogger(CLIENT_LOGGER)


class ManagerSession:
    """Authorizes with ``app_id``/``app_secret`` and sends Manager calls with the company token.

    Args:
        http: the client's HTTP session (its ``token`` becomes the company token).
        app_id: company authorisation id.
        app_secret: company secret.
        path_style: ``"bare"`` (``/{bizType}``) or ``"global"`` (``/global/{bizType}``).
        encrypt_body: encrypt call bodies with the company public key.
        public_key: a company public key to use instead of the one authorize answers.
        token_ttl: seconds after which the token is renewed before the next call; ``None`` renews only
            when the server says it expired.
        chunk_size: piece size of the encrypted body.
        clock: monotonic seconds (injectable for tests).
    """

    def __init__(
        self,
        http: HTTPSession,
        *,
        app_id: str,
        app_secret: str,
        path_style: str,
        encrypt_body: bool,
        public_key: str | bytes | None,
        token_ttl: float | None,
        chunk_size: int,
        clock: Callable[[], float],
    ) -> None:
        if path_style not in ("bare", "global"):
            raise ConfigurationError(f"path_style must be 'bare' or 'global', got {path_style!r}")
        if token_ttl is not None and token_ttl <= 0:
            raise ConfigurationError(
                f"token_ttl must be a positive number of seconds or None, got {token_ttl!r}"
            )
        self._http = http
        self._app_id = app_id
        self._app_secret = app_secret
        self.path_style = path_style
        self._encrypt_body = encrypt_body
        self._fixed_encryptor = (
            BodyEncryptor(public_key, chunk_size=chunk_size)
            if public_key is not None and encrypt_body
            else None
        )
        self._chunk_size = chunk_size
        self._token_ttl = token_ttl
        self._clock = clock
        self._lock = anyio.Lock()
        self._authorized_at = 0.0
        self.authorization: CompanyAuthorization | None = None
        """The last authorize answer (``None`` until the first call)."""
        self.authorize_count = 0
        """How many times authorize ran (for monitoring)."""

    def __repr__(self) -> str:
        return f"<ManagerSession path_style={self.path_style!r} authorized={self.authorization is not None}>"

    def _fresh(self) -> bool:
        return self._token_ttl is None or self._clock() - self._authorized_at < self._token_ttl

    async def company_token(self, *, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> str:
        """A valid company token, authorizing first when there is none or it is older than ``token_ttl``.

        Args:
            timeout: read timeout of the authorize request, if one is sent (the client's by default).
        """
        token = self._http.token
        if token is not None and self._fresh():
            return token
        return await self._renew(token, timeout)

    async def authorize(self, *, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> CompanyAuthorization:
        """Authorize now (whatever the current token's age) and return the company record.

        Args:
            timeout: read timeout of the authorize request (the client's by default).
        """
        await self._renew(self._http.token, timeout)
        assert self.authorization is not None
        return self.authorization

    async def _renew(self, stale: str | None, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> str:
        async with self._lock:
            # Another task renewed while we waited: its token is newer than the one that failed us.
            current = self._http.token
            if current is not None and current != stale and self._fresh():
                return current
            return await self._authorize_locked(timeout)

    async def _authorize_locked(self, timeout: NotGivenOr[float | None]) -> str:
        data = await self._http.request(
            MANAGER_AUTHORIZE.biz_type,
            {"appId": self._app_id, "appSecret": self._app_secret},
            family=Family.MANAGER,
            operation=MANAGER_AUTHORIZE,
            token=None,
            idempotency_key=None,
            timeout=timeout,
            # The spec lists only ``trace`` but the reference page marks ``timestamp`` (ms) required, so
            # it is sent; ``companyId`` is kept because the simulator's gateway (like every other Manager
            # call) checks it first, and a gateway ignores a header it does not need.
            omit_headers=("lang",),
            reauthenticate=None,
        )
        if not isinstance(data, dict):
            raise ProtocolError("the Manager authorize answer is not a company record")
        authorization = parse_answer(CompanyAuthorization, data)
        if self._encrypt_body:
            if self._fixed_encryptor is not None:
                self._http.manager_encryptor = self._fixed_encryptor
            elif authorization.public_key:
                self._http.manager_encryptor = BodyEncryptor(
                    authorization.public_key, chunk_size=self._chunk_size
                )
            else:
                raise ProtocolError(
                    "the Manager authorize answer carries no publicKey: pass public_key=... "
                    "or encrypt_body=False to the ManagerClient"
                )
        token = authorization.token.get_secret_value()
        self._http.token = token
        self.authorization = authorization
        self._authorized_at = self._clock()
        self.authorize_count += 1
        logger.info("Manager API authorized (company %s)", authorization.id)
        return token

    def operation(self, biz_type: str) -> Operation:
        """The metadata (path, ``version``/``group``) of ``biz_type`` under this session's path style."""
        return manager_operation(biz_type, path_style=self.path_style)

    async def call(
        self, biz_type: str, body: Mapping[str, object] | None = None, **options: Unpack[KeyedCallOptions]
    ) -> object:
        """Send one Manager operation with the company token and return the envelope's ``data``."""
        timeout = options.get("timeout", NOT_GIVEN)
        token = await self.company_token(timeout=timeout)

        async def reauthorize() -> None:
            logger.info("Manager token expired; authorizing again")
            await self._renew(token, timeout)  # a request this call sends: the call's timeout

        return await self._http.request(
            biz_type,
            body if body is not None else {},
            family=Family.MANAGER,
            operation=self.operation(biz_type),
            token=token,
            reauthenticate=reauthorize,
            **options,
        )
