"""The one table that turns the platform's error codes into the SDK's exception classes.

Sans-I/O: values in, exception instances out; nothing here raises what it builds. `CODE_TABLE` maps
each documented key (module prefix + code, as the vendor prints it) to its class; `api_error_class`
looks codes up in it and falls back to fixed rules for codes nobody documented;
`api_error_from_envelope`, `quote_error_from_ret` and `http_status_error` build the error an
unsuccessful envelope, a market-data ``ret`` or an HTTP status stands for. The classes themselves,
and the tree they form, are in :mod:`multimarkets_async.errors`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from types import MappingProxyType
from typing import Final

from ..errors import (
    APIError,
    ApiKeyError,
    AuthenticationError,
    BusinessError,
    CaptchaError,
    HTTPStatusError,
    LockedOutError,
    LoginFailedError,
    MultiMarketsError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitError,
    ServerError,
    ServerUnavailableError,
    SessionExpiredError,
    SignatureError,
    TimeWindowError,
    TooManyRequestsError,
    TradingRuleError,
    UnknownOperationError,
    ValidationError,
    VerificationCodeError,
    WAFBlockedError,
)

__all__ = [
    "CODE_TABLE",
    "api_error_class",
    "api_error_from_envelope",
    "http_status_error",
    "quote_error_from_ret",
]


# -- The code table, from the vendor's error pages ----------------------------------------------------

_Row = tuple[str, str, type[APIError]]


def _rows(module: str, cls: type[APIError], codes: str, *, prefix: str = "") -> Iterator[_Row]:
    """One (bizCode, code, class) row per whitespace-separated code; ``prefix`` starts each code."""
    return ((module, prefix + code, cls) for code in codes.split())


# The isolated-margin (CFDWBW) numbering; the full-margin contract (CFD) is assumed to share it.
_CFD_VALIDATION = "E000005 E000006 E000007 E000014 E000015 E000022 E000024"
_CFD_TRADING = """E000001 E000002 E000003 E000004 E000008 E000009 E000010 E000011 E000012 E000013 E000016
    E000017 E000018 E000019 E000020 E000021 E000023 E000025 E000026 E000027 E000028 E000029"""
_G = "GATEWAY_CODE_"
_US = "CUSTOMER_API_"

_ROWS: Final[tuple[_Row, ...]] = (
    # Open API authentication: printed without a module prefix.
    *_rows("", SignatureError, "00012001"),
    *_rows("", TimeWindowError, "00012002"),
    *_rows("", ApiKeyError, "00012003 00012006"),
    *_rows("", PermissionDeniedError, "00012004 00012007"),
    *_rows("", RateLimitError, "00012005"),
    # The isolated-margin contract (CFDWBW), and the full-margin contract (CFD) by assumption.
    *_rows("CFDWBW", ServerError, "500"),
    *_rows("CFDWBW", ValidationError, _CFD_VALIDATION),
    *_rows("CFDWBW", TradingRuleError, _CFD_TRADING),
    *_rows("CFD", ValidationError, _CFD_VALIDATION),
    *_rows("CFD", TradingRuleError, _CFD_TRADING),
    # Codes seen in vendor examples (USCUSTOMER_API_0000003 is among the customer rows below).
    *_rows("CFD", TradingRuleError, "E000031"),
    *_rows("TA", ServerError, "500"),
    *_rows("MS", VerificationCodeError, "P_VERIFY_CODE_ERROR"),
    # Captcha: printed as the literal response code (bizCode "G" on the wire).
    *_rows("", CaptchaError, "F999999"),
    # Gateway (G + GATEWAY_CODE_nnn), including the Client-page extras 004 and 201.
    *_rows("G", ServerError, "500"),
    *_rows("G", ServerError, "011 012 013 102 902", prefix=_G),
    *_rows("G", SessionExpiredError, "001 005 017 101", prefix=_G),
    *_rows("G", UnknownOperationError, "002 010", prefix=_G),
    *_rows("G", ValidationError, "003 004 006 008 009 015 016 103 104", prefix=_G),
    *_rows("G", TimeWindowError, "014", prefix=_G),
    *_rows("G", RateLimitError, "018", prefix=_G),
    *_rows("G", PermissionDeniedError, "019 201", prefix=_G),
    # Customer service (US + CUSTOMER_API_nnnnnnn), including the Client-page extras 500 and 0001029.
    *_rows("US", ServerError, "500"),
    *_rows("US", ServerError, "0000002 0000005 0001036", prefix=_US),
    *_rows("US", LoginFailedError, "0000102 0000103 0000112 0000113 0000128 0001050", prefix=_US),
    *_rows("US", PermissionDeniedError, "0001029", prefix=_US),
    *_rows(
        "US",
        ValidationError,
        """0000125 0000136 0000137 0000147 0000501 0000502 0000503 0000504 0000505 0000506 0000507
        0000508 0000509 0000510 00011001 0001025""",
        prefix=_US,
    ),
    *_rows(
        "US",
        VerificationCodeError,
        "0000511 0000512 0000513 0000514 0000515 0000516 0000517 0000518 0000519 0000520 0000521 0001018",
        prefix=_US,
    ),
    *_rows(
        "US",
        BusinessError,
        """0000003 0000004 0000006 0000007 0000008 0000009 0000101 0000104 0000105 0000106 0000107
        0000108 0000109 0000110 0000111 0000114 0000115 0000116 0000117 0000118 0000119 0000120 0000121
        0000122 0000123 0000124 0000126 0000127 0000131 0000132 0000133 0000134 0000135 0000138 0000139
        0000141 0000142 0000143 0000144 0000145 0000146 0000148 0000149 0000150 0000151 0000156 0000157
        0000158 0000301 0000302 0000303 0000304 0000305 0000306 0000307 0000308 0000309 0000310 0000311
        0000312 0000313 0000314 0000315 0000601 0000602 0000603 0000604 0000605 0000606 0000607 0000608
        0000609 0000610 0000611 0000612 0000613 0000614 0000615 0000616 0000617 0000618 0000619 0000620
        0000624 0000632 0000633 0000701 0000702 0000703 0000705 0000706 0000707 0000801 0000802 0000803
        0000804 0000805 0000807 0000901 0000902 0000903 00010001 00010002 00011002 00011003 0001001
        0001002 0001003 0001004 0001005 0001006 0001007 0001008 0001009 0001010 0001011 0001012 0001013
        0001014 0001015 0001016 0001017 0001019 0001020 0001021 0001022 0001023 0001024 0001026 0001027
        0001028 0001030 0001031 0001032 0001033 0001034 0001035 0001037 0001038 0001039 0001040""",
        prefix=_US,
    ),
    # Funds service (FS + number). FS5550002 is printed so (probably a typo for FS550002; both kept).
    *_rows("FS", ServerError, "500 501 20001 20002"),
    *_rows("FS", ValidationError, "400 401 10001 10002 10003 10005"),
    *_rows("FS", PermissionDeniedError, "560004"),
    *_rows(
        "FS",
        BusinessError,
        """404 10100 10101 10200 10201 10202 10300 10301 10302 10304 10305 50000 50001 50002 50003 50004
        50005 50006 50007 50008 50009 50010 50011 50012 50013 50014 50015 50016 50017 50018 50019 50020
        50022 50023 50024 50025 51001 51002 51003 51004 51005 51006 51007 51008 51011 51012 51013 51014
        51015 51016 51017 51018 51019 51020 51021 51022 51024 51025 51026 51027 51028 51029 51030 51031
        51032 51033 51034 51035 51036 51037 51038 51046 52001 52002 52003 52004 52005 52006 52007 52008
        52009 520010 520011 530001 530101 530102 530103 540001 540002 540003 540004 540005 540006
        540007 540008 540009 540010 540011 540012 540013 540014 540015 540016 540017 540018 540019
        540020 540021 540022 540023 550001 550002 5550002 550003 550004 550005 550006 550007 560001
        560002 560003 570001 570002 570003 570004 570005""",
    ),
)


def _build_table(rows: tuple[_Row, ...]) -> dict[str, type[APIError]]:
    table: dict[str, type[APIError]] = {}
    for module, code, cls in rows:
        key = module + code
        if table.setdefault(key, cls) is not cls:
            raise AssertionError(f"error code {key} is mapped twice")  # a typo in the rows above
    return table


def _by_code(rows: tuple[_Row, ...]) -> dict[str, type[APIError]]:
    # A code without its module still identifies a class when every module that documents it agrees.
    classes: dict[str, set[type[APIError]]] = {}
    for _, code, cls in rows:
        classes.setdefault(code, set()).add(cls)
    return {code: found.pop() for code, found in classes.items() if len(found) == 1}


CODE_TABLE: Final[Mapping[str, type[APIError]]] = MappingProxyType(_build_table(_ROWS))
"""Documented key (module prefix + code, e.g. ``"GGATEWAY_CODE_001"``, ``"00012001"``) -> class."""

_CODE_ALONE: Final[Mapping[str, type[APIError]]] = MappingProxyType(_by_code(_ROWS))
_OPEN_API_AUTH: Final = re.compile(r"000120[0-9]{2}")
_CFD_MODULES: Final = frozenset({"CFD", "CFDWBW"})


def api_error_class(code: str, biz_code: str | None) -> type[APIError]:
    """The class for an error code.

    Order: ``biz_code + code`` in `CODE_TABLE`; then ``code`` alone (a documented key itself, or a
    code every module that documents it maps to the same class); then the fallback rules: ends in
    ``500`` -> `ServerError`; ``GATEWAY_CODE_*`` -> `ValidationError`; ``000120nn`` ->
    `AuthenticationError`; contains ``VERIFY_CODE`` -> `VerificationCodeError`; a CFD/CFDWBW module
    -> `TradingRuleError`; anything else -> `BusinessError`.

    Args:
        code: The envelope's ``code``.
        biz_code: The envelope's ``bizCode``; ``None`` or ``""`` when absent.

    Returns:
        An `APIError` subclass; never fails, whatever the code.
    """
    code = code.strip()
    module = (biz_code or "").strip()
    found = CODE_TABLE.get(module + code) or CODE_TABLE.get(code) or _CODE_ALONE.get(code)
    if found is not None:
        return found
    if code.endswith("500"):  # covers "500" itself
        return ServerError
    if code.startswith("GATEWAY_CODE_"):
        return ValidationError
    if _OPEN_API_AUTH.fullmatch(code):
        return AuthenticationError
    if "VERIFY_CODE" in code:
        return VerificationCodeError
    # An undocumented contract code is still a trading rejection, a BusinessError too.
    if module in _CFD_MODULES or code.startswith("CFD"):
        return TradingRuleError
    return BusinessError


def _fill(template: str, msg_params: str | None) -> str:
    """Replace each ``%s`` in turn with the next comma-separated parameter; extra ``%s`` stay."""
    if not msg_params or "%s" not in template:
        return template
    params = msg_params.split(",")
    pieces = template.split("%s")
    out = [pieces[0]]
    for index, piece in enumerate(pieces[1:]):
        out.append(params[index].strip() if index < len(params) else "%s")
        out.append(piece)
    return "".join(out)


def api_error_from_envelope(
    code: str,
    biz_code: str | None,
    message: str | None,
    *,
    msg_params: str | None = None,
    trace: str | None = None,
    data: object = None,
    status_code: int | None = None,
) -> APIError:
    """Build the typed error an unsuccessful envelope stands for.

    Args:
        code: The envelope's ``code``.
        biz_code: The envelope's ``bizCode`` (``""`` is treated as absent).
        message: The envelope's ``msg``, possibly with ``%s`` placeholders, possibly empty.
        msg_params: The raw comma-separated ``msgParams`` that fill the placeholders.
        trace: The envelope's ``trace``.
        data: The envelope's ``data`` (kept on the error, never printed).
        status_code: The HTTP status the envelope came with.

    Returns:
        An instance of the class `api_error_class` picks, with ``raw_message`` and ``msg_params``
        kept as received.
    """
    biz_code = biz_code or None
    filled = _fill(message, msg_params).strip() if message else ""
    if not filled:
        filled = f"API error {biz_code or ''}{code} (the server sent no message)"
    cls = api_error_class(code, biz_code)
    return cls(
        filled,
        raw_message=message or "",
        code=code,
        biz_code=biz_code,
        trace=trace or None,
        msg_params=msg_params,
        status_code=status_code,
        data=data,
    )


_RET_MEANINGS: Final[Mapping[int, str]] = {
    201: "a field of the request envelope (cmd_id, seq_id, ext) is invalid",
    202: "a field of the request data is invalid, or a socket limit was exceeded",
    203: "the server lost this connection's session; reconnect and resubscribe",
    500: "the market-data server failed",
}


def quote_error_from_ret(
    ret: int, msg: str | None, *, data: object = None, trace: str | None = None
) -> MultiMarketsError:
    """The error for a market-data socket or HTTP-quote reply whose ``ret`` is not 200.

    201 and 202 -> `ValidationError`; 203 -> `ProtocolError` (the session is gone: reconnect and
    resubscribe); 500 and any other 5xx -> `ServerError`; any other undocumented value -> `ProtocolError`.

    Args:
        ret: The reply's ``ret``.
        msg: The reply's ``msg``.
        data: The reply's ``data``.
        trace: The reply's ``trace`` (HTTP) or ``ext`` (socket).

    Raises:
        ValueError: if ``ret`` is 200, which is success.
    """
    if ret == 200:
        raise ValueError("ret 200 is success, not an error")
    meaning = _RET_MEANINGS.get(ret, f"undocumented market-data status {ret}")
    text = f"{msg.strip()}: {meaning}" if msg and msg.strip() else meaning
    if ret in (201, 202):
        return ValidationError(text, raw_message=msg or "", code=str(ret), trace=trace, data=data)
    if ret >= 500:
        return ServerError(text, raw_message=msg or "", code=str(ret), trace=trace, data=data)
    return ProtocolError(text, code=str(ret), trace=trace, data=data)


def http_status_error(
    status_code: int,
    body: str,
    *,
    retry_after: float | None = None,
    locked_until: float | None = None,
) -> HTTPStatusError:
    """The error for an HTTP response whose status is not 200.

    Args:
        status_code: The HTTP status.
        body: The response body as text (kept truncated to 200 characters).
        retry_after: Seconds to wait, from ``Retry-After`` / ``x-ratelimit-reset``. A 429 without it
            gets the documented default of 60 seconds.
        locked_until: For a 418, the expected unlock time in epoch seconds, when known.

    Returns:
        `WAFBlockedError` (403), `LockedOutError` (418), `TooManyRequestsError` (429),
        `ServerUnavailableError` (5xx), otherwise `HTTPStatusError`.
    """
    try:
        text = f"HTTP {status_code} {HTTPStatus(status_code).phrase}"
    except ValueError:
        text = f"HTTP {status_code}"
    excerpt = " ".join(body[:200].split())
    tail = f": {excerpt}" if excerpt else ""
    if status_code == 418:
        until = (
            ""
            if locked_until is None
            else f" until {datetime.fromtimestamp(locked_until, UTC):%Y-%m-%dT%H:%M:%SZ}"
        )
        return LockedOutError(
            f"HTTP 418: the key or IP is locked out for continuing after a 429{until}{tail}",
            body=body,
            locked_until=locked_until,
            status_code=status_code,
            retry_after=retry_after,
        )
    cls: type[HTTPStatusError] = HTTPStatusError
    if status_code == 403:
        cls, text = WAFBlockedError, f"{text}: blocked by a WAF rule"
    elif status_code == 429:
        retry_after = 60.0 if retry_after is None else retry_after  # x-ratelimit-reset's default
        cls, text = TooManyRequestsError, f"{text}: rate limit exceeded, retry after {retry_after:g} s"
    elif 500 <= status_code <= 599:
        cls = ServerUnavailableError
    return cls(f"{text}{tail}", body=body, status_code=status_code, retry_after=retry_after)
