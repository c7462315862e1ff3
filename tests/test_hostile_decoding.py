"""Every decoder of server bytes lets only ``ProtocolError`` escape, and never echoes the payload.

Hostile input: garbage, truncations of valid frames, nesting deeper than the interpreter recurses,
numbers no float or ``Decimal`` conversion survives, ``NaN``/``Infinity`` literals, each planted at
every position of a valid frame of every dialect (HTTP envelope, RPC, quote replies and pushes, the
zlib K-line reply, message push, data push) and of every public answer model.
"""

from __future__ import annotations

import ast
import json
import math
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import multimarkets_async as mm
from multimarkets_async.errors import ProtocolError
from multimarkets_async.models._answers import parse_answer
from multimarkets_async.protocol import datapush, envelope, messages, quote
from multimarkets_async.protocol._json import loads, loads_object
from multimarkets_async.protocol.dialects import DataPushDialect, MessageDialect, QuoteDialect, RpcDialect

CANARY = "74e6e8df-9399-4bec-85aa-217c9b93e38eapp"
"""A token-shaped secret planted in every frame: no error message may show it."""

DEEP = 5000
HOSTILE_LITERALS = [
    "1e400",
    "-1e400",
    "1" + "0" * 5000,
    "-" + "9" * 5000,
    "1" + "0" * 4000,  # parses (below the interpreter's digit limit): later conversions must cope
    "1e308",
    "1e-400",
    "-0",
    "NaN",
    "Infinity",
    "-Infinity",
    "[" * DEEP + "]" * DEEP,
    "[" * DEEP,
    '{"a":' * DEEP + "1" + "}" * DEEP,
    "[" * 900 + "]" * 900,  # parses near the recursion limit: later code must not recurse into it
    '{"a":' * 900 + "1" + "}" * 900,
    '"' + "9" * 5000 + '"',
    '"1e400"',
    '"1e999999999999999999"',
    '"NaN"',
    '"-Infinity"',
    '"\\ud800"',
    '"\\u0000"',
    "true",
    "null",
    "{}",
    "[]",
    '"x"',
    "0.1",
    "-7",
]
_HOLE = "\x00HOLE\x00"
_HOLE_JSON = json.dumps(_HOLE)

TICK = {
    "symbol_id": 1, "trade_type": 1, "trade_mode": 0, "seq": 1, "tick_time": 1700000000, "price": "1.1",
    "tick_deep": [{"price_bid": "1.0", "price_ask": "1.2", "volume_bid": "1", "volume_ask": "2"}],
    "open_price": "1", "high_price": 1.5, "low_price": 1, "price_digits": 5,
}  # fmt: skip
BOOK = {
    "symbol_id": 1, "trade_type": 1, "seq": 1, "tick_time": 1700000000000,
    "bid_deep": [{"price_bid": "1.0", "volume_bid": "1"}],
    "ask_deep": [{"price_ask": "1.2", "volume_ask": 2}],
    "trade_info": [{"trade_time": 1700000000, "price": "1.1", "volume": "3", "trade_direction": 1}],
}  # fmt: skip
KLINES = {
    "symbol_id": 1, "trade_type": 1, "kline_type": 1, "price_digits": 5,
    "kline_list": [{"timestamp": 1700000000, "open_price": "1", "high_price": "2", "low_price": "0.5",
                    "close_price": "1.5", "transactions_number": "10", "last_tick_time": 1700000000123}],
}  # fmt: skip
ROLLING = {
    "symbol_id": 1, "trade_type": 1, "rolling_last_price": "1", "rolling_first_price": "1",
    "rolling_high_price": "1", "rolling_low_price": "1", "rolling_transactions_number": "1",
    "rolling_amount": "1",
}  # fmt: skip


def _reply(cmd_id: int, data: object, ret: int = 200) -> dict[str, object]:
    return {"cmd_id": cmd_id, "seq_id": 7, "ext": CANARY, "ret": ret, "msg": "ok", "data": data}


