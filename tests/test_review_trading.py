"""Review of the trading side (issue 9): failure paths of orders and the account, against the simulator.

A lost answer resent through ``orders.resend`` gives back what the first answer would have (a pending
order that ``cancel()`` takes, a changed pending order), and refuses, before sending, the operations
whose answer is not an order; the margin change takes the caller's idempotency key; a wrong ledger
direction is an argument error; pages and positions declare every documented field; a close of a
position without levels sends none; the account page's examples run as written.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import multimarkets_async as mm
from multimarkets_async.models._base import undeclared_fields
from multimarkets_async.models.backoffice import ManagedPosition
from multimarkets_async.resources.orders import Orders
from multimarkets_async.resources.positions import Positions
from multimarkets_async.testing import Simulator
from tests._support import sim_client

pytestmark = pytest.mark.anyio

EURUSD_ID = 1001
PIP = Decimal("0.00001")


@asynccontextmanager
async def trading(**client_options: Any) -> AsyncIterator[tuple[Simulator, mm.MultiMarkets]]:
    async with Simulator() as sim, sim_client(sim, **client_options) as client:
        yield sim, client


def below_market(sim: Simulator) -> Decimal:
    symbol = sim.exchange.market.get(EURUSD_ID)
    assert symbol is not None
    return (symbol.mid - Decimal("0.005")).quantize(PIP)


def sent(sim: Simulator, method: str) -> list[dict[str, Any]]:
    return [r.body for r in sim.requests if r.biz_type and r.biz_type.endswith(method) and r.body is not None]


async def test_a_resent_pending_order_can_be_cancelled_like_the_first_answer() -> None:
    async with trading(retry=0) as (sim, client):
        await client.symbols.list()
        sim.faults.drop_next(after_processing=True, biz_type="addMarketOrder")
        with pytest.raises(mm.OrderStateUnknownError) as lost:
            await client.orders.limit(
                "EURUSD", side="buy", volume="0.1", price=below_market(sim), trade_type=2
            )
        again = await client.orders.resend(lost.value)
        assert isinstance(again, mm.PendingOrderResult)
        assert again.trade_type == 2  # as limit() sets it: cancel() and modify() need it
        await client.orders.cancel(again)
        assert await client.orders.pending(trade_type=2) == []


async def test_a_resent_modify_answers_a_pending_order_result() -> None:
    async with trading(retry=0) as (sim, client):
        price = below_market(sim)
        placed = await client.orders.limit("EURUSD", side="buy", volume="0.1", price=price, trade_type=2)
        sim.faults.drop_next(after_processing=True, biz_type="updatePboOrder")
        with pytest.raises(mm.OrderStateUnknownError) as lost:
            await client.orders.modify(placed, price=price - Decimal("0.001"))
        changed = await client.orders.resend(lost.value)
        assert isinstance(changed, mm.PendingOrderResult)
        assert (changed.pending_id, changed.trade_type) == (placed.pending_id, 2)
        assert changed.open_price == price - Decimal("0.001")


async def test_resend_of_a_lost_cancel_is_refused_before_sending_and_names_the_way() -> None:
    async with trading(retry=0) as (sim, client):
        placed = await client.orders.limit(
            "EURUSD", side="buy", volume="0.1", price=below_market(sim), trade_type=2
        )
        sim.faults.drop_next(after_processing=True, biz_type="closePboOrder")
        with pytest.raises(mm.OrderStateUnknownError) as lost:
            await client.orders.cancel(placed)
        before = len(sim.requests)
        with pytest.raises(mm.InvalidArgumentError, match=r"idempotency_key=lost\.idempotency_key"):
            await client.orders.resend(lost.value)
        assert len(sim.requests) == before
        # The way it names: the same cancel under the same key is answered from the gateway's cache.
        await client.orders.cancel(placed, idempotency_key=lost.value.idempotency_key)
        assert await client.orders.pending(trade_type=2) == []


async def test_adjust_margin_repeated_under_its_key_moves_the_margin_once() -> None:
    async with trading(retry=0) as (sim, client):
        await client.orders.market("EURUSD", side=mm.Side.BUY, volume="0.1", trade_type=2)
        (position,) = (await client.positions.list(trade_type=2)).records
        assert position.margin is not None
        key = client.orders.new_idempotency_key()
        sim.faults.drop_next(after_processing=True, biz_type="updateOccupyTheMargin")
        with pytest.raises(mm.OrderStateUnknownError):
            await client.account.adjust_margin(position, "100", idempotency_key=key)
        await client.account.adjust_margin(position, "100", idempotency_key=key)
        assert [r.headers.get("idempotency-key") for r in sim.requests if r.biz_type.endswith("Margin")] == [
            key
        ] * 2
        after = await client.positions.get(position.position_id, trade_type=2)
        assert after.margin == position.margin + 100


async def test_a_wrong_ledger_direction_is_an_argument_error() -> None:
    async with trading() as (sim, client):
        before = len(sim.requests)
        for wrong in ("Debit", "in", 1):
            with pytest.raises(mm.InvalidArgumentError, match="direction must be 'credit', 'debit'"):
                await client.account.ledger(trade_type=2, direction=wrong)  # type: ignore[arg-type]
        assert len(sim.requests) == before


async def test_pages_declare_their_page_count() -> None:
    async with trading() as (_sim, client):
        await client.orders.market("EURUSD", side=mm.Side.BUY, volume="0.1", trade_type=2)
        page = await client.positions.list(trade_type=2)
        assert page.pages == 1
        assert undeclared_fields(page) == set()
        ledger = await client.account.ledger(trade_type=2)
        assert (ledger.pages, undeclared_fields(ledger)) == (1, set())


def test_a_position_declares_close_free_digits_as_an_int() -> None:
    # The reference's example row, with the decimals it documents as ints.
    row = {
        "positionId": 2022122620993, "orderId": 24153319, "symbolId": 967, "tradeType": 1, "direction": 1,
        "status": "1", "closeTime": 0, "openSymbolDigits": 2, "closeFreeDigits": 4,
    }  # fmt: skip
    for model in (mm.Position, ManagedPosition):
        position = model.model_validate(row)
        assert position.close_free_digits == 4
        assert undeclared_fields(position) == set()


async def test_closing_a_position_without_levels_sends_none() -> None:
    async with trading() as (sim, client):
        await client.orders.market("EURUSD", side="buy", volume="0.2", trade_type=2)
        (position,) = (await client.positions.list(trade_type=2)).records
        assert (position.stop_loss, position.take_profit) == (None, None)
        await client.orders.close(position, volume="0.1")
        await client.positions.close(position.model_copy(update={"volume": Decimal("0.1")}))
        closes = [b for b in sent(sim, "addMarketOrder") if b["bizType"] == 2]
        assert len(closes) == 2
        assert all("stopLoss" not in b and "takeProfit" not in b for b in closes)
        assert (await client.positions.list(trade_type=2)).records == []


async def test_side_strings_are_read_without_surrounding_spaces_and_ints_are_refused() -> None:
    async with trading() as (sim, client):
        await client.orders.estimate("EURUSD", side=" Sell ", volume="1", trade_type=2)  # type: ignore[arg-type]
        assert sent(sim, "calculateMarketOrder")[-1]["direction"] == 2
        with pytest.raises(mm.InvalidArgumentError, match=r"mm\.Side\.SELL"):
            await client.orders.estimate("EURUSD", side=2, volume="1", trade_type=2)  # type: ignore[arg-type]
        with pytest.raises(mm.InvalidArgumentError, match="needs trade_type="):
            await client.orders.cancel(123)


async def test_the_account_pages_examples_run_as_written() -> None:
    page = (Path(__file__).parent.parent / "docs" / "account.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL) if "client.call(" not in b]
    assert len(blocks) >= 5
    async with trading() as (_sim, client):
        await client.orders.market("EURUSD", side=mm.Side.BUY, volume="0.3", trade_type=2)
        for block in blocks:
            namespace: dict[str, Any] = {}
            exec(  # our own documentation, run as written
                "async def example(client, mm):\n" + "".join(f"    {line}\n" for line in block.splitlines()),
                namespace,
            )
            await namespace["example"](client, mm)


def _documented_calls(section: str) -> list[tuple[str, list[str]]]:
    """``(method, keyword names)`` of each ``method(...)`` in the first column of ``section``'s tables."""
    calls = []
    for line in section.splitlines():
        if line.startswith("| `"):
            for name, args in re.findall(r"`(\w+)\(([^`]*)\)`", line.split(" | ")[0]):
                calls.append((name, re.findall(r"(\w+)=", args)))
    return calls


