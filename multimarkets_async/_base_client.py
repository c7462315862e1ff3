"""What every client class shares: option checks, the HTTP session's policies and the lifecycle.

``async with`` owns the task group every socket task of the client runs in; leaving it (or
``aclose()``) stops the streams and closes the HTTP session. A client is entered at most once and
cannot be reopened.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import anyio
from anyio.abc import TaskGroup

from ._config import (
    Environment,
    ProtocolSettings,
    RateLimitPolicy,
    RetryPolicy,
    Timeouts,
    resolve_environment,
)
from ._http import HTTPSession
from .errors import ConfigurationError
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
    """The ``async with`` / ``aclose()`` lifecycle of a client owning one session and a task group.

    Subclasses set ``_session`` and ``_core`` and override ``_close_streams``.
    """

    _session: HTTPSession
    _core: ClientCore
    _task_group: TaskGroup | None = None
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
        **credentials: Any,
    ) -> None:
        """Validate the options every client shares and build its one HTTP session.

        Sets ``environment``, ``company_id``, ``settings`` and ``_session``; ``credentials`` go to
        ``HTTPSession`` (``api_key``, ``signer``, ``encryptor``).
        """
        check_common_options(company_id, http_client, transport)
        self.environment = resolve_environment(base_url)
        self.company_id = company_id
        self.settings = settings or ProtocolSettings()
        self._session = HTTPSession(
            environment=self.environment,
            company_id=company_id,
            settings=self.settings,
            timeouts=normalize_timeouts(timeouts),
            retry=normalize_retry(retry),
            rate_limit=rate_limit or RateLimitPolicy(),
            http_client=http_client,
            transport=transport,
            **credentials,
        )

    def _close_streams(self) -> None:
        """Stop the client's streams (sockets); nothing by default."""

    async def __aenter__(self) -> Self:
        name = type(self).__name__
        if self._closed:
            raise RuntimeError(f"this {name} client is closed and cannot be reopened; create a new one")
        if self._task_group is not None:
            raise RuntimeError(f"this {name} client is already entered; use one 'async with' per client")
        # The sockets' background tasks live in this task group, owned by the caller's 'async with'.
        task_group = anyio.create_task_group()
        await task_group.__aenter__()
        self._task_group = self._core.task_group = task_group
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        task_group, self._task_group = self._task_group, None
        self._core.task_group = None
        try:
            self._close_streams()
            if task_group is not None:
                task_group.cancel_scope.cancel()
                await task_group.__aexit__(None, None, None)
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close the client's connections. Safe to call twice.

        Streams run only inside ``async with``; leaving it stops them before this is called.
        """
        if self._closed:
            return
        self._closed = True
        self._close_streams()
        await self._session.aclose()

    @property
    def closed(self) -> bool:
        """Whether ``aclose`` has been called."""
        return self._closed
