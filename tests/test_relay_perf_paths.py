"""The relay's fast publishing paths keep their contract: the per-product ``Encoder`` writes what the
schema says for every event, however its cache is hit; the pump takes what is buffered in order,
skips noise, counts exactly, raises the subscription's error and drains what a cancel left; and the
link's context-manager-free ``publish`` still maps nats-py's errors to the SDK's."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import multimarkets_async as mm
from multimarkets_async.models.push import PongEvent
from multimarkets_async.relay import _payloads_market
from multimarkets_async.relay._nats import NatsLink
from multimarkets_async.relay._payloads import Encoder, decode_market, encode
from multimarkets_async.relay._relay_pumps import Publisher, Pump, RelayStats
from multimarkets_async.relay._subjects import MarketKind, RelayNames
from multimarkets_async.testing import NatsServer

pytestmark = pytest.mark.anyio

NAMES = RelayNames(439, "perf")

INT64 = st.integers(-(2**63), 2**63 - 1)
SMALL = st.integers(0, 3)  # few distinct products: the cache is hit, and missed, many times
DECIMALS = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: abs(d.adjusted()) < 60
)
OPT_DEC = st.none() | DECIMALS
SYMBOLS = st.none() | st.sampled_from(["EURUSD", 'a "quoted" \\ name', "日本", "E"])
TICKS = st.builds(
    mm.Tick, SMALL, SMALL, SMALL, INT64, INT64, DECIMALS, DECIMALS, DECIMALS, DECIMALS, DECIMALS,
    OPT_DEC, OPT_DEC, OPT_DEC, OPT_DEC, OPT_DEC, st.none() | INT64, SYMBOLS,
)  # fmt: skip
LEVELS = st.lists(st.builds(mm.DepthLevel, DECIMALS, DECIMALS), max_size=3).map(tuple)
BOOKS = st.builds(mm.DepthBook, SMALL, SMALL, SMALL, INT64, INT64, LEVELS, LEVELS, st.none() | INT64, SYMBOLS)
TRADES = st.builds(
    mm.Trade, SMALL, SMALL, SMALL, st.none() | INT64, INT64, DECIMALS, DECIMALS,
    st.sampled_from(mm.TradeDirection), SYMBOLS,
)  # fmt: skip
ROLLING = st.builds(mm.Rolling24h, SMALL, SMALL, SMALL, *[DECIMALS] * 6, SYMBOLS)
MARKET = TICKS | BOOKS | TRADES | ROLLING


def _text(value: Any) -> Any:
    """The schema's JSON value of one field: decimals as plain decimal strings, enums by name."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, mm.TradeDirection):
        return value.name
    if isinstance(value, tuple):  # depth levels
        return [{"price": format(p, "f"), "volume": format(v, "f")} for p, v in value]
    return value


def _expected(event: Any) -> dict[str, Any]:
    """What the payload schema says an event's JSON object is, built without the codec."""
    return {"v": 1, "type": type(event).__name__, **{k: _text(v) for k, v in event._asdict().items()}}


_FIVE = (Decimal("1.5"), Decimal(1), Decimal(2), Decimal(0), Decimal("1E+2"))
_KIND: dict[type, MarketKind] = {
    mm.Tick: "tick",
    mm.DepthBook: "book",
    mm.Trade: "trade",
    mm.Rolling24h: "rolling",
}


@settings(max_examples=100, deadline=None)
@given(st.lists(MARKET, min_size=1, max_size=12))
def test_one_encoder_writes_the_schema_for_every_event_of_a_stream(events: list[Any]) -> None:
    encoder = Encoder(NAMES)
    for event in events:
        envelope = encoder(event)
        assert json.loads(envelope.payload) == _expected(event)
        assert envelope.payload.isascii()
        assert decode_market(envelope.payload) == event
        assert envelope.subject == NAMES.market(_KIND[type(event)], event.symbol_id, event.trade_type)
        assert envelope.kept is False
        if isinstance(event, mm.Tick | mm.DepthBook):
            letter = "t" if isinstance(event, mm.Tick) else "b"
            assert (
                envelope.msg_id
                == f"{letter}:{event.symbol_id}:{event.trade_type}:{event.seq}:{event.time_ms}"
            )
            assert envelope == encode(event, NAMES)  # the same envelope as the stateless codec
        else:
            assert envelope.msg_id.startswith("u:")


