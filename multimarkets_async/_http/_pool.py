"""The SDK's own httpx clients: their defaults, and who closes them.

A session builds its own ``httpx.AsyncClient`` (``_session.new_client``: the SDK's timeouts, pool limits
and headers) and closes it. A client handed in as ``http_client=`` belongs to the caller and is never
closed by the SDK, except an :class:`SDKHttpClient` (such as ``mm.AiohttpClient()``): the SDK made it
for its clients, so every client it is handed to applies its own timeouts to its calls, and the last
of them to close closes it, as openai-python's ``DefaultAioHttpClient`` is closed by its client.
"""

from __future__ import annotations

import httpx

from .._config import Timeouts
from .._version import __version__

__all__ = ["DEFAULT_LIMITS", "SDKHttpClient", "default_headers", "http_timeout"]

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=32)
"""The connection pool of the SDK's own clients."""


def default_headers() -> dict[str, str]:
    """The headers every request of the SDK's own clients carries."""
    return {"User-Agent": f"multimarkets-async/{__version__}", "Accept": "application/json"}


def http_timeout(timeouts: Timeouts) -> httpx.Timeout:
    """The configured timeouts as httpx's."""
    return httpx.Timeout(
        connect=timeouts.connect, read=timeouts.read, write=timeouts.write, pool=timeouts.pool
    )


class SDKHttpClient(httpx.AsyncClient):
    """An httpx client the SDK made for its clients, and closes when the last of them closes.

    Each SDK client it is handed to (``http_client=``) sends with its own ``timeouts``; closing that
    client releases it, and the last release closes it (and its connection pool). Closing it yourself
    as well is harmless.
    """

    _sdk_users = 0

    def _adopt(self) -> None:
        """Count one more SDK client sending through this one."""
        if self.is_closed:
            raise RuntimeError(
                f"this {type(self).__name__} is closed (its last client closed it); create a new one"
            )
        self._sdk_users += 1

    async def _release(self) -> None:
        """One SDK client closed: close this client when it was the last one."""
        self._sdk_users -= 1
        if self._sdk_users <= 0:
            await self.aclose()
