"""``client.auth2``: account linking with the Auth2 API, and the web iframe flow (``client.iframe``).

Auth2 lets your site act for a MultiMarkets user who consented: the browser visits
``Auth2.consent_url``, comes back with a ``code``, and your backend swaps it for tokens and reads
the user's identity. The iframe flow embeds the trading UI with a one-time login token.
"""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import quote, urlencode

import pydantic

from .._types import NOT_GIVEN, NotGivenOr
from ..errors import InvalidArgumentError, ProtocolError
from ..models.auth2 import Auth2Tokens, Auth2User
from ..protocol.crypto import md5_password
from ..protocol.operations import Family
from ._core import ClientCore

__all__ = ["Auth2", "WebIframe"]

M = TypeVar("M", bound=pydantic.BaseModel)

_SITE = "https://www.headline.net"
_LOGIN = "customer.app.CustomerWebApiService.login"


class Auth2:
    """The Auth2 API. Its base URL is ``Environment.auth2_url``; the company goes in header ``company``."""

    def __init__(self, core: ClientCore) -> None:
        self._core = core

    def _check_url(self) -> None:
        if not self._core.environment.auth2_url:
            raise InvalidArgumentError(
                "this environment has no Auth2 URL; pass an Environment with auth2_url"
            )

    async def _call(
        self,
        path: str,
        body: dict[str, object],
        model: type[M],
        timeout: NotGivenOr[float | None],
        *,
        token: str | None = None,
    ) -> M:
        self._check_url()
        return await self._core.call(path, body, model, family=Family.AUTH2, token=token, timeout=timeout)

    @staticmethod
    def consent_url(
        *, app_id: str, third_app_type: str, return_url: str, site: str = _SITE, lang: str = "en-US"
    ) -> str:
        """The page where the user consents; afterwards the browser goes to ``return_url?code=...``."""
        query = urlencode(
            {"appId": app_id, "thirdAppType": third_app_type, "url": return_url}, quote_via=quote
        )
        return f"{site.rstrip('/')}/{lang}/auth2/code?{query}"

    async def code(
        self, *, app_id: str, third_app_type: str, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> str:
        """An authorization code for the logged-in user (needs the client's login token).

        Args:
            app_id: your Auth2 application id.
            third_app_type: your application type, as registered.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        token = self._core.http.token
        if not token:
            raise InvalidArgumentError("auth2.code needs a logged-in client: call client.login() first")
        self._check_url()
        body: dict[str, object] = {"appId": app_id, "thirdAppType": third_app_type}
        data = await self._core.http.request(
            "auth2/code", body, family=Family.AUTH2, token=token, timeout=timeout
        )
        if not isinstance(data, str):
            raise ProtocolError("/auth2/code did not answer a code")
        return data

    async def token(
        self, *, app_id: str, app_secret: str, code: str, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> Auth2Tokens:
        """Swap an authorization code for an access and a refresh token.

        Args:
            app_id: your Auth2 application id.
            app_secret: its secret.
            code: the code the consent page returned.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body: dict[str, object] = {"appId": app_id, "appSecret": app_secret, "code": code}
        return await self._call("auth2/token", body, Auth2Tokens, timeout)

    async def user(
        self, access_token: Auth2Tokens | str, *, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> Auth2User:
        """The MultiMarkets identity behind an access token.

        Args:
            access_token: the token pair of ``token``, or the access token.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        value = (
            access_token.access_token.get_secret_value()
            if isinstance(access_token, Auth2Tokens)
            else access_token
        )
        return await self._call("auth2/user", {"accessToken": value}, Auth2User, timeout)

    async def refresh(
        self, refresh_token: Auth2Tokens | str, *, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> Auth2Tokens:
        """A new token pair (needs the client's login token, as the platform requires).

        Args:
            refresh_token: the token pair, or the refresh token.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        value = (
            refresh_token.refresh_token.get_secret_value()
            if isinstance(refresh_token, Auth2Tokens)
            else refresh_token
        )
        return await self._call(
            "auth2/refresh", {"refreshToken": value}, Auth2Tokens, timeout, token=self._core.http.token
        )


class WebIframe:
    """The web iframe flow: a one-time token for a customer, and the URL that opens the trading UI.

    Registering and linking the customer first is a Manager API call (``addCusAndOpenAccountAndKyc``
    with your user id as ``thirdServerCode``); see the iframe page of these docs.
    """

    def __init__(self, core: ClientCore) -> None:
        self._core = core

    async def one_time_token(
        self, *, customer_no: str, password: str, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> str:
        """Log the customer in on their behalf and return the single-use token (the client's own
        session is untouched).

        Args:
            customer_no: the customer's public number.
            password: the customer's plain password (sent as its MD5 hash).
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body = {
            "type": 3,
            "loginName": customer_no,
            "loginPwd": md5_password(password),
            "device": 2,
            "isThird": False,
        }
        data = await self._core.http.request(_LOGIN, body, family=Family.CLIENT, token=None, timeout=timeout)
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise ProtocolError("the login answer carries no token")
        return token

    @staticmethod
    def url(one_time_token: str, *, lang: str = "zh-CN", site: str = _SITE) -> str:
        """The iframe URL: ``{site}/{lang}/home?tsource=<token>``."""
        return f"{site.rstrip('/')}/{lang}/home?{urlencode({'tsource': one_time_token})}"
