"""``client.rpc``: the Client API over the header/body WebSocket, an optional transport for ``call()``.

The platform documents a WebSocket form of the Client API: each request is a
``{header, body}`` frame correlated on ``trace``, replies use the HTTP envelope, and a ``bizType``
ping keeps the socket alive. Useful when many small calls should share one connection:

    async with client.rpc.connect() as rpc:
        info = await rpc.call("customer.app.CustomerWebApiService.findCustomerInfo", {})

HTTP stays the default transport; the socket carries the login token and plain (unencrypted) bodies
(Assumption ``rpc_ws_url``: ``{client base}/ws``).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator, Hashable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio

from .._streams.supervise import supervise
from .._ws import ConnectionInfo, ConnectionManager
from ..errors import OrderStateUnknownError, OutcomeUnknownError, TransportError
from ..protocol.dialects import RpcDialect
from ..protocol.envelope import encode_socket_request
from ..protocol.operations import operation_for
from ._core import ClientCore

__all__ = ["Rpc", "RpcConnection"]


class RpcConnection:
    """An open RPC socket; ``call`` sends one operation and waits for its reply."""

    def __init__(self, core: ClientCore, manager: ConnectionManager, dialect: RpcDialect) -> None:
        self._core = core
        self._manager = manager
        self._dialect = dialect

    @property
    def connection(self) -> ConnectionInfo:
        """The connection's state and counters."""
        return self._manager

    async def call(
        self, biz_type: str, body: Mapping[str, object] | None = None, *, timeout: float | None = None
    ) -> Any:
        """Call an operation over the socket and return the reply envelope's ``data``.

        The socket sends no ``idempotency-key``, and nothing is ever sent twice: an operation that
        changes orders or moves money whose reply is lost after its frame went out raises
        ``OrderStateUnknownError`` / ``OutcomeUnknownError`` instead of a transport error, because it
        may have been applied.

        Raises:
            APIError: the platform refused the call.
            RequestTimeoutError: no reply in time (``StreamSettings.request_timeout`` by default), or
                the socket was not open in time; a read may be called again.
            TransportError: the socket dropped before the reply (the SDK reconnects); a read may be
                called again.
            OrderStateUnknownError: an order-changing call got no reply: reconcile before acting again.
            OutcomeUnknownError: a money-moving call (or one the SDK knows must be reconciled) got no
                reply.
        """
        core = self._core
        operation = operation_for(biz_type)
        sent = False

        def encode(seq: int) -> tuple[str, Hashable]:
            nonlocal sent
            trace = f"{uuid.uuid4()}-{core.http.now_ms()}"
            frame = encode_socket_request(
                biz_type=operation.biz_type,
                body=body,
                trace=trace,
                timestamp_ms=core.http.now_ms(),
                company_id=core.company_id,
                lang=core.settings.default_lang,
                token=core.http.token,
                version=operation.version,
                group=operation.group,
            )
            sent = True  # from here on the frame may reach the server
            return frame, trace

        try:
            return await self._manager.request(
                encode, timeout=core.streams.request_timeout if timeout is None else timeout, wait_open=True
            )
        except TransportError as exc:
            if not sent or not (operation.changes_orders or operation.moves_money or operation.reconcile):
                raise
            message = f"no reply over the RPC socket to {operation.biz_type} ({exc})"
            if operation.changes_orders:
                raise OrderStateUnknownError(message, biz_type=operation.biz_type, body=body) from exc
            raise OutcomeUnknownError(
                message, biz_type=operation.biz_type, body=body, reconcile=operation.reconcile
            ) from exc


class Rpc:
    """Opens RPC sockets (``client.rpc.connect()``)."""

    def __init__(self, core: ClientCore) -> None:
        self._core = core

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[RpcConnection]:
        """Open the socket for the duration of the ``async with`` block; it reconnects by itself.

        Raises:
            HandshakeError: the server refused the socket.
            RuntimeError: the client was not entered with ``async with``.
        """
        core = self._core
        dialect = RpcDialect(
            new_trace=lambda: f"{uuid.uuid4()}-{core.http.now_ms()}",
            now_ms=core.http.now_ms,
            lang=core.settings.default_lang,
            token=core.http.token,
        )

        async def target() -> tuple[str, dict[str, str]]:
            dialect.token = core.http.token
            return core.environment.rpc_ws_url, {}

        async def on_open(manager: ConnectionManager, reconnect: bool) -> None:
            return None

        manager = ConnectionManager(
            name="rpc",
            dialect=dialect,
            target=target,
            on_open=on_open,
            on_events=lambda events: None,
            policy=core.reconnect,
            backend=core.backend,
        )
        scope = anyio.CancelScope()  # entered by the connection's task; cancelled when the block ends
        await core.tasks.start(functools.partial(_run_until, manager, scope))
        try:
            yield RpcConnection(core, manager, dialect)
        finally:
            scope.cancel()


async def _run_until(
    manager: ConnectionManager, scope: anyio.CancelScope, *, task_status: anyio.abc.TaskStatus[None]
) -> None:
    with scope:
        await supervise(manager, list, task_status=task_status)
