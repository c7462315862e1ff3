"""A FastAPI service in front of MultiMarkets: one SDK client per process, typed trading endpoints,
SDK errors mapped to HTTP statuses, and a Server-Sent Events relay of the ticker stream.

Run (the variables are read when the app starts, not on import)::

    export MULTIMARKETS_BASE_URL=https://api.multimarkets.org MULTIMARKETS_COMPANY_ID=439 \\
           MULTIMARKETS_API_KEY=... MULTIMARKETS_SECRET_KEY=...
    uvicorn examples.fastapi_app.app:app --timeout-graceful-shutdown 5

(an open event stream never ends by itself, so bound how long shutdown waits for browsers to leave).
Tests build the app with :func:`create_app` and the simulator's :class:`Settings` instead.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel

import multimarkets_async as mm

__all__ = ["Settings", "app", "create_app"]

logger = logging.getLogger(__name__)

_UNKNOWN_ORDERS_KEPT = 1000  # orders whose answer was lost, kept for POST /orders/resend


@dataclass(frozen=True, slots=True)
class Settings:
    """Where and as whom the app trades."""

    base_url: str
    """Platform URL, or a preset name (``"prd"``, ``"pre"``)."""
    company_id: int
    """The white-label company id."""
    api_key: str = field(repr=False)
    """Open API key."""
    secret_key: str = field(repr=False)
    """The key's private key (base64 PKCS#8 or PEM). Never logged."""
    timeout_s: float = 20.0
    """HTTP read timeout of each platform call."""
    max_retries: int = 2
    """Retries of reads and idempotent order calls (``0`` disables them)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Read ``MULTIMARKETS_BASE_URL``, ``_COMPANY_ID``, ``_API_KEY``, ``_SECRET_KEY`` (and the optional
        ``_TIMEOUT_S`` and ``_MAX_RETRIES``).

        Raises:
            RuntimeError: a required variable is missing.
        """
        names = ("BASE_URL", "COMPANY_ID", "API_KEY", "SECRET_KEY")
        missing = [f"MULTIMARKETS_{name}" for name in names if not environ.get(f"MULTIMARKETS_{name}")]
        if missing:
            raise RuntimeError(f"set the environment variables {', '.join(missing)}")
        return cls(
            base_url=environ["MULTIMARKETS_BASE_URL"],
            company_id=int(environ["MULTIMARKETS_COMPANY_ID"]),
            api_key=environ["MULTIMARKETS_API_KEY"],
            secret_key=environ["MULTIMARKETS_SECRET_KEY"],
            timeout_s=float(environ.get("MULTIMARKETS_TIMEOUT_S", "20")),
            max_retries=int(environ.get("MULTIMARKETS_MAX_RETRIES", "2")),
        )


# -- request and response bodies ---------------------------------------------------------------------


class SymbolOut(BaseModel):
    """A tradable product."""

    symbol: str | None
    symbol_id: int
    trade_type: int
    digits: int


class OrderIn(BaseModel):
    """A market order. ``volume`` is in lots; send it as a string (``"0.10"``)."""

    symbol: str
    side: Literal["buy", "sell"]
    volume: Decimal
    trade_type: int = 2
    client_order_id: str | None = None


class ResendIn(BaseModel):
    """The idempotency key a 502 answer to ``POST /orders`` carried."""

    idempotency_key: str


class OrderOut(BaseModel):
    """What the platform answered to an order."""

    order_id: int
    position_id: int | None
    execute_price: Decimal | None
    volume: Decimal | None
    profit: Decimal | None

    @classmethod
    def of(cls, result: mm.OrderResult) -> OrderOut:
        """The answer to return for ``result``."""
        return cls(
            order_id=result.order_id,
            position_id=result.position_id,
            execute_price=result.execute_price,
            volume=result.trade_volume,
            profit=result.profit,
        )


class PositionOut(BaseModel):
    """An open position."""

    position_id: int
    symbol: str | None
    side: Literal["buy", "sell"]
    volume: Decimal | None
    open_price: Decimal | None
    profit: Decimal | None


# -- the one client ----------------------------------------------------------------------------------


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Own one SDK client for the life of the process: its HTTP pool and sockets are shared by every
    request, and leaving ``async with`` closes them (and ends every open stream) on shutdown."""
    settings: Settings = app.state.settings or Settings.from_env()
    async with mm.MultiMarkets(
        base_url=settings.base_url,
        company_id=settings.company_id,
        api_key=settings.api_key,
        secret_key=settings.secret_key,
        timeouts=settings.timeout_s,
        retry=settings.max_retries,
    ) as client:
        app.state.client = client
        yield
    app.state.client = None


def get_client(request: Request) -> mm.MultiMarkets:
    """The app's SDK client (a FastAPI dependency)."""
    client: mm.MultiMarkets = request.app.state.client
    return client


Client = Annotated[mm.MultiMarkets, Depends(get_client)]


# -- SDK errors as HTTP answers ----------------------------------------------------------------------

_STATUS: Sequence[tuple[type[mm.MultiMarketsError], int]] = (
    (mm.OrderStateUnknownError, 502),  # may or may not have executed: the caller must reconcile
    (mm.InvalidArgumentError, 422),  # refused by the SDK, nothing was sent
    (mm.ValidationError, 422),  # refused by the platform
    (mm.BusinessError, 409),  # TradingRuleError included: the platform refused the order
    (mm.TooManyRequestsError, 429),
    (mm.LockedOutError, 429),
    (mm.RateLimitError, 429),
    (mm.TransportError, 503),
    (mm.ServerUnavailableError, 503),
)


