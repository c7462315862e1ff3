"""One lifecycle for orders through the typed API against the simulator: pending orders placed,
listed, changed and cancelled by what the SDK returned; values that do not exist yet are ``None``;
closes keep the position's levels; aggregate limit orders; ``side=`` strings; ``checkOrderStatus``;
a per-call ``timeout=`` on every method of ``client.orders`` and ``client.positions``."""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import pytest

import multimarkets_async as mm
from multimarkets_async.models._base import undeclared_fields
from multimarkets_async.resources.orders import Orders
from multimarkets_async.resources.positions import Positions
from multimarkets_async.testing import Simulator
from tests._support import sim_client, sim_order

pytestmark = pytest.mark.anyio

EURUSD_ID, ETHUSDT_ID = 1001, 1004  # ETHUSDT is an aggregation product (dealMode 4), tradeType 2 only
PIP = Decimal("0.00001")


@asynccontextmanager
async def trading(**client_options: Any) -> AsyncIterator[tuple[Simulator, mm.MultiMarkets]]:
    async with Simulator() as sim, sim_client(sim, **client_options) as client:
        yield sim, client


def mid(sim: Simulator, symbol_id: int = EURUSD_ID) -> Decimal:
    symbol = sim.exchange.market.get(symbol_id)
    assert symbol is not None
    return symbol.mid


def sent(sim: Simulator, method: str) -> list[dict[str, Any]]:
    """The bodies of the requests whose bizType ends in ``method``."""
    return [r.body for r in sim.requests if r.biz_type and r.biz_type.endswith(method) and r.body is not None]


async def test_a_limit_order_is_placed_listed_changed_and_cancelled_by_what_the_sdk_returned() -> None:
    async with trading() as (sim, client):
        below = (mid(sim) - Decimal("0.005")).quantize(PIP)
        placed = await client.orders.limit(
            "EURUSD", side=mm.Side.BUY, volume="0.1", price=below, trade_type=2
        )
        assert isinstance(placed, mm.PendingOrderResult)
        assert placed.pending_id.isdigit()
        assert (placed.trade_type, placed.order_status, placed.open_price) == (2, 1, below)
        # nothing traded yet: the platform's zeros are None
        assert [placed.position_id, placed.execute_price, placed.fee, placed.profit] == [None] * 4
        assert undeclared_fields(placed) == set()

        (row,) = await client.orders.pending(trade_type=2)
        assert (row.pending_id, row.order_id) == (placed.pending_id, placed.order_id)
        assert (row.position_id, row.stop_loss, row.exchange_time_ms) == (None, None, None)
        assert row.expire_type is mm.ExpireType.WEEK
        assert row.order_time_ms is not None
        assert undeclared_fields(row) == set()

        record = await client.orders.get(placed.order_id, trade_type=2)
        assert (record.execute_price, record.execute_time_ms) == (None, None)
        assert record.pending_id == placed.pending_id
        assert undeclared_fields(record) == set()
        (listed,) = (await client.orders.list(trade_type=2)).records
        assert (listed.order_id, listed.deal_id, listed.execute_price) == (placed.order_id, None, None)
        assert undeclared_fields(listed) == set()

        lower = below - Decimal("0.001")
        changed = await client.orders.modify(placed, price=lower)
        assert (changed.pending_id, changed.open_price, changed.trade_type) == (placed.pending_id, lower, 2)

        await client.orders.cancel(changed)
        assert await client.orders.pending(trade_type=2) == []
        assert sim.exchange.orders[placed.order_id].status == mm.OrderStatus.CANCELLED
        with pytest.raises(mm.APIError):  # it no longer waits
            await client.orders.cancel(placed)