ENVELOPES: list[object] = [
    {"code": "0", "msg": "Success", "bizCode": "G", "trace": CANARY, "msgParams": "a,b", "tm": 12,
     "data": {"token": CANARY, "accountId": 1, "list": [{"balance": "1.5"}]}},
    {"code": "E000031", "bizCode": "CFD", "msg": "balance %s", "msgParams": "0", "data": CANARY},
    {"ok": True, "data": [CANARY]},
]  # fmt: skip
RPC_FRAMES: list[object] = [*ENVELOPES, {"bizType": "pong", "trace": CANARY, "sendTime": 1}]
QUOTE_REPLIES: list[object] = [
    _reply(14001, {"tick_list": [TICK]}),
    _reply(14011, {"tick_list": [BOOK]}),
    _reply(14013, KLINES),
    _reply(14015, {"data_list": [KLINES]}),
    _reply(14017, {"tick_list": [ROLLING]}),
    _reply(14009, {}),
    _reply(14001, {"token": CANARY}, ret=401),
]
MESSAGE_FRAMES: list[object] = [
    {"msgCode": "trade", "timestamp": 1, "trace": CANARY, "seqId": 3, "token": CANARY,
     "content": {"bizType": "x", "accountId": 1, "tradeType": 1,
                 "paramMap": {"orderId": 1, "dealPrice": "1.5", "dealAmount": 0.1, "symbolDigits": 5}}},
    {"msgCode": "notice", "content": {"updateType": 1, "show": 1, "tradeType": 2}},
    {"msgCode": "subscribe_success", "seqId": 1}, {"msgCode": "pong", "seqId": 2},
    {"msgCode": "brand_new", "content": {"x": [1, 2]}},
]  # fmt: skip
DATAPUSH_FRAMES: list[object] = [
    {"eventType": "position_update", "data": {"id": 1, "updateTime": 2, "symbolDigits": 2, "openPrice": 3,
                                              "openVolume": "0.1", "token": CANARY}},
    {"eventType": "trade_deal",
     "data": {"id": "9", "executeNum": 0.001, "executePrice": 3009452, "digits": 2}},
    {"eventType": "account_adjust", "data": {"id": 5, "amount": "25", "revision": 1}},
    {"eventType": "something_new", "data": {"id": 6, "brandNew": True}},
]  # fmt: skip
TEXT_PUSHES = [
    "p(1123,1,0,1232312,34545435345,6.23,6.23,6.24,123,234);",
    "pt(1123,1,0,1232312,34545435345,6.23,1000,1);",
    "pd(1123,1,0,1232312,34545435345);(6.23,123)(6.22,256);(6.24,111)(6.25,222);",
    "pr(1,1,0,6.5,6.0,7.0,5.5,1234.5,8000.25);",
]
PNL_PUSHES = ["f(1.5,2,3,4,5,6);(11,2.5);(12,3,4)", "g(1,2,3,4,5,6)"]


def _holes(value: object) -> Iterator[object]:
    """``value`` with one leaf (or a whole container) replaced by the hole marker, every way."""
    yield _HOLE
    if isinstance(value, dict):
        for key, item in value.items():
            for variant in _holes(item):
                yield {**value, key: variant}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for variant in _holes(item):
                yield [*value[:index], variant, *value[index + 1 :]]


def _planted(templates: list[object]) -> st.SearchStrategy[str]:
    """Valid frames with one position replaced by a hostile JSON literal."""
    shapes = [json.dumps(shape) for template in templates for shape in _holes(template)]
    return st.builds(
        lambda shape, literal: shape.replace(_HOLE_JSON, literal),
        st.sampled_from(shapes),
        st.sampled_from(HOSTILE_LITERALS),
    )


