"""Client settings from ``MULTIMARKETS_*`` environment variables: which variables each client reads,
which credential set wins when several are set, and errors that name a missing variable (never a value).

Every client reads ``MULTIMARKETS_BASE_URL`` (a URL or the presets ``prd`` / ``pre``) and
``MULTIMARKETS_COMPANY_ID``. Then, one credential set:

* ``MultiMarkets``: ``MULTIMARKETS_API_KEY`` + ``MULTIMARKETS_SECRET_KEY`` (the Open API), else
  ``MULTIMARKETS_TOKEN`` (a Client API login token), else ``MULTIMARKETS_LOGIN_NAME`` +
  ``MULTIMARKETS_PASSWORD`` (the client logs in when it is entered), else a guest; optionally
  ``MULTIMARKETS_PUBLIC_KEY`` for the encrypted-body mode. The first complete set in that order wins,
  so one shell can hold every set (``multimarkets sim --env`` prints them all).
* ``ManagerClient``: ``MULTIMARKETS_APP_ID`` + ``MULTIMARKETS_APP_SECRET``; optionally
  ``MULTIMARKETS_PUBLIC_KEY`` (the company public key, instead of the one authorize answers).
* ``BridgeClient``: ``MULTIMARKETS_BRIDGE_API_KEY`` + ``MULTIMARKETS_BRIDGE_SECRET_KEY``.

A pair with one half set is an error even when another set is complete: it is a typo waiting to bite.
An empty variable counts as unset. Keyword overrides win over the environment; any credential passed
as a keyword replaces the environment's credential sets altogether.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ._config import resolve_environment
from .errors import ConfigurationError

__all__ = [
    "BRIDGE_PAIR",
    "CLIENT_PAIRS",
    "MANAGER_PAIR",
    "PREFIX",
    "bridge_options",
    "client_options",
    "manager_options",
]

PREFIX = "MULTIMARKETS_"
"""Every variable the SDK reads starts with this."""

CLIENT_PAIRS: tuple[tuple[str, str], ...] = (("api_key", "secret_key"), ("login_name", "password"))
"""The ``MultiMarkets`` credentials that go in pairs (``token`` stands alone)."""
MANAGER_PAIR = ("app_id", "app_secret")
"""The Manager API's credentials (the constructor's parameter names)."""
BRIDGE_PAIR = ("bridge_api_key", "bridge_secret_key")
"""The Bridge API's credentials, by variable name; the constructor calls them ``api_key``/``secret_key``."""

_CLIENT_CREDENTIALS = frozenset({"api_key", "secret_key", "token", "login_name", "password"})


def variable(name: str) -> str:
    """The environment variable of an option: ``api_key`` -> ``MULTIMARKETS_API_KEY``."""
    return PREFIX + name.upper()


class _Reader:
    """Reads ``MULTIMARKETS_*`` values, stripped, with empty values read as unset."""

    def __init__(self, environ: Mapping[str, str] | None) -> None:
        self._environ = os.environ if environ is None else environ

    def get(self, name: str) -> str | None:
        value = self._environ.get(variable(name), "").strip()
        return value or None

    def pair(self, first: str, second: str) -> tuple[str, str] | None:
        """Both values of a pair, ``None`` when neither is set.

        Raises:
            ConfigurationError: only one of the two is set (naming the other).
        """
        one, two = self.get(first), self.get(second)
        if one is None and two is None:
            return None
        if one is None or two is None:
            given, missing = (first, second) if two is None else (second, first)
            raise ConfigurationError(
                f"{variable(given)} is set but {variable(missing)} is not: set both, or unset "
                f"{variable(given)}"
            )
        return one, two


