"""Tests for multimarkets_async.errors (the tree) and protocol.error_codes (the code table, facts from
errors.md, and the helpers), and the names deprecated for one release."""

from __future__ import annotations

import copy
import inspect
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from multimarkets_async import errors
from multimarkets_async.errors import (
    APIError,
    ApiKeyError,
    AuthenticationError,
    BusinessError,
    CaptchaError,
    ConfigurationError,
    ConnectError,
    HandshakeError,
    HTTPStatusError,
    InvalidArgumentError,
    LockedOutError,
    LoginFailedError,
    MultiMarketsError,
    OrderStateUnknownError,
    OutcomeUnknownError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ServerUnavailableError,
    SessionEndedError,
    SessionExpiredError,
    SignatureError,
    SlowConsumerError,
    StreamError,
    TimeWindowError,
    TooManyRequestsError,
    TradingRuleError,
    TransportError,
    UnknownOperationError,
    ValidationError,
    VerificationCodeError,
    WAFBlockedError,
)
from multimarkets_async.protocol import error_codes, hints
from multimarkets_async.protocol.error_codes import (
    CODE_TABLE,
    api_error_class,
    api_error_from_envelope,
    http_status_error,
    quote_error_from_ret,
)

# -- Documented rows: (documented key, bizCode on the wire, class), copied from errors.md -----------------

AUTH_ROWS = [  # §3; bizCode not shown on the wire
    ("00012001", None, SignatureError),
    ("00012002", None, TimeWindowError),
    ("00012003", None, ApiKeyError),
    ("00012004", None, PermissionDeniedError),
    ("00012005", None, RateLimitError),
    ("00012006", None, ApiKeyError),
    ("00012007", None, PermissionDeniedError),
]

CFDWBW_ROWS = [  # §4
    ("CFDWBW500", "CFDWBW", ServerError),
    ("CFDWBWE000001", "CFDWBW", TradingRuleError),
    ("CFDWBWE000002", "CFDWBW", TradingRuleError),
    ("CFDWBWE000003", "CFDWBW", TradingRuleError),
    ("CFDWBWE000004", "CFDWBW", TradingRuleError),
    ("CFDWBWE000005", "CFDWBW", ValidationError),
    ("CFDWBWE000006", "CFDWBW", ValidationError),
    ("CFDWBWE000007", "CFDWBW", ValidationError),
    ("CFDWBWE000008", "CFDWBW", TradingRuleError),
    ("CFDWBWE000009", "CFDWBW", TradingRuleError),
    ("CFDWBWE000010", "CFDWBW", TradingRuleError),
    ("CFDWBWE000011", "CFDWBW", TradingRuleError),
    ("CFDWBWE000012", "CFDWBW", TradingRuleError),
    ("CFDWBWE000013", "CFDWBW", TradingRuleError),
    ("CFDWBWE000014", "CFDWBW", ValidationError),
    ("CFDWBWE000015", "CFDWBW", ValidationError),
    ("CFDWBWE000016", "CFDWBW", TradingRuleError),
    ("CFDWBWE000017", "CFDWBW", TradingRuleError),
    ("CFDWBWE000018", "CFDWBW", TradingRuleError),
    ("CFDWBWE000019", "CFDWBW", TradingRuleError),
    ("CFDWBWE000020", "CFDWBW", TradingRuleError),
    ("CFDWBWE000021", "CFDWBW", TradingRuleError),
    ("CFDWBWE000022", "CFDWBW", ValidationError),
    ("CFDWBWE000023", "CFDWBW", TradingRuleError),
    ("CFDWBWE000024", "CFDWBW", ValidationError),
    ("CFDWBWE000025", "CFDWBW", TradingRuleError),
    ("CFDWBWE000026", "CFDWBW", TradingRuleError),
    ("CFDWBWE000027", "CFDWBW", TradingRuleError),
    ("CFDWBWE000028", "CFDWBW", TradingRuleError),
    ("CFDWBWE000029", "CFDWBW", TradingRuleError),
]

