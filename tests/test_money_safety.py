"""Money is never paid twice and an unknown outcome is never hidden (issue #8, section 3).

Orders whose answer was lost surface as ``OrderStateUnknownError`` whatever a retry then meets;
Manager money operations are never sent again once an attempt may have reached the server; a
cancelled order can be repeated under the caller's own idempotency key.
"""

from __future__ import annotations

import json
from decimal import Decimal

import anyio
import httpx
import pytest

import multimarkets_async as mm
from multimarkets_async.protocol.backoff import Failure, retry_decision
from multimarkets_async.protocol.crypto import decrypt_body
from multimarkets_async.protocol.operations import Family, manager_operation, may_repeat, operation_for
from multimarkets_async.testing import Simulator
from multimarkets_async.testing._keys import TRADE_H5_COMPANY
from tests._support import (
    MANAGER_AUTH_PATH,
    Answer,
    Script,
    mock_client,
    mock_manager,
    ok,
    sim_client,
    sim_manager,
)

pytestmark = pytest.mark.anyio

ORDER = "tradeapi.app.OrderApiService.addMarketOrder"
ADJUST = "fund.admin.CustomerAdjustProposalAdminDubboService.addCustomerAdjustProposal"
BONUS = "fund.admin.CustomerActivityBonusAdminDubboService.operationBonus"
FAST = mm.RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002)


def signed(script: Script) -> mm.MultiMarkets:
    return mock_client(script, signed=True, retry=FAST)


class FakeManager:
    """Authorizes, then answers Manager calls from a script; records the decrypted bodies."""

    def __init__(self, *answers: Answer) -> None:
        self.script = Script(*answers)
        self.bodies: list[dict[str, object]] = []

    @property
    def calls(self) -> list[httpx.Request]:
        return self.script.requests

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == MANAGER_AUTH_PATH:
            return ok({"token": "tok-admin", "publicKey": TRADE_H5_COMPANY.public_key, "id": 439})
        self.bodies.append(decrypt_body(json.loads(request.content)["data"], TRADE_H5_COMPANY.private_key))
        return self.script(request)


def manager(fake: FakeManager) -> mm.ManagerClient:
    return mock_manager(fake, retry=FAST)


# -- orders: once an attempt may have run, every later failure is an unknown outcome ------------------


async def test_an_order_retry_answered_by_a_non_json_page_is_an_unknown_outcome() -> None:
    script = Script(httpx.ReadTimeout("slow"), httpx.Response(200, text="<html>maintenance</html>"))
    async with signed(script) as client:
        with pytest.raises(mm.OrderStateUnknownError) as info:
            await client.call(ORDER, {"symbolId": 1, "requestNum": "0.1"})
    error = info.value
    assert error.idempotency_key == script.requests[0].headers["idempotency-key"]
    assert error.body == {"symbolId": 1, "requestNum": "0.1"}
    assert isinstance(error.__cause__, mm.ProtocolError)
    assert len(script.requests) == 2


async def test_an_order_answer_that_cannot_be_read_leaves_the_order_unknown() -> None:
    script = Script(httpx.Response(200, text="<html>bad gateway</html>"))
    async with signed(script) as client:
        with pytest.raises(mm.OrderStateUnknownError, match="could not be read") as info:
            await client.call(ORDER, {"symbolId": 1})
    assert info.value.idempotency_key == script.requests[0].headers["idempotency-key"]
    assert isinstance(info.value.__cause__, mm.ProtocolError)


async def test_an_order_retry_meeting_a_503_chains_the_503() -> None:
    script = Script(httpx.ReadTimeout("slow"), httpx.Response(503), httpx.Response(503))
    async with signed(script) as client:
        with pytest.raises(mm.OrderStateUnknownError) as info:
            await client.call(ORDER, {"symbolId": 1})
    assert isinstance(info.value.__cause__, mm.ServerUnavailableError)


async def test_a_lockout_met_before_the_retry_of_a_lost_order_is_an_unknown_outcome() -> None:
    script = Script(httpx.ReadTimeout("slow"), ok({"orderId": 1}))
    async with signed(script) as client:
        session = client._session
        real_sleep = session._sleep

        async def sleep_then_lock(seconds: float) -> None:
            session.locked_until = session._clock() + 300  # a 418 answered another call meanwhile
            await real_sleep(0)

        session._sleep = sleep_then_lock
        with pytest.raises(mm.OrderStateUnknownError) as info:
            await client.call(ORDER, {"symbolId": 1})
    assert isinstance(info.value.__cause__, mm.LockedOutError)
    assert len(script.requests) == 1


# -- Manager money operations are never sent twice -------------------------------------------------------


async def test_a_balance_adjustment_with_no_answer_is_not_retried_and_is_an_unknown_outcome() -> None:
    fake = FakeManager(httpx.ReadTimeout("slow"), ok("A20221212686244"))
    async with manager(fake) as client:
        with pytest.raises(mm.OutcomeUnknownError) as info:
            await client.balances.update(
                "86000020", amount=Decimal("5"), currency="USDT", trade_type=1, request_no="r-7"
            )
    error = info.value
    assert not isinstance(error, mm.OrderStateUnknownError)
    assert len(fake.calls) == 1  # sent once: a second send might pay the customer twice
    assert error.biz_type == ADJUST
    assert error.idempotency_key == "r-7"
    assert error.body is not None
    assert error.body["amount"] == "5"
    assert "r-7" in str(error)
    assert "may or may not have been applied" in str(error)
    assert "replays its cached answer" not in str(error)  # never promise a key the Manager API lacks
    assert isinstance(error.__cause__, httpx.ReadTimeout)


