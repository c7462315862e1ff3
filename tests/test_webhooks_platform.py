"""The webhook router answering the simulator's platform calls: messages with a checked sign, an
adjustment the platform gave up on (cancelled and reversed exactly once), balances."""

from __future__ import annotations

from decimal import Decimal

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from multimarkets_async import webhooks
from multimarkets_async.testing import Simulator
from multimarkets_async.testing._keys import MESSAGE_API_EXAMPLE, SIGN_DEMO

pytestmark = pytest.mark.anyio


def app_with(handlers: webhooks.WebhookHandlers) -> Starlette:
    return Starlette(routes=webhooks.webhook_routes(handlers, message_path="/message"))


async def test_a_message_with_a_valid_sign_is_delivered_and_a_forged_one_is_not() -> None:
    delivered: list[webhooks.MessageRequest] = []

    async def on_message(message: webhooks.MessageRequest) -> None:
        delivered.append(message)

    app = app_with(
        webhooks.WebhookHandlers(on_message=on_message, message_private_key=MESSAGE_API_EXAMPLE.private_key)
    )
    transport = httpx.ASGITransport(app=app)
    async with Simulator() as sim:
        sent = await sim.platform.send_message(
            "http://integrator/message", to_user="18321956010", content="code 847999",
            public_key=MESSAGE_API_EXAMPLE.public_key, transport=transport,
        )  # fmt: skip
        assert sent.ok
        assert [m.to_user for m in delivered] == ["18321956010"]
        forged = await sim.platform.send_message(
            "http://integrator/message", to_user="18321956010", content="code 000000",
            public_key=SIGN_DEMO.public_key, transport=transport,  # signed for someone else's key
        )  # fmt: skip
        assert not forged.ok
        assert len(delivered) == 1


async def test_an_adjustment_answered_too_late_is_cancelled_and_reversed_once() -> None:
    wallet = {"w1": Decimal("100")}

    async def adjust(request: webhooks.AdjustmentRequest) -> None:
        wallet["w1"] += request.wallet_delta
        await anyio.sleep(
            0.5
        )  # a wallet slower than the platform's 0.2 s patience (the behaviour under test)

    async def cancel(request: webhooks.CancelRequest, original: webhooks.AdjustmentRequest) -> None:
        wallet["w1"] -= original.wallet_delta

    handlers = webhooks.WebhookHandlers(adjust=adjust, cancel_adjustment=cancel)
    transport = httpx.ASGITransport(app=app_with(handlers))
    async with Simulator(webhook_timeout_s=0.2, webhook_cancel_retry_delays_s=(0.05, 0.05, 0.05)) as sim:
        with anyio.fail_after(10):
            result = await sim.platform.adjust(
                "http://integrator", third_server_code="w1", user_name="86001175", currency="USDT",
                amount="30", amount_digits=2, order_id=7, transport=transport,
            )  # fmt: skip
        assert not result.accepted
        assert result.cancel_code == "0"
        assert wallet["w1"] == Decimal("100")  # debited once, reversed once