def _truncated(frames: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(frames).flatmap(lambda f: st.integers(0, len(f) - 1).map(lambda n: f[:n]))


def _hostile(templates: list[object]) -> st.SearchStrategy[str]:
    valid = [json.dumps(t) for t in templates]
    return st.one_of(
        _planted(templates),
        _truncated(valid),
        st.sampled_from(HOSTILE_LITERALS),
        st.text(max_size=60),
        st.sampled_from(valid).map(lambda f: f.replace("}", "]", 1)),
    )


def _raised(decode: Callable[[Any], object], data: object) -> ProtocolError | None:
    try:
        decode(data)
    except ProtocolError as exc:
        return exc
    return None  # anything other than ProtocolError propagates and fails the test


def _only_protocol_errors(decode: Callable[[Any], object], frame: str | bytes) -> None:
    error = _raised(decode, frame)
    message = str(error) if error is not None else ""
    assert CANARY not in message
    assert "74e6e8df" not in message
    assert len(message) < 300


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = lambda: 0  # noqa: E731
RPC = RpcDialect(new_trace=lambda: "t", now_ms=NOW)
QUOTES = QuoteDialect(new_ext=lambda: "e")
MESSAGES = MessageDialect(new_trace=lambda: "t", now_ms=NOW)
DATA_PUSH = DataPushDialect()


@FUZZ
@given(frame=_hostile(ENVELOPES), as_bytes=st.booleans())
def test_http_envelopes(frame: str, as_bytes: bool) -> None:
    raw = frame.encode("utf-8", "surrogatepass") if as_bytes else frame
    _only_protocol_errors(envelope.decode_envelope, raw)
    _only_protocol_errors(envelope.decode_json_object, raw)


@FUZZ
@given(frame=_hostile(RPC_FRAMES))
def test_rpc_frames(frame: str) -> None:
    _only_protocol_errors(envelope.decode_socket_frame, frame)
    _only_protocol_errors(RPC.decode, frame)


@FUZZ
@given(frame=_hostile(QUOTE_REPLIES))
def test_quote_json_replies(frame: str) -> None:
    _only_protocol_errors(quote.decode_frame, frame)
    _only_protocol_errors(QUOTES.decode, frame)


@FUZZ
@given(
    frame=st.one_of(
        _hostile(QUOTE_REPLIES).map(quote.compress_kline_reply),
        _hostile(QUOTE_REPLIES).map(lambda text: zlib.compress(text.encode("utf-8", "surrogatepass"))),
        st.sampled_from([json.dumps(r) for r in QUOTE_REPLIES])
        .map(quote.compress_kline_reply)
        .flatmap(lambda b: st.integers(0, len(b) - 1).map(lambda n: b[:n])),
        st.binary(max_size=80),
    )
)
def test_quote_kline_zlib_replies(frame: bytes) -> None:
    _only_protocol_errors(quote.decode_frame, frame)
    _only_protocol_errors(QUOTES.decode, frame)


@FUZZ
@given(
    push=st.sampled_from(TEXT_PUSHES),
    field=st.integers(0, 12),
    literal=st.sampled_from(HOSTILE_LITERALS),
)
def test_quote_text_pushes(push: str, field: int, literal: str) -> None:
    parts = re.split(r"([(),;])", push)
    values = [i for i, part in enumerate(parts) if part and part not in "(),;"]
    parts[values[field % len(values)]] = literal
    frame = "".join(parts)
    _only_protocol_errors(quote.decode_frame, frame)
    _only_protocol_errors(QUOTES.decode, frame)


@FUZZ
@given(frame=st.one_of(_hostile(MESSAGE_FRAMES), _truncated(PNL_PUSHES)), as_bytes=st.booleans())
def test_message_push_frames(frame: str, as_bytes: bool) -> None:
    raw = frame.encode("utf-8", "surrogatepass") if as_bytes else frame
    _only_protocol_errors(messages.decode_message, raw)
    _only_protocol_errors(MESSAGES.decode, raw)


@FUZZ
@given(frame=_hostile(DATAPUSH_FRAMES), as_bytes=st.booleans())
def test_data_push_frames(frame: str, as_bytes: bool) -> None:
    raw = frame.encode("utf-8", "surrogatepass") if as_bytes else frame
    _only_protocol_errors(datapush.decode_event, raw)
    _only_protocol_errors(DATA_PUSH.decode, raw)


ANSWER_MODELS = sorted(
    (
        obj
        for name in mm.__all__
        if isinstance(obj := getattr(mm, name), type) and issubclass(obj, pydantic.BaseModel)
    ),
    key=lambda cls: cls.__name__,
)


def _parseable_literals() -> list[object]:
    values = []
    for literal in HOSTILE_LITERALS:
        try:
            values.append(loads(literal, what="test literal"))
        except ProtocolError:
            continue
    return values


PARSEABLE = _parseable_literals()


@FUZZ
@given(model=st.sampled_from(ANSWER_MODELS), data=st.data())
def test_answer_models(model: type[pydantic.BaseModel], data: st.DataObject) -> None:
    """What the HTTP envelope lets through (strict JSON) then meets a model: only ProtocolError."""
    aliases = [field.alias or name for name, field in model.model_fields.items()]
    value = data.draw(st.sampled_from(PARSEABLE))
    row = {alias: data.draw(st.sampled_from([1, "1", "x", value])) for alias in aliases}
    row[data.draw(st.sampled_from(aliases))] = value
    try:
        parse_answer(model, row)
        parse_answer(model, value)
    except ProtocolError:
        pass


@pytest.mark.parametrize("literal", HOSTILE_LITERALS, ids=lambda s: s[:16])
def test_loads_is_strict_and_only_raises_protocol_error(literal: str) -> None:
    error = _raised(lambda text: loads(text, what="test literal"), literal)
    if error is not None:
        assert str(error).startswith("malformed test literal (")
        assert len(literal) < 10 or literal[:10] not in str(error)
        return
    value = loads(literal, what="test literal")
    assert value is None or isinstance(value, bool | int | float | str | list | dict)
    if isinstance(value, float):
        assert math.isfinite(value)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("1e400", "a number is out of range"),
        ("[-1e400]", "a number is out of range"),
        ('{"a":NaN}', "NaN is not JSON"),
        ("Infinity", "Infinity is not JSON"),
        ("[" * DEEP, "nested too deeply"),
        ("1" + "0" * 5000, "ValueError"),
        (b"\xff\xfe\xfd", "not valid UTF-8"),
        ('{"token":"' + CANARY, "not JSON: Unterminated string starting at: char 9"),
        (None, "NoneType is not text"),
    ],
)
def test_loads_names_the_reason_never_the_payload(data: Any, reason: str) -> None:
    with pytest.raises(ProtocolError) as info:
        loads(data, what="reply")
    assert str(info.value) == f"malformed reply ({reason})"
    cause = info.value.__cause__
    assert cause is None or CANARY not in repr(vars(cause))