def error_response(exc: mm.MultiMarketsError) -> JSONResponse:
    """The HTTP answer for an SDK error: a status that says whose fault it is, and a JSON body."""
    status = next((code for cls, code in _STATUS if isinstance(exc, cls)), 502)
    body: dict[str, object] = {"error": type(exc).__name__, "message": exc.message or str(exc)}
    body.update({k: v for k in ("code", "biz_code", "trace") if (v := getattr(exc, k)) is not None})
    headers: dict[str, str] = {}
    if status == 429:
        wait = exc.retry_after
        if wait is None and isinstance(exc, mm.LockedOutError) and exc.locked_until is not None:
            wait = exc.locked_until - time.time()
        headers["Retry-After"] = body["retry_after"] = str(
            max(1, math.ceil(wait if wait is not None else 60))
        )
    if isinstance(exc, mm.OrderStateUnknownError):
        body["message"] = str(exc)  # says how to reconcile
        body["idempotency_key"] = exc.idempotency_key
        logger.error("order state unknown (idempotency-key %s)", exc.idempotency_key)
    else:
        logger.warning("%s answered %d: %s", type(exc).__name__, status, exc)
    return JSONResponse(body, status_code=status, headers=headers)


# -- the app -----------------------------------------------------------------------------------------


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; ``settings=None`` reads the environment when the app starts."""
    app = FastAPI(title="MultiMarkets example", lifespan=lifespan)
    app.state.settings = settings
    app.state.client = None
    unknown_orders: OrderedDict[str, mm.OrderStateUnknownError] = OrderedDict()

    @app.exception_handler(mm.MultiMarketsError)
    async def _sdk_error(request: Request, exc: mm.MultiMarketsError) -> JSONResponse:
        return error_response(exc)

    @app.get("/health")
    async def health(client: Client) -> dict[str, object]:
        """Up, and the platform answers (its clock, in epoch ms)."""
        return {"status": "ok", "server_time": await client.server_time()}

    @app.get("/symbols")
    async def symbols(client: Client, trade_type: int | None = None) -> list[SymbolOut]:
        """The products this account may trade."""
        return [
            SymbolOut(
                symbol=r.symbol_code, symbol_id=r.symbol_id, trade_type=r.trade_type, digits=r.symbol_digits
            )
            for r in await client.symbols.list()
            if trade_type is None or r.trade_type == trade_type
        ]

    @app.get("/positions")
    async def positions(client: Client, trade_type: int = 2) -> list[PositionOut]:
        """Open positions (the first 100)."""
        page = await client.positions.list(trade_type=trade_type, size=100)
        return [
            PositionOut(
                position_id=p.position_id,
                symbol=p.symbol_name,
                side="buy" if p.direction == mm.Side.BUY else "sell",
                volume=p.volume,
                open_price=p.open_price,
                profit=p.profit,
            )
            for p in page.records
        ]

    @app.post("/orders", status_code=201)
    async def place_order(client: Client, order: OrderIn) -> OrderOut:
        """Open a position at market."""
        try:
            result = await client.orders.market(
                order.symbol,
                side=mm.Side.BUY if order.side == "buy" else mm.Side.SELL,
                volume=order.volume,
                trade_type=order.trade_type,
                client_order_id=order.client_order_id,
            )
        except mm.OrderStateUnknownError as exc:
            if exc.idempotency_key:  # keep what was sent, so POST /orders/resend can finish the job
                unknown_orders[exc.idempotency_key] = exc
                while len(unknown_orders) > _UNKNOWN_ORDERS_KEPT:
                    unknown_orders.popitem(last=False)
            raise
        return OrderOut.of(result)

    @app.post("/orders/resend", status_code=201)
    async def resend_order(client: Client, lost: ResendIn) -> OrderOut:
        """Resend an order whose answer was lost, under the same idempotency key: the platform replays
        its first answer if it executed the order, or executes it now (once) if it never saw it."""
        exc = unknown_orders.get(lost.idempotency_key)
        if exc is None or exc.body is None:
            raise HTTPException(404, "no order with an unknown outcome has this idempotency key")
        result = await client.orders.resend(exc)
        del unknown_orders[lost.idempotency_key]
        return OrderOut.of(result)

    @app.post("/positions/{position_id}/close")
    async def close_position(client: Client, position_id: int, trade_type: int = 2) -> OrderOut:
        """Close a whole position at market."""
        position = await client.positions.get(position_id, trade_type=trade_type)
        return OrderOut.of(await client.positions.close(position))

    @app.get("/stream/tickers")
    async def stream_tickers(
        client: Client, symbols: str = "EURUSD", trade_type: int = 2
    ) -> StreamingResponse:
        """Best bid/ask as Server-Sent Events (``event: tick``), for ``EventSource`` in a browser."""
        rows = [
            await client.symbols.get(s.strip(), trade_type=trade_type)
            for s in symbols.split(",")
            if s.strip()
        ]
        if not rows:
            raise HTTPException(422, "name at least one symbol")
        return StreamingResponse(
            _tick_events(client, rows),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return app


async def _tick_events(client: mm.MultiMarkets, rows: Sequence[mm.Symbol]) -> AsyncIterator[str]:
    # One subscription per browser; they share the client's quote connection. When the browser goes,
    # Starlette cancels this generator, and leaving `async with` unsubscribes (shielded from the cancel).
    async with client.quotes.tickers([row.key for row in rows]) as ticks:
        async for tick in ticks:
            data = {
                "symbol": tick.symbol,
                "bid": str(tick.bid),
                "ask": str(tick.ask),
                "time_ms": tick.time_ms,
            }
            yield f"event: tick\ndata: {json.dumps(data)}\n\n"


app = create_app()
"""The app ``uvicorn examples.fastapi_app.app:app`` serves, configured from the environment."""
