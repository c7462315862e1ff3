"""The relay's payload codec: every event the simulator sends survives encode -> decode unchanged, on
the right subject with a stable message id; hostile payloads end in ``ProtocolError`` and nothing else.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import multimarkets_async as mm
from multimarkets_async.errors import InvalidArgumentError, ProtocolError
from multimarkets_async.models import datapush as dp
from multimarkets_async.models import push
from multimarkets_async.protocol.datapush import decode_event
from multimarkets_async.protocol.messages import decode_message
from multimarkets_async.relay._payloads import (
    Envelope,
    RelayedProduct,
    RelayEvent,
    decode_account,
    decode_datapush,
    decode_market,
    decode_product,
    encode,
    encode_product,
)
from multimarkets_async.relay._subjects import RelayNames
from multimarkets_async.testing import Simulator
from tests._support import next_item, sim_client, sim_manager, sim_order

NAMES = RelayNames(439)
ORDER = "tradeapi.app.OrderApiService.addMarketOrder"
CANARY = "74e6e8df-9399-4bec-85aa-217c9b93e38eapp"
DECODERS: dict[str, Callable[[bytes], object]] = {
    "market": decode_market,
    "account": decode_account,
    "datapush": decode_datapush,
    "product": decode_product,
}
MARKET_TYPES = {mm.Tick, mm.DepthBook, mm.Trade, mm.Rolling24h}


def _decoder(event: object) -> Callable[[bytes], object]:
    if isinstance(event, tuple(MARKET_TYPES)):
        return decode_market
    return decode_datapush if isinstance(event, dp.DataPushEvent) else decode_account


# -- events from the simulator ------------------------------------------------------------------------


async def _until(
    subscription: mm.Subscription[Any], sim: Simulator, wanted: set[type], into: list[Any]
) -> None:
    """Take events into ``into`` (moving prices) until one of each ``wanted`` type arrived."""
    while not wanted <= {type(event) for event in into}:
        into.append(await next_item(subscription, sim))


async def _simulated() -> list[RelayEvent]:
    events: list[Any] = []
    async with Simulator() as sim, sim_client(sim) as client, sim_manager(sim) as manager:
        with anyio.fail_after(15):
            async with (
                client.quotes.tickers(["EURUSD"], trade_type=2) as ticks,
                client.quotes.market(["EURUSD"], trade_type=2, depth_level=5) as market,
                client.quotes.rolling_24h(["EURUSD"], trade_type=2) as rolling,
            ):
                await _until(ticks, sim, {mm.Tick}, events)
                await _until(ticks, sim, {mm.Tick}, events)  # the snapshot, then a push
                await _until(market, sim, {mm.DepthBook, mm.Trade}, events)
                await _until(rolling, sim, {mm.Rolling24h}, events)
            async with client.messages.subscribe(trade_types=(1, 2)) as messages:
                await sim.sockets.wait_for(lambda: any(s.trade_types for s in sim.sockets.messages))
                customer_no = await manager.customers.register(
                    password="s3cret",
                    country="GB",
                    customer_group_id=1,
                    currencies=[(2, "USDT")],
                    email="r@e.com",
                )
                await manager.balances.update(
                    customer_no, amount=Decimal("25"), currency="USDT", trade_type=2
                )
                opened = await client.call(ORDER, await sim_order(client, sim))
                await _until(messages, sim, {push.TradeEvent, push.NoticeEvent, push.AccountUpdate}, events)
                close = {"bizType": 2, "direction": 2, "positionId": opened["positionId"]}
                await client.call(ORDER, await sim_order(client, sim, **close))
            accounts = [a for a in sim.exchange.accounts.values() if a.trade_type == 2]
            sim.datapush.deposit(accounts[0].account_id, "100")
            sim.datapush.withdraw(accounts[0].account_id, "40")
            sim.datapush.approve_kyc(customer_no)
            sim.datapush.update_account(accounts[0].account_id)
            sim.datapush.emit(
                "subject_water_update", {"id": 77, "amountIn": "1.5", "updateTime": 1700000000000}
            )
            sim.datapush.emit("brand_new_event", {"id": "n1", "revision": 2, "anything": {"x": [1, 2.5]}})
            sim.datapush.emit("kyc", {"companyId": sim.company_id})  # no id: hashed
            frames = list(sim.datapush.events)
    # The data-push subscription decodes each frame with decode_event; so does this.
    events += [decode_event(json.dumps(frame)) for frame in frames]
    return events


@pytest.fixture(scope="module")
def simulated() -> list[RelayEvent]:
    """Events of every kind the simulator sends, as the SDK delivers them."""
    return anyio.run(_simulated)


# Frames the simulator never sends of its own accord, through the SDK's own decoder.
MESSAGE_FRAMES = [
    {"msgCode": "subscribe_success", "timestamp": 1, "trace": "t-1", "seqId": 3, "content": None},
    {"msgCode": "subscribe_fail", "timestamp": 2, "trace": "t-2", "seqId": 4},
    {"msgCode": "pong", "seqId": 5},
    {"msgCode": "disconnect", "timestamp": 3, "content": {"reason": "elsewhere"}},
    {"msgCode": "UserForceLogoutRet", "timestamp": 4},
    {"msgCode": "brand_new", "timestamp": 5, "content": {"x": [1, {"y": None}], "big": 10**30, "f": 0.1}},
    {"msgCode": "notice", "content": {"updateType": 1, "show": 1, "tradeType": 2, "extra": True}},
]


def _built_pushes() -> list[RelayEvent]:
    events: list[Any] = [decode_message(json.dumps(frame)) for frame in MESSAGE_FRAMES]
    events.append(decode_message("g(1.5,2,3,0.25,10.5,9)"))  # an account without positions
    events.append(decode_message("f(-1.5,2,3,0.25,10.5,9);(7,1.25,0.9);(8,-2)"))
    events.append(push.MessageEvent(timestamp_ms=9, trace="base"))
    return events


def test_every_simulated_event_round_trips_on_its_subject(simulated: list[RelayEvent]) -> None:
    kinds = {type(event) for event in simulated}
    assert kinds >= MARKET_TYPES | {push.TradeEvent, push.NoticeEvent, push.AccountUpdate}
    assert kinds >= {
        dp.RegisterEvent, dp.CustomerUpdateEvent, dp.CustomerInfoEvent, dp.KycEvent, dp.AccountEvent,
        dp.SubjectEvent, dp.SubjectWaterEvent, dp.PositionEvent, dp.TradeDealEvent, dp.DepositEvent,
        dp.AccountAdjustEvent, dp.WithdrawEvent, dp.DataPushEvent,
    }  # fmt: skip
    for event in [*simulated, *_built_pushes()]:
        envelope = encode(event, NAMES)
        decoded = _decoder(event)(envelope.payload)
        assert type(decoded) is type(event)
        assert decoded == event, type(event).__name__
        if isinstance(event, dp.DataPushEvent):
            assert isinstance(decoded, dp.DataPushEvent)
            assert decoded.raw == event.raw
        again = encode(decoded, NAMES)
        assert (again.subject, again.payload, again.kept) == (
            envelope.subject,
            envelope.payload,
            envelope.kept,
        )
        assert (again.msg_id == envelope.msg_id) is _named(event)  # same event, same id, where it has one
        assert envelope.subject == _subject(event)
        assert envelope.kept is not isinstance(event, tuple(MARKET_TYPES))


def _named(event: object) -> bool:
    """Whether ``event`` carries an identity (its id is the same wherever it is encoded)."""
    if isinstance(event, push.MessageEvent):
        return event.timestamp_ms is not None
    return isinstance(event, mm.Tick | mm.DepthBook | dp.DataPushEvent)


KIND_OF = {mm.Tick: "tick", mm.DepthBook: "book", mm.Trade: "trade", mm.Rolling24h: "rolling"}


def _subject(event: object) -> str:
    if isinstance(event, tuple(MARKET_TYPES)):
        kind = KIND_OF[type(event)]
        return f"multimarkets.439.{kind}.{event.symbol_id}.{event.trade_type}"  # type: ignore[attr-defined]
    if isinstance(event, dp.DataPushEvent):
        return "multimarkets.439.datapush." + re.sub(r"[^A-Za-z0-9_-]", "_", event.event_type)
    trade_type = getattr(event, "trade_type", None)
    return f"multimarkets.439.account.{'none' if trade_type is None else trade_type}"


def test_payloads_are_the_documented_json(simulated: list[RelayEvent]) -> None:
    tick = next(e for e in simulated if isinstance(e, mm.Tick))
    obj = json.loads(encode(tick, NAMES).payload)
    assert list(obj)[:3] == ["v", "type", "symbol"]
    assert (obj["v"], obj["type"], obj["symbol"], obj["time_ms"]) == (1, "Tick", "EURUSD", tick.time_ms)
    assert obj["bid"] == format(tick.bid, "f")
    assert isinstance(obj["seq"], int)
    trade = next(e for e in simulated if isinstance(e, mm.Trade))
    assert json.loads(encode(trade, NAMES).payload)["direction"] == trade.direction.name
    book = next(e for e in simulated if isinstance(e, mm.DepthBook))
    level = json.loads(encode(book, NAMES).payload)["bids"][0]
    assert level == {"price": format(book.bids[0].price, "f"), "volume": format(book.bids[0].volume, "f")}
    register = next(e for e in simulated if isinstance(e, dp.RegisterEvent))
    obj = json.loads(encode(register, NAMES).payload)
    assert (obj["type"], obj["event_type"], obj["raw"]) == ("RegisterEvent", "register", dict(register.raw))
    assert obj["data"]["customer_no"] == register.customer_no


# -- message ids --------------------------------------------------------------------------------------


def stamps(event: dp.DataPushEvent) -> str:
    return ":".join(
        "-" if s is None else str(s) for s in (event.update_time_ms, event.revision, event.version)
    )


def test_message_ids_follow_the_rules(simulated: list[RelayEvent]) -> None:
    for event in simulated:
        msg_id = encode(event, NAMES).msg_id
        assert re.fullmatch(r"[!-~]{1,200}", msg_id)
        if isinstance(event, mm.Tick):
            assert msg_id == f"t:{event.symbol_id}:{event.trade_type}:{event.seq}:{event.time_ms}"
        elif isinstance(event, mm.DepthBook):
            assert msg_id == f"b:{event.symbol_id}:{event.trade_type}:{event.seq}:{event.time_ms}"
        elif isinstance(event, dp.DataPushEvent) and event.id is not None and stamps(event) != "-:-:-":
            assert msg_id == f"d:{event.event_type}:{event.id}:{stamps(event)}"
        elif _named(event):
            assert re.fullmatch(r"h:[0-9a-f]{32}", msg_id)
        else:  # Trade, Rolling24h, AccountUpdate: no identity, an id of their own
            assert re.fullmatch(r"u:[0-9a-f]{8}:[0-9]+", msg_id)


def test_distinct_events_have_distinct_ids_and_the_same_event_one_id(simulated: list[RelayEvent]) -> None:
    envelopes = [encode(event, NAMES) for event in [*simulated, *_built_pushes()]]
    by_id: dict[str, set[bytes]] = {}
    for envelope in envelopes:
        by_id.setdefault(envelope.msg_id, set()).add(envelope.payload)
    assert all(len(payloads) == 1 for payloads in by_id.values())
    again = [encode(event, NAMES).msg_id for event in simulated]
    for event, first, second in zip(simulated, envelopes, again, strict=False):
        assert (first.msg_id == second) is _named(event), type(event).__name__


def test_hashed_ids_are_the_same_in_another_process() -> None:
    code = (
        "from decimal import Decimal as D; import multimarkets_async as mm;"
        "from multimarkets_async.relay._payloads import encode;"
        "from multimarkets_async.relay._subjects import RelayNames;"
        "from multimarkets_async.models.push import NoticeEvent;"
        "print(encode(NoticeEvent(timestamp_ms=5, content={'a': D(1)}), RelayNames(439)).msg_id)"
    )
    here = encode(push.NoticeEvent(timestamp_ms=5, content={"a": Decimal(1)}), NAMES).msg_id
    assert here.startswith("h:")
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert there.strip() == here


# -- generated market events --------------------------------------------------------------------------

INT64 = st.integers(-(2**63), 2**63 - 1)
DECIMALS = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: abs(d.adjusted()) < 60
)
NAMES_ = st.none() | st.text(max_size=12)
LEVELS = st.lists(st.builds(mm.DepthLevel, DECIMALS, DECIMALS), max_size=4).map(tuple)
OPT_DEC = st.none() | DECIMALS
TICKS = st.builds(
    mm.Tick, INT64, INT64, INT64, INT64, INT64, DECIMALS, DECIMALS, DECIMALS, DECIMALS, DECIMALS,
    OPT_DEC, OPT_DEC, OPT_DEC, OPT_DEC, OPT_DEC, st.none() | INT64, NAMES_,
)  # fmt: skip
BOOKS = st.builds(mm.DepthBook, INT64, INT64, INT64, INT64, INT64, LEVELS, LEVELS, st.none() | INT64, NAMES_)
TRADES = st.builds(
    mm.Trade,
    INT64,
    INT64,
    INT64,
    st.none() | INT64,
    INT64,
    DECIMALS,
    DECIMALS,
    st.sampled_from(mm.TradeDirection),
    NAMES_,
)
ROLLING = st.builds(mm.Rolling24h, INT64, INT64, INT64, *[DECIMALS] * 6, NAMES_)


@given(TICKS | BOOKS | TRADES | ROLLING)
def test_generated_market_events_round_trip(event: Any) -> None:
    envelope = encode(event, NAMES)
    assert decode_market(envelope.payload) == event
    assert envelope.payload.isascii()


# -- hostile payloads ---------------------------------------------------------------------------------


def _only_protocol_errors(decode: Callable[[bytes], object], payload: bytes) -> None:
    message = ""
    try:
        decode(payload)
    except ProtocolError as exc:
        message = f"{exc} {exc!r}"
    assert CANARY not in message


@given(st.binary(max_size=300), st.sampled_from(sorted(DECODERS)))
def test_garbage_bytes_raise_only_protocol_errors(payload: bytes, kind: str) -> None:
    _only_protocol_errors(DECODERS[kind], payload)


def _valid_payloads(simulated: list[RelayEvent]) -> list[tuple[str, bytes]]:
    firsts: dict[type, RelayEvent] = {}
    for event in [*simulated, *_built_pushes()]:
        firsts.setdefault(type(event), event)
    found = [
        (_decoder(e).__name__.removeprefix("decode_"), encode(e, NAMES).payload) for e in firsts.values()
    ]
    product = RelayedProduct(CANARY, 1001, 2, 1, 5, frozenset({"tick", "book"}))
    return [*found, ("product", encode_product(product))]


HOSTILE = [
    "1e400", "-1e400", "1" + "0" * 5000, "1" + "0" * 4000, "NaN", "Infinity", "-Infinity", "1e308", "-0",
    "[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000, "[" * 900 + "]" * 900,
    '"1e400"', '"NaN"', '"Infinity"', '"1E+999999999"', '" 1"', '"1_0"', '"' + "9" * 5000 + '"', '"\\ud800"',
    "true", "false", "null", "{}", "[]", '"x"', "0.5", "-7", "2", '"BUY"', f'"{CANARY}"', '[{"price":"1"}]',
]  # fmt: skip


def test_every_field_of_every_payload_refuses_hostile_values(simulated: list[RelayEvent]) -> None:
    for kind, payload in _valid_payloads(simulated):
        decode = DECODERS[kind]
        obj = json.loads(payload)
        for key in obj:
            for literal in HOSTILE:
                edited = {k: "\x00HOLE\x00" if k == key else v for k, v in obj.items()}
                text = json.dumps(edited).replace('"\\u0000HOLE\\u0000"', literal)
                _only_protocol_errors(decode, text.encode())
            missing = json.dumps({k: v for k, v in obj.items() if k != key}).encode()
            _only_protocol_errors(decode, missing)


def test_truncations_of_every_payload_raise_protocol_errors(simulated: list[RelayEvent]) -> None:
    for kind, payload in _valid_payloads(simulated):
        for end in range(len(payload)):
            with pytest.raises(ProtocolError):
                DECODERS[kind](payload[:end])


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b'{"v":2,"type":"Tick"}', "not a version 1 payload"),
        (b'{"v":true,"type":"Tick"}', "not a version 1 payload"),
        (b'{"v":1}', "no type"),
        (b'{"v":1,"type":"Kline"}', "'Kline' is not a market event"),
        (('{"v":1,"type":"' + CANARY + '"}').encode(), "an unknown type is not a market event"),
        (b'{"v":1,"type":"Tick"}', "no 'symbol_id' field"),
        (b'{"v":1,"type":"Trade","symbol_id":1,"trade_type":1,"trade_mode":1,"direction":"UP"}', "direction"),
        (b"[1]", "not a JSON object"),
        (b"\xff", "not valid UTF-8"),
    ],
)
def test_errors_name_the_reason(payload: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError, match=re.escape(reason)) as info:
        decode_market(payload)
    assert CANARY not in str(info.value)


def test_each_decoder_refuses_the_other_streams_payloads(simulated: list[RelayEvent]) -> None:
    for kind, payload in _valid_payloads(simulated):
        for other, decode in DECODERS.items():
            if other != kind:
                with pytest.raises(ProtocolError, match="is not a"):
                    decode(payload)


def test_a_datapush_payload_whose_raw_disagrees_is_refused(simulated: list[RelayEvent]) -> None:
    kyc = next(e for e in simulated if isinstance(e, dp.KycEvent))
    obj = json.loads(encode(kyc, NAMES).payload)
    edits: list[dict[str, object]] = [
        {"event_type": "register"},
        {"raw": {**obj["raw"], "updateTime": "soon"}},
        {"raw": []},
    ]
    for edit in edits:
        with pytest.raises(ProtocolError):
            decode_datapush(json.dumps(obj | edit).encode())


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)
@given(data=st.data())
def test_random_edits_of_valid_payloads_raise_only_protocol_errors(
    simulated: list[RelayEvent], data: st.DataObject
) -> None:
    kind, payload = data.draw(st.sampled_from(_valid_payloads(simulated)))
    start = data.draw(st.integers(0, len(payload)))
    end = data.draw(st.integers(start, len(payload)))
    insert = data.draw(st.sampled_from(HOSTILE) | st.text(max_size=8)).encode("utf-8", "surrogatepass")
    _only_protocol_errors(DECODERS[kind], payload[:start] + insert + payload[end:])


# -- encoding refusals --------------------------------------------------------------------------------


def test_encode_refuses_what_the_relay_does_not_carry() -> None:
    one = Decimal(1)
    kline = mm.Kline(1, 2, 1, 1, 0, one, one, one, one, one, None, None)
    for thing in (kline, object(), {"type": "Tick"}):
        with pytest.raises(TypeError, match="the relay carries"):
            encode(thing, NAMES)  # type: ignore[arg-type]
    zero = Decimal(0)
    with pytest.raises(InvalidArgumentError, match="not finite"):
        encode(push.AccountUpdate(1, Decimal("NaN"), zero, zero, zero, zero, zero), NAMES)
    with pytest.raises(InvalidArgumentError, match="JSON cannot carry"):
        encode(push.NoticeEvent(content={"x": float("nan")}), NAMES)

    class Custom(push.MessageEvent):
        pass

    with pytest.raises(TypeError, match="does not carry Custom"):
        encode(Custom(), NAMES)
    with pytest.raises(InvalidArgumentError, match="cannot have event_type"):
        encode(dp.KycEvent(event_type="register", id="1"), NAMES)


def test_envelope_is_a_frozen_value() -> None:
    envelope = Envelope("s", b"{}", "id", kept=True)
    with pytest.raises(AttributeError):
        envelope.kept = False  # type: ignore[misc]


# -- the symbol table ---------------------------------------------------------------------------------

PRODUCTS = st.builds(
    RelayedProduct,
    st.text(max_size=20),
    INT64,
    INT64,
    INT64,
    st.none() | INT64,
    st.frozensets(st.sampled_from(["tick", "book", "trade", "rolling"])),
)


@given(PRODUCTS)
def test_product_rows_round_trip(product: RelayedProduct) -> None:
    row = encode_product(product)
    assert decode_product(row) == product
    assert product.key == f"{product.symbol_id}.{product.trade_type}"


def test_product_rows_are_plain_json_and_checked() -> None:
    product = RelayedProduct("EURUSD", 1001, 2, 1, 5, frozenset({"book", "tick"}))
    assert json.loads(encode_product(product)) == {
        "v": 1, "type": "RelayedProduct", "symbol": "EURUSD", "symbol_id": 1001, "trade_type": 2,
        "trade_mode": 1, "price_digits": 5, "carried": ["tick", "book"],
    }  # fmt: skip
    assert product.key == "1001.2"
    assert RelayedProduct("X", 1, 2, 1, None, ["tick"]).carried == frozenset({"tick"})  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="market kinds"):
        RelayedProduct("X", 1, 2, 1, None, frozenset({"ticks"}))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="symbol_id must be an int"):
        RelayedProduct("X", "1", 2, 1, None, frozenset())  # type: ignore[arg-type]
    for carried in ('["ticks"]', '"tick"', "[1]", '["tick",null]'):
        row = encode_product(product).decode().replace('["tick","book"]', carried)
        with pytest.raises(ProtocolError, match="carried"):
            decode_product(row.encode())


# -- the schema page ----------------------------------------------------------------------------------

SCHEMA_PAGE = Path(__file__).parent.parent / "docs" / "relay-schema.md"


def test_the_schema_page_lists_the_account_pushes_the_relay_publishes() -> None:
    # The relay drops the message socket's own noise (``_relay_pumps._NOISE``): the page must not
    # promise those on the account stream, nor name one of them as what travels on ``account.none``.
    from multimarkets_async.relay._payloads_push import ACCOUNT_TYPES
    from multimarkets_async.relay._relay_pumps import _NOISE

    page = SCHEMA_PAGE.read_text(encoding="utf-8")
    listing = page.split("### Account pushes", 1)[1].split("\n\n", 2)[1]
    noise = {cls.__name__ for cls in _NOISE}
    note = re.search(r"\(([^()]*) are not relayed[^()]*\)", listing)
    assert note is not None, listing
    assert set(re.findall(r"`(\w+)`", note.group(1))) == noise
    carried = listing.replace(note.group(0), "")
    # MessageEvent is the base class the codec also reads; the SDK hands the relay its subclasses.
    assert set(re.findall(r"`([A-Z]\w+)`", carried)) == set(ACCOUNT_TYPES) - noise - {"MessageEvent"}
    none_line = page.split("`multimarkets.439.account.none`", 1)[0].rsplit("\n- ", 1)[1]
    assert "acknowledgement" not in none_line


def test_the_schema_pages_examples_are_what_the_codec_writes() -> None:
    blocks = re.findall(r"```json\n(.*?)```", SCHEMA_PAGE.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) == 8
    for block in blocks:
        payload = json.dumps(json.loads(block), separators=(",", ":")).encode()
        kind = json.loads(block)["type"]
        if kind == "RelayedProduct":
            assert encode_product(decode_product(payload)) == payload
            continue
        decode: Callable[[bytes], object] = decode_account
        if kind in {t.__name__ for t in MARKET_TYPES}:
            decode = decode_market
        elif "event_type" in json.loads(block):
            decode = decode_datapush
        event: Any = decode(payload)
        assert encode(event, NAMES).payload == payload, kind


# -- review: ids of events without an identity, secrets, decimals ------------------------------------

ZERO, ONE, TWO = Decimal(0), Decimal(1), Decimal(2)


def test_a_state_that_comes_back_is_published_again() -> None:
    """P&L pushes, 24 h statistics and trades carry no id: a content-named id would make JetStream
    drop the third of A, B, A (it remembers A's id for the duplicate window), so a reader would keep
    B while the account is at A again. Each of them gets an id of its own."""
    a = push.AccountUpdate(2, ONE, ZERO, ZERO, ZERO, ONE, ONE)
    b = push.AccountUpdate(2, TWO, ZERO, ZERO, ZERO, TWO, ONE)
    rolling = mm.Rolling24h(1001, 2, 1, ONE, ONE, TWO, ONE, TWO, TWO, "EURUSD")
    notice = push.NoticeEvent(content={"updateType": 1}, update_type=1)  # no timestamp: no identity
    # Two fills of two orders in the same ms at the same price and size: the platform's quote seq
    # does not move between them (the simulator's order trades share the last tick's seq too).
    trade = mm.Trade(1001, 2, 1, 7, 1_700_000_000_000, ONE, ONE, mm.TradeDirection.BUY, "EURUSD")
    same: list[RelayEvent] = [a, rolling, notice, trade]
    for event in same:
        ids = [encode(event, NAMES).msg_id, encode(b, NAMES).msg_id, encode(event, NAMES).msg_id]
        assert len(set(ids)) == 3, type(event).__name__
        assert all(re.fullmatch(r"u:[0-9a-f]{8}:[0-9]+", i) for i in (ids[0], ids[2]))
    # Events that carry their identity keep one id, so a retried or repeated publish is stored once.
    tick = mm.Tick(1001, 2, 1, 5, 1_700_000_000_000, ONE, ONE, TWO, ONE, ONE)
    stamped = push.NoticeEvent(timestamp_ms=1, trace="t", content={"updateType": 1}, update_type=1)
    for event in (tick, stamped):
        assert encode(event, NAMES).msg_id == encode(event, NAMES).msg_id


def test_datapush_ids_of_different_events_never_meet() -> None:
    one = dp.DataPushEvent(event_type="a:b", id="c", revision=1)
    other = dp.DataPushEvent(event_type="a", id="b:c", revision=1)
    assert encode(one, NAMES).msg_id != encode(other, NAMES).msg_id
    plain = dp.DataPushEvent(event_type="kyc_x", id="17", revision=1)
    assert encode(plain, NAMES).msg_id == "d:kyc_x:17:-:1:-"


def test_credentials_in_relayed_objects_are_masked() -> None:
    """Pushes keep the platform's objects whole (``content``, ``raw``, ``param_map``, data-push ``raw``),
    and the relay keeps them for days where many readers see them: a credential in one is masked."""
    frame = {
        "msgCode": "login_echo",
        "timestamp": 7,
        "head": {"msgType": "login", "Token": CANARY},
        "content": {"password": CANARY, "list": [{"access_token": CANARY, "keep": "me"}], "sign": 5},
    }
    unknown = decode_message(json.dumps(frame))
    assert isinstance(unknown, push.UnknownMessageEvent)
    trade = push.TradeEvent(
        timestamp_ms=8, biz_type="POSITION_OPEN", param_map={"orderId": "1", "apiKey": CANARY}
    )
    kyc = decode_event(json.dumps({"eventType": "kyc", "data": {"id": "9", "loginPwd": CANARY, "x": 1}}))
    assert kyc is not None
    for event in (unknown, trade, kyc):
        envelope = encode(event, NAMES)
        assert CANARY.encode() not in envelope.payload
        assert b'"***"' in envelope.payload
    decoded = decode_account(encode(unknown, NAMES).payload)
    assert isinstance(decoded, push.UnknownMessageEvent)
    assert decoded.raw["head"] == {"msgType": "login", "Token": "***"}
    assert decoded.content == {
        "password": "***",
        "list": [{"access_token": "***", "keep": "me"}],
        "sign": "***",
    }
    rebuilt = decode_datapush(encode(kyc, NAMES).payload)
    assert (rebuilt.id, rebuilt.raw["loginPwd"], rebuilt.raw["x"]) == ("9", "***", 1)
    assert unknown.raw["head"]["Token"] == CANARY  # type: ignore[index]  # the event itself is untouched


@pytest.mark.parametrize("text", ["1E+2", "1E-7", "-0", "0E-10", "123.4560", "-5E+3", "1.08500"])
def test_decimals_are_written_without_an_exponent(text: str) -> None:
    value = Decimal(text)
    tick = mm.Tick(1, 2, 1, 3, 4, value, value, value, value, value, value)
    payload = encode(tick, NAMES).payload
    assert b"E" not in payload.replace(b"EURUSD", b"")
    assert decode_market(payload) == tick
    assert json.loads(payload)["price"] == format(value, "f")
