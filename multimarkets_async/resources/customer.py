"""``client.customer``: profile, registration, the one-time-token exchange and API-key management."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence

from .._types import NOT_GIVEN, NotGivenOr
from ..errors import InvalidArgumentError, ProtocolError
from ..models._answers import Paged, read_answer
from ..models.api_keys import ApiKey, Permission
from ..models.customer import CustomerProfile, Registration
from ..models.trading import Page
from ..protocol.crypto import md5_password
from ..protocol.operations import Family
from ._core import ClientCore
from ._lookup import Lookup

__all__ = ["ApiKeys", "Customer"]

_API = "customer.app.CustomerApiWebService."


def _second_factors(**codes: str | None) -> dict[str, object]:
    names = {
        "google_code": "googleCode",
        "phone_code": "phoneCode",
        "phone_send_token": "phoneSendToken",
        "email_code": "emailCode",
        "email_send_token": "emailSendToken",
    }
    return {names[k]: v for k, v in codes.items() if v is not None}


class ApiKeys:
    """Open API keys of the logged-in customer (Client API login token only)."""

    def __init__(self, core: ClientCore) -> None:
        self._core = core

    async def _send(self, method: str, body: Mapping[str, object], timeout: NotGivenOr[float | None]) -> None:
        await self._core.http.request(_API + method, body, family=Family.CLIENT, timeout=timeout)

    async def apply(
        self,
        *,
        tag: str,
        google_code: str | None = None,
        phone_code: str | None = None,
        phone_send_token: str | None = None,
        email_code: str | None = None,
        email_send_token: str | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> ApiKey:
        """Create a key. Its ``private_key`` (the secret key) is returned only here: store it.

        A new key can only read; enable ``Permission.CONTRACT_TRADE`` with ``set_permissions``
        before trading contracts. Which second factors are needed depends on the customer.

        Args:
            tag: your label for the key, unique per customer.
            google_code: the Google Authenticator code, where the customer has MFA on.
            phone_code: the SMS code, with its ticket ``phone_send_token``.
            phone_send_token: the ticket of ``send_verification_code``.
            email_code: the e-mail code, with its ticket ``email_send_token``.
            email_send_token: the ticket of ``send_verification_code``.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body: dict[str, object] = {"tag": tag}
        body.update(
            _second_factors(
                google_code=google_code,
                phone_code=phone_code,
                phone_send_token=phone_send_token,
                email_code=email_code,
                email_send_token=email_send_token,
            )
        )
        return await self._core.call(_API + "applyApi", body, ApiKey, family=Family.CLIENT, timeout=timeout)

    async def set_permissions(
        self,
        key: ApiKey | int,
        *,
        permissions: Mapping[Permission | str, bool] | None = None,
        white_ips: Sequence[str] | None = None,
        tag: str | None = None,
        google_code: str | None = None,
        phone_code: str | None = None,
        phone_send_token: str | None = None,
        email_code: str | None = None,
        email_send_token: str | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> None:
        """Enable or disable permissions, bind IPs (which makes the key long-lived) or rename it.

        Args:
            key: the key or its record id.
            permissions: e.g. ``{Permission.CONTRACT_TRADE: True}``.
            white_ips: IPs the key may be used from.
            tag: a new label.
            google_code: second factors, as for ``apply``.
            phone_code: second factors, as for ``apply``.
            phone_send_token: second factors, as for ``apply``.
            email_code: second factors, as for ``apply``.
            email_send_token: second factors, as for ``apply``.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body: dict[str, object] = {"id": key.id if isinstance(key, ApiKey) else key}
        if permissions:
            body["permissionList"] = [
                {"code": str(code), "status": 1 if on else 2} for code, on in permissions.items()
            ]
        if white_ips is not None:
            body["whiteIps"] = ",".join(white_ips)
        if tag is not None:
            body["tag"] = tag
        body.update(
            _second_factors(
                google_code=google_code,
                phone_code=phone_code,
                phone_send_token=phone_send_token,
                email_code=email_code,
                email_send_token=email_send_token,
            )
        )
        await self._send("editApiPermission", body, timeout)

    async def delete(self, key: ApiKey | int, *, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> None:
        """Delete a key.

        Args:
            key: the key or its record id.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        await self._send("delApi", {"id": key.id if isinstance(key, ApiKey) else key}, timeout)

    async def get(self, key: ApiKey | int, *, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> ApiKey:
        """One key's record, with the operations it may call (``sources``).

        Args:
            key: the key or its record id.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body = {"id": key.id if isinstance(key, ApiKey) else key}
        return await self._core.call(_API + "queryApi", body, ApiKey, family=Family.CLIENT, timeout=timeout)

    async def list(
        self,
        *,
        page: int = 1,
        size: int = 20,
        tag: str | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Page[ApiKey]:
        """The customer's keys (without private keys).

        Args:
            page: the page, from 1.
            size: keys per page.
            tag: only the key with this label.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body: dict[str, object] = {"current": page, "size": size}
        if tag is not None:
            body["tag"] = tag
        return await self._core.call(
            _API + "page", body, Paged(Page[ApiKey]), family=Family.CLIENT, timeout=timeout
        )


class Customer:
    """The customer: profile, registration, API keys."""

    def __init__(self, core: ClientCore, lookup: Lookup) -> None:
        self._core = core
        self._lookup = lookup
        self.api_keys = ApiKeys(core)
        """Open API key management."""

    async def info(self, *, timeout: NotGivenOr[float | None] = NOT_GIVEN) -> CustomerProfile:
        """The customer's profile and accounts (``findCustomerInfo``), fetched now (as
        ``client.account.profile()``).

        Args:
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        return await self._lookup.profile(refresh=True, timeout=timeout)

    async def send_verification_code(
        self,
        *,
        to_user: str,
        purpose: str = "EMAIL_REGISTER_VERIFICATION_CODE",
        captcha: str | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> str:
        """Send a one-time code (``verifyCodeSend``) and return its ticket (``sendToken``).

        Args:
            to_user: the e-mail address or phone number.
            purpose: the platform's code type, e.g. ``EMAIL_REGISTER_VERIFICATION_CODE``,
                ``SMS_REGISTER_VERIFICATION_CODE``, ``EMAIL_LOGIN_VERIFICATION_CODE``.
            captcha: a reCAPTCHA token, where the company requires one.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        body = {"companyId": self._core.company_id, "bizType": purpose, "toUser": to_user}
        data = await self._core.http.request(
            "message.app.VerificationApiService.verifyCodeSend",
            body,
            family=Family.CLIENT,
            captcha=captcha,
            timeout=timeout,
        )
        if isinstance(data, Mapping):
            data = data.get("sendToken")
        if not isinstance(data, str):
            raise ProtocolError("verifyCodeSend did not answer a send token")
        return data

    async def register(
        self,
        *,
        login_name: str,
        password: str,
        verify_code: str,
        send_token: str,
        country: str,
        email: bool = True,
        phone_area: str | None = None,
        customer_group_id: int | None = None,
        accounts: Mapping[int, builtins.list[str]] | None = None,
        register_source: int = 9,
        client_ip: str | None = None,
        captcha: str | None = None,
        third_server_code: str | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Registration:
        """Register a new customer (``register``) and return its profile (``customer_no`` ...).

        Args:
            login_name: the e-mail address, or the phone number with ``email=False``.
            password: the plain password; it is sent as its MD5 hash.
            verify_code: the code received; ``send_token``: the ticket from ``send_verification_code``.
            country: ISO country code.
            accounts: accounts to open, ``{tradeType: ["USDT", ...]}``; the company default otherwise.
            client_ip: the end user's IP (``X-Forwarded-For``, which the spec marks required).
            third_server_code: the customer's id in your own system.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        if not password:
            raise InvalidArgumentError("password must not be empty")
        body: dict[str, object] = {
            "type": 1 if email else 2,
            "loginName": login_name,
            "country": country,
            "verifyCode": verify_code,
            "sendToken": send_token,
            "registerSource": register_source,
            "pwd": md5_password(password),
        }
        if phone_area is not None:
            body["phoneArea"] = phone_area
        if customer_group_id is not None:
            body["customerGroupId"] = customer_group_id
        if accounts:
            body["tradeTypeCurrencyList"] = [
                {"tradeType": str(trade_type), "allCurrency": ",".join(currencies)}
                for trade_type, currencies in accounts.items()
            ]
        if third_server_code is not None:
            body["thirdServerCode"] = third_server_code
        headers = {"X-Forwarded-For": client_ip} if client_ip else None
        data = await self._core.http.request(
            "customer.app.CustomerWebApiService.register",
            body,
            family=Family.CLIENT,
            captcha=captcha,
            extra_headers=headers,
            timeout=timeout,
        )
        return read_answer(Registration, data, "register")

    async def exchange_one_time_token(
        self, one_time_token: str, *, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> str:
        """Swap a one-time login token for an access token (``thirdExt/randomKey``; the web iframe flow).

        Args:
            one_time_token: the single-use token.
            timeout: read timeout in seconds for each request this sends (None waits forever); the
                client's by default.
        """
        data = await self._core.http.request(
            "thirdExt/randomKey", None, family=Family.CLIENT, token=one_time_token, timeout=timeout
        )
        if not isinstance(data, str) or not data:
            raise ProtocolError("randomKey did not answer a token")
        return data