async def test_cancel_takes_a_pending_order_or_an_id_with_its_trade_type() -> None:
    async with trading() as (sim, client):
        above = (mid(sim) + Decimal("0.005")).quantize(PIP)
        by_pending_id = await client.orders.stop(
            "EURUSD", side="buy", volume="0.1", price=above, trade_type=2
        )
        by_order_id = await client.orders.stop("EURUSD", side="buy", volume="0.1", price=above, trade_type=2)
        listed = await client.orders.stop("EURUSD", side="buy", volume="0.1", price=above, trade_type=2)
        before = len(sim.requests)
        with pytest.raises(mm.InvalidArgumentError, match="needs trade_type="):
            await client.orders.cancel(by_pending_id.pending_id)
        with pytest.raises(mm.InvalidArgumentError, match="PendingOrder"):
            await client.orders.cancel(1.5)  # type: ignore[arg-type]
        assert len(sim.requests) == before  # refused before anything was sent

        await client.orders.cancel(by_pending_id.pending_id, trade_type=2)
        await client.orders.cancel(by_order_id.order_id, trade_type=2)
        (row,) = await client.orders.pending(trade_type=2)
        assert row.pending_id == listed.pending_id
        await client.orders.cancel(row)
        assert await client.orders.pending(trade_type=2) == []
        with pytest.raises(mm.APIError):
            await client.orders.cancel("999", trade_type=2)


async def test_aggregate_limit_orders_open_and_close_and_cancel_by_order_id() -> None:
    async with trading() as (sim, client):
        price = mid(sim, ETHUSDT_ID) - 10
        waiting = await client.orders.aggregate_limit("ETHUSDT", side=mm.Side.BUY, volume="0.5", price=price)
        assert (sent(sim, "addMarketOrder")[-1]["bizType"], waiting.trade_type) == (13, 2)
        await client.orders.cancel(waiting)  # an aggregation product: closeTradePboOrder by order id
        assert sent(sim, "closeTradePboOrder") == [{"tradeType": 2, "orderId": waiting.order_id}]
        assert await client.orders.pending(trade_type=2) == []

        opening = await client.orders.aggregate_limit("ETHUSDT", side="BUY", volume="0.5", price=price)
        sim.set_price(ETHUSDT_ID, price - 5)
        (position,) = (await client.positions.list(trade_type=2)).records
        assert position.order_id == opening.order_id
        closing = await client.orders.aggregate_limit_close(position, price=price + 20, volume="0.2")
        body = sent(sim, "addMarketOrder")[-1]
        assert (body["bizType"], body["direction"], body["positionId"]) == (14, 2, position.position_id)
        assert (closing.position_id, closing.open_or_close) == (position.position_id, 2)
        sim.set_price(ETHUSDT_ID, price + 30)
        (rest,) = (await client.positions.list(trade_type=2)).records
        assert rest.volume == Decimal("0.3")
        full_margin = mm.Position(position_id=1, direction=1, symbol_id=EURUSD_ID, trade_type=1)
        with pytest.raises(mm.InvalidArgumentError, match="tradeType 2"):
            await client.orders.aggregate_limit_close(full_margin, price="1.2")


async def test_a_partial_close_keeps_the_positions_stop_loss_and_take_profit() -> None:
    async with trading() as (sim, client):
        now = mid(sim)
        stop_loss, take_profit = (now - Decimal("0.01")).quantize(PIP), (now + Decimal("0.01")).quantize(PIP)
        await client.orders.market(
            "EURUSD",
            side=mm.Side.BUY,
            volume="0.3",
            trade_type=2,
            stop_loss=stop_loss,
            take_profit=take_profit,
        )
        (position,) = (await client.positions.list(trade_type=2)).records
        await client.positions.close(position, volume="0.1")
        close = sent(sim, "addMarketOrder")[-1]
        assert (close["stopLoss"], close["takeProfit"]) == (position.stop_loss, position.take_profit)
        (rest,) = (await client.positions.list(trade_type=2)).records
        assert (rest.volume, rest.stop_loss_decimal, rest.take_profit_decimal) == (
            Decimal("0.2"), stop_loss, take_profit,
        )  # fmt: skip
        # The simulator honours the close's levels: "0" removes them from what stays open.
        raw = await sim_order(
            client, sim, bizType=2, direction=2, positionId=rest.position_id, requestNum="0.1",
            stopLoss="0", takeProfit="0",
        )  # fmt: skip
        await client.call("tradeapi.app.OrderApiService.addMarketOrder", raw)
        (last,) = (await client.positions.list(trade_type=2)).records
        assert (last.stop_loss, last.take_profit, last.stop_loss_decimal) == (None, None, None)


