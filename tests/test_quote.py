"""Tests for the quote socket dialect: encoders, limits, push parsing, replies and compressed K-lines.

Every vendor example frame of the market-data documentation is copied here as a literal: they are facts.
"""

from __future__ import annotations

import ast
import dataclasses
import gzip
import inspect
import itertools
import json
import zlib
from decimal import Decimal
from urllib.parse import quote

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multimarkets_async.errors import (
    ConfigurationError,
    InvalidArgumentError,
    ProtocolError,
    ServerError,
    ValidationError,
)
from multimarkets_async.models.market import (
    DepthBook,
    DepthLevel,
    Kline,
    KlineType,
    Rolling24h,
    SymbolKey,
    Tick,
    Trade,
    TradeDirection,
)
from multimarkets_async.protocol import quote as q
from tests._support import GARBAGE_BODY, apply_edits, decode_or_refuse, frame_edits, frame_id, refusal

EXT = "3baaa938-f92c-4a74-a228-fd49d5e2f8bc-1678419657806"

# --- vendor examples (the market-data documentation), verbatim ---------------------------------------
SUB_14000 = (
    '{"cmd_id":14000,"seq_id":1,"ext":"3baaa938-f92c-4a74-a228-fd49d5e2f8bc-1678419657806",'
    '"data":{"symbol_list":[{"symbol_id":112312,"trade_type":1,"trade_mode":1}]}}'
)
REPLY_14009 = (
    '{"ret":200,"msg":"ok","cmd_id":14009,"seq_id":123,'
    '"ext":"3baaa938-f92c-4a74-a228-fd49d5e2f8bc-1678419657806","data":{}}'
)
REPLY_14001 = """{"ret":200,"msg":"ok","cmd_id":14001,"seq_id":123,"ext":"3baaa938-f92c-4a74-a228-fd49d5e2f8bc-1678419657806",
 "data":{"tick_list":[{"symbol_id":123,"trade_type":1,"trade_mode":0,"seq":1605509068000001,"tick_time":1605509068,
 "price_digits":2,"price":"651.12","tick_deep":[{"price_bid":"9.12","price_ask":"147.12","volume_bid":"9.12","volume_ask":"147.12"}],
 "open_price":"651.12","close_price":"623.12","high_price":"674.12","low_price":"619.12","yesterday_close_price":"623.12"}]}}"""  # noqa: E501
SUB_14010 = (
    '{"cmd_id":14010,"seq_id":2,"ext":"…","data":{"symbol_list":[{"symbol_id":112312,"trade_type":1,'
    '"trade_mode":0,"depth_level":5,"merge_accuracy":"0.001","trade_info_count":5}]}}'
)
REPLY_14011 = """{"ret":200,"msg":"ok","cmd_id":14011,"seq_id":2,"ext":"…","data":{"tick_list":[{"symbol_id":123,"trade_type":1,"trade_mode":0,
 "seq":1605509068000001,"tick_time":1605509068,"price_digits":2,"bid_deep":[{"price_bid":"9.12","volume_bid":"9.12"}],
 "ask_deep":[{"price_ask":"147.12","volume_ask":"147.12"}],"trade_info":[{"price":"651.12","volume":"100","trade_direction":1,"trade_time":1605509068}]}]}}"""  # noqa: E501
REQ_14012 = (
    '{"cmd_id":14012,"seq_id":3,"ext":"…","data":{"symbol_id":1,"trade_type":1,"trade_mode":0,'
    '"kline_type":1,"kline_timestamp_end":1605509068,"query_kline_num":100}}'
)
REPLY_14013 = """{"ret":200,"msg":"ok","cmd_id":14013,"seq_id":3,"ext":"…","data":{"symbol_id":1123,"trade_type":1,"trade_mode":0,"kline_type":1,
 "price_digits":2,"kline_list":[{"timestamp":1605509068,"open_price":"651.12","close_price":"623.12","high_price":"674.12",
 "low_price":"619.12","last_tick_time":1605509068000001,"last_tick_seq":1605509068000001,"transactions_number":"12345.6"}]}}"""  # noqa: E501
