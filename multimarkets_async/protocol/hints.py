"""Hints: the likeliest fix, added to an error whose own text does not name it.

Sans-I/O text helpers the transports (``_http``, ``_ws``) use when they translate a failure: where a
connection was going (host and port only, never a path or query that may carry a token) and what
to check. An error's hint is also kept as ``MultiMarketsError.hint``.
"""

from __future__ import annotations

from typing import Final, TypeVar
from urllib.parse import urlsplit

from ..errors import MultiMarketsError

__all__ = ["UNREACHABLE_HINT", "add_hint", "cannot_connect", "company_id_hint", "host_port"]

_E = TypeVar("_E", bound=MultiMarketsError)


def add_hint(error: _E, hint: str) -> _E:
    """Append ``hint`` to ``error``'s message and keep it as ``error.hint``; returns ``error``."""
    error.hint = hint
    error.message = f"{error.message.rstrip('.')}: {hint}"
    error.args = (error.message,)
    return error


def host_port(url: str) -> str:
    """``host:port`` of ``url`` (the scheme's default port when none is written); never its path or
    query, which may carry a token or the API key."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # an out-of-range port: say what was written
        port = None
    if port is None:
        port = 443 if parts.scheme in ("https", "wss") else 80
    host = parts.hostname or "?"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


UNREACHABLE_HINT: Final = "is base_url right, and can this machine reach that host?"
"""The hint of a connection that could not be made (refused, unknown host, timed out)."""


def cannot_connect(url: str, reason: str) -> str:
    """The text of a connection error: where (host and port only) and why, before the hint."""
    return f"could not connect to {host_port(url)} ({reason})"


def company_id_hint(company_id: int) -> str:
    """The hint for ``GATEWAY_CODE_015`` ("the request parameter is invalid") before any call of a client
    succeeded: the gateway answers so when the ``companyId`` header names no company it knows."""
    return (
        f"no call of this client has succeeded yet, so check company_id ({company_id} was sent): "
        "the gateway answers GATEWAY_CODE_015 to a companyId it does not know"
    )
