"""The FastAPI example (examples/fastapi_app) against the embedded simulator: its endpoints, the HTTP
answer for each kind of SDK error, and the Server-Sent Events relay leaving its subscription when the
browser goes."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI

from multimarkets_async.testing import Simulator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `examples` is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from examples.fastapi_app import app as example  # noqa: E402

pytestmark = pytest.mark.anyio

EURUSD = (1001, 2, 1)  # (symbol_id, trade_type, trade_mode) as the simulator's quote session lists it
XAUUSD = (1002, 2, 1)


@pytest.fixture
async def sim(anyio_backend: str) -> AsyncIterator[Simulator]:
    async with Simulator(tick_interval_s=0.02) as sim:
        yield sim


@asynccontextmanager
async def running(sim: Simulator, **overrides: Any) -> AsyncIterator[FastAPI]:
    """The example app, built with the simulator's settings, between its startup and its shutdown."""
    settings = example.Settings(
        base_url=sim.base_url,
        company_id=sim.company_id,
        api_key=sim.api_key,
        secret_key=sim.secret_key,
        **overrides,
    )
    app = example.create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as http:
        yield http


@pytest.fixture
async def http(sim: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with running(sim) as app, browser(app) as http:
        yield http


ORDER = {"symbol": "EURUSD", "side": "buy", "volume": "0.10", "trade_type": 2}


# -- configuration -----------------------------------------------------------------------------------


def test_importing_needs_no_environment_and_settings_come_from_it() -> None:
    assert example.app.state.settings is None  # read at startup, not on import
    with pytest.raises(RuntimeError, match="MULTIMARKETS_API_KEY, MULTIMARKETS_SECRET_KEY"):
        example.Settings.from_env({"MULTIMARKETS_BASE_URL": "prd", "MULTIMARKETS_COMPANY_ID": "439"})
    settings = example.Settings.from_env(
        {
            "MULTIMARKETS_BASE_URL": "prd",
            "MULTIMARKETS_COMPANY_ID": "439",
            "MULTIMARKETS_API_KEY": "k" * 32,
            "MULTIMARKETS_SECRET_KEY": "very-secret",
            "MULTIMARKETS_MAX_RETRIES": "0",
        }
    )
    assert (settings.company_id, settings.max_retries, settings.timeout_s) == (439, 0, 20.0)
    assert "very-secret" not in repr(settings)


async def test_startup_without_settings_or_environment_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MULTIMARKETS_BASE_URL", raising=False)
    app = example.create_app()
    with pytest.raises(RuntimeError, match="MULTIMARKETS_BASE_URL"):
        async with app.router.lifespan_context(app):
            pass


# -- endpoints ---------------------------------------------------------------------------------------


async def test_health_and_symbols(sim: Simulator, http: httpx.AsyncClient) -> None:
    health = await http.get("/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert abs(health.json()["server_time"] - sim.now_ms()) < 60_000

    symbols = await http.get("/symbols", params={"trade_type": 2})
    assert symbols.status_code == 200
    rows = {row["symbol"]: row for row in symbols.json()}
    assert rows["EURUSD"] == {"symbol": "EURUSD", "symbol_id": 1001, "trade_type": 2, "digits": 5}
    assert {row["trade_type"] for row in rows.values()} == {2}


async def test_place_list_and_close_a_position(sim: Simulator, http: httpx.AsyncClient) -> None:
    placed = await http.post("/orders", json=ORDER)
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert order["order_id"] in sim.exchange.orders
    assert Decimal(order["volume"]) == Decimal("0.10")

    listed = await http.get("/positions", params={"trade_type": 2})
    assert listed.status_code == 200
    (position,) = listed.json()
    assert position["position_id"] == order["position_id"]
    assert (position["symbol"], position["side"]) == ("EURUSD", "buy")

    closed = await http.post(f"/positions/{order['position_id']}/close", params={"trade_type": 2})
    assert closed.status_code == 200, closed.text
    assert closed.json()["order_id"] != order["order_id"]
    assert closed.json()["profit"] is not None
    assert (await http.get("/positions")).json() == []


async def test_an_invalid_order_is_422_from_the_sdk(sim: Simulator, http: httpx.AsyncClient) -> None:
    zero = await http.post("/orders", json={**ORDER, "volume": "0"})
    assert zero.status_code == 422
    assert zero.json()["error"] == "InvalidArgumentError"
    assert "volume must be positive" in zero.json()["message"]

    unknown = await http.post("/orders", json={**ORDER, "symbol": "NOPE"})
    assert unknown.status_code == 422
    assert "unknown symbol" in unknown.json()["message"]
    assert sim.exchange.orders == {}


async def test_a_refused_order_is_409(sim: Simulator, http: httpx.AsyncClient) -> None:
    sim.faults.fail_next("E000031", biz_code="CFD", biz_type="addMarketOrder")
    refused = await http.post("/orders", json=ORDER)
    assert refused.status_code == 409
    body = refused.json()
    assert (body["error"], body["code"], body["biz_code"]) == ("TradingRuleError", "E000031", "CFD")
    assert "Traceback" not in refused.text


async def test_a_lost_answer_is_502_with_the_key_and_resending_executes_once(sim: Simulator) -> None:
    async with running(sim, max_retries=0) as app, browser(app) as http:
        sim.faults.drop_next(after_processing=True, biz_type="addMarketOrder")
        lost = await http.post("/orders", json=ORDER)
        assert lost.status_code == 502
        body = lost.json()
        assert body["error"] == "OrderStateUnknownError"
        key = body["idempotency_key"]
        assert key
        assert key in body["message"]
        assert len(sim.exchange.orders) == 1  # it did execute; only the answer was lost

        resent = await http.post("/orders/resend", json={"idempotency_key": key})
        assert resent.status_code == 201, resent.text
        assert resent.json()["order_id"] in sim.exchange.orders
        assert len(sim.exchange.orders) == 1  # the platform replayed its answer instead of trading again

        again = await http.post("/orders/resend", json={"idempotency_key": key})
        assert again.status_code == 404


async def test_rate_limits_are_429_with_retry_after_and_network_failures_503(sim: Simulator) -> None:
    async with running(sim, max_retries=0) as app, browser(app) as http:
        sim.faults.http_status_next(429, headers={"Retry-After": "7"}, biz_type="queryPositionPage")
        limited = await http.get("/positions")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "7"
        assert limited.json()["error"] == "TooManyRequestsError"

        sim.faults.drop_next(biz_type="queryPositionPage")
        down = await http.get("/positions")
        assert down.status_code == 503
        assert down.json()["error"] in {"TransportError", "ConnectError", "RequestTimeoutError"}

        assert (await http.get("/positions")).status_code == 200


# -- the ticker stream -------------------------------------------------------------------------------


class SSEBrowser:
    """A browser on ``GET /stream/tickers``, driven at the ASGI level.

    ``httpx.ASGITransport`` collects a whole response before returning it, so it cannot read an endless
    stream; this driver hands each body chunk over as the app sends it, and can hang up.
    """

    def __init__(self, app: FastAPI, query: str) -> None:
        self.app = app
        self.scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": "/stream/tickers", "raw_path": b"/stream/tickers",
            "query_string": query.encode(), "headers": [(b"host", b"app")], "root_path": "",
            "server": ("app", 80), "client": ("127.0.0.1", 50000),
        }  # fmt: skip
        self.sent, self.received = anyio.create_memory_object_stream[MutableMapping[str, Any]](math.inf)
        self.gone = anyio.Event()
        self.finished = anyio.Event()
        self._asked = False
        self._text = ""

    async def _receive(self) -> dict[str, Any]:
        if not self._asked:
            self._asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def run(self) -> None:
        """Send the request and take the response until the app returns."""
        async with self.sent:
            await self.app(self.scope, self._receive, self.sent.send)
        self.finished.set()

    async def start(self) -> tuple[int, str]:
        """The response's status and content type."""
        message = await self.received.receive()
        assert message["type"] == "http.response.start"
        return message["status"], dict(message["headers"])[b"content-type"].decode()

    async def tick(self) -> dict[str, Any]:
        """The next ``tick`` event's data."""
        while "\n\n" not in self._text:
            message = await self.received.receive()
            self._text += message["body"].decode()
        event, self._text = self._text.split("\n\n", 1)
        kind, data = event.split("\n")
        assert kind == "event: tick"
        return dict(json.loads(data.removeprefix("data: ")))

    async def symbols(self, wanted: set[str]) -> None:
        """Read ticks until every product of ``wanted`` has had one."""
        seen: set[str] = set()
        while seen != wanted:
            tick = await self.tick()
            assert Decimal(tick["bid"]) <= Decimal(tick["ask"])
            assert isinstance(tick["time_ms"], int)
            seen.add(tick["symbol"])
            assert seen <= wanted

    async def hang_up(self) -> None:
        """Close the connection, and wait for the app to finish the request."""
        self.gone.set()
        await self.finished.wait()
        self.received.close()


async def test_sse_gives_each_browser_its_ticks_on_one_connection_and_unsubscribes_on_hang_up(
    sim: Simulator,
) -> None:
    async with running(sim) as app, anyio.create_task_group() as tg:
        both, gold = SSEBrowser(app, "symbols=EURUSD,XAUUSD"), SSEBrowser(app, "symbols=XAUUSD")
        with anyio.fail_after(10):
            for browser_ in (both, gold):
                tg.start_soon(browser_.run)
                assert await browser_.start() == (200, "text/event-stream; charset=utf-8")
            await both.symbols({"EURUSD", "XAUUSD"})
            await gold.symbols({"XAUUSD"})
            assert len(sim.sockets.quote) == 1  # the browsers share the app's one quote connection
            assert sorted(sim.sockets.quote[0].tickers) == [EURUSD, XAUUSD]

            await both.hang_up()
            await sim.sockets.wait_for(lambda: sim.sockets.quote[0].tickers == [XAUUSD])
            await gold.tick()  # the other browser's stream goes on
            await gold.hang_up()
            await sim.sockets.wait_for(lambda: sim.sockets.quote[0].tickers == [])


async def test_shutdown_ends_open_streams(sim: Simulator) -> None:
    async with anyio.create_task_group() as tg:
        async with running(sim) as app:
            euro = SSEBrowser(app, "symbols=EURUSD")
            tg.start_soon(euro.run)
            with anyio.fail_after(10):
                await euro.start()
                await euro.tick()
        with anyio.fail_after(5):  # leaving the lifespan closed the client, which ended the stream
            await euro.finished.wait()
        euro.received.close()
