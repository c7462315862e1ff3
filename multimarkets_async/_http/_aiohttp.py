"""An optional aiohttp transport: ``http_client=mm.AiohttpClient()`` (the ``[aiohttp]`` extra).

``AiohttpClient`` is an ``httpx.AsyncClient`` with the SDK's defaults whose requests go out through
aiohttp (via the ``httpx-aiohttp`` package): httpx still builds, signs and reads every request, aiohttp
only moves the bytes, with a faster HTTP/1.1 implementation than httpcore's. The SDK closes it when
the last client it was handed to closes (:class:`._pool.SDKHttpClient`).

httpx-aiohttp maps aiohttp's exceptions coarsely: a connection the server closed after the request
was written comes out as ``httpx.ConnectTimeout``, which would read as "never sent" and let an order
be sent twice, and some aiohttp errors are not mapped at all. So this transport maps them again, from
the aiohttp exception itself, to the httpx exception httpcore raises in the same situation; only
failures before anything was written become ``ConnectError`` / ``ConnectTimeout``. A test enumerates
aiohttp's exception classes.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import AsyncIterator, Iterator

import httpx

try:
    import aiohttp
    from httpx_aiohttp import AiohttpTransport
except ImportError as exc:
    raise ImportError(
        "AiohttpClient needs httpx-aiohttp (and aiohttp): pip install 'multimarkets-async[aiohttp]'"
    ) from exc

from .._config import Timeouts
from ._pool import DEFAULT_LIMITS, SDKHttpClient, default_headers, http_timeout

__all__ = ["AiohttpClient", "MappedAiohttpTransport", "httpx_class_for", "map_aiohttp_exception"]

# aiohttp exception -> the httpx exception httpcore raises in the same situation; most specific first.
_AIOHTTP_ERRORS: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ClientProxyConnectionError, httpx.ProxyError),
    (aiohttp.ClientHttpProxyError, httpx.ProxyError),
    # No connection was made (refused, DNS, TLS handshake, certificate): nothing was sent.
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    # ``connect`` / ``sock_connect``: no pooled connection came, or none could be opened, in time.
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    # ``sock_read``: the request was written; the answer did not come in time.
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    # The server closed the connection: the request may have been written and run.
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.ReadError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    (aiohttp.NonHttpUrlClientError, httpx.UnsupportedProtocol),
    (aiohttp.ClientConnectionError, httpx.NetworkError),
    (TimeoutError, httpx.TimeoutException),
    (aiohttp.ClientError, httpx.TransportError),
)


def httpx_class_for(exc_type: type[BaseException]) -> type[httpx.TransportError] | None:
    """The httpx exception class for an aiohttp exception class (``None``: not an aiohttp failure)."""
    for cls, mapped in _AIOHTTP_ERRORS:
        if issubclass(exc_type, cls):
            return mapped
    return None


def map_aiohttp_exception(exc: BaseException) -> httpx.TransportError | None:
    """The httpx exception for an aiohttp one (``None``: not an aiohttp or timeout failure)."""
    mapped = httpx_class_for(type(exc))
    if mapped is None:
        return None
    return mapped(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except httpx.HTTPError as exc:
        # httpx-aiohttp's own mapping: map again from the aiohttp exception it chained.
        origin = exc.__cause__
        mapped = map_aiohttp_exception(origin) if origin is not None else None
        if mapped is None:
            raise
        raise mapped from origin
    except (aiohttp.ClientError, TimeoutError) as exc:  # what httpx-aiohttp lets through
        mapped = map_aiohttp_exception(exc)
        assert mapped is not None  # every ClientError and TimeoutError has a row
        raise mapped from exc


class _MappedStream(httpx.AsyncByteStream):
    """The response body, with aiohttp's failures while reading it mapped the same way."""

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped():
            async for chunk in self._inner:
                yield chunk

    async def aclose(self) -> None:
        with _mapped():
            await self._inner.aclose()


class MappedAiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx-aiohttp transport with the exception mapping above (the SDK wraps one passed as
    ``transport=`` in this too)."""

    def __init__(self, inner: AiohttpTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with _mapped():
            response = await self.inner.handle_async_request(request)
        response.stream = _MappedStream(response.stream)  # type: ignore[arg-type]
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class AiohttpClient(SDKHttpClient):
    """An ``httpx.AsyncClient`` that sends through aiohttp, for ``http_client=`` of any SDK client.

    >>> async with mm.MultiMarkets(..., http_client=mm.AiohttpClient()) as client: ...

    Requests, signing, retries and errors are the SDK's as over httpx's own transport; aiohttp's
    connection pool and HTTP/1.1 parser carry the bytes (no HTTP/2). Each SDK client it is handed to
    applies its own ``timeouts`` (aiohttp has no write timeout: ``Timeouts.write`` does not apply);
    the last of them to close closes it (and the aiohttp session).

    Args:
        limits: the connection pool: aiohttp honours ``max_connections`` (default 100) and
            ``keepalive_expiry`` (5 s), not ``max_keepalive_connections``.
        verify: TLS verification: ``True``, a CA bundle path or an ``ssl.SSLContext``.
        trust_env: use the proxy and certificate environment variables.

    Raises:
        ImportError: the ``[aiohttp]`` extra is not installed (raised by ``mm.AiohttpClient`` itself).
    """

    def __init__(
        self,
        *,
        limits: httpx.Limits = DEFAULT_LIMITS,
        verify: ssl.SSLContext | str | bool = True,
        trust_env: bool = True,
    ) -> None:
        super().__init__(
            timeout=http_timeout(Timeouts()),
            limits=limits,
            verify=verify,
            trust_env=trust_env,
            headers=default_headers(),
        )

    def _init_transport(  # type: ignore[override]
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        cert: httpx._types.CertTypes | None = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = DEFAULT_LIMITS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> httpx.AsyncBaseTransport:
        # httpx's hook for its default transport (and below, for each proxy): aiohttp's instead.
        return MappedAiohttpTransport(
            AiohttpTransport(verify=verify, cert=cert, trust_env=trust_env, limits=limits)
        )

    def _init_proxy_transport(  # type: ignore[override]
        self,
        proxy: httpx.Proxy,
        *,
        verify: ssl.SSLContext | str | bool = True,
        cert: httpx._types.CertTypes | None = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> httpx.AsyncBaseTransport:
        return MappedAiohttpTransport(
            AiohttpTransport(verify=verify, cert=cert, trust_env=trust_env, limits=limits, proxy=proxy)
        )
