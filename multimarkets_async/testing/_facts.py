"""What a client needs to reach and log in to the ``Simulator``: its addresses, the seeded customer and
credentials, the codes it "sent", the Open API keys, and ``environment()`` (all of it as
``MULTIMARKETS_*`` variables).

A mixin, like ``_backoffice.BackOffice``: read-only views of the ``SimulatorConfig``, the bound port and
the ``SimState``, so the ``Simulator`` module keeps the lifecycle and the controls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._config import SimulatorConfig
from ._http.apikeys import SimApiKeys

if TYPE_CHECKING:
    from ._server.state import SimState

__all__ = ["ConnectionFacts"]


class ConnectionFacts:
    """The address and credential members of ``Simulator`` (the Manager and Bridge ones are
    ``BackOffice``'s; ``environment()`` lists them too)."""

    config: SimulatorConfig
    _port: int | None
    _state: SimState

    if TYPE_CHECKING:  # BackOffice's, for environment()

        @property
        def manager_app_id(self) -> str: ...
        @property
        def manager_app_secret(self) -> str: ...
        @property
        def bridge_api_key(self) -> str: ...
        @property
        def bridge_secret_key(self) -> str: ...

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; the families hang off it (``/api``, ``/openapi-c``).

        Raises:
            RuntimeError: the simulator is not running.
        """
        if self._port is None:
            raise RuntimeError("the simulator has no address until it is entered with 'async with'")
        return f"http://{self.config.host}:{self._port}"

    @property
    def ws_base_url(self) -> str:
        """``ws://127.0.0.1:PORT``: the sockets are ``/apiQuote/quote_guest``, ``/apiQuote/quote?token=``,
        ``/apiQuote/quote_stock?token=``, ``/openapi-c/openMsg/{appId}`` and ``/api/ws``.

        Raises:
            RuntimeError: the simulator is not running.
        """
        return "ws" + self.base_url[len("http") :]

    @property
    def company_id(self) -> int:
        """The company id (``companyId`` header)."""
        return self.config.company_id

    @property
    def api_key(self) -> str:
        """The seeded customer's Open API key (32 lowercase hex, derived from the seed)."""
        return self._state.api_key.api_key

    @property
    def secret_key(self) -> str:
        """The API key's secret: base64 PKCS#8 RSA-1024 (the published ``sign-demo`` TEST key)."""
        return self._state.api_key.secret_key

    @property
    def company_public_key(self) -> str:
        """The company public key for encrypted Client bodies (the ``trade-h5`` TEST key)."""
        return self._state.company_public_key

    @property
    def login_name(self) -> str:
        """The seeded customer's e-mail login name (login ``type`` 1)."""
        return self.config.login_name

    @property
    def password(self) -> str:
        """The seeded customer's plain password (send its MD5 as ``loginPwd``)."""
        return self.config.password

    def environment(self) -> dict[str, str]:
        """The ``MULTIMARKETS_*`` variables of every credential set (Open API key, login, Manager, Bridge)
        for ``from_env()``, as ``multimarkets sim --env`` prints them; known early on a fixed ``port``."""
        fixed = f"http://{self.config.host}:{self.config.port}" if self.config.port else None
        return {
            "MULTIMARKETS_BASE_URL": fixed if self._port is None and fixed else self.base_url,
            "MULTIMARKETS_COMPANY_ID": str(self.company_id),
            "MULTIMARKETS_API_KEY": self.api_key,
            "MULTIMARKETS_SECRET_KEY": self.secret_key,
            "MULTIMARKETS_LOGIN_NAME": self.login_name,
            "MULTIMARKETS_PASSWORD": self.password,
            "MULTIMARKETS_APP_ID": self.manager_app_id,
            "MULTIMARKETS_APP_SECRET": self.manager_app_secret,
            "MULTIMARKETS_BRIDGE_API_KEY": self.bridge_api_key,
            "MULTIMARKETS_BRIDGE_SECRET_KEY": self.bridge_secret_key,
        }

    @property
    def customer_no(self) -> str:
        """The seeded customer's number (``customerNo``)."""
        return self._state.exchange.customer.customer_no

    @property
    def customer_id(self) -> int:
        """The seeded customer's internal id."""
        return self._state.exchange.customer.customer_id

    @property
    def customer_group_id(self) -> int:
        """The seeded customer's group (``customerGroupId``)."""
        return self._state.exchange.customer.customer_group_id

    @property
    def sent_codes(self) -> list[tuple[int, str, str]]:
        """Every verification code "sent": ``(type, address, code)``, type 1 e-mail, 2 phone."""
        return self._state.verifications.outbox

    @property
    def api_keys(self) -> SimApiKeys:
        """Every Open API key (the seeded one and those applied with ``applyApi``), for assertions."""
        return self._state.api_keys