P_EXAMPLE = "p(1123,1,0,1232312,34545435345,6.23,6.23,6.24,123,234);"
PT_EXAMPLE = "pt(1123,1,0,1232312,34545435345,6.23,1000,1);"
PD_EXAMPLE_1 = "pd(1123,1,0,1232312,34545435345);(6.23,123)(6.22,256);(6.24,111)(6.25,222);"
PD_EXAMPLE_2 = "pd(1123,1,0,1232312,34545435345) ;(6.23,123)(6.22,256);(6.24,111)(6.25,222)(6.25,333);"
PD_EXAMPLE_3 = "pd(1123,1,0,1232312,34545435345);;(6.24,111)( 6.25,222)(6.25,333);"
# The 11-digit placeholder is below 1e11, so "auto" reads it as seconds.
EXAMPLE_TIME_MS = 34545435345000

D = Decimal


def levels(*pairs: tuple[str, str]) -> tuple[DepthLevel, ...]:
    return tuple(DepthLevel(D(p), D(v)) for p, v in pairs)


# --- encoders --------------------------------------------------------------------------------------


def test_ticker_subscribe_matches_the_vendor_example_byte_for_byte() -> None:
    assert q.encode_ticker_subscribe([SymbolKey(112312, 1, 1)], 1, EXT) == SUB_14000


def test_market_subscribe_matches_the_vendor_example() -> None:
    frame = q.encode_market_subscribe(
        [SymbolKey(112312, 1, 0)],
        depth_level=5,
        merge_accuracy="0.001",
        trade_info_count=5,
        seq_id=2,
        ext="…",
    )
    assert frame == SUB_14010


def test_market_subscribe_omits_absent_depth_and_formats_decimal_accuracy() -> None:
    frame = q.encode_market_subscribe(
        [SymbolKey(1, 1, 0)], depth_level=None, merge_accuracy=D("10"), trade_info_count=20, seq_id=9, ext="x"
    )
    entry = json.loads(frame)["data"]["symbol_list"][0]
    assert "depth_level" not in entry
    assert entry["merge_accuracy"] == "10"
    assert entry["trade_info_count"] == 20


@pytest.mark.parametrize("accuracy", ["0", "-1", "abc", "NaN", 0.01])
def test_market_subscribe_rejects_bad_accuracy(accuracy: object) -> None:
    with pytest.raises(InvalidArgumentError):
        q.encode_market_subscribe(
            [SymbolKey(1, 1, 0)],
            depth_level=1,
            merge_accuracy=accuracy,  # type: ignore[arg-type]
            trade_info_count=1,
            seq_id=1,
            ext="x",
        )


def test_market_subscribe_rejects_zero_depth() -> None:
    with pytest.raises(InvalidArgumentError):
        q.encode_market_subscribe(
            [SymbolKey(1, 1, 0)], depth_level=0, merge_accuracy="1", trade_info_count=1, seq_id=1, ext="x"
        )


def test_kline_request_matches_the_vendor_example() -> None:
    query = q.KlineQuery(SymbolKey(1, 1, 0), KlineType.MIN_1, 100, kline_timestamp_end=1605509068)
    assert q.encode_kline_request(query, 3, "…") == REQ_14012


def test_kline_request_without_end_time_omits_the_field() -> None:
    data = json.loads(q.encode_kline_request(q.KlineQuery(SymbolKey(1, 1, 0), 8, 10), 3, "e"))["data"]
    assert "kline_timestamp_end" not in data
    assert data["kline_type"] == 8


def test_batch_kline_request_lists_every_query() -> None:
    queries = [q.KlineQuery(SymbolKey(i, 1, 0), KlineType.HOUR_1, 1000) for i in range(1, 4)]
    frame = json.loads(q.encode_batch_kline_request(queries, 7, "t"))
    assert frame["cmd_id"] == 14014
    assert [e["symbol_id"] for e in frame["data"]["data_list"]] == [1, 2, 3]
    assert frame["data"]["data_list"][0] == {
        "symbol_id": 1,
        "trade_type": 1,
        "trade_mode": 0,
        "kline_type": 5,
        "query_kline_num": 1000,
    }