def test_trades_and_rollings_get_a_new_id_each_and_the_encoder_refuses_what_encode_refuses() -> None:
    encoder = Encoder(NAMES)
    trade = mm.Trade(1, 2, 1, 7, 1_700_000_000_000, Decimal(1), Decimal(1), mm.TradeDirection.BUY)
    assert encoder(trade).msg_id != encoder(trade).msg_id
    with pytest.raises(TypeError):
        encoder("a tick")  # type: ignore[arg-type]


def test_the_per_product_cache_starts_again_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_payloads_market, "_MAX_PRODUCTS", 2)
    encoder = Encoder(NAMES)
    ticks = [mm.Tick(i, 1, 1, 1, 1, *_FIVE, symbol=f"S{i}") for i in range(5)]
    for _ in range(2):
        for tick in ticks:
            assert json.loads(encoder(tick).payload) == _expected(tick)
    assert len(encoder._market._ticks) <= 2


def test_a_snapshot_ticks_candle_and_exponents_are_written_in_full() -> None:
    tick = mm.Tick(
        1, 1, 1, 1, 1, Decimal("1E+3"), Decimal("1E-9"), Decimal("-0.000000012"), Decimal(0), Decimal("5E2"),
        open=Decimal("1.1"), close=Decimal("2E+1"), price_digits=5, symbol="X",
    )  # fmt: skip
    payload = json.loads(Encoder(NAMES)(tick).payload)
    assert payload == _expected(tick)
    assert (payload["price"], payload["bid"], payload["close"]) == ("1000", "0.000000001", "20")
    digits_only = tick._replace(open=None, close=None)
    assert json.loads(Encoder(NAMES)(digits_only).payload)["price_digits"] == 5


# -- the pump -----------------------------------------------------------------------------------------


class _Buffered:
    """A subscription that delivers ``bursts``: ``__anext__`` waits for the next burst, ``get_nowait``
    takes from the current one, then ``error`` (if any) once the last burst is empty."""

    def __init__(self, bursts: list[list[Any]], error: Exception | None = None) -> None:
        self.bursts = bursts
        self.current: list[Any] = []
        self.error = error
        self.anext_calls = 0

    def __aiter__(self) -> AsyncIterator[Any]:
        return self

    async def __anext__(self) -> Any:
        self.anext_calls += 1
        await anyio.lowlevel.checkpoint()
        if self.current:
            return self.current.pop(0)
        if not self.bursts:
            if self.error is not None:
                raise self.error
            raise StopAsyncIteration
        self.current = list(self.bursts.pop(0))
        return self.current.pop(0)

    def get_nowait(self) -> Any:
        if self.current:
            return self.current.pop(0)
        if not self.bursts and self.error is not None:
            raise self.error
        return None


class _Recording:
    """A NATS link that records what is published; ``stuck_at`` (a msg id) never completes."""

    def __init__(self, stuck_at: str | None = None) -> None:
        self.published: list[str] = []
        self.stuck_at = stuck_at
        self.stuck = anyio.Event()

    async def publish(self, subject: str, payload: bytes, *, msg_id: str) -> None:
        if msg_id == self.stuck_at:
            self.stuck_at = None
            self.stuck.set()
            await anyio.sleep_forever()
        self.published.append(msg_id)


def _ticks(first: int, count: int, symbol_id: int = 1001) -> list[mm.Tick]:
    return [mm.Tick(symbol_id, 2, 1, seq, seq, *_FIVE) for seq in range(first, first + count)]


def _ids(ticks: list[mm.Tick]) -> list[str]:
    return [f"t:{t.symbol_id}:2:{t.seq}:{t.time_ms}" for t in ticks]


async def test_the_pump_takes_each_burst_with_get_nowait_in_order_skipping_noise() -> None:
    a, b = _ticks(1, 50), _ticks(1, 50, symbol_id=1002)
    first = [PongEvent(), *a[:25], PongEvent(), *b[:25]]
    second = [*a[25:], *b[25:]]
    events = _Buffered([first, second])
    link = _Recording()
    stats = RelayStats()
    with pytest.raises(mm.StreamError, match="tickers subscription ended"):
        await Pump("tickers", events, Publisher(link, NAMES, stats)).run()  # type: ignore[arg-type]
    assert link.published == _ids(a[:25] + b[:25] + a[25:] + b[25:])
    assert stats.published["tick"] == 100
    assert stats.total == 100
    assert events.anext_calls == 3  # one per burst and the end: the rest came from get_nowait


