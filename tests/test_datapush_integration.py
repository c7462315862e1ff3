"""manager.data_push against the simulator: typed events from real changes, reconnects, replay per
group, and a refused token."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import anyio
import pytest

import multimarkets_async as mm
from multimarkets_async.testing import Simulator
from tests._support import sim_manager

pytestmark = pytest.mark.anyio


async def collect(events: mm.Subscription[Any], count: int) -> list[Any]:
    with anyio.fail_after(5):
        return [await events.__anext__() for _ in range(count)]


async def register(manager: mm.ManagerClient, email: str) -> str:
    return await manager.customers.register(
        password="s3cret", country="GB", customer_group_id=1, currencies=[(2, "USDT")], email=email
    )


async def test_a_registration_and_a_bonus_arrive_as_typed_events() -> None:
    async with Simulator() as sim, sim_manager(sim) as manager:
        wanted = {"register", "account_adjust"}
        async with manager.data_push.events(group="bo", event_types=wanted) as events:
            await sim.sockets.wait_for(lambda: sim.sockets.datapush)
            (session,) = sim.sockets.datapush
            assert session.group == "bo"
            customer_no = await register(manager, "bo@example.com")
            (registered,) = await collect(events, 1)
            assert isinstance(registered, mm.RegisterEvent)
            assert registered.customer_no == customer_no
            await manager.balances.update(customer_no, amount=Decimal("25"), currency="USDT", trade_type=2)
            (bonus,) = await collect(events, 1)
            assert isinstance(bonus, mm.AccountAdjustEvent)
            assert bonus.amount == Decimal("25")


async def test_the_stream_survives_a_dropped_connection() -> None:
    async with Simulator() as sim, sim_manager(sim) as manager:
        async with manager.data_push.events(event_types={"register"}, connection_events=True) as events:
            await sim.sockets.wait_for(lambda: sim.sockets.datapush)
            (first,) = sim.sockets.datapush
            sim.socket_faults.drop_all("datapush")
            await sim.sockets.wait_for(lambda: [s for s in sim.sockets.datapush if s is not first])
            await register(manager, "after-drop@example.com")
            kinds = [
                e.kind if isinstance(e, mm.ConnectionEvent) else type(e) for e in await collect(events, 3)
            ]
            assert kinds == [
                mm.ConnectionEventKind.DISCONNECTED,
                mm.ConnectionEventKind.RECONNECTED,
                mm.RegisterEvent,
            ]


async def test_a_group_gets_what_it_missed_while_it_was_away() -> None:
    async with Simulator() as sim, sim_manager(sim) as manager:
        async with manager.data_push.events(group="ledger", event_types={"register"}):
            await sim.sockets.wait_for(lambda: sim.sockets.datapush)
        await sim.sockets.wait_for(lambda: not sim.sockets.datapush)  # leaving disconnected the group
        customer_no = await register(manager, "missed@example.com")
        async with manager.data_push.events(group="ledger", event_types={"register"}) as events:
            (missed,) = await collect(events, 1)
            assert missed.customer_no == customer_no


async def test_an_expired_company_token_is_renewed_for_the_handshake() -> None:
    async with Simulator() as sim, sim_manager(sim) as manager:
        await manager.authorize()
        sim.expire_manager_tokens()
        async with manager.data_push.events(event_types={"register"}) as events:
            customer_no = await register(manager, "renewed@example.com")
            (event,) = await collect(events, 1)
            assert event.customer_no == customer_no


async def test_every_event_type_emitted_by_the_platform_is_typed() -> None:
    async with Simulator() as sim, sim_manager(sim) as manager:
        types = ["kyc", "deposit", "withdraw", "trade_deal", "position_update", "something_new"]
        async with manager.data_push.events() as events:
            await sim.sockets.wait_for(lambda: sim.sockets.datapush)
            for n, event_type in enumerate(types):
                sim.datapush.emit(event_type, {"id": str(n), "companyId": sim.company_id})
            received = await collect(events, len(types))
        assert [type(e) for e in received] == [
            mm.KycEvent, mm.DepositEvent, mm.WithdrawEvent,
            mm.TradeDealEvent, mm.PositionEvent, mm.DataPushEvent,
        ]  # fmt: skip


async def test_a_repeat_delivered_after_the_group_rejoins_is_dropped() -> None:
    async with Simulator() as sim, sim_manager(sim) as manager:
        async with manager.data_push.events(group="ledger", event_types={"register"}) as events:
            first = await register(manager, "first@example.com")
            (event,) = await collect(events, 1)
            assert event.customer_no == first
        await sim.sockets.wait_for(lambda: not sim.sockets.datapush)
        async with manager.data_push.events(group="ledger", event_types={"register"}) as events:
            await sim.sockets.wait_for(lambda: sim.sockets.datapush)
            (delivered,) = sim.datapush.of_type("register")
            sim.datapush.emit("register", delivered)  # at-least-once: the platform sends it again
            second = await register(manager, "second@example.com")
            (event,) = await collect(events, 1)
            assert event.customer_no == second


async def test_subscribers_that_joined_a_failing_start_fail_with_it() -> None:
    async with Simulator() as sim, sim_manager(sim) as manager:
        sim.socket_faults.refuse_handshakes(10, status=403, kind="datapush")
        failures: list[BaseException] = []

        async def subscribe() -> None:
            try:
                async with manager.data_push.events(group="bo") as events:
                    await events.__anext__()
            except mm.HandshakeError as exc:
                failures.append(exc)

        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:
                tg.start_soon(subscribe)
                await anyio.wait_all_tasks_blocked()  # the first is starting the group's connection
                tg.start_soon(subscribe)
        assert len(failures) == 2
        assert manager.data_push.connection("bo") is None
