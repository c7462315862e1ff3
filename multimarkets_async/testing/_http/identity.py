"""Identity state beyond login sessions: verification codes sent, and Auth2 apps, codes and tokens.

Pure state driven by the server time passed in (``now_ms``) and a seeded random source, so tests move
time with the simulator's clock instead of sleeping.

* **Verification codes** (``verifyCodeSend``, endpoints 2.2): every code the simulator "sends" is the
  fixed ``SimulatorConfig.verify_code``; the ``sendToken`` ticket binds it to one address, lives
  ``verify_code_ttl_s`` and is used up by the registration or login that consumes it.
* **Auth2** (endpoints 9): one seeded app; authorization codes live ``auth2_code_ttl_s`` and are
  single-use, access tokens live ``auth2_access_ttl_s``, refresh tokens ``auth2_refresh_ttl_s``
  (Assumption ``auth2_lifetimes``: 5 minutes and 2 hours; the refresh lifetime is not documented).
  A refresh replaces both tokens of the pair. Refusals use codes the docs list for the customer
  service (the Auth2 pages document none): ``CUSTOMER_API_0000131`` unknown app or wrong
  secret, ``0000148`` unknown or expired code, ``0000149`` code already used, ``0000128`` unknown or
  expired access or refresh token.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from .error_codes import CUSTOMER, SimError

__all__ = ["Auth2App", "Auth2Store", "Grant", "Verifications", "normalise_address"]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass(slots=True)
class _Sent:
    kind: int
    address: str
    expires_ms: int


def normalise_address(kind: int, address: str) -> str:
    """E-mail addresses compare case-insensitively, phone numbers as typed (without spaces)."""
    text = address.strip()
    return text.lower() if kind == 1 else text.replace(" ", "")


class Verifications:
    """One-time codes sent by ``verifyCodeSend``, by ``sendToken``.

    Args:
        rng: the seeded source of ``sendToken`` values.
        code: the code every "sent" message carries.
        ttl_ms: how long a ticket stays valid.
    """

    def __init__(self, rng: random.Random, code: str, ttl_ms: int) -> None:
        self._rng = rng
        self._code = code
        self._ttl_ms = ttl_ms
        self._sent: dict[str, _Sent] = {}
        self.outbox: list[tuple[int, str, str]] = []
        """Every code sent: ``(type, address, code)`` (1 e-mail, 2 phone), for assertions."""

    def send(self, kind: int, address: str, now_ms: int) -> str:
        """ "Send" the code to ``address``; return the ``sendToken`` ticket."""
        token = _uuid(self._rng).replace("-", "")
        self._sent[token] = _Sent(kind, normalise_address(kind, address), now_ms + self._ttl_ms)
        self.outbox.append((kind, address, self._code))
        return token

    def check(self, token: object, code: object, kind: int, address: str, now_ms: int) -> bool:
        """Whether ``code`` is the code sent with ticket ``token`` to ``address``, still valid."""
        sent = self._sent.get(token) if isinstance(token, str) else None
        return (
            sent is not None
            and now_ms < sent.expires_ms
            and code == self._code
            and sent.kind == kind
            and sent.address == normalise_address(kind, address)
        )

    def consume(self, token: str) -> None:
        """Use up a ticket (after a successful registration or login)."""
        self._sent.pop(token, None)


@dataclass(frozen=True, slots=True)
class Auth2App:
    """A third-party app allowed to link accounts (``appId``/``appSecret``, 32 hex each)."""

    app_id: str
    app_secret: str


@dataclass(slots=True)
class Grant:
    """What a code or token stands for: the customer who consented, to which app, until when."""

    customer_id: int
    app_id: str
    expires_ms: int
    used: bool = False


class Auth2Store:
    """Auth2 apps, authorization codes, access and refresh tokens.

    Args:
        rng: the seeded source of app credentials, codes and tokens.
        code_ttl_ms: lifetime of an authorization code.
        access_ttl_ms: lifetime of an access token.
        refresh_ttl_ms: lifetime of a refresh token.
    """

    def __init__(self, rng: random.Random, code_ttl_ms: int, access_ttl_ms: int, refresh_ttl_ms: int) -> None:
        self._rng = rng
        self._ttl = (code_ttl_ms, access_ttl_ms, refresh_ttl_ms)
        self.app = Auth2App(f"{rng.getrandbits(128):032x}", f"{rng.getrandbits(128):032x}")
        """The seeded app."""
        self.apps = {self.app.app_id: self.app}
        self._codes: dict[str, Grant] = {}
        self._access: dict[str, Grant] = {}
        self._refresh: dict[str, tuple[Grant, str]] = {}

    def _app(self, app_id: object) -> Auth2App:
        app = self.apps.get(app_id) if isinstance(app_id, str) else None
        if app is None:
            raise SimError("CUSTOMER_API_0000131", CUSTOMER)
        return app

    def issue_code(self, app_id: object, customer_id: int, now_ms: int) -> str:
        """The user consented: a single-use authorization code for ``app_id``.

        Raises:
            SimError: ``CUSTOMER_API_0000131`` for an unknown app.
        """
        app = self._app(app_id)
        code = _uuid(self._rng)
        self._codes[code] = Grant(customer_id, app.app_id, now_ms + self._ttl[0])
        return code

    def redeem(self, app_id: object, app_secret: object, code: object, now_ms: int) -> tuple[str, str]:
        """Swap an authorization code for ``(accessToken, refreshToken)``.

        Raises:
            SimError: ``0000131`` unknown app or wrong secret, ``0000148`` unknown, expired or another
                app's code, ``0000149`` a code already used.
        """
        app = self._app(app_id)
        if app_secret != app.app_secret:
            raise SimError("CUSTOMER_API_0000131", CUSTOMER)
        grant = self._codes.get(code) if isinstance(code, str) else None
        if grant is None or grant.app_id != app.app_id or now_ms >= grant.expires_ms:
            raise SimError("CUSTOMER_API_0000148", CUSTOMER)
        if grant.used:
            raise SimError("CUSTOMER_API_0000149", CUSTOMER)
        grant.used = True
        return self._pair(grant.customer_id, app.app_id, now_ms)

    def user_of(self, access_token: object, now_ms: int) -> Grant:
        """The grant behind a live access token.

        Raises:
            SimError: ``CUSTOMER_API_0000128`` for an unknown, replaced or expired token.
        """
        grant = self._access.get(access_token) if isinstance(access_token, str) else None
        if grant is None or now_ms >= grant.expires_ms:
            raise SimError("CUSTOMER_API_0000128", CUSTOMER)
        return grant

    def refresh(self, refresh_token: object, customer_id: int, now_ms: int) -> tuple[str, str]:
        """A new pair for a live refresh token of ``customer_id``; the old pair stops working.

        Raises:
            SimError: ``CUSTOMER_API_0000128`` for an unknown, used, expired or another user's token.
        """
        if not isinstance(refresh_token, str):
            raise SimError("CUSTOMER_API_0000128", CUSTOMER)
        found = self._refresh.get(refresh_token)
        if found is None or found[0].customer_id != customer_id or now_ms >= found[0].expires_ms:
            raise SimError("CUSTOMER_API_0000128", CUSTOMER)
        grant, access = found
        del self._refresh[refresh_token]
        self._access.pop(access, None)
        return self._pair(grant.customer_id, grant.app_id, now_ms)

    def _pair(self, customer_id: int, app_id: str, now_ms: int) -> tuple[str, str]:
        access, refresh = _uuid(self._rng), _uuid(self._rng)
        self._access[access] = Grant(customer_id, app_id, now_ms + self._ttl[1])
        self._refresh[refresh] = (Grant(customer_id, app_id, now_ms + self._ttl[2]), access)
        return access, refresh
