"""examples/backoffice_fastapi against the simulator: Manager calls, data-push events, and the
simulator's platform calling the app's wallet endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

import anyio
import httpx
import pytest

from examples.backoffice_fastapi.app import Settings, create_app
from multimarkets_async.testing import Simulator

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def service() -> AsyncIterator[tuple[Simulator, httpx.AsyncClient, object]]:
    async with Simulator() as sim:
        settings = Settings(
            base_url=sim.base_url,
            company_id=sim.company_id,
            app_id=sim.manager_app_id,
            app_secret=sim.manager_app_secret,
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://backoffice") as http:
                yield sim, http, app


async def wait_for_event(http: httpx.AsyncClient, event_type: str, customer_no: str) -> None:
    with anyio.fail_after(5):
        while True:
            events = (await http.get("/events")).json()
            if any(e["eventType"] == event_type and e["customerNo"] == customer_no for e in events):
                return
            await anyio.sleep(0.01)  # the data-push consumer runs in the app's own task: poll its record


async def test_register_a_customer_give_a_bonus_and_see_the_events() -> None:
    async with service() as (sim, http, _app):
        await sim.sockets.wait_for(lambda: sim.sockets.datapush)
        created = await http.post("/customers", json={"email": "new@example.com", "password": "s3cret"})
        assert created.status_code == 201
        customer_no = created.json()["customer_no"]
        await wait_for_event(http, "register", customer_no)
        bonus = await http.post(f"/customers/{customer_no}/bonus", json={"amount": "25"})
        assert bonus.status_code == 200
        await wait_for_event(http, "account_adjust", customer_no)
        duplicate = await http.post("/customers", json={"email": "new@example.com", "password": "s3cret"})
        assert duplicate.status_code == 409


async def test_the_platform_calls_the_wallet_endpoints() -> None:
    async with service() as (sim, _http, app):
        app.state.wallet.apply("w1", "USDT", Decimal("100"))  # type: ignore[attr-defined]
        target = "http://backoffice/platform"
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        opened = await sim.platform.adjust(
            target, third_server_code="w1", user_name="86001175", currency="USDT", amount="30",
            amount_digits=2, order_id=1, transport=transport,
        )  # fmt: skip
        assert opened.accepted
        balance = await sim.platform.query_balance(
            target, third_server_code="w1", user_name="86001175", currency="USDT", transport=transport
        )
        assert balance.ok
        assert balance.amount == Decimal("70")
        refused = await sim.platform.adjust(
            target, third_server_code="w1", user_name="86001175", currency="USDT", amount="1000",
            amount_digits=2, order_id=2, transport=transport,
        )  # fmt: skip
        assert not refused.accepted
        assert refused.cancel_code == "US_0000001"  # received, refused, nothing to reverse
        assert app.state.wallet.balance("w1", "USDT") == Decimal("70")  # type: ignore[attr-defined]