@pytest.mark.parametrize(
    ("heading", "resource"),
    [("## Orders: `client.orders`", Orders), ("## Positions: `client.positions`", Positions)],
)
def test_the_trading_pages_tables_name_real_methods_and_arguments(heading: str, resource: type) -> None:
    page = (Path(__file__).parent.parent / "docs" / "trading.md").read_text(encoding="utf-8")
    section = page.split(heading, 1)[1].split("\n## ", 1)[0]
    calls = _documented_calls(section)
    assert len(calls) >= 4
    for name, keywords in calls:
        parameters = inspect.signature(getattr(resource, name)).parameters
        assert set(keywords) <= set(parameters), (name, set(keywords) - set(parameters))


def test_the_trading_page_says_profile_fetches() -> None:
    page = (Path(__file__).parent.parent / "docs" / "trading.md").read_text(encoding="utf-8")
    accounts = page.split("## Accounts: `client.account`", 1)[1]
    assert "(cached)" not in accounts
    assert "profile(cached=True)" in accounts


async def test_status_of_a_full_margin_order_asks_under_its_own_trade_type() -> None:
    async with trading() as (sim, client):
        filled = await client.orders.market("EURUSD", side=mm.Side.BUY, volume="0.1", trade_type=1)
        assert filled.trade_type == 1
        assert await client.orders.status(filled) is True
        assert sent(sim, "checkOrderStatus")[-1]["tradeType"] == 1


