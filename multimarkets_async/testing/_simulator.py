"""The ``Simulator``: the simulated platform served by uvicorn on 127.0.0.1.

``async with Simulator() as sim:`` binds a loopback socket (an ephemeral port by default), starts
uvicorn on it in the simulator's own background task (``_tasks.TaskHost``, as a client does), and
returns once the server accepts connections. Leaving the block, or ``await sim.aclose()`` from any
task, stops the server gracefully: pending fault delays end, open connections close, the socket is
closed and no task is left behind. uvicorn runs on asyncio, so the simulator needs asyncio (anyio's
asyncio backend included). ``with sim.serve_in_thread():`` serves from a thread and event loop of its
own instead (``_thread.py``), which is what the pytest fixture does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import socket
from collections.abc import Iterator, Sequence
from decimal import Decimal
from functools import partial
from types import TracebackType
from typing import Any

import anyio
import anyio.abc
import uvicorn
from starlette.routing import BaseRoute
from starlette.types import Scope

from .._tasks import TaskHost
from ._backoffice import BackOffice
from ._config import SimulatorConfig
from ._exchange.exchange import SimExchange
from ._exchange.market import Quote
from ._exchange.records import SimOrder
from ._facts import ConnectionFacts
from ._faults.http import Faults
from ._faults.sockets import SocketFaults
from ._http.app import Pipeline, create_app
from ._http.wire import RecordedRequest
from ._replay import ReplayHost, open_replay
from ._server.rpc_socket import rpc_routes
from ._server.state import SimState
from ._server.uvicorn import DenialNoise, Server
from ._sockets.message import message_routes, publish_order, publish_pending, publish_pnl
from ._sockets.quote import publish_order_trade, publish_quotes, quote_routes
from ._sockets.registry import SocketRegistry
from ._thread import LoopBinding, on_loop, on_loop_async, serve_in_thread

__all__ = ["Simulator"]


class Simulator(BackOffice, ConnectionFacts, ReplayHost):
    """The simulated MultiMarkets platform on 127.0.0.1, for tests, demos and bot development.

    Families: the Client API at ``{base_url}/api`` (``/login/{bizType}``, ``/register/{bizType}``,
    ``/logout``, ``/thirdExt/now``, ``/global/{bizType}``), the Open API at
    ``{base_url}/openapi-c/global/{bizType}`` (Assumption: the Open prefix serves nothing else) and the
    Auth2 API at ``{base_url}/cats-gateway-auth2/auth2/{code,token,user,refresh}``, the Manager API at
    ``{base_url}/openapi-b/auth/admin.admin.CompanyAuthDubboService.auth`` (``manager_app_id`` /
    ``manager_app_secret``; ``expire_manager_tokens()``) and ``/openapi-b[/global]/{bizType}``, the
    Bridge API at ``{base_url}/webhook/global/{bizType}`` (``bridge_api_key`` / ``bridge_secret_key``;
    ``bridge``, ``callbacks``). Other paths answer a plain 404. Pending orders, stop-losses and
    take-profits fire on price moves. ``platform`` calls an integrator's Webhook and Message API
    endpoints as the platform would.

    Sockets, on the same port (``ws_base_url`` = ``ws://127.0.0.1:PORT``): market data at
    ``/apiQuote/quote_guest``, ``/apiQuote/quote?token=`` and ``/apiQuote/quote_stock?token=``; message
    push at ``/openapi-c/openMsg/{appId}``; the Client RPC socket at ``/api/ws``; Manager data push at
    ``/openapi-b/ws`` (events from ``datapush``: ``emit``, exchange changes). Prices moved by
    ``tick``, ``set_price`` or the ``tick_interval_s`` ticker are pushed to subscribers, and every
    executed order is pushed to the account's message sessions. Observe them with ``sockets``
    (``await sim.sockets.wait_for(predicate)``) and break them with ``socket_faults``.

    Seeded data (fixed ids; prices move with the seed): customer 1176, ``customerNo`` "86001175",
    group 1, e-mail login ``trader@example.com`` / ``a123456``; USDT accounts 1031001 (tradeType 1),
    1031002 (tradeType 2) and 1031005 (tradeType 5), 10000 each (booked as deposits), 4 decimals;
    products EURUSD 1001 (5 digits), XAUUSD 1002 (2), BTCUSDT 1003 (2), ETHUSDT 1004 (2, tradeType 2
    only) and DOGE/USDT-BN-TG 1061 (4, spot tradeType 5, listed but not tradable); the Open API key
    ``api_key`` (every permission, permanent); the Auth2 app ``auth2_app_id`` /
    ``auth2_app_secret``. Registration adds customers (1177 / "86001176", ...).

    Choices where the docs are silent (each behind a ``SimulatorConfig`` field where it can vary):

    * every business error is HTTP 200 with the standard envelope, ``data`` = the bizType; 429 and 418
      have an empty body;
    * ``GATEWAY_CODE_014`` only when a Client ``timestamp`` header is present and more than
      ``client_timestamp_tolerance_ms`` (60 s) away from the server clock;
    * ``GATEWAY_CODE_015`` for a ``companyId`` other than the simulator's, a body that is not a JSON
      object, and every encrypted-body failure (no ``{"data"}`` form, undecryptable, MD5 mismatch,
      body ``timestamp`` different from the header's); ``GATEWAY_CODE_006`` for an empty body;
    * ``x-ratelimit-reset`` is the whole seconds left in the current window (60 at its start);
      the Open API sends the same headers for its per-key window; 429/418 add ``Retry-After``;
    * an idempotent replay returns the first answer byte for byte (its ``trace`` included);
      gateway refusals are not cached, business errors are;
    * every ``verifyCodeSend`` "sends" ``SimulatorConfig.verify_code`` (see ``sent_codes``);
    * codes the docs do not name (pending orders, Auth2) are listed in the handler modules.

    Args:
        config: the settings; ``SimulatorConfig`` defaults when ``None``.
        **overrides: ``SimulatorConfig`` fields to replace, e.g. ``Simulator(seed=3)``.

    Example:
        >>> async with Simulator() as sim:
        ...     client = MultiMarkets(base_url=sim.base_url, company_id=sim.company_id,
        ...                           api_key=sim.api_key, secret_key=sim.secret_key)
    """

    def __init__(self, config: SimulatorConfig | None = None, /, **overrides: Any) -> None:
        base = config if config is not None else SimulatorConfig()
        self.config: SimulatorConfig = dataclasses.replace(base, **overrides) if overrides else base
        self._state = SimState(self.config)
        self._routes: list[BaseRoute] = []
        self._tasks = TaskHost("Simulator", close_timeout=self.config.graceful_shutdown_s + 5)
        self._server: Server | None = None
        self._closing: anyio.Event | None = None
        self._port: int | None = None
        self._used = False
        self._tick_event: anyio.Event | None = None
        self._state.exchange.order_listeners.append(self._on_order)
        self._state.exchange.pending_listeners.append(partial(publish_pending, self._state))
        self._replay = open_replay(self.config, self._state, self._backoffice_prices)

    def __repr__(self) -> str:
        where = self.base_url if self._port is not None else "not running"
        return f"Simulator({where}, company_id={self.company_id})"

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Simulator:
        if self._used:
            raise RuntimeError("a Simulator can be entered only once; create a new one")
        self._used = True
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only then; without it
        # every answer written in two parts waits ~40 ms for a delayed ACK (benchmarks/http_overhead.py).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.bind((self.config.host, self.config.port))
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        self._state.sockets._abort_scope = self._drop
        self._closing = anyio.Event()
        try:
            await self._tasks.open()
            await self._tasks.start(self._serve, sock)
            self._start_backoffice(self._tasks)
            if self.config.tick_interval_s is not None:
                self._tasks.start_soon(partial(self._ticker, self.config.tick_interval_s))
            self._start_replay(self._tasks)
        except BaseException:
            sock.close()
            await self.aclose()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the server gracefully and wait for its tasks; from any task of its loop, safe twice."""
        # Order matters: wake every waiter first so the graceful shutdown is not held up by them, and
        # close every socket session so uvicorn finds no connection left to wait for.
        self._state.faults._close()
        self._state.sockets._shutdown()
        self._stop_backoffice()
        if self._closing is not None:
            self._closing.set()
        if self._server is not None:
            self._server.should_exit = True
        try:
            # The server's task ends by itself (should_exit); the others are cancelled.
            await self._tasks.aclose()
        finally:
            self._server = None

    async def _serve(self, sock: socket.socket, *, task_status: anyio.abc.TaskStatus[None]) -> None:
        uvicorn_log, noise = logging.getLogger("uvicorn.error"), DenialNoise()
        try:
            state = self._state
            pipeline = Pipeline(state, self._drop)
            sockets = [*quote_routes(state), *message_routes(state), *rpc_routes(state, pipeline)]
            sockets += self._backoffice_routes()
            app = create_app(state, self._drop, extra_routes=[*sockets, *self._routes], pipeline=pipeline)
            config = uvicorn.Config(
                app,
                lifespan="off",
                log_level="warning",
                log_config=None,
                access_log=False,
                http="h11",
                ws="auto",
                server_header=False,
                timeout_graceful_shutdown=self.config.graceful_shutdown_s,
            )
            self._server = Server(config, task_status)
            uvicorn_log.addFilter(noise)
            # Shielded: uvicorn must run its own shutdown (closing the socket and the connections)
            # even when its task is cancelled. aclose always sets should_exit, so this ends.
            with anyio.CancelScope(shield=True):
                await self._server.serve(sockets=[sock])
        finally:
            uvicorn_log.removeFilter(noise)
            sock.close()

    async def _ticker(self, interval_s: float) -> None:
        assert self._closing is not None
        while not self._closing.is_set():
            with anyio.move_on_after(interval_s):
                await self._closing.wait()
            if not self._closing.is_set():
                self.tick()

    @contextlib.contextmanager
    def serve_in_thread(self) -> Iterator[Simulator]:
        """Serve from a daemon thread with an event loop of its own for the ``with`` block.

        The server then keeps answering whatever the caller's loop is doing, and works with any test
        plugin (the ``simulator`` pytest fixture uses it). The controls (``tick``, ``faults``,
        ``socket_faults``, ``sockets.wait_for`` ...) may be called from the caller's thread and loop.

        Example:
            >>> with Simulator().serve_in_thread() as sim:
            ...     print(sim.base_url)

        Raises:
            RuntimeError: the simulator was entered before (it can serve once).
        """
        with serve_in_thread(self, name=f"multimarkets-simulator-{id(self):x}"):
            yield self

    @property
    def _binding(self) -> LoopBinding:
        return self._state.binding

    def _drop(self, scope: Scope) -> bool:
        return self._server is not None and self._server.drop(scope)

    def _on_order(self, order: SimOrder) -> None:
        publish_order_trade(self._state, order)
        publish_order(self._state, order)

    def _on_prices(self, quotes: list[Quote]) -> None:
        publish_quotes(self._state, quotes)
        publish_pnl(self._state)
        self._backoffice_prices()

    # ------------------------------------------------------------------ state and controls

    @property
    def exchange(self) -> SimExchange:
        """The in-memory exchange: accounts, positions, orders, products (for assertions)."""
        return self._state.exchange

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every HTTP request received, in arrival order."""
        return self._state.requests

    @property
    def faults(self) -> Faults:
        """The fault controls."""
        return self._state.faults

    @property
    def sockets(self) -> SocketRegistry:
        """The socket sessions (live and finished), their client frames, counters and ``wait_for``."""
        return self._state.sockets

    @property
    def socket_faults(self) -> SocketFaults:
        """The socket fault controls (drop, silence, delay, malformed frames, tokens, handshakes)."""
        return self._state.sockets.faults

    @property
    def push_tokens(self) -> dict[str, int]:
        """Message-push tokens issued by ``getMsgPushToken`` -> customer id."""
        return self._state.sessions.push_tokens

    @property
    def server_clock_offset_ms(self) -> int:
        """Milliseconds added to the base clock to make the server clock (0 by default)."""
        return self._state.clock.offset_ms

    @server_clock_offset_ms.setter
    @on_loop
    def server_clock_offset_ms(self, value: int) -> None:
        self._state.clock.offset_ms = int(value)

    def now_ms(self) -> int:
        """The server clock, in epoch milliseconds."""
        return self._state.now_ms()

    @on_loop
    def expire_tokens(self) -> None:
        """Expire every issued Client login token: their next use answers ``GATEWAY_CODE_005``."""
        self._state.sessions.expire_all()

    @on_loop
    def tick(self, steps: int = 1) -> tuple[list[Quote], list[SimOrder]]:
        """Move every price ``steps`` random-walk steps (seeded), firing stops and pending orders.

        Each step is pushed at once to the socket subscribers (``p(``, ``pd(``, ``pt(``, ``pr(``, and
        ``f(``/``g(`` for accounts with open positions); the call itself never waits.

        Returns:
            The quotes of the last step, and every order the steps executed (stops, pending orders).
        """
        quotes: list[Quote] = []
        closed: list[SimOrder] = []
        for _ in range(steps):
            quotes, fired = self._state.exchange.tick(self._state.rng, self.now_ms())
            closed.extend(fired)
            self._on_prices(quotes)
        event, self._tick_event = self._tick_event, None
        if event is not None:
            event.set()
        return quotes, closed

    @on_loop_async
    async def wait_tick(self) -> None:
        """Wait until the next ``tick`` (manual or from the ``tick_interval_s`` ticker)."""
        if self._tick_event is None:
            self._tick_event = anyio.Event()
        await self._tick_event.wait()

    @on_loop
    def set_price(self, symbol_id: int, mid: Decimal | str) -> tuple[Quote, list[SimOrder]]:
        """Put one product at an exact mid price, fire the stops and pending orders it reaches (the
        orders returned), and push it to subscribers.

        Raises:
            KeyError: unknown ``symbol_id``.
        """
        quote = self._state.exchange.market.set_price(symbol_id, mid, self.now_ms())
        fired = self._state.exchange.after_prices(self.now_ms())
        self._on_prices([quote])
        return quote, fired

    def add_routes(self, routes: Sequence[BaseRoute]) -> None:
        """Serve more routes (e.g. socket endpoints) on the same server; call before entering.

        Raises:
            RuntimeError: the simulator is already running.
        """
        if self._used:
            raise RuntimeError("routes must be added before the simulator starts")
        self._routes.extend(routes)