VENDOR_EXAMPLE_ROWS = [  # §4 "codes seen in vendor examples" and §5 captcha
    ("CFDE000031", "CFD", TradingRuleError),
    ("TA500", "TA", ServerError),
    ("MSP_VERIFY_CODE_ERROR", "MS", VerificationCodeError),
    ("USCUSTOMER_API_0000003", "US", BusinessError),
    ("F999999", "G", CaptchaError),
]

GATEWAY_ROWS = [  # §7 gateway, with the Client-page extras
    ("G500", "G", ServerError),
    ("GGATEWAY_CODE_001", "G", SessionExpiredError),
    ("GGATEWAY_CODE_002", "G", UnknownOperationError),
    ("GGATEWAY_CODE_003", "G", ValidationError),
    ("GGATEWAY_CODE_004", "G", ValidationError),
    ("GGATEWAY_CODE_005", "G", SessionExpiredError),
    ("GGATEWAY_CODE_006", "G", ValidationError),
    ("GGATEWAY_CODE_008", "G", ValidationError),
    ("GGATEWAY_CODE_009", "G", ValidationError),
    ("GGATEWAY_CODE_010", "G", UnknownOperationError),
    ("GGATEWAY_CODE_011", "G", ServerError),
    ("GGATEWAY_CODE_012", "G", ServerError),
    ("GGATEWAY_CODE_013", "G", ServerError),
    ("GGATEWAY_CODE_014", "G", TimeWindowError),
    ("GGATEWAY_CODE_015", "G", ValidationError),
    ("GGATEWAY_CODE_016", "G", ValidationError),
    ("GGATEWAY_CODE_017", "G", SessionExpiredError),
    ("GGATEWAY_CODE_018", "G", RateLimitError),
    ("GGATEWAY_CODE_019", "G", PermissionDeniedError),
    ("GGATEWAY_CODE_101", "G", SessionExpiredError),
    ("GGATEWAY_CODE_102", "G", ServerError),
    ("GGATEWAY_CODE_103", "G", ValidationError),
    ("GGATEWAY_CODE_104", "G", ValidationError),
    ("GGATEWAY_CODE_201", "G", PermissionDeniedError),
    ("GGATEWAY_CODE_902", "G", ServerError),
]

CUSTOMER_ROWS = [  # §7 customer service: every non-Business row, then a sample of Business rows
    ("US500", "US", ServerError),
    ("USCUSTOMER_API_0000002", "US", ServerError),
    ("USCUSTOMER_API_0000005", "US", ServerError),
    ("USCUSTOMER_API_0001036", "US", ServerError),
    ("USCUSTOMER_API_0000102", "US", LoginFailedError),
    ("USCUSTOMER_API_0000103", "US", LoginFailedError),
    ("USCUSTOMER_API_0000112", "US", LoginFailedError),
    ("USCUSTOMER_API_0000113", "US", LoginFailedError),
    ("USCUSTOMER_API_0000128", "US", LoginFailedError),
    ("USCUSTOMER_API_0001050", "US", LoginFailedError),
    ("USCUSTOMER_API_0001029", "US", PermissionDeniedError),
    ("USCUSTOMER_API_0000125", "US", ValidationError),
    ("USCUSTOMER_API_0000136", "US", ValidationError),
    ("USCUSTOMER_API_0000137", "US", ValidationError),
    ("USCUSTOMER_API_0000147", "US", ValidationError),
    ("USCUSTOMER_API_0000501", "US", ValidationError),
    ("USCUSTOMER_API_0000502", "US", ValidationError),
    ("USCUSTOMER_API_0000503", "US", ValidationError),
    ("USCUSTOMER_API_0000504", "US", ValidationError),
    ("USCUSTOMER_API_0000505", "US", ValidationError),
    ("USCUSTOMER_API_0000506", "US", ValidationError),
    ("USCUSTOMER_API_0000507", "US", ValidationError),
    ("USCUSTOMER_API_0000508", "US", ValidationError),
    ("USCUSTOMER_API_0000509", "US", ValidationError),
    ("USCUSTOMER_API_0000510", "US", ValidationError),
    ("USCUSTOMER_API_00011001", "US", ValidationError),
    ("USCUSTOMER_API_0001025", "US", ValidationError),
    ("USCUSTOMER_API_0000511", "US", VerificationCodeError),
    ("USCUSTOMER_API_0000512", "US", VerificationCodeError),
    ("USCUSTOMER_API_0000513", "US", VerificationCodeError),
    ("USCUSTOMER_API_0000514", "US", VerificationCodeError),
    ("USCUSTOMER_API_0000515", "US", VerificationCodeError),
    ("USCUSTOMER_API_0000516", "US", VerificationCodeError),
    ("USCUSTOMER_API_0000517", "US", VerificationCodeError),
    ("USCUSTOMER_API_0000518", "US", VerificationCodeError),
    ("USCUSTOMER_API_0000519", "US", VerificationCodeError),
    ("USCUSTOMER_API_0000520", "US", VerificationCodeError),
    ("USCUSTOMER_API_0000521", "US", VerificationCodeError),
    ("USCUSTOMER_API_0001018", "US", VerificationCodeError),
    ("USCUSTOMER_API_0000141", "US", BusinessError),
    ("USCUSTOMER_API_0000009", "US", BusinessError),
    ("USCUSTOMER_API_0000101", "US", BusinessError),
    ("USCUSTOMER_API_0000124", "US", BusinessError),
    ("USCUSTOMER_API_0000132", "US", BusinessError),
    ("USCUSTOMER_API_0000315", "US", BusinessError),
    ("USCUSTOMER_API_0000633", "US", BusinessError),
    ("USCUSTOMER_API_0000807", "US", BusinessError),
    ("USCUSTOMER_API_00010001", "US", BusinessError),
    ("USCUSTOMER_API_00011003", "US", BusinessError),
    ("USCUSTOMER_API_0000158", "US", BusinessError),
    ("USCUSTOMER_API_0001026", "US", BusinessError),
    ("USCUSTOMER_API_0001040", "US", BusinessError),
]