def test_heartbeat_cancel_and_rolling_frames() -> None:
    assert q.encode_heartbeat(123, "…") == '{"cmd_id":14008,"seq_id":123,"ext":"…","data":{}}'
    assert json.loads(q.encode_cancel(q.CancelType.MARKET, 4, "c")) == {
        "cmd_id": 14006,
        "seq_id": 4,
        "ext": "c",
        "data": {"cancel_type": 2},
    }
    rolling = json.loads(q.encode_rolling_subscribe([SymbolKey(5, 5, 3)], 6, "r"))
    assert rolling == {
        "cmd_id": 14016,
        "seq_id": 6,
        "ext": "r",
        "data": {"symbol_list": [{"symbol_id": 5, "trade_type": 5, "trade_mode": 3}], "update_speed": 1000},
    }


@pytest.mark.parametrize("cancel_type", [4, -1, True, 2.0, "2"])
def test_cancel_rejects_undocumented_types(cancel_type: int) -> None:
    with pytest.raises(InvalidArgumentError):
        q.encode_cancel(cancel_type, 1, "x")


@pytest.mark.parametrize(("seq_id", "ext"), [(-1, "x"), (2**32, "x"), (True, "x"), (1, "x" * 65), (1, None)])
def test_envelope_fields_are_validated(seq_id: int, ext: str) -> None:
    with pytest.raises(InvalidArgumentError):
        q.encode_heartbeat(seq_id, ext)


def test_symbol_fields_are_validated() -> None:
    with pytest.raises(InvalidArgumentError):
        q.encode_ticker_subscribe([SymbolKey(-1, 1, 0)], 1, "x")


def test_encoders_emit_strict_compact_json() -> None:
    frame = q.encode_ticker_subscribe([SymbolKey(1, 1, 0), SymbolKey(2, 5, 4)], 10, "é-1")
    assert json.loads(frame)["ext"] == "é-1"
    assert ", " not in frame
    assert ": " not in frame


# --- limits ----------------------------------------------------------------------------------------


def test_subscribe_limit_is_100_distinct_products() -> None:
    keys = [SymbolKey(i, 1, 0) for i in range(100)]
    q.encode_ticker_subscribe(keys + keys, 1, "x")  # duplicates add nothing
    with pytest.raises(InvalidArgumentError, match="100"):
        q.encode_ticker_subscribe([*keys, SymbolKey(1000, 1, 0)], 1, "x")
    with pytest.raises(InvalidArgumentError):
        q.encode_rolling_subscribe([*keys, SymbolKey(1000, 1, 0)], 1, "x")


def test_kline_bar_and_batch_limits() -> None:
    key = SymbolKey(1, 1, 0)
    q.encode_kline_request(q.KlineQuery(key, 1, 1000), 1, "x")
    for bars in (0, 1001):
        with pytest.raises(InvalidArgumentError):
            q.encode_kline_request(q.KlineQuery(key, 1, bars), 1, "x")
    with pytest.raises(InvalidArgumentError):
        q.encode_kline_request(q.KlineQuery(key, 11, 10), 1, "x")
    with pytest.raises(InvalidArgumentError):
        q.encode_kline_request(q.KlineQuery(key, 1.0, 10), 1, "x")  # type: ignore[arg-type]
    queries = [q.KlineQuery(SymbolKey(i, 1, 0), 1, 10) for i in range(101)]
    with pytest.raises(InvalidArgumentError):
        q.encode_batch_kline_request(queries, 1, "x")
    q.encode_batch_kline_request(queries[:100], 1, "x")


def test_check_request_limits_is_per_command() -> None:
    q.check_request_limits(q.QuoteCmd.HEARTBEAT, products=500)
    q.check_request_limits(q.QuoteCmd.MARKET_SUBSCRIBE, products=100)
    with pytest.raises(InvalidArgumentError):
        q.check_request_limits(q.QuoteCmd.MARKET_SUBSCRIBE, products=101)
    with pytest.raises(InvalidArgumentError):
        q.check_request_limits(q.QuoteCmd.KLINE, bars=1001)


def test_rate_limit_delay() -> None:
    assert q.rate_limit_delay_ms([0] * 49, 0) == 0
    sent = list(range(1000, 1050))  # 50 calls in 50 ms
    assert q.rate_limit_delay_ms(sent, 1060) == 940
    assert q.rate_limit_delay_ms(sent, 2000) == 0
    assert q.MAX_CALLS_PER_SECOND == 50


