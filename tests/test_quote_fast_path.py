"""The push parsers' fast paths agree with a plain reference decoder on every generated frame.

``protocol._quote_push`` parses ``p(``, ``pt(``, ``pd(`` and ``pr(`` pushes through a fast path (one
``rsplit`` per record, cached ids and numbers) and falls back to its general parser for anything
else. The reference below is written plainly from the documented push formats, with
no shared code: for every generated frame, valid or not, ``decode_frame`` and the reference either
both reject it (``ProtocolError`` / any parse error) or return the same events; and the fast path
returns what the general parser returns.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import FrozenInstanceError
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from multimarkets_async.errors import ConfigurationError, ProtocolError
from multimarkets_async.models.market import DepthBook, DepthLevel, Rolling24h, Tick, Trade, TradeDirection
from multimarkets_async.protocol import _quote_frame as frames
from multimarkets_async.protocol import _quote_push as push
from multimarkets_async.protocol import _quote_reply
from multimarkets_async.protocol._quote_frame import QuoteFrame
from multimarkets_async.protocol._quote_reply import KLINE_INFLATE_WBITS, MAX_INFLATED_SIZE, MAX_REPLY_BARS
from multimarkets_async.protocol.quote import decode_frame

# -- the reference decoder -------------------------------------------------------------------------


class Bad(Exception):
    """The reference rejects the frame."""


def ref_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise Bad(text) from None


def ref_dec(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise Bad(text) from None
    if value.is_nan() or value.is_infinite():
        raise Bad(text)
    return value


def ref_ms(value: int) -> int:
    if value < 10**11:
        return value * 1000
    if value < 10**14:
        return value
    return value // 1000


def ref_record(segment: str, tag: str) -> list[str]:
    """The fields of ``tag(f1,...,fn)`` with blanks around it; ``Bad`` if anything follows the ')'."""
    body = segment[len(tag) :]
    if ")" not in body:
        raise Bad("not closed")
    inside, after = body.split(")", 1)
    if after.strip() != "":
        raise Bad("junk after ')'")
    return inside.split(",")


def ref_ticks(text: str) -> tuple[object, ...]:
    out: list[object] = []
    for raw in text.split(";"):
        seg = raw.strip()
        if seg == "":
            continue
        if not seg.startswith("p("):
            if seg.startswith("("):
                continue  # legacy (bid,ask,bidVol,askVol) extras are ignored
            raise Bad("segment")
        f = ref_record(seg, "p(")
        if len(f) == 10:
            sym, tt, tm, seq, t = ref_int(f[0]), ref_int(f[1]), ref_int(f[2]), ref_int(f[3]), ref_int(f[4])
            nums = f[5:]
        elif len(f) == 9:
            sym, tt, tm, seq, t = ref_int(f[0]), ref_int(f[1]), 0, ref_int(f[2]), ref_int(f[3])
            nums = f[4:]
        else:
            raise Bad("field count")
        p, b, a, bv, av = (ref_dec(x) for x in nums)
        out.append(Tick(sym, tt, tm, seq, ref_ms(t), p, b, a, bv, av))
    return tuple(out)


def ref_trades(text: str) -> tuple[object, ...]:
    out: list[object] = []
    for raw in text.split(";"):
        seg = raw.strip()
        if seg == "":
            continue
        if not seg.startswith("pt("):
            if seg.startswith("("):
                continue
            raise Bad("segment")
        f = ref_record(seg, "pt(")
        if len(f) != 8:
            raise Bad("field count")
        side = ref_int(f[7])
        direction = TradeDirection(side) if side in (0, 1, 2) else TradeDirection.UNKNOWN
        out.append(
            Trade(
                ref_int(f[0]), ref_int(f[1]), ref_int(f[2]), ref_int(f[3]), ref_ms(ref_int(f[4])),
                ref_dec(f[5]), ref_dec(f[6]), direction,
            )
        )  # fmt: skip
    return tuple(out)


def ref_side(text: str) -> tuple[DepthLevel, ...]:
    levels = []
    for raw in text.split(")"):
        part = raw.strip()
        if part == "":
            continue
        if not part.startswith("("):
            raise Bad("level")
        pieces = part[1:].split(",", 1)
        if len(pieces) != 2:
            raise Bad("level")
        levels.append(DepthLevel(ref_dec(pieces[0]), ref_dec(pieces[1])))
    return tuple(levels)


def ref_depth(text: str) -> tuple[object, ...]:
    segs = text.split(";")
    out: list[object] = []
    i = 0
    while i < len(segs):
        seg = segs[i].strip()
        if seg == "":
            i += 1
            continue
        if not seg.startswith("pd("):
            raise Bad("segment")
        f = ref_record(seg, "pd(")
        if len(f) != 5:
            raise Bad("field count")
        bids = ref_side(segs[i + 1]) if i + 1 < len(segs) else ()
        asks = ref_side(segs[i + 2]) if i + 2 < len(segs) else ()
        out.append(
            DepthBook(
                ref_int(f[0]), ref_int(f[1]), ref_int(f[2]), ref_int(f[3]), ref_ms(ref_int(f[4])), bids, asks
            )
        )
        i += 3
    return tuple(out)


def ref_rolling(text: str) -> tuple[object, ...]:
    out: list[object] = []
    for raw in text.split(";"):
        seg = raw.strip()
        if seg == "":
            continue
        if not seg.startswith("pr("):
            if seg.startswith("("):
                continue
            raise Bad("segment")
        f = ref_record(seg, "pr(")
        if len(f) != 9:
            raise Bad("field count")
        ids = (ref_int(f[0]), ref_int(f[1]), ref_int(f[2]))
        out.append(Rolling24h(*ids, *(ref_dec(x) for x in f[3:])))
    return tuple(out)


REFERENCE: dict[str, Callable[[str], tuple[object, ...]]] = {
    "p(": ref_ticks,
    "pt(": ref_trades,
    "pd(": ref_depth,
    "pr(": ref_rolling,
}


def reference(text: str) -> tuple[object, ...] | None:
    """The events of a push frame, or ``None`` if the reference rejects it."""
    stripped = text.lstrip()
    tag = next(t for t in ("pt(", "pd(", "pr(", "p(") if stripped.startswith(t))
    try:
        return REFERENCE[tag](stripped)
    except (Bad, ValueError, ArithmeticError):
        return None


def sdk(text: str) -> tuple[object, ...] | None:
    try:
        return decode_frame(text).events
    except ProtocolError:
        return None


# -- the frames --------------------------------------------------------------------------------------

GOOD_INTS = st.one_of(
    st.integers(0, 2**63).map(str),
    st.integers(0, 10**6).map(str),
    st.integers(0, 10**6).map(str),
    st.sampled_from(["0", "007", "+5", "1_000", " 12", "3 "]),  # odd but valid
)
TIMES = st.one_of(
    st.sampled_from(["1700000000", "1700000000000", "1700000000000000", "0", "99999999999"]),
    st.integers(0, 10**17).map(str),
)
GOOD_NUMBERS = st.one_of(
    st.sampled_from(["1.08500", "1.08499", "100", "200", "0", "-0", "0.000", ".5", "5.", "+1.5", "1E+5"]),
    st.sampled_from(["1e-7", "-3.25", "1_0.5", " 6.23", "6.23 ", "\u0661\u0662"]),  # odd but valid
    st.decimals(allow_nan=False, allow_infinity=False, places=5).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.integers(-(10**12), 10**12).map(str),
    st.integers(0, 10**4).map(str),
)
BAD_NUMBERS = st.sampled_from(
    ["NaN", "nan", "sNaN", "Inf", "-Infinity", "inf", "abc", "", "1.2.3", "1e", "--1", "1)", "(1", "1;2", "x"]
)


def numbers(bad_rate: int) -> st.SearchStrategy[str]:
    """A number field; about one in ``bad_rate`` is malformed."""
    return st.integers(0, bad_rate - 1).flatmap(lambda n: BAD_NUMBERS if n == 0 else GOOD_NUMBERS)


def ints(bad_rate: int) -> st.SearchStrategy[str]:
    return st.integers(0, bad_rate - 1).flatmap(
        lambda n: st.sampled_from(["x", "", "1.5", "9" * 5000, "NaN"]) if n == 0 else GOOD_INTS
    )


IDS = st.tuples(
    st.sampled_from(["1001", "1002", "7"]), st.sampled_from(["1", "2", "5"]), st.sampled_from(["0", "1"])
)


@st.composite
def tick_record(draw: st.DrawFn) -> str:
    sym, tt, tm = draw(IDS)
    fields = [sym, tt, tm, draw(ints(60)), draw(TIMES)] + [draw(numbers(80)) for _ in range(5)]
    shape = draw(st.integers(0, 19))
    if shape == 0:
        fields.pop(2)  # the legacy 9-field form
    elif shape == 1:
        fields.append("9")  # 11 fields
    elif shape == 2:
        fields.pop()  # 9 fields, the wrong ones
    return "p(" + ",".join(fields) + ")"


@st.composite
def trade_record(draw: st.DrawFn) -> str:
    sym, tt, tm = draw(IDS)
    fields = [sym, tt, tm, draw(ints(60)), draw(TIMES), draw(numbers(60)), draw(numbers(60))]
    fields.append(draw(st.sampled_from(["0", "1", "2", "7", "-1", "x"])))
    if draw(st.integers(0, 19)) == 0:
        fields.pop()
    return "pt(" + ",".join(fields) + ")"


@st.composite
def rolling_record(draw: st.DrawFn) -> str:
    sym, tt, tm = draw(IDS)
    fields = [sym, tt, tm] + [draw(numbers(80)) for _ in range(6)]
    if draw(st.integers(0, 19)) == 0:
        fields.pop()
    return "pr(" + ",".join(fields) + ")"


@st.composite
def depth_side(draw: st.DrawFn) -> str:
    levels = draw(st.lists(st.tuples(numbers(60), numbers(60)), max_size=4))
    sep = draw(st.sampled_from(["", "", "", " "]))
    side = sep.join(f"({p},{v})" for p, v in levels)
    if levels and draw(st.integers(0, 19)) == 0:
        side = draw(st.sampled_from([side + "x", side.replace(",", "", 1), "(1,2,3)" + side, " " + side]))
    return side


@st.composite
def depth_record(draw: st.DrawFn) -> str:
    sym, tt, tm = draw(IDS)
    fields = [sym, tt, tm, draw(ints(40)), draw(TIMES)]
    if draw(st.integers(0, 19)) == 0:
        fields.pop()
    head = "pd(" + ",".join(fields) + ")"
    sides = draw(st.integers(0, 9))
    if sides == 0:
        return head  # no sides at all
    if sides == 1:
        return head + ";" + draw(depth_side())  # bids only
    return head + ";" + draw(depth_side()) + ";" + draw(depth_side())


RECORDS = {"p(": tick_record(), "pt(": trade_record(), "pd(": depth_record(), "pr(": rolling_record()}


@st.composite
def frame(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(list(RECORDS)))
    records = draw(st.lists(RECORDS[tag], min_size=1, max_size=4))
    sep = draw(st.sampled_from([";", ";", ";", ";", ";", ";", " ;", "; ", ";;"]))
    text = sep.join(records)
    end = draw(st.integers(0, 11))
    if end < 8:
        text += ";"  # the usual shape
    elif end == 8:
        text += "; "
    elif end == 9:
        text += ";junk"
    elif end == 10 and tag == "p(":
        text += ";(6.22,6.25,10,20);"  # legacy extras
    if draw(st.integers(0, 19)) == 0:
        text = "  " + text
    return text


FUZZ = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(text=frame())
@example("p(1001,1,1,5,1700000000000,1.08500,1.08499,1.08501,100,200);")
@example("p(1001,1,1,5,1700000000000,1.08500,1.08499,1.08501,100,200);(6.22,6.25,10,20);")
@example("p(1001,1,5,1700000000000,1.08500,1.08499,1.08501,100,200);")
@example("p(1001,1,1,5,1,NaN,1,1,1,1);")
@example("p(1,1,1,1,1,1,1,1,1,1);pt(1,1,1,1,1,1,1,1,1,1);")
@example("pt(1,1,1,1,1,1,1,1);p(1,1,1,1,1,1,1,1,1,1);")
@example("pd(1,1,0,2,1700000000000);(1,2)(3,4);;")
@example("pd(1,1,0,2,1700000000000);(1,2) (3,4);(5,6);")
@example("pr(1,1,0,6.5,6.0,7.0,5.5,1234.5,8000.25);pr(2,5,4,1,1,1,1,0,0);")
def test_decode_frame_agrees_with_the_reference(text: str) -> None:
    assert sdk(text) == reference(text)


def _outcome(parse: Callable[[], tuple[object, ...]]) -> tuple[object, ...] | str:
    try:
        return parse()
    except (ValueError, ArithmeticError) as exc:
        return type(exc).__name__ if not isinstance(exc, frames.Malformed) else "Malformed"


@FUZZ
@given(text=frame())
def test_the_fast_path_returns_what_the_general_parser_returns(text: str) -> None:
    to_ms = frames.time_converter("auto")
    text = text.lstrip()
    if text.startswith("pt("):
        assert _outcome(lambda: push.parse_trades(text, to_ms)) == _outcome(
            lambda: push._general_trades(text, to_ms)
        )
    elif text.startswith("pd("):
        assert _outcome(lambda: push.parse_depth(text, to_ms)) == _outcome(
            lambda: push._general_depth(text.split(";"), to_ms)
        )
    elif text.startswith("pr("):
        assert _outcome(lambda: push.parse_rolling(text)) == _outcome(lambda: push._general_rolling(text))
    else:
        assert _outcome(lambda: push.parse_ticks(text, to_ms)) == _outcome(
            lambda: push._general_ticks(text, to_ms)
        )


@pytest.mark.parametrize("unit", ["s", "ms", "us", "auto"])
def test_every_time_unit_takes_the_same_values_on_both_paths(unit: str) -> None:
    to_ms = frames.time_converter(unit)  # type: ignore[arg-type]
    for value in ("1700000000", "1700000000000", "1700000000000000"):
        text = f"p(1001,1,1,5,{value},1,1,1,1,1);"
        ticks = push.parse_ticks(text, to_ms)
        assert ticks == push._general_ticks(text, to_ms)
        assert ticks[0].time_ms == to_ms(int(value))
        trades = push.parse_trades(f"pt(1001,1,1,5,{value},1,1,1);", to_ms)
        assert trades[0].time_ms == to_ms(int(value))


def test_a_cached_number_keeps_its_exact_spelling_and_nonfinite_is_never_cached() -> None:
    to_ms = frames.time_converter("auto")
    for _ in range(2):  # the second time from the caches
        (tick,) = push.parse_ticks("p(1001,1,1,5,1700000000000,1.08500,1E+5,-0,100,200);", to_ms)
        assert (str(tick.price), str(tick.bid), str(tick.ask)) == ("1.08500", "1E+5", "-0")
    with pytest.raises(ProtocolError):
        decode_frame("p(1001,1,1,5,1700000000000,NaN,1,1,1,1);")
    assert not any(not value.is_finite() for value in push._NUMBERS.values())


def test_the_caches_stay_bounded() -> None:
    to_ms = frames.time_converter("auto")
    for i in range(push._CACHE_LIMIT + 10):
        push.parse_ticks(f"p({i},1,1,5,1700000000000,{i}.5,1,1,1,1);", to_ms)
    assert len(push._NUMBERS) <= push._CACHE_LIMIT
    assert len(push.NO_NAMES.heads["p("]) <= push._CACHE_LIMIT
    (tick,) = push.parse_ticks("p(7,1,1,5,1700000000000,7.5,1,1,1,1);", to_ms)
    assert (tick.symbol_id, tick.price) == (7, Decimal("7.5"))


def _decoded(decode: Callable[[], QuoteFrame]) -> tuple[object, ...]:
    """What a decode gives: the frame's type, value and repr, or the error's type, text and cause."""
    try:
        result = decode()
    except ProtocolError as exc:
        return ("raised", type(exc), str(exc), type(exc.__cause__))
    return ("returned", type(result), result, repr(result), hash(result))


@FUZZ
@given(text=frame())
@example("p(1001,1,1,5,1700000000000,1.08500,1.08499,1.08501,100,200);")
@example("p(1001,1,1,5,1700000000000,1.08500,1.08499,1.08501,100,200);p(1002,1,1,6,1,1,1,1,1,1);")
@example("p(1001,1,1,5,1700000000000,1.08500,1.08499,1.08501,100,200)")
@example("p(1001,1,1,5,1,NaN,1,1,1,1);")
@example("p(1001,1,1,5,1,1,1,1,1,1);;")
@example("p(")
def test_decode_frames_ticker_fast_path_gives_what_the_classifier_gives(text: str) -> None:
    # decode_frame skips the classification for a "p(" frame with the default unit; the result (or
    # the error, its message and its cause) is exactly what the general classification gives.
    general = _decoded(
        lambda: _quote_reply._classify(
            text, frames.time_converter("auto"), KLINE_INFLATE_WBITS, MAX_INFLATED_SIZE, MAX_REPLY_BARS
        )
    )
    assert _decoded(lambda: decode_frame(text)) == general
    assert _decoded(lambda: decode_frame(text, quote_time_unit="auto")) == general


def test_a_fast_path_frame_is_a_frozen_quote_frame() -> None:
    decoded = decode_frame("p(1001,1,1,5,1700000000000,1.08500,1.08499,1.08501,100,200);")
    assert type(decoded) is QuoteFrame
    assert decoded == QuoteFrame(frames.FrameKind.TICKER, decoded.events)
    assert (decoded.kind, decoded.reply) == (frames.FrameKind.TICKER, None)
    with pytest.raises(FrozenInstanceError):
        decoded.kind = frames.FrameKind.TRADE  # type: ignore[misc]


def test_other_units_and_kinds_take_the_classifier() -> None:
    text = "p(1001,1,1,5,1700000000,1,1,1,1,1);"
    assert decode_frame(text, quote_time_unit="s").events[0].time_ms == 1_700_000_000_000  # type: ignore[union-attr]
    assert decode_frame(text, quote_time_unit="ms").events[0].time_ms == 1_700_000_000  # type: ignore[union-attr]
    assert decode_frame(b"p(1001,1,1,5,1,1,1,1,1,1);".decode()).kind is frames.FrameKind.TICKER
    with pytest.raises(ConfigurationError):
        decode_frame(text, quote_time_unit="hours")  # type: ignore[arg-type]


def test_names_come_from_the_product_names_of_the_decoder_on_every_path() -> None:
    names = push.ProductNames()
    names.update({(1001, 1, 1): "EURUSD", (1001, 1, 0): "EURUSD-legacy"})
    fast = push.parse_ticks("p(1001,1,1,5,1700000000000,1.1,1.1,1.2,1,1);", frames.auto_ms, names)
    legacy = push.parse_ticks("p(1001,1,5,1700000000000,1.1,1.1,1.2,1,1);", frames.auto_ms, names)
    spaced = push.parse_trades(" pt(1001,1,1,5,1700000000,1.1,1,1) ;", frames.auto_ms, names)
    books = push.parse_depth("pd(1001,1,1,5,1700000000000);(1.1,1);(1.2,1);", frames.auto_ms, names)
    stats = push.parse_rolling("pr(1001,1,1,1,1,1,1,1,1);pr(7,1,1,1,1,1,1,1,1);", names)
    assert [e.symbol for e in (*fast, *legacy, *spaced, *books)] == [
        "EURUSD",
        "EURUSD-legacy",
        "EURUSD",
        "EURUSD",
    ]
    assert [s.symbol for s in stats] == ["EURUSD", None]
    # A name given later reaches records whose head was already cached; None forgets it.
    names.update({(7, 1, 1): "SEVEN"})
    assert push.parse_rolling("pr(7,1,1,1,1,1,1,1,1);", names)[0].symbol == "SEVEN"
    names.update({(7, 1, 1): None})
    assert push.parse_rolling("pr(7,1,1,1,1,1,1,1,1);", names)[0].symbol is None
    # Without names (the default) every event is unnamed.
    assert decode_frame("p(1001,1,1,5,1700000000000,1.1,1.1,1.2,1,1);").events[0].symbol is None  # type: ignore[union-attr]
    prices = ("last_price", "first_price", "high_price", "low_price", "transactions_number", "amount")
    entry = {"symbol_id": 1001, "trade_type": 1, "trade_mode": 1} | {f"rolling_{p}": "1" for p in prices}
    snapshot = json.dumps(
        {"ret": 200, "cmd_id": 14017, "seq_id": 1, "ext": "x", "data": {"tick_list": [entry]}}
    )
    assert decode_frame(snapshot, names=names).events[0].symbol == "EURUSD"  # type: ignore[union-attr]