FUNDS_ROWS = [  # §7 funds service: every non-Business row, then a sample of Business rows
    ("FS500", "FS", ServerError),
    ("FS501", "FS", ServerError),
    ("FS20001", "FS", ServerError),
    ("FS20002", "FS", ServerError),
    ("FS400", "FS", ValidationError),
    ("FS401", "FS", ValidationError),
    ("FS10001", "FS", ValidationError),
    ("FS10002", "FS", ValidationError),
    ("FS10003", "FS", ValidationError),
    ("FS10005", "FS", ValidationError),
    ("FS560004", "FS", PermissionDeniedError),
    ("FS404", "FS", BusinessError),
    ("FS10100", "FS", BusinessError),
    ("FS10305", "FS", BusinessError),
    ("FS50025", "FS", BusinessError),
    ("FS51025", "FS", BusinessError),
    ("FS51046", "FS", BusinessError),
    ("FS520010", "FS", BusinessError),
    ("FS520011", "FS", BusinessError),
    ("FS530103", "FS", BusinessError),
    ("FS540021", "FS", BusinessError),
    ("FS540023", "FS", BusinessError),
    ("FS5550002", "FS", BusinessError),
    ("FS560003", "FS", BusinessError),
    ("FS570005", "FS", BusinessError),
]

DOCUMENTED_ROWS = AUTH_ROWS + CFDWBW_ROWS + VENDOR_EXAMPLE_ROWS + GATEWAY_ROWS + CUSTOMER_ROWS + FUNDS_ROWS


def wire_code(key: str, biz_code: str | None) -> str:
    """The `code` field on the wire: the documented key without its module prefix (errors.md §2.1)."""
    return key[len(biz_code) :] if biz_code and key.startswith(biz_code) else key


@pytest.mark.parametrize(("key", "biz_code", "expected"), DOCUMENTED_ROWS)
def test_documented_code_maps_to_documented_class(
    key: str, biz_code: str | None, expected: type[APIError]
) -> None:
    assert api_error_class(wire_code(key, biz_code), biz_code) is expected


@pytest.mark.parametrize(("key", "biz_code", "expected"), DOCUMENTED_ROWS)
def test_documented_key_is_in_the_table(key: str, biz_code: str | None, expected: type[APIError]) -> None:
    assert CODE_TABLE[key] is expected