# --- time units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1605509068, 1605509068000),
        (1605509068123, 1605509068123),
        (1605509068000001, 1605509068000),
        (99_999_999_999, 99_999_999_999_000),
        (100_000_000_000, 100_000_000_000),
    ],
)
def test_auto_time_unit_by_magnitude(value: int, expected: int) -> None:
    assert q.normalize_time_ms(value) == expected


def test_explicit_time_units_and_bad_unit() -> None:
    assert q.normalize_time_ms(5, "s") == 5000
    assert q.normalize_time_ms(5, "ms") == 5
    assert q.normalize_time_ms(5000, "us") == 5
    with pytest.raises(ConfigurationError):
        q.normalize_time_ms(5, "days")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        q.decode_frame(P_EXAMPLE, quote_time_unit="h")  # type: ignore[arg-type]


def test_time_unit_applies_to_pushes() -> None:
    (tick,) = q.decode_frame(P_EXAMPLE, quote_time_unit="ms").events
    assert tick.time_ms == 34545435345  # type: ignore[union-attr]


# --- text pushes -----------------------------------------------------------------------------------


def test_p_vendor_example() -> None:
    frame = q.decode_frame(P_EXAMPLE)
    assert frame.kind is q.FrameKind.TICKER
    assert frame.reply is None
    assert frame.events == (
        Tick(1123, 1, 0, 1232312, EXAMPLE_TIME_MS, D("6.23"), D("6.23"), D("6.24"), D("123"), D("234")),
    )


def test_p_legacy_nine_field_form_has_no_trade_mode() -> None:
    (tick,) = q.decode_frame("p(1123,1,1232312,34545435345,6.23,6.22,6.24,123,234);").events
    assert tick == Tick(
        1123,
        1,
        q.LEGACY_TRADE_MODE,
        1232312,
        EXAMPLE_TIME_MS,
        D("6.23"),
        D("6.22"),
        D("6.24"),
        D("123"),
        D("234"),
    )


def test_p_tolerates_spaces_trailing_segments_and_missing_semicolon() -> None:
    spaced = "  p( 1123 , 1 ,0, 1232312 ,34545435345, 6.23 ,6.23,6.24 , 123,234 ) ; "
    trailing = P_EXAMPLE + "(6.22,6.25,10,20);(6.21,6.26,30,40)"
    bare = P_EXAMPLE.rstrip(";")
    expected = q.decode_frame(P_EXAMPLE).events
    for text in (spaced, trailing, bare):
        assert q.decode_frame(text).events == expected


def test_p_several_records_in_one_frame() -> None:
    frame = q.decode_frame(P_EXAMPLE + "p(1124,2,3,5,1700000000000,1,2,3,4,5);")
    assert [t.symbol_id for t in frame.events] == [1123, 1124]
    assert frame.events[1].time_ms == 1700000000000  # type: ignore[union-attr]


def test_pt_vendor_example() -> None:
    frame = q.decode_frame(PT_EXAMPLE)
    assert frame.kind is q.FrameKind.TRADE
    assert frame.events == (
        Trade(1123, 1, 0, 1232312, EXAMPLE_TIME_MS, D("6.23"), D("1000"), TradeDirection.BUY),
    )


def test_pt_directions() -> None:
    sides = [q.decode_frame(f"pt(1,1,0,1,1,1,1,{d});").events[0].direction for d in (0, 2, 7)]  # type: ignore[union-attr]
    assert sides == [TradeDirection.UNKNOWN, TradeDirection.SELL, TradeDirection.UNKNOWN]


def test_pd_vendor_example_1() -> None:
    frame = q.decode_frame(PD_EXAMPLE_1)
    assert frame.kind is q.FrameKind.DEPTH
    assert frame.events == (
        DepthBook(
            1123, 1, 0, 1232312, EXAMPLE_TIME_MS,
            levels(("6.23", "123"), ("6.22", "256")), levels(("6.24", "111"), ("6.25", "222")),
        ),
    )  # fmt: skip