async def test_the_subscriptions_error_comes_after_every_buffered_event() -> None:
    ticks = _ticks(1, 10)
    link = _Recording()
    stats = RelayStats()
    events = _Buffered([ticks], error=mm.SlowConsumerError("behind"))
    with pytest.raises(mm.SlowConsumerError):
        await Pump("tickers", events, Publisher(link, NAMES, stats)).run()  # type: ignore[arg-type]
    assert link.published == _ids(ticks)
    assert stats.published["tick"] == 10


async def test_an_event_the_codec_cannot_carry_is_skipped_not_fatal() -> None:
    # A non-finite decimal cannot travel as a decimal string: the codec refuses it. One such event
    # must not end the relay's run; it is counted and the next ones go on.
    ticks = _ticks(1, 3)
    bad = ticks[1]._replace(bid=Decimal("NaN"))
    link = _Recording()
    stats = RelayStats()
    events = _Buffered([[ticks[0], bad, ticks[2]]])
    with pytest.raises(mm.StreamError, match="tickers subscription ended"):
        await Pump("tickers", events, Publisher(link, NAMES, stats)).run()  # type: ignore[arg-type]
    assert link.published == _ids([ticks[0], ticks[2]])
    assert stats.skipped == 1
    for value in ("NaN", "sNaN", "Infinity", "-Infinity"):
        for event in (ticks[1]._replace(ask=Decimal(value)), ticks[1]._replace(bid_volume=Decimal(value))):
            with pytest.raises(mm.InvalidArgumentError, match="non-finite"):
                Encoder(NAMES)(event)


async def test_a_pump_cancelled_inside_a_burst_drains_the_event_in_hand_then_the_rest_in_order() -> None:
    ticks = _ticks(1, 20)
    link = _Recording(stuck_at=_ids(ticks)[7])
    stats = RelayStats()
    pump = Pump("tickers", _Buffered([ticks]), Publisher(link, NAMES, stats))  # type: ignore[arg-type]
    async with anyio.create_task_group() as tg:
        tg.start_soon(pump.run)
        await link.stuck.wait()
        tg.cancel_scope.cancel()
    assert link.published == _ids(ticks[:7])
    await pump.hand_over(lambda envelope: pytest.fail(f"market data kept: {envelope.msg_id}"))
    assert link.published == _ids(ticks)
    assert stats.published["tick"] == 20


async def test_counts_stay_exact_across_kinds_and_many_subjects() -> None:
    events: list[Any] = []
    for sid in range(40):
        events += _ticks(1, 3, symbol_id=sid)
        events.append(mm.Trade(sid, 2, 1, 1, 1, Decimal(1), Decimal(1), mm.TradeDirection.SELL))
        events.append(mm.DepthBook(sid, 2, 1, 1, 1, (), ()))
    link = _Recording()
    stats = RelayStats()
    with pytest.raises(mm.StreamError):
        await Pump("book", _Buffered([events]), Publisher(link, NAMES, stats)).run()  # type: ignore[arg-type]
    assert (stats.published["tick"], stats.published["trade"], stats.published["book"]) == (120, 40, 40)
    assert len(link.published) == stats.total == 200


# -- the link ------------------------------------------------------------------------------------------


async def test_the_links_publish_still_maps_nats_errors(nats_server: NatsServer) -> None:
    link = await NatsLink.open(nats_server.url)
    try:
        with pytest.raises(mm.InvalidArgumentError, match="publish to"):
            await link.publish("bad subject", b"x", msg_id="1")
        with pytest.raises(mm.InvalidArgumentError, match="publish to"):
            await link.publish("a.b", b"x" * (link.client.max_payload + 1), msg_id="1")
    finally:
        await link.aclose()
    with pytest.raises(mm.TransportError, match=r"publish to a\.b"):
        await link.publish("a.b", b"x", msg_id="1")