@pytest.mark.parametrize(("key", "biz_code", "expected"), CFDWBW_ROWS)
def test_full_margin_cfd_maps_like_isolated_margin(
    key: str, biz_code: str | None, expected: type[APIError]
) -> None:
    code = wire_code(key, biz_code)
    assert api_error_class(code, "CFD") is expected


def test_sample_counts_meet_the_brief() -> None:
    us_fs = CUSTOMER_ROWS + FUNDS_ROWS
    assert len(us_fs) >= 40
    assert len(CODE_TABLE) >= 400  # every documented row plus the CFD full-margin copies


# -- The wire split, the code alone, and the fallback rules ---------------------------------------------


@pytest.mark.parametrize(
    ("biz_code", "code", "expected"),
    [
        ("G", "GATEWAY_CODE_001", SessionExpiredError),
        ("US", "CUSTOMER_API_0000102", LoginFailedError),
        ("CFD", "E000031", TradingRuleError),
        ("TA", "500", ServerError),
        ("G", "F999999", CaptchaError),
        ("US", "CUSTOMER_API_0000003", BusinessError),
    ],
)
def test_wire_split(biz_code: str, code: str, expected: type[APIError]) -> None:
    assert api_error_class(code, biz_code) is expected


@pytest.mark.parametrize(
    ("biz_code", "code", "expected"),
    [
        (None, "00012001", SignatureError),
        ("", "00012002", TimeWindowError),
        (None, "F999999", CaptchaError),
        (None, "GATEWAY_CODE_005", SessionExpiredError),  # unique across modules
        (None, "CUSTOMER_API_0000102", LoginFailedError),
        (None, "E000026", TradingRuleError),
        (None, "CFDWBWE000026", TradingRuleError),  # a documented key sent whole
        ("XX", "GATEWAY_CODE_018", RateLimitError),  # unknown module, known code
        (" G ", " GATEWAY_CODE_014 ", TimeWindowError),  # stray whitespace
    ],
)
def test_code_alone(biz_code: str | None, code: str, expected: type[APIError]) -> None:
    assert api_error_class(code, biz_code) is expected


@pytest.mark.parametrize(
    ("biz_code", "code", "expected"),
    [
        ("XX", "500", ServerError),  # rule 1: "500"
        ("FS", "99500", ServerError),  # rule 1: ends in 500
        ("G", "GATEWAY_CODE_500", ServerError),  # rule 1 before rule 2
        ("G", "GATEWAY_CODE_777", ValidationError),  # rule 2
        (None, "00012099", AuthenticationError),  # rule 3
        ("US", "00012008", AuthenticationError),  # rule 3
        (None, "000120099", BusinessError),  # rule 3 needs exactly two digits
        ("MS", "EMAIL_VERIFY_CODE_EXPIRED", VerificationCodeError),  # rule 4
        ("US", "CUSTOMER_API_9999999", BusinessError),  # rule 5
        ("FS", "99999", BusinessError),  # rule 5
        ("", "", BusinessError),  # rule 5, even for nothing at all
        ("CFD", "E000099", TradingRuleError),  # unknown contract code: nearest family
        ("CFDWBW", "E000077", TradingRuleError),
        (None, "CFDWBWE000099", TradingRuleError),
    ],
)
def test_fallback_rules(biz_code: str | None, code: str, expected: type[APIError]) -> None:
    assert CODE_TABLE.get((biz_code or "") + code) is None
    assert api_error_class(code, biz_code) is expected


@given(code=st.text(max_size=30), biz_code=st.none() | st.text(max_size=8))
def test_every_code_gets_an_api_error_class(code: str, biz_code: str | None) -> None:
    assert issubclass(api_error_class(code, biz_code), APIError)


# -- Envelopes: placeholders, default text, str and repr -------------------------------------------------

TEMPLATE_26 = "Quantity must be within the range of %s to %s lots, and must be an integer multiple of %s lots"