def test_pd_vendor_example_2_space_before_semicolon_and_uneven_sides() -> None:
    (book,) = q.decode_frame(PD_EXAMPLE_2).events
    assert isinstance(book, DepthBook)
    assert book.bids == levels(("6.23", "123"), ("6.22", "256"))
    assert book.asks == levels(("6.24", "111"), ("6.25", "222"), ("6.25", "333"))


def test_pd_vendor_example_3_empty_bid_side_and_space_after_paren() -> None:
    (book,) = q.decode_frame(PD_EXAMPLE_3).events
    assert isinstance(book, DepthBook)
    assert book.bids == ()
    assert book.asks == levels(("6.24", "111"), ("6.25", "222"), ("6.25", "333"))


def test_pd_missing_sides_are_empty_and_several_records_parse() -> None:
    (book,) = q.decode_frame("pd(1,1,0,2,1700000000000)").events
    assert (book.bids, book.asks) == ((), ())  # type: ignore[union-attr]
    (book,) = q.decode_frame("pd(1,1,0,2,1700000000000);(1,2);").events
    assert (book.bids, book.asks) == (levels(("1", "2")), ())  # type: ignore[union-attr]
    books = q.decode_frame(PD_EXAMPLE_1 + PD_EXAMPLE_3).events
    assert len(books) == 2
    assert books[1].bids == ()  # type: ignore[union-attr]


def test_pr_several_records() -> None:
    frame = q.decode_frame("pr(1,1,0,6.5,6.0,7.0,5.5,1234.5,8000.25);pr(2,5,4,1,1,1,1,0,0);")
    assert frame.kind is q.FrameKind.ROLLING
    assert frame.events[0] == Rolling24h(
        1, 1, 0, D("6.5"), D("6.0"), D("7.0"), D("5.5"), D("1234.5"), D("8000.25")
    )
    assert frame.events[1].key == SymbolKey(2, 5, 4)


@pytest.mark.parametrize("text", ["", "hello", "[1,2]", "P(1,2)", "ping", "x p(1)"])
def test_unclassified_text_is_ignored(text: str) -> None:
    assert q.decode_frame(text) == q.QuoteFrame(q.FrameKind.IGNORED)


@pytest.mark.parametrize(
    "text",
    [
        "p(",
        "p(1,2,3)",
        "p(1,1,0,1,1,6.23,6.23,6.24,123,234,9);",  # 11 fields
        "p(1,1,0,1,1,NaN,6.23,6.24,123,234);",
        "p(1,1,0,1,1,Infinity,6.23,6.24,123,234);",
        "p(1,1,0,1,1,sNaN,6.23,6.24,123,234);",
        "p(1,1,0,1,1,abc,6.23,6.24,123,234);",
        "p(x,1,0,1,1,1,1,1,1,1);",
        "p(1,1,0,1,1,1,1,1,1,1)junk;",
        "p(1,1,0,1,1,1,1,1,1,1);junk",
        "pt(1,1,0,1,1,1,1);",
        "pt(1,1,0,1,1,1,1,x);",
        "pd(1,1,0,1);(1,2);(3,4);",
        "pd(1,1,0,1,1);(1,2)x(3,4);",
        "pd(1,1,0,1,1);(1);",
        "pd(1,1,0,1,1);(1,2,3);",
        "pd(1,1,0,1,1);junk;;",
        "pt(1,1,0,1,1,NaN,1,1);",
        "pd(1,1,0,1,1);(NaN,1);",
        "pd(1,1,0,1,1);(1,2);(3,4);junk",
        "pr(1,1,0,1,1,1,1,1);",
        "pr(1,1,0,1,1,1,1,1,inf);",
        "p(" + "9" * 5000 + ",1,0,1,1,1,1,1,1,1);",
    ],
    ids=frame_id,
)
def test_malformed_pushes_raise_protocol_error_only(text: str) -> None:
    assert "malformed quote" in str(refusal(q.decode_frame, text))


# --- JSON replies ----------------------------------------------------------------------------------


def test_heartbeat_reply_vendor_example() -> None:
    frame = q.decode_frame(REPLY_14009)
    assert frame.kind is q.FrameKind.REPLY
    assert frame.events == ()
    assert frame.reply == q.QuoteReply(14009, 123, EXT, 200, "ok", {}, None)


