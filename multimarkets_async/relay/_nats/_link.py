"""``NatsLink``: one NATS connection and its JetStream context, with publishing (core and acked) and a
close that leaves no task of nats-py's behind (``_leftovers`` says why that takes extra work).

nats-py runs its own tasks (reader, pinger, flusher, reconnect, per-subscription dispatch) and reports
through callbacks; the link passes callbacks that log through ``multimarkets_async.relay`` (secrets
masked) and counts reconnects, so readers can re-subscribe after a server restart. Every call into
nats-py goes through ``translating``: callers see the SDK's errors only.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Protocol, Self

import anyio
import nats.errors
import nats.js.errors
from nats.aio.client import Client

from ...errors import ConnectError, InvalidArgumentError, RequestTimeoutError
from ._errors import NATS_ERRORS, map_nats_error, mask_url, scrub, translating
from ._leftovers import client_tasks, settle

if TYPE_CHECKING:
    from types import TracebackType

    from nats.js.client import JetStreamContext

__all__ = ["MSG_ID_HEADER", "NatsLink"]

logger = logging.getLogger("multimarkets_async.relay")

MSG_ID_HEADER: Final = "Nats-Msg-Id"
_RECONNECT_WAIT_S: Final = 1.0
_PING_INTERVAL_S: Final = 20
_MAX_OUTSTANDING_PINGS: Final = 3
_CLOSE_FLUSH_S: Final = 2.0
_SETTLE_S: Final = 2.0
# nats-py's per-connection errors that only mean "the server went away": reconnect handles them.
_ROUTINE: Final = (OSError, nats.errors.StaleConnectionError, nats.errors.UnexpectedEOF)


class _Detachable(Protocol):
    async def _detach(self) -> None: ...
    def _link_changed(self) -> None: ...


class NatsLink:
    """One NATS connection (``nats.aio.client.Client``) and its JetStream context.

    Open with ``await NatsLink.open(url)`` (or ``async with await NatsLink.open(url) as link:``).
    After the first connection nats-py reconnects by itself, forever; a publish while it reconnects is
    buffered (up to nats-py's pending size, then ``TransportError``).
    """

    def __init__(self, servers: list[str], name: str | None) -> None:
        self._servers = servers
        self._name = name
        self._nc = Client()
        self._closing = False
        self._closed = anyio.Event()
        self._readers: set[_Detachable] = set()
        self._last_error: BaseException | None = None
        self.reconnects = 0
        """How many times the link reconnected (readers re-subscribe when it changes)."""

    @classmethod
    async def open(
        cls, servers: str | Sequence[str], *, name: str | None = None, connect_timeout: float = 5.0
    ) -> NatsLink:
        """Connect to the first NATS server of ``servers`` that answers.

        Args:
            servers: one URL (``nats://user:pass@host:4222``) or several (a cluster).
            name: the connection's name, shown in NATS monitoring.
            connect_timeout: how long to keep trying, in seconds, before giving up.

        Raises:
            InvalidArgumentError: no URL, or a non-positive timeout.
            ConnectError: no server answered in time; the message names the URLs (passwords masked).
        """
        urls = [servers] if isinstance(servers, str) else list(servers)
        if not urls or not all(isinstance(url, str) and url.strip() for url in urls):
            raise InvalidArgumentError(f"servers must be one or more NATS URLs, got {_masked(urls)!r}")
        if not connect_timeout > 0:
            raise InvalidArgumentError(f"connect_timeout must be positive, got {connect_timeout!r}")
        link = cls(urls, name)
        await link._connect(connect_timeout)
        return link

    async def _connect(self, timeout: float) -> None:
        where = ", ".join(_masked(self._servers))
        try:
            with anyio.fail_after(timeout):
                await self._nc.connect(
                    self._servers,
                    name=self._name,
                    error_cb=self._on_error,
                    disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnected,
                    closed_cb=self._on_closed,
                    connect_timeout=timeout,  # type: ignore[arg-type]  # a float works (wait_for)
                    reconnect_time_wait=_RECONNECT_WAIT_S,  # type: ignore[arg-type]
                    max_reconnect_attempts=-1,
                    ping_interval=_PING_INTERVAL_S,
                    max_outstanding_pings=_MAX_OUTSTANDING_PINGS,
                )
        except BaseException as exc:
            await self._abandon()
            if isinstance(exc, TimeoutError | nats.errors.Error | OSError):
                cause = self._last_error if isinstance(exc, TimeoutError) and self._last_error else exc
                reason = scrub(f"{type(cause).__name__}: {cause}".rstrip(": "))
                raise ConnectError(f"cannot connect to NATS at {where} ({reason})") from cause
            raise
        logger.debug("connected to NATS at %s", self.connected_url)

    async def _abandon(self) -> None:
        # A connect that failed or was cancelled: close what nats-py may have started.
        self._closing = True
        with anyio.CancelScope(shield=True), anyio.move_on_after(_SETTLE_S):
            tasks = client_tasks(self._nc)
            with contextlib.suppress(Exception):  # best effort: the connect already failed
                await self._nc.close()
            await settle(tasks)
        self._closed.set()

    # ---------------------------------------------------------------- nats-py callbacks

    async def _on_error(self, exc: Exception) -> None:
        self._last_error = exc
        level = logging.DEBUG if isinstance(exc, _ROUTINE) or not self._nc.is_connected else logging.WARNING
        if logger.isEnabledFor(level):
            logger.log(level, "NATS error: %s: %s", type(exc).__name__, scrub(str(exc)))

    async def _on_disconnected(self) -> None:
        if not self._closing:
            logger.warning("NATS connection lost; reconnecting")

    async def _on_reconnected(self) -> None:
        # Runs inside nats-py's reconnect task: only record and signal, never do I/O here (an error
        # would count as a failed reconnect).
        self.reconnects += 1
        logger.info("NATS reconnected to %s", self.connected_url)
        for reader in list(self._readers):
            reader._link_changed()

    async def _on_closed(self) -> None:
        for reader in list(self._readers):
            reader._link_changed()

    # ---------------------------------------------------------------- state

    @property
    def client(self) -> Client:
        """The nats-py client (for the seam's own modules only)."""
        return self._nc

    @property
    def js(self) -> JetStreamContext:
        """The JetStream context (for the seam's own modules only)."""
        return self._nc.jetstream()

    @property
    def connected_url(self) -> str | None:
        """The URL of the server the link is connected to, password masked; ``None`` while disconnected."""
        url = self._nc.connected_url
        return mask_url(url.geturl()) if url is not None and self._nc.is_connected else None

    @property
    def is_connected(self) -> bool:
        """Whether the link is connected right now (not reconnecting, not closed)."""
        return bool(self._nc.is_connected)

    @property
    def is_closed(self) -> bool:
        """Whether the link was closed (by ``aclose`` or for good by nats-py)."""
        return self._closing or bool(self._nc.is_closed)

    def _register(self, reader: _Detachable) -> None:
        self._readers.add(reader)

    def _unregister(self, reader: _Detachable) -> None:
        self._readers.discard(reader)

    # ---------------------------------------------------------------- publishing

    async def publish(self, subject: str, payload: bytes, *, msg_id: str) -> None:
        """Publish with core NATS (no acknowledgement), with a ``Nats-Msg-Id`` header for de-duplication.

        Raises:
            TransportError: NATS refused the message (closed link, outbound buffer full while
                reconnecting).
            InvalidArgumentError: a bad subject or a payload above the server's limit.
        """
        # What ``translating`` does, without a context manager: this runs once per market event, and
        # entering and leaving a generator-based context manager costs about 0.9 us.
        try:
            await self._nc.publish(subject, payload, headers={MSG_ID_HEADER: msg_id})
        except NATS_ERRORS as exc:
            raise map_nats_error(exc, f"publish to {subject}") from exc

    async def publish_acked(self, subject: str, payload: bytes, *, msg_id: str, timeout: float = 5.0) -> bool:
        """Publish to JetStream and wait for the stream's acknowledgement.

        A publish that times out (or finds no stream answering, as while a server restarts) is retried
        with the same message id until ``timeout`` has elapsed: the stream's de-duplication makes the
        retry safe.

        Returns:
            ``True`` when the stream stored the message, ``False`` when it was a duplicate.

        Raises:
            RequestTimeoutError: no acknowledgement within ``timeout``.
            TransportError: the link is closed.
            StreamError: the stream refused the message.
        """
        deadline = time.monotonic() + timeout
        pause = 0.05
        what = f"JetStream publish to {subject}"
        while True:
            left = deadline - time.monotonic()
            try:
                with translating(what):
                    try:
                        ack = await self.js.publish(
                            subject,
                            payload,
                            timeout=max(min(left, 2.0), 0.05),
                            headers={MSG_ID_HEADER: msg_id},
                        )
                    except (nats.errors.TimeoutError, nats.js.errors.NoStreamResponseError):
                        if time.monotonic() + pause >= deadline or self.is_closed:
                            raise
                        await anyio.sleep(pause)  # retried: the stream drops a duplicate by its id
                        pause = min(pause * 2, 0.5)
                        continue
            except RequestTimeoutError as exc:
                raise RequestTimeoutError(f"{exc.message} (no acknowledgement within {timeout} s)") from (
                    exc.__cause__
                )
            return not ack.duplicate

    async def flush(self, timeout: float = 5.0) -> None:
        """Wait until the server has received everything published so far.

        Raises:
            RequestTimeoutError: not within ``timeout``.
            TransportError: the link is closed.
        """
        with translating("flush"):
            await self._nc.flush(timeout)  # type: ignore[arg-type]  # a float works

    # ---------------------------------------------------------------- closing

    async def aclose(self) -> None:
        """Close the readers, flush, close the connection and wait for nats-py's tasks to end.

        Idempotent, callable from any task; a second caller waits for the first to finish.
        """
        if self._closing:
            await self._closed.wait()
            return
        self._closing = True
        with anyio.CancelScope(shield=True):
            for reader in list(self._readers):
                await reader._detach()
            if self._nc.is_connected:
                with anyio.move_on_after(_CLOSE_FLUSH_S):
                    try:
                        await self._nc.flush(_CLOSE_FLUSH_S)  # type: ignore[arg-type]
                    except (nats.errors.Error, OSError) as exc:
                        logger.debug("NATS flush before close failed: %s", type(exc).__name__)
            tasks = client_tasks(self._nc)
            with anyio.move_on_after(_SETTLE_S):
                try:
                    await self._nc.close()
                except (nats.errors.Error, OSError) as exc:
                    logger.debug("NATS close failed: %s", type(exc).__name__)
                await settle(tasks + client_tasks(self._nc))
        self._closed.set()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        state = "closed" if self.is_closed else ("connected" if self.is_connected else "reconnecting")
        return f"<NatsLink {', '.join(_masked(self._servers))} {state}>"


def _masked(urls: Sequence[object]) -> list[str]:
    return [mask_url(url) if isinstance(url, str) else repr(url) for url in urls]