def test_placeholders_are_filled_in_turn() -> None:
    exc = api_error_from_envelope("E000026", "CFDWBW", TEMPLATE_26, msg_params="0.01,100,0.01")
    assert isinstance(exc, TradingRuleError)
    assert exc.message == (
        "Quantity must be within the range of 0.01 to 100 lots, and must be an integer multiple of 0.01 lots"
    )
    assert exc.raw_message == TEMPLATE_26
    assert exc.msg_params == "0.01,100,0.01"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("1", "from 1 to %s"),  # fewer params than placeholders: the rest stay visible
        ("1,2,3", "from 1 to 2"),  # extra params are ignored
        ("1, 2", "from 1 to 2"),
        (None, "from %s to %s"),
        ("", "from %s to %s"),
    ],
)
def test_placeholder_edge_cases(params: str | None, expected: str) -> None:
    exc = api_error_from_envelope("FS51027", None, "from %s to %s", msg_params=params)
    assert exc.message == expected
    assert exc.raw_message == "from %s to %s"
    assert exc.msg_params == params


def test_message_without_placeholders_ignores_params() -> None:
    exc = api_error_from_envelope("CUSTOMER_API_0000003", "US", "Data not exist ", msg_params="a,b")
    assert exc.message == "Data not exist"
    assert exc.raw_message == "Data not exist "


@pytest.mark.parametrize("message", [None, "", "   "])
def test_missing_message_gets_a_default_naming_the_code(message: str | None) -> None:
    exc = api_error_from_envelope("E000031", "CFD", message)
    assert "CFDE000031" in exc.message
    assert exc.raw_message == (message or "")


def test_envelope_fields_are_kept() -> None:
    exc = api_error_from_envelope(
        "E000031",
        "CFD",
        "Account balance is 0",
        trace="x-0ei175a-x4dh9u2-1g8s95r-m2708212-1677570735",
        data="tradeapi.app.OrderApiService.updateOrder",
        status_code=200,
    )
    assert (exc.code, exc.biz_code, exc.status_code) == ("E000031", "CFD", 200)
    assert exc.trace == "x-0ei175a-x4dh9u2-1g8s95r-m2708212-1677570735"
    assert exc.data == "tradeapi.app.OrderApiService.updateOrder"
    assert exc.retry_after is None
    assert str(exc) == (
        "Account balance is 0 (code=E000031, biz_code=CFD, "
        "trace=x-0ei175a-x4dh9u2-1g8s95r-m2708212-1677570735)"
    )
    assert repr(exc) == "TradingRuleError(code='E000031', message='Account balance is 0')"


def test_empty_biz_code_and_trace_are_absent() -> None:
    exc = api_error_from_envelope("00012001", "", "signature check failed", trace="")
    assert exc.biz_code is None
    assert exc.trace is None
    assert str(exc) == "signature check failed (code=00012001)"


def test_str_without_fields_is_the_message() -> None:
    assert str(TransportError("connection reset")) == "connection reset"
    assert repr(TransportError("connection reset")) == "TransportError(code=None, message='connection reset')"


def test_data_never_reaches_str_or_repr() -> None:
    exc = api_error_from_envelope(
        "GATEWAY_CODE_005", "G", "Login info is expired", data={"token": "tok-S3CRET"}
    )
    assert exc.data == {"token": "tok-S3CRET"}
    assert "S3CRET" not in str(exc)
    assert "S3CRET" not in repr(exc)


# -- Constructors, hierarchy, pickling -------------------------------------------------------------------