async def test_what_does_not_exist_yet_is_none_and_every_field_sent_is_declared() -> None:
    async with trading() as (_sim, client):
        opened = await client.orders.market("EURUSD", side=mm.Side.BUY, volume="0.2", trade_type=2)
        assert (opened.profit, opened.interest, opened.stop_loss) == (None, None, None)
        assert opened.position_id is not None
        assert opened.execute_price is not None
        assert undeclared_fields(opened) == set()
        (position,) = (await client.positions.list(trade_type=2)).records
        assert (position.close_time_ms, position.close_price, position.stop_loss) == (None, None, None)
        assert position.open_time_ms is not None
        assert undeclared_fields(position) == set()
        with pytest.warns(DeprecationWarning, match="open_time_ms"):
            assert position.open_time == position.open_time_ms

        closed = await client.orders.close(position)
        assert (closed.open_or_close, closed.profit is not None) == (2, True)
        (done,) = await client.orders.history(trade_type=2)
        assert done.close_time_ms is not None
        assert done.close_price is not None
        assert undeclared_fields(done) == set()
        deals = await client.orders.deals(trade_type=2)
        assert [undeclared_fields(d) for d in deals] == [set(), set()]
        assert all(d.execute_time_ms for d in deals)
        detail = await client.orders.get(opened.order_id, trade_type=2)
        assert (detail.biz_type, detail.pending_id) == (mm.OrderBizType.MARKET_OPEN, None)
        assert undeclared_fields(detail) == set()
        estimate = await client.orders.estimate("EURUSD", side="sell", volume="1", trade_type=2)
        assert undeclared_fields(estimate) == set()


@pytest.mark.parametrize(
    ("model", "payload", "old", "new"),
    [
        (mm.PendingOrder, {"id": "7", "symbolId": 1, "direction": 1, "tradeType": 2}, "id", "pending_id"),
        (mm.PendingOrder, {"id": "7", "symbolId": 1, "direction": 1, "tradeType": 2, "orderTime": 5},
         "order_time", "order_time_ms"),
        (mm.Order, {"id": 8}, "id", "order_id"),
        (mm.Order, {"id": 8, "executeTime": 6}, "execute_time", "execute_time_ms"),
        (mm.OrderDetail, {"orderId": 8, "busiiType": 10}, "busii_type", "biz_type"),
        (mm.Deal, {"dealId": 1, "executeTime": 9}, "execute_time", "execute_time_ms"),
        (mm.Position, {"positionId": 1, "direction": 1, "symbolId": 1, "tradeType": 2, "openTime": 3},
         "open_time", "open_time_ms"),
    ],
)  # fmt: skip
def test_renamed_fields_keep_their_old_names_for_one_release(
    model: type[mm.Order], payload: dict[str, object], old: str, new: str
) -> None:
    record = model.model_validate(payload)
    with pytest.warns(DeprecationWarning, match=f"use {new}"):
        value = getattr(record, old)
    assert value == getattr(record, new) is not None


async def test_side_takes_the_enum_or_buy_and_sell_in_any_case() -> None:
    async with trading() as (sim, client):
        await client.orders.estimate("EURUSD", side="Sell", volume="1", trade_type=2)
        await client.orders.estimate("EURUSD", side="BUY", volume="1", trade_type=2)
        assert [b["direction"] for b in sent(sim, "calculateMarketOrder")] == [2, 1]
        before = len(sim.requests)
        for wrong in (1, "long", None):
            with pytest.raises(mm.InvalidArgumentError, match=r"mm\.Side\.BUY"):
                await client.orders.market("EURUSD", side=wrong, volume="1", trade_type=2)  # type: ignore[arg-type]
        assert len(sim.requests) == before


