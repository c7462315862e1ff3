"""The Manager data-push dialect (pure) and iterator (on an in-memory socket)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from decimal import Decimal

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st

import multimarkets_async as mm
from multimarkets_async.errors import ProtocolError
from multimarkets_async.models import datapush as models
from multimarkets_async.models._base import undeclared_fields
from multimarkets_async.protocol.datapush import DedupeWindow, decode_event
from multimarkets_async.protocol.dialects import DataPushDialect
from multimarkets_async.resources.datapush import DataPush
from multimarkets_async.testing import Simulator
from tests._support import sim_client, sim_manager, sim_order
from tests.memory_socket import MemoryBackend, MemorySocket

POSITION = (
    '{"data":{"id":"2022072600132","accountId":1031767,"companyId":360,"customerNo":"86001175","symbolId":967,'
    '"symbolDigits":2,"tradeType":1,"direction":1,"orderId":24153319,"status":1,"openVolume":1,"openPrice":705,'
    '"stopLoss":"0","takeProfit":"0","updateTime":1672023552024},"eventType":"position_insert"}'
)
DEAL = (
    '{"data":{"id":"1","orderId":5,"positionId":6,"orderStatus":2,"bizType":1,"direction":2,"tradeType":1,'
    '"symbolId":967,"executeNum":0.001,"executePrice":3009452,"digits":2,"updateTime":1},"eventType":"trade_deal"}'
)


def test_events_decode_into_their_models_with_scaled_prices() -> None:
    position = decode_event(POSITION)
    assert isinstance(position, models.PositionEvent)
    assert position.id == "2022072600132"
    assert position.open_price_decimal == Decimal("7.05")
    deal = decode_event(DEAL)
    assert isinstance(deal, models.TradeDealEvent)
    assert deal.execute_price_decimal == Decimal("30094.52")
    assert deal.execute_num == Decimal("0.001")


@pytest.mark.parametrize(
    ("event_type", "model"),
    [
        ("register", models.RegisterEvent),
        ("customer_update", models.CustomerUpdateEvent),
        ("customer_info_insert", models.CustomerInfoEvent),
        ("customer_info_update", models.CustomerInfoEvent),
        ("kyc", models.KycEvent),
        ("open_account", models.AccountEvent),
        ("account_update", models.AccountEvent),
        ("subject_insert", models.SubjectEvent),
        ("subject_update", models.SubjectEvent),
        ("subject_water_insert", models.SubjectWaterEvent),
        ("subject_water_update", models.SubjectWaterEvent),
        ("position_insert", models.PositionEvent),
        ("position_update", models.PositionEvent),
        ("position_delete", models.PositionEvent),
        ("trade_deal", models.TradeDealEvent),
        ("deposit", models.DepositEvent),
        ("account_adjust", models.AccountAdjustEvent),
        ("withdraw", models.WithdrawEvent),
    ],
)
def test_every_documented_event_type_has_its_model(event_type: str, model: type) -> None:
    event = decode_event(json.dumps({"data": {"id": 7, "companyId": 439}, "eventType": event_type}))
    assert type(event) is model
    assert event is not None
    assert (event.event_type, event.id, event.company_id) == (event_type, "7", 439)


def test_unknown_event_types_are_delivered_generically_and_keep_their_fields() -> None:
    event = decode_event('{"data":{"id":"1","brandNew":true},"eventType":"something_new"}')
    assert type(event) is models.DataPushEvent
    assert event.raw["brandNew"] is True
    assert undeclared_fields(event) == {"brandNew"}
    assert not hasattr(event, "brandNew")
    assert "brandNew" not in repr(event)


def test_unknown_fields_of_a_known_event_stay_in_raw_and_times_say_their_unit() -> None:
    event = decode_event(
        '{"data":{"id":"9","levelCode":"level_2","createTime":1700000000000,"newThing":[1]},"eventType":"kyc"}'
    )
    assert isinstance(event, models.KycEvent)
    assert (event.level_code, event.create_time_ms, event.raw["newThing"]) == ("level_2", 1700000000000, [1])
    assert undeclared_fields(event) == {"newThing"}
    with pytest.warns(DeprecationWarning, match="create_time_ms"):
        assert event.create_time == 1700000000000


ORDER = "tradeapi.app.OrderApiService.addMarketOrder"


@pytest.mark.anyio
async def test_every_field_the_simulator_sends_is_declared() -> None:
    async with Simulator() as sim, sim_manager(sim) as manager, sim_client(sim) as client:
        customer_no = await manager.customers.register(
            password="s3cret", country="GB", customer_group_id=1, currencies=[(2, "USDT")], email="d@e.com"
        )
        await manager.balances.update(customer_no, amount=Decimal("25"), currency="USDT", trade_type=2)
        opened = await client.call(ORDER, await sim_order(client, sim))
        close = {"bizType": 2, "direction": 2, "positionId": opened["positionId"]}
        await client.call(ORDER, await sim_order(client, sim, **close))
        accounts = [a for a in sim.exchange.accounts.values() if a.trade_type == 2]
        sim.datapush.deposit(accounts[0].account_id, "100")
        sim.datapush.withdraw(accounts[0].account_id, "40")
        sim.datapush.approve_kyc(customer_no)
        sim.datapush.update_account(accounts[0].account_id)
        frames = list(sim.datapush.events)
    kinds = {frame["eventType"] for frame in frames}
    assert kinds >= {"register", "account_adjust", "position_insert", "position_delete", "trade_deal", "kyc"}
    assert kinds >= {"deposit", "withdraw", "customer_update", "customer_info_update", "account_update"}
    for frame in frames:
        event = decode_event(json.dumps(frame))
        assert event is not None
        assert type(event) is not models.DataPushEvent, frame["eventType"]
        assert undeclared_fields(event) == set(), frame["eventType"]


@pytest.mark.parametrize(
    "frame", ["not json", "[1]", '{"data":{}}', '{"eventType":"kyc","data":{"status":"x"}}']
)
def test_garbage_is_a_protocol_error(frame: str) -> None:
    with pytest.raises(ProtocolError):
        decode_event(frame)


@given(st.text(max_size=100))
def test_the_decoder_raises_only_protocol_errors(frame: str) -> None:
    with suppress(ProtocolError):
        decode_event(frame)


def test_dedupe_window_drops_repeats_and_forgets_the_oldest() -> None:
    window = DedupeWindow(size=2)
    first = decode_event(POSITION)
    assert first is not None
    assert not window.seen(first)
    assert window.seen(first)
    for n in range(3):
        other = decode_event(json.dumps({"data": {"id": str(n), "updateTime": 1}, "eventType": "kyc"}))
        assert other is not None
        window.seen(other)
    assert not window.seen(first)


def test_dialect_pings_with_text_and_counts_a_text_pong() -> None:
    dialect = DataPushDialect()
    assert dialect.encode_ping(1) == ("ping", None)
    assert dialect.decode("pong").pong
    assert dialect.decode(POSITION).events
    assert not dialect.decode(POSITION).events  # a repeat
    assert dialect.duplicates == 1


# -- the iterator on an in-memory socket --------------------------------------------------------------


@asynccontextmanager
async def data_push() -> AsyncIterator[tuple[DataPush, MemoryBackend]]:
    backend = MemoryBackend()
    policy = mm.ReconnectPolicy(initial_delay=0.001, max_delay=0.002, healthy_after=0)
    async with mm.MultiMarkets(
        base_url="http://127.0.0.1:9", company_id=1, socket_backend=backend, reconnect=policy
    ) as client:
        core = client._core

        async def token() -> str:
            return "company-token-admin"

        core.token_provider = token
        yield DataPush(core), backend
    await backend.aclose()


async def accept(backend: MemoryBackend) -> MemorySocket:
    with anyio.fail_after(5):
        return await backend.accepted.receive()


@pytest.mark.anyio
async def test_handshake_headers_filtering_and_delivery() -> None:
    async with data_push() as (push, backend):
        async with push.events(group="cats", event_types={"trade_deal"}) as events:
            server = await accept(backend)
            assert server.url == "ws://127.0.0.1:9/openapi-b/ws"
            assert server.headers == {"token": "company-token-admin", "group": "cats"}
            await server.send(POSITION)
            await server.send(DEAL)
            with anyio.fail_after(5):
                event = await events.__anext__()
            assert isinstance(event, models.TradeDealEvent)


@pytest.mark.anyio
async def test_a_drop_reconnects_and_repeats_after_it_are_removed() -> None:
    async with data_push() as (push, backend):
        async with push.events(connection_events=True) as events:
            first = await accept(backend)
            await first.send(POSITION)
            await first.close()
            second = await accept(backend)
            await second.send(POSITION)  # the platform replays at least once
            await second.send(DEAL)
            seen = []
            with anyio.fail_after(5):
                while len(seen) < 4:
                    seen.append(await events.__anext__())
            kinds = [
                type(e).__name__ if not isinstance(e, mm.ConnectionEvent) else e.kind.value for e in seen
            ]
            assert kinds == ["PositionEvent", "disconnected", "reconnected", "TradeDealEvent"]


@pytest.mark.anyio
async def test_leaving_the_last_subscription_disconnects_the_group() -> None:
    async with data_push() as (push, backend):
        async with push.events(group="g"):
            server = await accept(backend)
        with anyio.fail_after(5):
            frames = await _until_closed(server)
        assert set(frames) <= {"ping"}  # only heartbeats until the client hung up


async def _until_closed(server: MemorySocket) -> list[str | bytes]:
    frames = []
    try:
        while True:
            frames.append(await server.recv())
    except mm.TransportError:
        return frames


def test_dedupe_window_keeps_two_changes_of_one_record_in_the_same_millisecond() -> None:
    # Two bookings on one balance (fee, then P&L) share id and updateTime; only `version` differs.
    window = DedupeWindow()
    frames = [
        json.dumps({"data": {"id": "7", "updateTime": 5, "version": v}, "eventType": "subject_update"})
        for v in (1, 2)
    ]
    events = [decode_event(frame) for frame in frames]
    assert all(event is not None for event in events)
    assert [window.seen(event) for event in events if event is not None] == [False, False]
    repeat = decode_event(frames[1])
    assert repeat is not None
    assert window.seen(repeat)