CONTRACT_PARENTS = {
    ConfigurationError: (MultiMarketsError, ValueError),
    InvalidArgumentError: (MultiMarketsError, ValueError),
    TransportError: (MultiMarketsError,),
    ConnectError: (TransportError,),
    RequestTimeoutError: (TransportError,),
    HandshakeError: (ConnectError,),
    OutcomeUnknownError: (MultiMarketsError,),
    OrderStateUnknownError: (OutcomeUnknownError,),
    HTTPStatusError: (MultiMarketsError,),
    TooManyRequestsError: (HTTPStatusError,),
    LockedOutError: (HTTPStatusError,),
    WAFBlockedError: (HTTPStatusError,),
    ServerUnavailableError: (HTTPStatusError,),
    ProtocolError: (MultiMarketsError,),
    StreamError: (MultiMarketsError,),
    SlowConsumerError: (StreamError,),
    SessionEndedError: (StreamError,),
    APIError: (MultiMarketsError,),
    AuthenticationError: (APIError,),
    SessionExpiredError: (AuthenticationError,),
    LoginFailedError: (AuthenticationError,),
    SignatureError: (AuthenticationError,),
    ApiKeyError: (AuthenticationError,),
    TimeWindowError: (APIError,),
    PermissionDeniedError: (APIError,),
    RateLimitError: (APIError,),
    ValidationError: (APIError,),
    UnknownOperationError: (ValidationError,),
    VerificationCodeError: (ValidationError,),
    CaptchaError: (ValidationError,),
    BusinessError: (APIError,),
    TradingRuleError: (BusinessError,),
    ServerError: (APIError,),
}


@pytest.mark.parametrize(("cls", "parents"), CONTRACT_PARENTS.items())
def test_hierarchy_matches_the_contract(cls: type[MultiMarketsError], parents: tuple[type, ...]) -> None:
    assert cls.__bases__ == parents


def test_builtin_timeout_is_not_shadowed() -> None:
    assert not hasattr(errors, "TimeoutError")


@pytest.mark.parametrize("cls", [c for c in CONTRACT_PARENTS if not issubclass(c, OutcomeUnknownError)])
def test_common_constructor_keywords(cls: type[MultiMarketsError]) -> None:
    exc = cls(
        "boom",
        code="C1",
        biz_code="G",
        trace="t-1",
        msg_params="a,b",
        status_code=502,
        retry_after=1.5,
        data=[1],
    )
    assert exc.message == "boom"
    assert exc.args == ("boom",)
    assert (exc.code, exc.biz_code, exc.trace, exc.msg_params) == ("C1", "G", "t-1", "a,b")
    assert (exc.status_code, exc.retry_after, exc.data) == (502, 1.5, [1])
    assert str(exc) == "boom (code=C1, biz_code=G, status=502, trace=t-1)"


def test_defaults_are_none() -> None:
    exc = MultiMarketsError("x")
    assert [
        exc.code,
        exc.biz_code,
        exc.trace,
        exc.msg_params,
        exc.status_code,
        exc.retry_after,
        exc.data,
    ] == [None] * 7


def test_api_error_raw_message_defaults_to_message() -> None:
    assert ServerError("System error").raw_message == "System error"


def test_order_state_unknown_explains_reconciliation() -> None:
    body = {"thirdPartyOrder": "bot_42", "symbolId": 8390, "loginPwd": "dc483e80a7a0bd9ef71d8cf973673924"}
    exc = OrderStateUnknownError(
        "addMarketOrder timed out after 10 s",
        biz_type="tradeapi.app.OrderApiService.addMarketOrder",
        body=body,
        idempotency_key="7d1e0c2a-5a4b-4f8e-9d47-2b6f0e3c1a99",
        trace="t-9",
    )
    assert exc.biz_type == "tradeapi.app.OrderApiService.addMarketOrder"
    assert exc.body == body
    assert exc.idempotency_key == "7d1e0c2a-5a4b-4f8e-9d47-2b6f0e3c1a99"
    assert exc.trace == "t-9"
    text = str(exc)
    assert text.startswith("addMarketOrder timed out after 10 s: ")
    assert "reconcile" in text
    assert "idempotency-key 7d1e0c2a-5a4b-4f8e-9d47-2b6f0e3c1a99" in text
    assert "thirdPartyOrder 'bot_42'" in text
    assert text.endswith("(trace=t-9)")
    assert "dc483e80" not in text
    assert "dc483e80" not in repr(exc)


def test_order_state_unknown_without_key_or_tag() -> None:
    exc = OrderStateUnknownError("", biz_type="tradeapi.app.OrderApiService.updateOrder")
    assert exc.message.startswith("No answer to tradeapi.app.OrderApiService.updateOrder: ")
    assert "query open orders and positions" in exc.message
    assert "idempotency-key" not in exc.message
    assert exc.body is None
    assert exc.idempotency_key is None


