"""The HTTP transport: the only package that imports httpx.

* :mod:`._request`: pure: a call in, the URL, headers and body of one attempt out (no httpx).
* :mod:`._auth`: the signing schemes as ``httpx.Auth`` flows (scheme A signature, scheme B sealing).
* :mod:`._failures`: httpx exceptions, statuses and error envelopes mapped to the SDK's errors, once.
* :mod:`._gate`: client-side rate limits, the pause after a 429 and the lockout after a 418.
* :mod:`._session`: ``HTTPSession``: the retry loop, and per attempt gate, build, send, read.
* :mod:`._pool`: the SDK's own httpx clients: their defaults, and who closes them.
* :mod:`._aiohttp`: ``AiohttpClient``, the optional aiohttp transport (``[aiohttp]`` extra; imported
  only on use, through ``multimarkets_async.AiohttpClient``), with aiohttp's exceptions mapped.
"""

from __future__ import annotations

from ._auth import EncryptedBodyAuth, OpenApiAuth
from ._failures import map_httpx_exception
from ._session import HTTPSession

__all__ = ["EncryptedBodyAuth", "HTTPSession", "OpenApiAuth", "map_httpx_exception"]
