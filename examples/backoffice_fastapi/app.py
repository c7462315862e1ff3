"""A broker's back office on FastAPI: customers and bonuses through the Manager API, the company's
events from the data-push socket, and the wallet endpoints the platform calls (Webhook API).

The lifespan owns one ``mm.ManagerClient`` and one task group; a background task in it follows the
data-push stream (a stable ``group``, so nothing is missed across restarts) for the app's lifetime.
The wallet is in memory here; a real one lives in your database, and so must the webhook replay
store (``WebhookHandlers(store=...)``), so a replayed adjustment is never applied twice.

Run (the variables are read when the app starts, not on import)::

    export MULTIMARKETS_BASE_URL=https://api.multimarkets.org MULTIMARKETS_COMPANY_ID=439 \\
           MULTIMARKETS_APP_ID=... MULTIMARKETS_APP_SECRET=...
    uvicorn examples.backoffice_fastapi.app:app
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import anyio
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

import multimarkets_async as mm
from multimarkets_async import webhooks

__all__ = ["Settings", "Wallet", "app", "create_app"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Settings:
    """Which company the service manages."""

    base_url: str
    """Platform URL, or a preset name (``"prd"``, ``"pre"``)."""
    company_id: int
    """The white-label company id."""
    app_id: str = field(repr=False)
    """Manager API app id."""
    app_secret: str = field(repr=False)
    """Manager API app secret. Never logged."""
    data_push_group: str = "backoffice"
    """The data-push consumer group; keep it stable so missed events are replayed."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Read ``MULTIMARKETS_BASE_URL``, ``_COMPANY_ID``, ``_APP_ID`` and ``_APP_SECRET``."""
        try:
            return cls(
                base_url=environ["MULTIMARKETS_BASE_URL"],
                company_id=int(environ["MULTIMARKETS_COMPANY_ID"]),
                app_id=environ["MULTIMARKETS_APP_ID"],
                app_secret=environ["MULTIMARKETS_APP_SECRET"],
            )
        except KeyError as exc:
            raise RuntimeError(f"set {exc.args[0]} (see the module docstring)") from None


class Wallet:
    """The integrator's wallet: balances per (customer, currency). In memory for the example."""

    def __init__(self) -> None:
        self.balances: dict[tuple[str, str], Decimal] = {}

    def balance(self, customer: str, currency: str) -> Decimal:
        """The balance of ``customer`` in ``currency``."""
        return self.balances.get((customer, currency), Decimal(0))

    def apply(self, customer: str, currency: str, delta: Decimal) -> None:
        """Credit (positive) or debit (negative); a debit larger than the balance is refused."""
        after = self.balance(customer, currency) + delta
        if after < 0:
            raise webhooks.Refused("INSUFFICIENT_BALANCE", "insufficient wallet balance")
        self.balances[(customer, currency)] = after


def handlers_for(wallet: Wallet, company_id: int | None) -> webhooks.WebhookHandlers:
    """The Webhook API callbacks, backed by ``wallet``."""

    async def get_balance(request: webhooks.BalanceRequest) -> webhooks.BalanceAnswer:
        amount = wallet.balance(request.third_server_code, request.currency)
        return webhooks.BalanceAnswer(user_name=request.user_name, currency=request.currency, amount=amount)

    async def adjust(request: webhooks.AdjustmentRequest) -> None:
        wallet.apply(request.third_server_code, request.currency, request.wallet_delta)

    async def cancel(request: webhooks.CancelRequest, original: webhooks.AdjustmentRequest) -> None:
        wallet.apply(original.third_server_code, original.currency, -original.wallet_delta)

    return webhooks.WebhookHandlers(
        get_balance=get_balance, adjust=adjust, cancel_adjustment=cancel, company_id=company_id
    )


class NewCustomer(BaseModel):
    """``POST /customers``."""

    email: str
    password: str
    country: str = "GB"
    customer_group_id: int = 1
    currency: str = "USDT"
    trade_type: int = 2
    wallet_id: str | None = None
    """Your own id for the customer (sent as ``thirdServerCode``)."""


class Bonus(BaseModel):
    """``POST /customers/{customer_no}/bonus``."""

    amount: Decimal
    currency: str = "USDT"
    trade_type: int = 2


async def follow_events(manager: mm.ManagerClient, group: str, recent: deque[dict[str, object]]) -> None:
    """Keep the latest company events (a real service would update its own records here)."""
    async with manager.data_push.events(group=group, connection_events=True) as events:
        async for event in events:
            if isinstance(event, mm.ConnectionEvent):
                logger.info("data push %s", event.kind.value)
                continue
            recent.append({"eventType": event.event_type, "id": event.id, "customerNo": event.customer_no})


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI app; ``settings`` default to the environment, read when the app starts."""
    wallet = Wallet()
    recent: deque[dict[str, object]] = deque(maxlen=1000)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        config = settings or Settings.from_env()
        async with (
            mm.ManagerClient(
                base_url=config.base_url,
                company_id=config.company_id,
                app_id=config.app_id,
                app_secret=config.app_secret,
            ) as manager,
            anyio.create_task_group() as tasks,
        ):
            app.state.manager = manager
            tasks.start_soon(follow_events, manager, config.data_push_group, recent)
            yield
            tasks.cancel_scope.cancel()

    app = FastAPI(title="Back office", lifespan=lifespan)
    app.state.wallet = wallet
    app.state.events = recent
    # The platform's calls into our wallet: balance query, adjustment, cancel.
    # The company id check needs settings known when the app is built; from the environment it is off.
    handlers = handlers_for(wallet, settings.company_id if settings else None)
    app.include_router(webhooks.webhook_api_router(handlers), prefix="/platform")

    @app.post("/customers", status_code=201)
    async def register(customer: NewCustomer, request: Request) -> dict[str, str]:
        manager: mm.ManagerClient = request.app.state.manager
        try:
            customer_no = await manager.customers.register(
                email=customer.email,
                password=customer.password,
                country=customer.country,
                customer_group_id=customer.customer_group_id,
                currencies=[(customer.trade_type, customer.currency)],
                third_server_code=customer.wallet_id,
            )
        except (mm.InvalidArgumentError, mm.ValidationError) as exc:
            raise HTTPException(422, exc.message) from exc
        except mm.BusinessError as exc:
            raise HTTPException(409, exc.message) from exc
        return {"customer_no": customer_no}

    @app.post("/customers/{customer_no}/bonus")
    async def bonus(customer_no: str, body: Bonus, request: Request) -> dict[str, str]:
        manager: mm.ManagerClient = request.app.state.manager
        try:
            adjustment = await manager.balances.update(
                customer_no, amount=body.amount, currency=body.currency, trade_type=body.trade_type
            )
        except mm.APIError as exc:
            raise HTTPException(409, exc.message) from exc
        return {"request_no": str(adjustment.request_no)}

    @app.get("/events")
    async def events() -> list[dict[str, object]]:
        return list(recent)

    return app


app = create_app()