PICKLE_SAMPLES = [
    MultiMarketsError("root", code="X"),
    ConfigurationError("bad key", data={"field": "private_key"}),
    RequestTimeoutError("read timed out", trace="t-1"),
    OrderStateUnknownError(
        "timed out", biz_type="addMarketOrder", body={"thirdPartyOrder": "a1"}, idempotency_key="k-1"
    ),
    http_status_error(418, "locked", retry_after=300.0, locked_until=1_700_000_300.0),
    http_status_error(429, "slow down", retry_after=7.0),
    api_error_from_envelope("E000026", "CFDWBW", TEMPLATE_26, msg_params="1,2,3", trace="t-2", data="bt"),
    quote_error_from_ret(203, "client_ip_port is not exist"),
]


@pytest.mark.parametrize("exc", PICKLE_SAMPLES, ids=lambda exc: type(exc).__name__)
def test_pickle_round_trip(exc: MultiMarketsError) -> None:
    for clone in (pickle.loads(pickle.dumps(exc)), copy.copy(exc), copy.deepcopy(exc)):
        assert type(clone) is type(exc)
        assert clone.args == exc.args
        assert vars(clone) == vars(exc)
        assert str(clone) == str(exc)
        assert repr(clone) == repr(exc)


def test_pickle_keeps_notes() -> None:
    exc = ServerError("System error", code="500")
    exc.add_note("while placing an order")
    assert pickle.loads(pickle.dumps(exc)).__notes__ == ["while placing an order"]


# -- HTTP status and quote ret helpers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (403, WAFBlockedError),
        (418, LockedOutError),
        (429, TooManyRequestsError),
        (500, ServerUnavailableError),
        (502, ServerUnavailableError),
        (599, ServerUnavailableError),
        (400, HTTPStatusError),
        (401, HTTPStatusError),
        (404, HTTPStatusError),
        (302, HTTPStatusError),
        (600, HTTPStatusError),
    ],
)
def test_http_status_error_class(status: int, expected: type[HTTPStatusError]) -> None:
    exc = http_status_error(status, "")
    assert type(exc) is expected
    assert exc.status_code == status
    assert str(exc).startswith(f"HTTP {status}")
    assert f"status={status}" in str(exc)


def test_http_status_error_body_is_truncated_and_shown() -> None:
    exc = http_status_error(404, "not\n  found " + "x" * 500)
    assert len(exc.body) == 200
    assert exc.body.startswith("not\n  found ")
    assert exc.message.startswith("HTTP 404 Not Found: not found xxx")


def test_rate_limited_defaults_to_sixty_seconds() -> None:
    assert http_status_error(429, "").retry_after == 60.0
    exc = http_status_error(429, "", retry_after=12.5)
    assert exc.retry_after == 12.5
    assert "retry after 12.5 s" in str(exc)


def test_locked_out_carries_unlock_time() -> None:
    exc = http_status_error(418, "", retry_after=300.0, locked_until=1_700_000_000.0)
    assert isinstance(exc, LockedOutError)
    assert exc.locked_until == 1_700_000_000.0
    assert exc.retry_after == 300.0
    assert "until 2023-11-14T22:13:20Z" in str(exc)
    unknown = http_status_error(418, "")
    assert isinstance(unknown, LockedOutError)
    assert unknown.locked_until is None
    assert "until" not in str(unknown)


def test_http_status_error_keeps_retry_after_for_5xx() -> None:
    assert http_status_error(503, "", retry_after=2.0).retry_after == 2.0


@pytest.mark.parametrize(
    ("ret", "expected"),
    [
        (201, ValidationError),
        (202, ValidationError),
        (203, ProtocolError),
        (500, ServerError),
        (503, ServerError),
        (204, ProtocolError),
        (400, ProtocolError),
        (-1, ProtocolError),
    ],
)
def test_quote_error_from_ret(ret: int, expected: type[MultiMarketsError]) -> None:
    exc = quote_error_from_ret(ret, "failed", data={"seq_id": 3}, trace="ext-1")
    assert type(exc) is expected
    assert exc.code == str(ret)
    assert exc.data == {"seq_id": 3}
    assert exc.trace == "ext-1"
    assert exc.message.startswith("failed")