def _common(reader: _Reader, overrides: Mapping[str, object]) -> dict[str, Any]:
    """``base_url`` and ``company_id``, from the overrides or the environment.

    Raises:
        ConfigurationError: either is missing, or ``MULTIMARKETS_COMPANY_ID`` is not a positive integer.
    """
    options: dict[str, Any] = {}
    if "base_url" in overrides:
        options["base_url"] = overrides["base_url"]
    else:
        base_url = reader.get("base_url")
        if base_url is None:
            raise ConfigurationError(
                f"{variable('base_url')} is not set: set it to the platform's URL, 'prd' or 'pre' "
                "(or run 'multimarkets sim --env' for the simulator's)"
            )
        try:
            options["base_url"] = resolve_environment(base_url)
        except ConfigurationError as exc:
            raise ConfigurationError(f"{variable('base_url')}: {exc}") from None
    if "company_id" in overrides:
        options["company_id"] = overrides["company_id"]
    else:
        text = reader.get("company_id")
        if text is None:
            raise ConfigurationError(
                f"{variable('company_id')} is not set: set it to your white-label company id"
            )
        if not text.isdigit() or int(text) <= 0:
            raise ConfigurationError(f"{variable('company_id')} must be a positive integer")
        options["company_id"] = int(text)
    return options


def _rest(overrides: Mapping[str, object], taken: frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in overrides.items() if key not in taken}


def client_options(
    environ: Mapping[str, str] | None, overrides: Mapping[str, object], *, require_credentials: bool
) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """The ``MultiMarkets`` keyword arguments, and the ``(login_name, password)`` to log in with.

    Raises:
        ConfigurationError: a missing or half-set variable (named), or no credential set at all with
            ``require_credentials``.
    """
    reader = _Reader(environ)
    options = _common(reader, overrides)
    login: tuple[str, str] | None = None
    given = _CLIENT_CREDENTIALS & overrides.keys()
    if given:  # credentials passed as keywords replace the environment's
        if ("login_name" in given) != ("password" in given):
            raise ConfigurationError("login_name and password go together: pass both or neither")
        if "login_name" in given:
            login = (str(overrides["login_name"]), str(overrides["password"]))
        options |= {key: overrides[key] for key in given - {"login_name", "password"}}
    else:
        keys = reader.pair("api_key", "secret_key")
        token = reader.get("token")
        password_login = reader.pair("login_name", "password")
        if keys is not None:
            options["api_key"], options["secret_key"] = keys
        elif token is not None:
            options["token"] = token
        elif password_login is not None:
            login = password_login
        elif require_credentials:
            raise ConfigurationError(
                "no credentials in the environment: set MULTIMARKETS_API_KEY and MULTIMARKETS_SECRET_KEY, "
                "or MULTIMARKETS_TOKEN, or MULTIMARKETS_LOGIN_NAME and MULTIMARKETS_PASSWORD"
            )
    if "public_key" not in overrides and (public_key := reader.get("public_key")) is not None:
        options["public_key"] = public_key
    options |= _rest(overrides, _CLIENT_CREDENTIALS | {"base_url", "company_id"})
    return options, login


def manager_options(environ: Mapping[str, str] | None, overrides: Mapping[str, object]) -> dict[str, Any]:
    """The ``ManagerClient`` keyword arguments.

    Raises:
        ConfigurationError: a missing or half-set variable, named.
    """
    reader = _Reader(environ)
    options = _common(reader, overrides)
    if not {"app_id", "app_secret"} & overrides.keys():
        pair = reader.pair(*MANAGER_PAIR)
        if pair is None:
            raise ConfigurationError(
                f"{variable('app_id')} and {variable('app_secret')} are not set: the Manager API needs "
                "the company's app credentials"
            )
        options["app_id"], options["app_secret"] = pair
    if "public_key" not in overrides and (public_key := reader.get("public_key")) is not None:
        options["public_key"] = public_key  # the same company key; else the one authorize answers
    return options | _rest(overrides, frozenset({"base_url", "company_id"}))


def bridge_options(environ: Mapping[str, str] | None, overrides: Mapping[str, object]) -> dict[str, Any]:
    """The ``BridgeClient`` keyword arguments.

    Raises:
        ConfigurationError: a missing or half-set variable, named.
    """
    reader = _Reader(environ)
    options = _common(reader, overrides)
    if not {"api_key", "secret_key"} & overrides.keys():
        pair = reader.pair(*BRIDGE_PAIR)
        if pair is None:
            raise ConfigurationError(
                f"{variable('bridge_api_key')} and {variable('bridge_secret_key')} are not set: the "
                "Bridge API needs its key pair"
            )
        options["api_key"], options["secret_key"] = pair
    return options | _rest(overrides, frozenset({"base_url", "company_id"}))
