"""What every client class shares: option checks, the HTTP session's policies and the lifecycle.

Entering a client (``async with``, or ``await client.__aenter__()``) starts the client's own host task
(``_tasks.TaskHost``), in whose task group every socket task runs; nothing is left open in the
caller's task. ``aclose()`` (or leaving the block), from any task of the same loop and in any order
across clients, ends the subscriptions, stops those tasks, waits for them and closes the HTTP
session. A client is entered at most once and cannot be reopened.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self

import anyio

from ._config import (
    Environment,
    ProtocolSettings,
    RateLimitPolicy,
    ReconnectPolicy,
    RetryPolicy,
    StreamSettings,
    Timeouts,
    resolve_environment,
)
from ._http import HTTPSession
from ._tasks import TaskHost
from ._ws import SocketBackend, WebsocketsBackend
from .errors import ConfigurationError
from .protocol.crypto import BodyEncryptor, OpenApiSigner
from .resources._core import ClientCore

if TYPE_CHECKING:
    import httpx

__all__ = ["BaseClient", "check_common_options", "mask", "normalize_retry", "normalize_timeouts"]


def mask(value: str) -> str:
    """The first four characters of an identifier and an ellipsis (nothing of a short one)."""
    return value[:4] + "…" if len(value) > 8 else "…"


def check_common_options(
    company_id: int,
    http_client: httpx.AsyncClient | None,
    transport: httpx.AsyncBaseTransport | None,
) -> None:
    """Validate the options every client takes.

    Raises:
        ConfigurationError: a non-positive ``company_id``, or both ``http_client`` and ``transport``.
    """
    if isinstance(company_id, bool) or not isinstance(company_id, int) or company_id <= 0:
        raise ConfigurationError(f"company_id must be a positive integer, got {company_id!r}")
    if http_client is not None and transport is not None:
        raise ConfigurationError("pass either http_client or transport, not both")


def check_header_value(name: str, value: str | None) -> None:
    """Refuse a credential that cannot travel in an HTTP header, naming it but never showing it.

    Raises:
        ConfigurationError: ``value`` is empty or holds anything but printable ASCII without spaces
            (a key read from a file with its line break, say).
    """
    if value is None:
        return
    if not isinstance(value, str) or not value or not all("!" <= c <= "~" for c in value):
        raise ConfigurationError(
            f"{name} must be a non-empty string of printable ASCII without spaces or line breaks "
            "(was it read from a file or an environment variable without .strip()?)"
        )


def normalize_timeouts(timeouts: Timeouts | float | None) -> Timeouts:
    """A number sets the read and write timeouts; ``None`` is the defaults."""
    if isinstance(timeouts, int | float):
        return Timeouts(read=float(timeouts), write=float(timeouts))
    return timeouts or Timeouts()


def normalize_retry(retry: RetryPolicy | int | None) -> RetryPolicy:
    """An int sets ``max_retries``; ``None`` is the defaults."""
    if isinstance(retry, int):
        return RetryPolicy(max_retries=retry)
    return retry or RetryPolicy()


class BaseClient:
    """The ``async with`` / ``aclose()`` lifecycle of a client owning one session and its tasks.

    Subclasses set ``_session`` and ``_core`` through ``_open_session`` and override ``_close_streams``.
    """

    _session: HTTPSession
    _core: ClientCore
    _tasks: TaskHost
    _entered: bool = False
    _closed: bool = False

    def _open_session(
        self,
        *,
        base_url: str | Environment,
        company_id: int,
        settings: ProtocolSettings | None,
        timeouts: Timeouts | float | None,
        retry: RetryPolicy | int | None,
        rate_limit: RateLimitPolicy | None,
        http_client: httpx.AsyncClient | None,
        transport: httpx.AsyncBaseTransport | None,
        streams: StreamSettings | None = None,
        reconnect: ReconnectPolicy | None = None,
        socket_backend: SocketBackend | None = None,
        sockets: bool = True,
        api_key: str | None = None,
        signer: OpenApiSigner | None = None,
        encryptor: BodyEncryptor | None = None,
        token_provider: Callable[[], Awaitable[str]] | None = None,
        token_refresher: Callable[[], Awaitable[str]] | None = None,
    ) -> None:
        """Validate the options every client shares and build its one HTTP session and its ``ClientCore``.

        Sets ``environment``, ``company_id``, ``settings``, ``_tasks``, ``_session`` and ``_core``. A
        client without ``sockets`` gets no socket backend; the others get ``socket_backend``, by default
        the ``websockets`` one. ``token_provider``/``token_refresher`` are the ``ClientCore`` hooks.
        """
        check_common_options(company_id, http_client, transport)
        check_header_value("api_key", api_key)
        self.environment = resolve_environment(base_url)
        self.company_id = company_id
        self.settings = settings or ProtocolSettings()
        self._tasks = TaskHost(type(self).__name__)
        self._session = HTTPSession(
            environment=self.environment,
            company_id=company_id,
            settings=self.settings,
            timeouts=normalize_timeouts(timeouts),
            retry=normalize_retry(retry),
            rate_limit=rate_limit or RateLimitPolicy(),
            http_client=http_client,
            transport=transport,
            api_key=api_key,
            signer=signer,
            encryptor=encryptor,
        )
        self._session.check_loop = self._tasks.check_loop
        stream_settings = streams or StreamSettings()
        if sockets and socket_backend is None:
            socket_backend = WebsocketsBackend(log_frames=stream_settings.log_frames)
        self._core = ClientCore(
            environment=self.environment,
            company_id=company_id,
            settings=self.settings,
            streams=stream_settings,
            reconnect=reconnect or ReconnectPolicy(),
            http=self._session,
            tasks=self._tasks,
            api_key=api_key,
            backend=socket_backend,
            token_provider=token_provider,
            token_refresher=token_refresher,
        )

    def _close_streams(self) -> None:
        """Stop the client's streams (sockets); nothing by default."""

    async def __aenter__(self) -> Self:
        name = type(self).__name__
        if self._closed:
            raise RuntimeError(f"this {name} client is closed and cannot be reopened; create a new one")
        if self._entered:
            raise RuntimeError(f"this {name} client is already entered; use one 'async with' per client")
        self._entered = True
        await self._tasks.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client: end its subscriptions, stop its background tasks and close its connections.

        Safe to call twice, and from any task of the event loop the client was entered on (a fixture's
        teardown, a lifespan handler, ``asyncio.wait_for``). A close that was asked for completes even
        if the calling task is cancelled meanwhile. Subscriptions still being iterated end (their
        iteration stops after the events already buffered); later calls raise ``RuntimeError``.

        Raises:
            RuntimeError: called from another event loop than the one the client was entered on.
        """
        self._tasks.check_loop()
        if self._closed:
            return
        self._closed = True
        with anyio.CancelScope(shield=True):
            self._close_streams()
            await self._tasks.aclose()
            await self._session.aclose()

    @property
    def closed(self) -> bool:
        """Whether ``aclose`` has been called."""
        return self._closed