def test_quote_error_explains_lost_session() -> None:
    exc = quote_error_from_ret(203, "client_ip_port is not exist")
    assert "reconnect and resubscribe" in exc.message
    assert quote_error_from_ret(500, None).message == "the market-data server failed"


def test_quote_error_keeps_raw_message() -> None:
    exc = quote_error_from_ret(202, "bad symbol")
    assert isinstance(exc, ValidationError)
    assert exc.raw_message == "bad symbol"


def test_quote_ret_200_is_not_an_error() -> None:
    with pytest.raises(ValueError, match="success"):
        quote_error_from_ret(200, "ok")


# -- Public surface --------------------------------------------------------------------------------------

EXPECTED_TABLE_PUBLIC = {
    "CODE_TABLE",
    "api_error_class",
    "api_error_from_envelope",
    "http_status_error",
    "quote_error_from_ret",
}
EXPECTED_HINTS_PUBLIC = {"UNREACHABLE_HINT", "add_hint", "cannot_connect", "company_id_hint", "host_port"}
EXPECTED_PUBLIC = {*(cls.__name__ for cls in CONTRACT_PARENTS), "MultiMarketsError"}


@pytest.mark.parametrize(
    ("module", "expected"),
    [(errors, EXPECTED_PUBLIC), (error_codes, EXPECTED_TABLE_PUBLIC), (hints, EXPECTED_HINTS_PUBLIC)],
)
def test_all_is_exactly_the_public_surface(module: object, expected: set[str]) -> None:
    exported = module.__all__  # type: ignore[attr-defined]
    assert set(exported) == expected
    assert len(exported) == len(set(exported))
    defined_here = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", None) == module.__name__  # type: ignore[attr-defined]
    }
    assert defined_here <= set(exported)


def test_every_exported_exception_is_a_multimarkets_error() -> None:
    for name in errors.__all__:
        value = getattr(errors, name)
        if inspect.isclass(value) and issubclass(value, BaseException):
            assert issubclass(value, MultiMarketsError), name
            assert value.__doc__, name


def test_every_table_class_is_an_api_error() -> None:
    for key, cls in CODE_TABLE.items():
        assert issubclass(cls, APIError), key


def test_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        CODE_TABLE["NEW"] = ServerError  # type: ignore[index]


def test_a_code_mapped_twice_fails_at_import() -> None:
    rows = (("G", "GATEWAY_CODE_001", SessionExpiredError), ("G", "GATEWAY_CODE_001", ServerError))
    with pytest.raises(AssertionError, match="GGATEWAY_CODE_001"):
        error_codes._build_table(rows)


# -- Names deprecated for one release --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED_TABLE_PUBLIC))
def test_the_table_and_factories_still_answer_from_errors_with_a_warning(name: str) -> None:
    with pytest.warns(
        DeprecationWarning, match=rf"errors\.{name} is deprecated.*protocol\.error_codes\.{name}"
    ):
        assert getattr(errors, name) is getattr(error_codes, name)


def test_rate_limited_error_is_the_too_many_requests_error_with_a_warning() -> None:
    import multimarkets_async as mm

    for module in (errors, mm):
        with pytest.warns(
            DeprecationWarning, match="RateLimitedError is deprecated, use .*TooManyRequestsError"
        ):
            alias = module.RateLimitedError
        assert alias is TooManyRequestsError
    with pytest.raises(alias):  # `except RateLimitedError` still catches every HTTP 429
        raise http_status_error(429, "slow down")
    assert "RateLimitedError" not in errors.__all__
    assert "RateLimitedError" not in mm.__all__


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        errors.Nope  # noqa: B018


def test_an_argument_error_is_not_the_platforms_validation_error() -> None:
    """Refused before sending (InvalidArgumentError) and refused by the platform (ValidationError) differ."""
    assert not issubclass(InvalidArgumentError, ValidationError)
    assert not issubclass(ValidationError, InvalidArgumentError)
    with pytest.raises(ValueError, match="volume must be positive"):
        raise InvalidArgumentError("volume must be positive")