async def test_a_balance_adjustment_is_retried_when_nothing_was_sent() -> None:
    fake = FakeManager(httpx.ConnectError("refused"), ok("A20221212686244"))
    async with manager(fake) as client:
        result = await client.balances.update("86000020", amount="5", currency="USDT", trade_type=1)
    assert result.proposal_no == "A20221212686244"
    assert len(fake.calls) == 2


async def test_a_bonus_through_call_with_a_dropped_connection_is_sent_once() -> None:
    fake = FakeManager(httpx.RemoteProtocolError("gone"), httpx.ConnectError("refused"), ok({}))
    async with manager(fake) as client:
        with pytest.raises(mm.OutcomeUnknownError) as info:
            await client.call(BONUS, {"customerNo": "86000020", "bonus": 5, "type": 1})
    assert len(fake.calls) == 1
    assert info.value.idempotency_key is None
    assert "look for it before sending it again" in str(info.value)


def test_a_key_makes_a_write_repeatable_only_where_the_docs_define_it() -> None:
    adjust = manager_operation(ADJUST)
    assert adjust.moves_money
    assert not adjust.safe_to_repeat
    assert manager_operation(BONUS).moves_money
    assert not manager_operation(
        "fund.admin.CustomerAdjustProposalAdminDubboService.getCustomerAdjustProposalById"
    ).moves_money
    assert not may_repeat(adjust, Family.MANAGER, "r-1")
    order = operation_for(ORDER)
    assert may_repeat(order, Family.CLIENT, "k")
    assert may_repeat(order, Family.OPEN, "k")
    assert not may_repeat(order, Family.CLIENT, None)
    # Once an attempt may have run, a non-repeatable call is not resent even after a refused connection.
    kwargs = {"attempt": 1, "max_retries": 3, "backoff": 0.1}
    assert retry_decision(Failure.NOT_SENT, repeatable=False, **kwargs).retry  # type: ignore[arg-type]
    again = retry_decision(Failure.NOT_SENT, repeatable=False, maybe_delivered=True, **kwargs)  # type: ignore[arg-type]
    assert not again.retry


async def test_simulator_a_lost_adjustment_answer_is_reported_and_paid_once() -> None:
    async with Simulator() as sim:
        async with sim_manager(sim, retry=FAST) as client:
            before = (await client.balances.get("86001175", trade_type=1)).balance
            sim.faults.drop_next(after_processing=True, biz_type="addCustomerAdjustProposal")
            with pytest.raises(mm.OutcomeUnknownError) as info:
                await client.balances.update(
                    "86001175", amount="12.5", currency="USDT", trade_type=1, request_no="bonus-1"
                )
            after = (await client.balances.get("86001175", trade_type=1)).balance
    assert info.value.idempotency_key == "bonus-1"
    assert after - before == Decimal("12.5")  # applied once, not once per attempt
    sent = [r for r in sim.requests if r.biz_type.endswith("addCustomerAdjustProposal")]
    assert len(sent) == 1


# -- cancellation: the caller holds the key and repeats the call -------------------------------------------


async def test_a_cancelled_order_repeated_with_the_same_key_runs_once() -> None:
    async with Simulator() as sim:
        async with sim_client(sim) as client:
            await client.symbols.list()
            key = client.orders.new_idempotency_key()
            held = sim.faults.delay_next(30, biz_type="addMarketOrder")
            with anyio.CancelScope() as scope:
                async with anyio.create_task_group() as tg:

                    async def cancel_once_received() -> None:
                        await held.wait_hit()  # the order reached the server and is executing
                        scope.cancel()

                    tg.start_soon(cancel_once_received)
                    await client.orders.market(
                        "EURUSD", side=mm.Side.BUY, volume="0.1", trade_type=2, idempotency_key=key
                    )
            assert scope.cancelled_caught
            held.release()  # the server may finish the order the client gave up on, or not
            # Same call, same key: the cached answer if it ran (or an in-flight refusal, retried), else
            # it runs now. Either way the order exists once.
            filled = await client.orders.market(
                "EURUSD", side=mm.Side.BUY, volume="0.1", trade_type=2, idempotency_key=key
            )
            (order,) = sim.exchange.orders.values()
            assert filled.order_id == order.order_id
    placed = [r for r in sim.requests if r.biz_type.endswith("addMarketOrder")]
    assert [r.headers["idempotency-key"] for r in placed] == [key, key]


async def test_typed_order_calls_send_the_callers_key() -> None:
    async with Simulator() as sim:
        async with sim_client(sim) as client:
            await client.orders.limit(
                "EURUSD", side=mm.Side.BUY, volume="0.1", price="1.00000", trade_type=2, idempotency_key="k-1"
            )
            (pending,) = await client.orders.pending(trade_type=2)
            await client.orders.cancel(pending, idempotency_key="k-2")
            with pytest.raises(mm.InvalidArgumentError, match="must not be empty"):
                await client.orders.market(
                    "EURUSD", side=mm.Side.BUY, volume="0.1", trade_type=2, idempotency_key=" "
                )
    keys = [
        r.headers.get("idempotency-key") for r in sim.requests if r.biz_type.endswith(("PboOrder", "Order"))
    ]
    assert "k-1" in keys
    assert "k-2" in keys
