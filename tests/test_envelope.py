"""The envelope codec: headers, traces, response envelopes and header/body socket frames."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from multimarkets_async.errors import (
    APIError,
    ProtocolError,
    SessionExpiredError,
    TradingRuleError,
)
from multimarkets_async.protocol.envelope import (
    Envelope,
    SocketPong,
    decode_envelope,
    decode_socket_frame,
    encode_body,
    encode_socket_ping,
    encode_socket_request,
    envelope_error,
    make_trace,
    request_headers,
    unwrap_envelope,
)

SUCCESS = (
    '{"msg":"Success","fail":false,"trace":"x-dqxq8-qu20y7y-dq58lhn-39i483-1677570581","code":"0",'
    '"data":{"orderId":14460002,"positionId":2023022819810},"bizCode":"","tm":162,"msgParams":null,"ok":true}'
)
FAILURE = (
    '{"msg":"Account balance is 0","fail":true,"trace":"x-0ei175a-x4dh9u2-1g8s95r-m2708212-1677570735",'
    '"code":"E000031","data":"tradeapi.app.OrderApiService.updateOrder","bizCode":"CFD","tm":7,'
    '"msgParams":null,"ok":false}'
)


def test_success_envelope_unwraps_to_data() -> None:
    envelope = decode_envelope(SUCCESS)
    assert envelope.is_success()
    assert envelope.tm == 162
    assert envelope.biz_code is None  # "" means "no module"
    assert unwrap_envelope(envelope) == {"orderId": 14460002, "positionId": 2023022819810}


def test_failure_envelope_raises_typed_error_with_fields() -> None:
    envelope = decode_envelope(FAILURE.encode())
    with pytest.raises(TradingRuleError) as info:
        unwrap_envelope(envelope, status_code=200)
    error = info.value
    assert error.code == "E000031"
    assert error.biz_code == "CFD"
    assert error.trace == "x-0ei175a-x4dh9u2-1g8s95r-m2708212-1677570735"
    assert error.data == "tradeapi.app.OrderApiService.updateOrder"
    assert error.status_code == 200
    assert "Account balance is 0" in str(error)


def test_gateway_code_with_split_biz_code() -> None:
    envelope = decode_envelope('{"code":"GATEWAY_CODE_005","bizCode":"G","msg":"Login info is expired"}')
    assert isinstance(envelope_error(envelope), SessionExpiredError)


def test_numeric_code_and_string_tm_are_accepted() -> None:
    envelope = decode_envelope('{"code":0,"msg":"ok","tm":"12","data":1678426706212}')
    assert envelope.is_success()
    assert envelope.tm == 12
    assert envelope.data == 1678426706212


def test_open_api_message_key_fallback() -> None:
    envelope = decode_envelope('{"code":"00012001","message":"sign error","data":null}')
    assert envelope.message == "sign error"
    assert not envelope.is_success()


def test_empty_code_is_never_success_but_missing_code_uses_ok() -> None:
    assert not decode_envelope('{"code":"","ok":true,"fail":true}').is_success()
    assert decode_envelope('{"ok":true,"data":1}').is_success()
    assert not decode_envelope('{"ok":false}').is_success()


def test_success_codes_are_configurable() -> None:
    envelope = decode_envelope('{"code":"200","msg":"success"}')
    assert not envelope.is_success()
    assert envelope.is_success(frozenset({"200"}))


def test_placeholders_are_filled_from_msg_params() -> None:
    raw = (
        '{"code":"CFDWBWE000026","bizCode":"","msg":"Quantity must be within %s to %s lots",'
        '"msgParams":"0.01,100"}'
    )
    error = envelope_error(decode_envelope(raw))
    assert error.message == "Quantity must be within 0.01 to 100 lots"
    assert error.msg_params == "0.01,100"


@pytest.mark.parametrize("raw", ["", "nope", "[1,2]", '"text"', b"\xff\xfe", '{"msg":"no code"}'])
def test_garbage_is_a_protocol_error(raw: str | bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_envelope(raw)


@given(st.binary(max_size=200))
def test_decoder_never_raises_anything_but_protocol_error(raw: bytes) -> None:
    try:
        envelope = decode_envelope(raw)
    except ProtocolError:
        return
    assert isinstance(envelope, Envelope)


def test_encode_body_is_compact_utf8_and_writes_decimals_as_strings() -> None:
    assert encode_body(None) == b"{}"
    assert encode_body({}) == b"{}"
    body = encode_body({"requestNum": Decimal("0.100000"), "remark": "日本"})
    assert body == '{"requestNum":"0.100000","remark":"日本"}'.encode()


def test_encode_body_rejects_unserialisable_values() -> None:
    with pytest.raises(TypeError):
        encode_body({"when": object()})


def test_trace_shapes() -> None:
    assert make_trace("d141023c-c706-43f4-bfaf-e73132b1da52", 1628899424051) == (
        "d141023c-c706-43f4-bfaf-e73132b1da52-1628899424051"
    )
    encrypted = make_trace("8e544ed3-057a-48ed-ade2-27d3998f7411", 1677654224398, encrypted=True)
    assert encrypted == "x-8e544ed3-057a-48ed-ade2-27d3998f7411-1677654224398"
    assert len(encrypted) <= 64  # the quote socket's ext limit


def test_request_headers_are_camel_case_strings_and_only_those_given() -> None:
    headers = request_headers(
        company_id=439,
        trace="t-1",
        timestamp_ms=1698299972123,
        lang="en-US",
        version="0.0.1",
        group="tradeApi",
        api_key="k" * 32,
        recv_window_ms=5000,
        idempotency_key="idem",
    )
    assert headers == {
        "Content-Type": "application/json",
        "trace": "t-1",
        "companyId": "439",
        "timestamp": "1698299972123",
        "lang": "en-US",
        "version": "0.0.1",
        "group": "tradeApi",
        "apiKey": "k" * 32,
        "recvWindow": "5000",
        "idempotency-key": "idem",
    }
    bare = request_headers(company_id=None, trace="t", timestamp_ms=None, lang=None)
    assert set(bare) == {"Content-Type", "trace"}


def test_socket_request_frame_matches_the_documented_shape() -> None:
    frame = json.loads(
        encode_socket_request(
            biz_type="customer.app.CustomerWebApiService.login",
            body={"type": 3, "loginName": "139"},
            trace="trace",
            timestamp_ms=11111131331,
            company_id=11,
            lang="zh-CN",
            token="token",
            version="0.0.1",
            group="",
        )
    )
    assert frame == {
        "header": {
            "trace": "trace",
            "token": "token",
            "bizType": "customer.app.CustomerWebApiService.login",
            "version": "0.0.1",
            "group": "",
            "companyId": 11,
            "timestamp": 11111131331,
            "lang": "zh-CN",
        },
        "body": {"type": 3, "loginName": "139"},
    }


def test_socket_ping_and_pong() -> None:
    ping = json.loads(encode_socket_ping(trace="tr", timestamp_ms=1617246557505, lang="zh-CN", token="tok"))
    assert ping == {
        "header": {
            "trace": "tr",
            "token": "tok",
            "bizType": "ping",
            "sendTime": 1617246557505,
            "lang": "zh-CN",
            "timestamp": 1617246557505,
        }
    }
    assert "body" not in ping
    pong = decode_socket_frame(
        '{"trace":"tr","token":"tok","bizType":"pong","sendTime":1617678792458,"lang":"zh-CN"}'
    )
    assert pong == SocketPong(trace="tr", send_time_ms=1617678792458)


def test_socket_reply_is_an_envelope() -> None:
    reply = decode_socket_frame(FAILURE)
    assert isinstance(reply, Envelope)
    assert isinstance(envelope_error(reply), APIError)
    with pytest.raises(ProtocolError):
        decode_socket_frame("pong")