def test_ticker_snapshot_vendor_example() -> None:
    frame = q.decode_frame(REPLY_14001)
    assert frame.reply is not None
    assert (frame.reply.cmd_id, frame.reply.seq_id, frame.reply.ext, frame.reply.error) == (
        14001,
        123,
        EXT,
        None,
    )
    assert frame.events == (
        Tick(
            symbol_id=123,
            trade_type=1,
            trade_mode=0,
            seq=1605509068000001,
            time_ms=1605509068000,
            price=D("651.12"),
            bid=D("9.12"),
            ask=D("147.12"),
            bid_volume=D("9.12"),
            ask_volume=D("147.12"),
            open=D("651.12"),
            high=D("674.12"),
            low=D("619.12"),
            close=D("623.12"),
            yesterday_close=D("623.12"),
            price_digits=2,
        ),
    )


def test_market_snapshot_vendor_example() -> None:
    frame = q.decode_frame(REPLY_14011)
    assert frame.reply is not None
    assert frame.reply.seq_id == 2
    assert frame.events == (
        DepthBook(
            123,
            1,
            0,
            1605509068000001,
            1605509068000,
            levels(("9.12", "9.12")),
            levels(("147.12", "147.12")),
            2,
        ),
        Trade(123, 1, 0, None, 1605509068000, D("651.12"), D("100"), TradeDirection.BUY),
    )


EXPECTED_BAR = Kline(
    symbol_id=1123,
    trade_type=1,
    trade_mode=0,
    kline_type=1,
    time_ms=1605509068000,
    open=D("651.12"),
    high=D("674.12"),
    low=D("619.12"),
    close=D("623.12"),
    volume=D("12345.6"),
    last_tick_time_ms=1605509068000,
    last_tick_seq=1605509068000001,
    price_digits=2,
)


def test_kline_reply_vendor_example_as_text() -> None:
    assert q.decode_frame(REPLY_14013).events == (EXPECTED_BAR,)


def _percent(text: str) -> bytes:
    return quote(text, safe="!~*'()").encode("ascii")


@pytest.mark.parametrize(
    "payload",
    [
        q.compress_kline_reply(REPLY_14013),  # the simulator's form: zlib header
        gzip.compress(_percent(REPLY_14013)),  # the H5 inflater also accepts gzip
        zlib.compress(_percent(REPLY_14013))[2:-4],  # raw deflate, the documented fallback
        zlib.compress(REPLY_14013.encode()),  # an unencoded body is tolerated
    ],
    ids=["zlib", "gzip", "raw-deflate", "unencoded"],
)
def test_compressed_kline_reply(payload: bytes) -> None:
    frame = q.decode_frame(payload)
    assert frame.kind is q.FrameKind.REPLY
    assert frame.reply is not None
    assert (frame.reply.cmd_id, frame.reply.seq_id, frame.reply.ext) == (14013, 3, "…")
    assert frame.events == (EXPECTED_BAR,)


def test_compress_kline_reply_is_percent_encoded_zlib() -> None:
    raw = zlib.decompress(q.compress_kline_reply('{"a":"…"}'))
    assert raw == b"%7B%22a%22%3A%22%E2%80%A6%22%7D"
    assert q.decode_frame(bytearray(q.compress_kline_reply(REPLY_14009))).reply is not None  # type: ignore[arg-type]


def test_batch_kline_reply() -> None:
    reply = {
        "ret": 200,
        "msg": "ok",
        "cmd_id": 14015,
        "seq_id": 8,
        "ext": "b",
        "data": {
            "data_list": [
                {
                    "symbol_id": 1,
                    "trade_type": 1,
                    "kline_list": [json.loads(REPLY_14013)["data"]["kline_list"][0]],
                },
                {"symbol_id": 2, "trade_type": 5, "trade_mode": 4, "kline_type": 8, "kline_list": []},
            ]
        },
    }
    (bar,) = q.decode_frame(q.compress_kline_reply(json.dumps(reply))).events
    assert isinstance(bar, Kline)
    assert (bar.symbol_id, bar.trade_mode, bar.kline_type, bar.price_digits) == (1, 0, None, None)
    assert bar.close == D("623.12")