async def test_positions_close_takes_what_orders_close_takes() -> None:
    orders = inspect.signature(Orders.close).parameters
    positions = inspect.signature(Positions.close).parameters
    assert list(positions) == list(orders)
    async with trading() as (sim, client):
        await client.orders.market("EURUSD", side="buy", volume="0.1", trade_type=2)
        (position,) = (await client.positions.list(trade_type=2)).records
        seen = sim.exchange.market.get(EURUSD_ID)
        assert seen is not None
        await client.positions.close(position, price=seen.mid.quantize(PIP))
        assert sent(sim, "addMarketOrder")[-1]["requestPrice"] == str(int(seen.mid.quantize(PIP) / PIP))


async def test_a_wrong_expire_is_an_argument_error_before_anything_is_sent() -> None:
    async with trading() as (sim, client):
        before = len(sim.requests)
        for wrong in ("day", 9, True):
            with pytest.raises(mm.InvalidArgumentError, match=r"mm\.ExpireType"):
                await client.orders.limit(
                    "EURUSD",
                    side="buy",
                    volume="0.1",
                    price="1.0",
                    trade_type=2,
                    expire=wrong,  # type: ignore[arg-type]
                )
        assert len(sim.requests) == before
        placed = await client.orders.limit(
            "EURUSD",
            side="buy",
            volume="0.1",
            price=below_market(sim),
            trade_type=2,
            expire=1,  # type: ignore[arg-type]
        )
        assert sent(sim, "addMarketOrder")[-1]["expireType"] == 1
        await client.orders.cancel(placed)