async def test_status_says_whether_an_order_executed() -> None:
    async with trading() as (sim, client):
        filled = await client.orders.market("EURUSD", side=mm.Side.BUY, volume="0.1", trade_type=2)
        assert await client.orders.status(filled) is True
        below = (mid(sim) - Decimal("0.005")).quantize(PIP)
        waiting = await client.orders.limit(
            "EURUSD", side=mm.Side.BUY, volume="0.1", price=below, trade_type=2
        )
        assert await client.orders.status(waiting) is False
        asked = {"tradeType": 2, "orderId": waiting.order_id, "operatorType": 3}
        assert sent(sim, "checkOrderStatus")[-1] == asked
        sim.set_price(EURUSD_ID, below - Decimal("0.0001"))
        assert await client.orders.status(waiting.order_id) is True
        assert await client.orders.status(filled, operation=mm.OrderOperation.LEVERAGE_CHANGE) is True
        with pytest.raises(mm.APIError):
            await client.orders.status(999)


def _public_methods(cls: type) -> list[tuple[str, inspect.Signature]]:
    return [
        (name, inspect.signature(member))
        for name, member in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_")
    ]


@pytest.mark.parametrize("cls", [Orders, Positions])
def test_every_method_of_orders_and_positions_takes_a_timeout(cls: type) -> None:
    methods = _public_methods(cls)
    assert len(methods) >= 4
    for name, signature in methods:
        parameter = signature.parameters.get("timeout")
        assert parameter is not None, name
        assert (parameter.kind, parameter.default) == (inspect.Parameter.KEYWORD_ONLY, mm.NOT_GIVEN), name


async def test_a_per_call_timeout_applies_to_the_request() -> None:
    async with trading(retry=0) as (sim, client):
        await client.orders.pending(trade_type=2)  # the account is known: the next call sends one request
        for method, call in (
            ("queryPBOOrderPage", lambda: client.orders.pending(trade_type=2, timeout=0.2)),
            ("queryPositionPage", lambda: client.positions.list(trade_type=2, timeout=0.2)),
        ):
            held = sim.faults.delay_next(30, biz_type=method)
            try:
                with anyio.fail_after(10), pytest.raises(mm.RequestTimeoutError):
                    await call()
            finally:
                held.release()


async def test_resend_of_a_lost_pending_order_answers_its_pending_id() -> None:
    async with trading(retry=0) as (sim, client):
        below = (mid(sim) - Decimal("0.005")).quantize(PIP)
        await client.symbols.list()
        sim.faults.drop_next(after_processing=True, biz_type="addMarketOrder")
        with pytest.raises(mm.OrderStateUnknownError) as lost:
            await client.orders.limit("EURUSD", side=mm.Side.BUY, volume="0.1", price=below, trade_type=2)
        again = await client.orders.resend(lost.value)
        assert isinstance(again, mm.PendingOrderResult)
        (row,) = await client.orders.pending(trade_type=2)
        assert row.pending_id == again.pending_id


async def test_the_trading_pages_limit_order_example_runs_as_written() -> None:
    page = (Path(__file__).parent.parent / "docs" / "trading.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
    (example,) = [b for b in blocks if "orders.limit(" in b]
    assert "call(" not in example
    assert "[" not in example  # results read as attributes, never indexed
    namespace: dict[str, Any] = {}
    exec(  # our own documentation, run as written
        "async def example(client, mm):\n" + "".join(f"    {line}\n" for line in example.splitlines()),
        namespace,
    )
    async with trading() as (_sim, client):
        await namespace["example"](client, mm)
        assert await client.orders.pending(trade_type=2) == []


async def test_a_market_order_without_price_waits_for_the_tick_no_longer_than_its_timeout() -> None:
    # The request price comes from the current tick; a silent quote socket must not hold the order
    # for the 10 s default when the caller said timeout=0.3.
    async with trading() as (sim, client):
        with sim.socket_faults.go_silent("quote", new_connections=True):
            with anyio.fail_after(5):  # well under the 10 s that was waited before, whatever timeout said
                with pytest.raises(mm.RequestTimeoutError, match="no tick"):
                    await client.orders.market("EURUSD", side="buy", volume="0.01", trade_type=2, timeout=0.3)
        assert not sim.exchange.orders  # nothing was sent without a price