def test_rolling_snapshot_uses_pr_field_names() -> None:
    entry = {
        "symbol_id": 9, "trade_type": 1, "trade_mode": 0, "rolling_last_price": "2",
        "rolling_first_price": "1", "rolling_high_price": "3", "rolling_low_price": "0.5",
        "rolling_transactions_number": "10", "rolling_amount": "20",
    }  # fmt: skip
    text = json.dumps(
        {"ret": 200, "cmd_id": 14017, "seq_id": 1, "data": {"tick_list": [entry, {"other": 1}]}}
    )
    frame = q.decode_frame(text)
    assert frame.events == (Rolling24h(9, 1, 0, D(2), D(1), D(3), D("0.5"), D(10), D(20)),)


def test_snapshot_entry_without_tick_deep_is_skipped() -> None:
    data = json.loads(REPLY_14001)
    data["data"]["tick_list"][0]["tick_deep"] = []
    assert q.decode_frame(json.dumps(data)).events == ()


@pytest.mark.parametrize(
    ("ret", "cls"), [(201, ValidationError), (202, ValidationError), (203, ProtocolError), (500, ServerError)]
)
def test_error_replies_carry_the_mapped_error(ret: int, cls: type[Exception]) -> None:
    text = json.dumps({"ret": ret, "msg": "bad", "cmd_id": 14001, "seq_id": 5, "ext": "e", "data": None})
    frame = q.decode_frame(text)
    assert frame.reply is not None
    assert type(frame.reply.error) is cls
    assert frame.reply.error is not None
    assert frame.reply.error.trace == "e"
    assert (frame.reply.seq_id, frame.reply.ret, frame.reply.data, frame.events) == (5, ret, {}, ())


def test_misprinted_right_field_is_read_as_ret() -> None:
    frame = q.decode_frame('{"right":200,"msg":"ok","cmd_id":14007,"seq_id":4,"ext":"x","data":{}}')
    assert frame.reply is not None
    assert (frame.reply.ret, frame.reply.error) == (200, None)


def test_malformed_snapshot_data_is_reported_on_the_reply() -> None:
    data = json.loads(REPLY_14001)
    data["data"]["tick_list"][0]["price"] = "NaN"
    frame = q.decode_frame(json.dumps(data))
    assert frame.reply is not None
    assert isinstance(frame.reply.error, ProtocolError)
    assert frame.reply.seq_id == 123
    assert frame.events == ()


@pytest.mark.parametrize(
    "frame",
    [
        "{",
        "{}",
        '{"ret":"200","cmd_id":14009}',
        '{"ret":200,"cmd_id":"14009"}',
        '{"ret":200,"cmd_id":14009,"seq_id":"1"}',
        '{"ret":200,"cmd_id":14009,"ext":5}',
        '{"ret":NaN,"cmd_id":14009}',
        '{"a":' + "[" * 100_000,
        b"",
        b"not zlib at all",
        zlib.compress(b"%ZZ%7B")[:-3],  # truncated stream
        zlib.compress(b"%FF%FE"),  # percent-decodes to invalid UTF-8
        zlib.compress(b"[1, 2]"),
    ],
    ids=frame_id,
)
def test_malformed_replies_raise_protocol_error(frame: str | bytes) -> None:
    refusal(q.decode_frame, frame)


def test_decompression_bomb_is_refused() -> None:
    bomb = zlib.compress(b"{" + b" " * 100_000)
    with pytest.raises(ProtocolError, match="exceeds"):
        q.decode_frame(bomb, max_inflated_size=10_000)


# --- fuzzing ---------------------------------------------------------------------------------------

VALID_FRAMES = [
    P_EXAMPLE, PT_EXAMPLE, PD_EXAMPLE_1, PD_EXAMPLE_2, PD_EXAMPLE_3, "pr(1,1,0,1,2,3,4,5,6);",
    REPLY_14001, REPLY_14009, REPLY_14011, REPLY_14013,
]  # fmt: skip


def _decode_or_protocol_error(frame: str | bytes) -> None:
    result = decode_or_refuse(q.decode_frame, frame)
    assert result is None or isinstance(result, q.QuoteFrame)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.binary()))
def test_fuzz_arbitrary_frames(frame: str | bytes) -> None:
    _decode_or_protocol_error(frame)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VALID_FRAMES), frame_edits(400))