def test_loads_object_refuses_other_values_and_accepts_every_json_encoding() -> None:
    with pytest.raises(ProtocolError, match=r"^malformed answer \(not a JSON object\)$"):
        loads_object("[1]", what="answer")
    for encoding in ("utf-8", "utf-8-sig", "utf-16", "utf-32"):
        assert loads_object('{"a":"é"}'.encode(encoding), what="answer") == {"a": "é"}
    assert loads_object(memoryview(b'{"a":1.5}'), what="answer") == {"a": 1.5}


PACKAGE = Path(mm.__file__).parent
# The SDK re-reads its own request bodies (to sign them, to report them); nothing else parses JSON.
OWN_BODIES = {("_http/_auth.py", "request.content"), ("_http/_failures.py", "call.body")}


def _json_decoding_calls() -> Iterator[tuple[str, int, str]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(("testing/", "webhooks/")) or relative == "protocol/_json.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            if name in ("json.loads", "json.load", "json.JSONDecoder", "JSONDecoder", "orjson.loads") or (
                name.endswith((".model_validate_json", ".json"))
            ):
                argument = ast.unparse(node.args[0]) if node.args else ""
                if (relative, argument) not in OWN_BODIES:
                    yield relative, node.lineno, name


def test_server_json_is_read_only_through_the_one_strict_decoder() -> None:
    assert list(_json_decoding_calls()) == []
