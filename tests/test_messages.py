"""Tests for the message-push socket dialect: client frames, msgCode events and f(/g( P&L pushes.

The vendor frames of websockets.md §3 are copied here verbatim.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import itertools
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multimarkets_async.errors import InvalidArgumentError, ProtocolError
from multimarkets_async.models.push import (
    AccountUpdate,
    DisconnectEvent,
    ForcedLogoutEvent,
    MsgCode,
    NoticeEvent,
    NoticeUpdateType,
    PongEvent,
    PositionPnlUpdate,
    SubscribeAck,
    SubscribeFailed,
    TradeBizType,
    TradeEvent,
    UnknownMessageEvent,
)
from multimarkets_async.protocol import messages as m
from tests._support import GARBAGE_BODY, apply_edits, decode_or_refuse, frame_edits, frame_id, refusal

D = Decimal

# --- vendor client frames (websockets.md §3.2), verbatim -------------------------------------------
PING = '{"head":{"msgType":"ping","token":"fd5e62aa-1b7b-44bd-b693-43ef7a60e684app","sendTime":1628899424051,"lang":"zh-CN"},"device":1,"seqId":1434,"trace":"d141023c-c706-43f4-bfaf-e73132b1da52-1628899424051"}'  # noqa: E501
LOGIN = '{"head":{"msgType":"login","token":"74e6e8df-9399-4bec-85aa-217c9b93e38eapp","sendTime":1628899396299,"lang":"zh-CN"},"device":1,"seqId":1222,"trace":"12321229-c31b-4c52-8471-9f27fd61e9e8-1628899396299"}'  # noqa: E501
SUBSCRIBE = '{"head":{"msgType":"subscribe_asset","token":"74e6e8df-9399-4bec-85aa-217c9b93e38eapp","sendTime":1628899396299,"lang":"zh-CN"},"data":{"tradeTypes":"1"},"device":1,"seqId":1222,"trace":"12321229-c31b-4c52-8471-9f27fd61e9e8-1628899396299"}'  # noqa: E501
CANCEL = '{"head":{"msgType":"cancel_subscribe_asset","token":"74e6e8df-9399-4bec-85aa-217c9b93e38eapp","sendTime":1628899396299,"lang":"zh-CN"},"data":{"tradeTypes":"1"},"device":1,"seqId":1222,"trace":"12321229-c31b-4c52-8471-9f27fd61e9e8-1628899396299"}'  # noqa: E501
LOGOUT = '{"head":{"msgType":"logout","token":"74e6e8df-9399-4bec-85aa-217c9b93e38eapp","sendTime":1628899396299,"lang":"zh-CN"},"device":1,"seqId":1222,"trace":"12321229-c31b-4c52-8471-9f27fd61e9e8-1628899396299"}'  # noqa: E501
# The Order Process page: same frames, other key order and x-{ms}-{n} traces.
OP_LOGIN = '{"device":1,"head":{"lang":"en-US","msgType":"login","sendTime":1698299047686,"token":"dbe3d3e6-0b10-4bdc-9778-dfc76c6d9341app"},"seqId":3,"trace":"x-1698299047686-4"}'  # noqa: E501
OP_SUBSCRIBE = '{"data":{"tradeTypes":"2"},"device":1,"head":{"lang":"en-US","msgType":"subscribe_asset","sendTime":1698299047686,"token":"dbe3d3e6-0b10-4bdc-9778-dfc76c6d9341app"},"seqId":5,"trace":"x-1698299047686-6"}'  # noqa: E501
OP_PING = '{"device":1,"head":{"lang":"en-US","msgType":"ping","sendTime":1698299057667,"token":"dbe3d3e6-0b10-4bdc-9778-dfc76c6d9341app"},"seqId":7,"trace":"x-1698299057667-8"}'  # noqa: E501

# --- vendor server frame (websockets.md §3.5), verbatim --------------------------------------------
TRADE = """{"trace":"x-1698310473323-102_b_bb76b676-8d8e-4278-82be-6ae7e063c9d3","msgCode":"trade",
 "content":{"accountId":1034124,"companyId":439,"bizType":"POSITION_OPEN","customerId":2482,
  "paramMap":{"date":"1698310474529","orderType":"1","symbolId":"8390","dealExecuteTime":"1698310474529","orderBizType":"1",
   "orderId":"21257491","pendingId":"0","dealId":"21262382","accountCurrency":"CNY","orderStatus":"2","dealExecuteNum":"8000.0",
   "source":"H5","dealPrice":"1.67094","requestAmount":"0.08","takeProfitMsg":"--","currency":"CNY","symbolName":"EURAUD",
   "contractSize":"100000","sourceExecuteVolSum":"0.100000","commission":"0","sourceExecuteVol":"0.100000","direction":"2",
   "dealAmount":"0.08","accountId":"1034124","companyId":"439","positionId":"2023102650229","dealExecutePrice":"1.67094",
   "playType":"2","orderDirection":"2","symbolDigits":"5","stopLossMsg":"--","Margin":"59371.20"},
  "tradeType":2},
 "timestamp":1698310474563}"""
# The docs' illustrative f( frame (no vendor example exists).
F_FRAME = "f(-12.5,100.00,880.10,11.3,987.50,1000.00);(2023102650229,-12.5,1.60210)"

SESSION_A = m.MsgSession("74e6e8df-9399-4bec-85aa-217c9b93e38eapp", lang="zh-CN")
TRACE_A = "12321229-c31b-4c52-8471-9f27fd61e9e8-1628899396299"


# --- encoders --------------------------------------------------------------------------------------


def test_vendor_frames_byte_for_byte() -> None:
    assert m.encode_login(SESSION_A, 1222, TRACE_A, 1628899396299) == LOGIN
    assert m.encode_logout(SESSION_A, 1222, TRACE_A, 1628899396299) == LOGOUT
    assert m.encode_subscribe_asset(SESSION_A, 1222, TRACE_A, 1628899396299, trade_types=[1]) == SUBSCRIBE
    assert m.encode_cancel_subscribe_asset(SESSION_A, 1222, TRACE_A, 1628899396299, trade_types="1") == CANCEL
    ping_session = m.MsgSession("fd5e62aa-1b7b-44bd-b693-43ef7a60e684app", lang="zh-CN")
    assert (
        m.encode_ping(ping_session, 1434, "d141023c-c706-43f4-bfaf-e73132b1da52-1628899424051", 1628899424051)
        == PING
    )


def test_order_process_variants_are_the_same_objects() -> None:
    session = m.MsgSession("dbe3d3e6-0b10-4bdc-9778-dfc76c6d9341app")  # default lang en-US, device 1
    assert json.loads(m.encode_login(session, 3, "x-1698299047686-4", 1698299047686)) == json.loads(OP_LOGIN)
    frame = m.encode_subscribe_asset(session, 5, "x-1698299047686-6", 1698299047686, trade_types=(2,))
    assert json.loads(frame) == json.loads(OP_SUBSCRIBE)
    assert json.loads(m.encode_ping(session, 7, "x-1698299057667-8", 1698299057667)) == json.loads(OP_PING)


def test_trade_types_subscribe_type_and_device() -> None:
    session = m.MsgSession("t", device=m.MsgDevice.PC_MACOS)
    frame = json.loads(
        m.encode_subscribe_asset(session, 1, "t1", 5, trade_types=[1, 2, 2], subscribe_type=" 1, 2")
    )
    assert frame["data"] == {"tradeTypes": "1,2", "subscribeType": "1,2"}
    assert frame["device"] == 5
    assert "data" not in json.loads(m.encode_login(session, 1, "t1", 5))


@pytest.mark.parametrize("trade_types", [[], "", "1,x", [0], [-1], "1,,2", "\u0661"])
def test_bad_trade_types_are_refused(trade_types: list[int] | str) -> None:
    with pytest.raises(InvalidArgumentError):
        m.encode_subscribe_asset(SESSION_A, 1, "t", 1, trade_types=trade_types)


@pytest.mark.parametrize(
    ("session", "seq_id", "trace", "send_time"),
    [
        (m.MsgSession(""), 1, "t", 1),
        (SESSION_A, -1, "t", 1),
        (SESSION_A, True, "t", 1),
        (SESSION_A, 1, "", 1),
        (SESSION_A, 1, "t", -5),
        (m.MsgSession("s3cr3t", lang=""), 1, "t", 1),
        (m.MsgSession("s3cr3t", device=-1), 1, "t", 1),
    ],
)
def test_bad_common_fields_are_refused(
    session: m.MsgSession, seq_id: int, trace: str, send_time: int
) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        m.encode_login(session, seq_id, trace, send_time)
    assert "s3cr3t" not in str(info.value)
    assert "74e6e8df" not in str(info.value)


def test_token_is_not_in_the_session_repr() -> None:
    assert "74e6e8df" not in repr(SESSION_A)


def test_constants() -> None:
    assert m.MSG_WS_PING_INTERVAL == 15.0
    assert int(m.DEFAULT_DEVICE) == 1
    assert [t.value for t in m.MsgType] == [
        "login",
        "logout",
        "ping",
        "subscribe_asset",
        "cancel_subscribe_asset",
    ]


# --- server frames ---------------------------------------------------------------------------------


def test_trade_vendor_example() -> None:
    event = m.decode_message(TRADE)
    assert isinstance(event, TradeEvent)
    assert event.MSG_CODE == MsgCode.TRADE
    assert (event.trace, event.seq_id, event.timestamp_ms) == (
        "x-1698310473323-102_b_bb76b676-8d8e-4278-82be-6ae7e063c9d3",
        None,
        1698310474563,
    )
    assert event.biz_type == TradeBizType.POSITION_OPEN
    assert (event.account_id, event.company_id, event.customer_id, event.trade_type) == (
        1034124,
        439,
        2482,
        2,
    )
    assert (event.order_id, event.position_id, event.deal_id, event.pending_id) == (
        21257491,
        2023102650229,
        21262382,
        None,
    )
    assert (event.order_status, event.order_type, event.order_biz_type) == (2, 1, 1)
    assert (event.direction, event.order_direction, event.play_type) == (2, 2, 2)
    assert (event.symbol_id, event.symbol_name, event.symbol_digits) == (8390, "EURAUD", 5)
    assert event.deal_price == event.deal_execute_price == D("1.67094")
    assert (event.deal_amount, event.request_amount, event.deal_execute_num) == (
        D("0.08"),
        D("0.08"),
        D("8000.0"),
    )
    assert (event.source_execute_vol, event.source_execute_vol_sum) == (D("0.100000"), D("0.100000"))
    assert (event.commission, event.margin, event.contract_size) == (D(0), D("59371.20"), D(100000))
    assert (event.account_currency, event.currency, event.source) == ("CNY", "CNY", "H5")
    assert event.deal_execute_time_ms == event.date_ms == 1698310474529
    assert (event.take_profit_msg, event.stop_loss_msg) == ("--", "--")
    assert event.param_map["Margin"] == "59371.20"
    assert event.content is not None
    assert event.content["customerId"] == 2482


def test_trade_with_odd_fields_is_delivered_with_none() -> None:
    frame = {
        "msgCode": "trade",
        "content": {
            "bizType": "NEW_KIND",
            "paramMap": {"orderId": "x", "dealPrice": "NaN", "commission": 0.5},
        },
    }
    event = m.decode_message(json.dumps(frame))
    assert isinstance(event, TradeEvent)
    assert (event.biz_type, event.order_id, event.deal_price) == ("NEW_KIND", None, None)
    assert event.commission == D("0.5")
    assert event.param_map == {"orderId": "x", "dealPrice": "NaN", "commission": 0.5}


def test_notice() -> None:
    frame = {
        "msgCode": "notice",
        "timestamp": 1,
        "seqId": 9,
        "content": {"tradeType": 2, "updateType": 5, "show": 1, "bizType": "AUDIT_CUSTOMER_SUCCESS"},
    }
    event = m.decode_message(json.dumps(frame))
    assert event == NoticeEvent(
        timestamp_ms=1,
        trace=None,
        seq_id=9,
        content=frame["content"],  # type: ignore[arg-type]
        update_type=NoticeUpdateType.POSITIONS_AND_PENDING_ORDERS,
        show=True,
        biz_type="AUDIT_CUSTOMER_SUCCESS",
        trade_type=2,
    )
    assert not m.ends_session(event)
    logout = m.decode_message('{"msgCode":"notice","content":{"updateType":4,"show":false}}')
    assert isinstance(logout, NoticeEvent)
    assert logout.show is False
    assert m.ends_session(logout)


@pytest.mark.parametrize(
    ("code", "cls", "ends"),
    [
        ("subscribe_success", SubscribeAck, False),
        ("subscribe_fail", SubscribeFailed, True),
        ("pong", PongEvent, False),
        ("disconnect", DisconnectEvent, True),
        ("UserForceLogoutRet", ForcedLogoutEvent, True),
    ],
)
def test_session_events_in_the_simulator_ack_shape(code: str, cls: type, ends: bool) -> None:
    frame = f'{{"msgCode":"{code}","timestamp":1698310474563,"trace":"x-1-2","seqId":3,"content":null}}'
    event = m.decode_message(frame)
    assert type(event) is cls
    assert (event.timestamp_ms, event.trace, event.seq_id, event.content) == (1698310474563, "x-1-2", 3, None)  # type: ignore[union-attr]
    assert m.ends_session(event) is ends  # type: ignore[arg-type]


def test_unknown_msg_code_is_delivered_not_dropped() -> None:
    event = m.decode_message(b'{"msgCode":"position_v2","content":[1,2],"extra":true}')
    assert isinstance(event, UnknownMessageEvent)
    assert (event.msg_code, event.content, event.raw["extra"]) == ("position_v2", None, True)
    nameless = m.decode_message("{}")
    assert isinstance(nameless, UnknownMessageEvent)
    assert nameless.msg_code == ""


def test_f_push_docs_illustration() -> None:
    assert m.decode_message(F_FRAME) == AccountUpdate(
        1,
        D("-12.5"),
        D("100.00"),
        D("880.10"),
        D("11.3"),
        D("987.50"),
        D("1000.00"),
        (PositionPnlUpdate(2023102650229, D("-12.5"), D("1.60210")),),
    )


def test_g_push_old_two_value_positions_and_spaces() -> None:
    event = m.decode_message(" g( 1,2,3,4,5,6 ); (11, 0.5) ;(12,-1,);(13,2,3);")
    assert isinstance(event, AccountUpdate)
    assert event.trade_type == 2
    assert event.positions == (
        PositionPnlUpdate(11, D("0.5")),
        PositionPnlUpdate(12, D(-1)),
        PositionPnlUpdate(13, D(2), D(3)),
    )
    bare = m.decode_message("f(1,2,3,4,5,6)")
    assert isinstance(bare, AccountUpdate)
    assert bare.positions == ()


@pytest.mark.parametrize("text", ["", "hello", "[1]", "F(1,2,3,4,5,6)"])
def test_unrecognised_text_is_none(text: str) -> None:
    assert m.decode_message(text) is None


@pytest.mark.parametrize(
    "frame",
    [
        "{",
        '{"msgCode":"trade","content":"x"}',
        '{"msgCode":"trade","content":{"paramMap":[1]}}',
        '{"msgCode":"notice","content":5}',
        "f(1,2,3,4,5)",
        "f(1,2,3,4,5,6,7)",
        "f(1,2,3,4,5,NaN)",
        "f(1,2,3,4,5,6)x",
        "f(1,2,3,4,5,6);(1)",
        "f(1,2,3,4,5,6);(1,2,3,4)",
        "f(1,2,3,4,5,6);1,2",
        "f(1,2,3,4,5,6);(x,2)",
        "f(1,2,3,4,5,6);(1,inf)",
        b"\xff\xfe",
        '{"a":' + "[" * 100_000,
    ],
    ids=frame_id,
)
def test_malformed_frames_raise_protocol_error(frame: str | bytes) -> None:
    refusal(m.decode_message, frame)


def test_error_messages_mask_tokens() -> None:
    frame = '{"msgCode":"trade","token":"74e6e8df-9399-4bec-85aa-217c9b93e38eapp","content":7}'
    with pytest.raises(ProtocolError) as info:
        m.decode_message(frame)
    assert "74e6e8df" not in str(info.value)
    assert "content is not an object" in str(info.value)  # the reason, never the frame


# --- fuzzing ---------------------------------------------------------------------------------------

VALID = [TRADE, F_FRAME, '{"msgCode":"notice","content":{"updateType":1}}', '{"msgCode":"pong","seqId":1}']


def _decode_or_protocol_error(frame: str | bytes) -> None:
    decode_or_refuse(m.decode_message, frame)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.binary()))
def test_fuzz_arbitrary_frames(frame: str | bytes) -> None:
    _decode_or_protocol_error(frame)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VALID), frame_edits(1500))
def test_fuzz_mutated_valid_frames(frame: str, edits: list[tuple[int, int, str]]) -> None:
    _decode_or_protocol_error(apply_edits(frame, edits))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["f(", "g("]), GARBAGE_BODY)
def test_fuzz_tagged_garbage(tag: str, body: str) -> None:
    _decode_or_protocol_error(tag + body)


def _documented_fields(cls: type) -> set[str]:
    names: set[str] = set()
    for klass in cls.__mro__:
        if not dataclasses.is_dataclass(klass):
            continue
        (node,) = ast.parse(inspect.getsource(klass)).body
        assert isinstance(node, ast.ClassDef)
        assert ast.get_docstring(node)
        for stmt, after in itertools.pairwise(node.body):
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                names.add(stmt.target.id)
    return names


@pytest.mark.parametrize(
    "cls",
    [
        TradeEvent, NoticeEvent, SubscribeAck, SubscribeFailed, PongEvent, DisconnectEvent, ForcedLogoutEvent,
        UnknownMessageEvent, AccountUpdate, PositionPnlUpdate, m.MsgSession,
    ],
)  # fmt: skip
def test_push_models_are_frozen_slotted_and_documented(cls: type) -> None:
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert "__slots__" in cls.__dict__
    assert _documented_fields(cls) == {f.name for f in dataclasses.fields(cls)}