def test_fuzz_mutated_valid_frames(frame: str, edits: list[tuple[int, int, str]]) -> None:
    frame = apply_edits(frame, edits)
    _decode_or_protocol_error(frame)
    _decode_or_protocol_error(q.compress_kline_reply(frame))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["p(", "pt(", "pd(", "pr("]), GARBAGE_BODY)
def test_fuzz_tagged_garbage(tag: str, body: str) -> None:
    _decode_or_protocol_error(tag + body)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_compressed_garbage(payload: bytes) -> None:
    _decode_or_protocol_error(zlib.compress(payload))


@pytest.mark.parametrize("cls", [q.QuoteReply, q.QuoteFrame, q.KlineQuery])
def test_frame_types_are_frozen_and_documented(cls: type) -> None:
    (node,) = ast.parse(inspect.getsource(cls)).body
    assert isinstance(node, ast.ClassDef)
    documented = {
        stmt.target.id
        for stmt, after in itertools.pairwise(node.body)
        if isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and isinstance(after, ast.Expr)
        and isinstance(after.value, ast.Constant)
    }
    assert documented == {f.name for f in dataclasses.fields(cls)}
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_cmd_ids_are_request_plus_one() -> None:
    numbers = [int(c) for c in q.QuoteCmd]
    assert numbers == [
        14000,
        14001,
        14006,
        14007,
        14008,
        14009,
        14010,
        14011,
        14012,
        14013,
        14014,
        14015,
        14016,
        14017,
    ]
    assert (q.MAX_PRODUCTS_PER_SUBSCRIPTION, q.MAX_KLINE_BARS, q.MAX_BATCH_KLINE_PRODUCTS) == (100, 1000, 100)
    assert q.KLINE_INFLATE_WBITS == zlib.MAX_WBITS | 32


def test_snapshot_numbers_may_arrive_as_strings_or_floats() -> None:
    data = json.loads(REPLY_14001)
    entry = data["data"]["tick_list"][0]
    entry["symbol_id"], entry["price"] = "123", 651.12
    (tick,) = q.decode_frame(json.dumps(data)).events
    assert isinstance(tick, Tick)
    assert (tick.symbol_id, tick.price) == (123, D("651.12"))


def test_snapshot_list_of_the_wrong_type_is_reported_on_the_reply() -> None:
    frame = q.decode_frame(
        '{"ret":200,"msg":"ok","cmd_id":14001,"seq_id":1,"ext":"x","data":{"tick_list":{}}}'
    )
    assert frame.reply is not None
    assert isinstance(frame.reply.error, ProtocolError)


# --- the ticker hand-off: a decoded tick reaches its consumer's subscription ------------------------


async def _no_hook(subscription: object) -> None:
    pass


@pytest.mark.anyio
async def test_a_decoded_tick_wakes_its_waiting_consumer_and_a_cancelled_wait_is_harmless() -> None:
    # Pushing a decoded tick after its consumer stopped waiting must neither raise nor lose the tick,
    # and a consumer that is waiting gets it (``_streams/subscription.py``).
    from multimarkets_async._streams.subscription import OverflowPolicy, Subscription

    sub: Subscription[Tick] = Subscription(
        name="ticks", policy=OverflowPolicy.KEEP_LATEST, maxsize=4, key=lambda t: t[:3],
        on_enter=_no_hook, on_exit=_no_hook,
    )  # fmt: skip
    (first,) = q.decode_frame(P_EXAMPLE).events
    (second,) = q.decode_frame(P_EXAMPLE.replace("1232312", "1232313")).events
    got: list[object] = []

    async def consume() -> None:
        got.append(await sub.__anext__())

    async with sub:
        async with anyio.create_task_group() as tg:
            tg.start_soon(consume)
            await anyio.wait_all_tasks_blocked()
            tg.cancel_scope.cancel()  # the consumer stops waiting
        sub.push(first)  # type: ignore[arg-type]
        assert await sub.__anext__() is first
        async with anyio.create_task_group() as tg:
            tg.start_soon(consume)
            await anyio.wait_all_tasks_blocked()
            sub.push(second)  # type: ignore[arg-type]
        assert got == [second]
        assert (sub.stats.received, sub.stats.delivered, sub.stats.replaced) == (2, 2, 0)
