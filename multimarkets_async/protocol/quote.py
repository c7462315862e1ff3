"""The market-data ("quote") socket dialect: ``cmd_id`` request encoders, limits and the frame decoder.

Sans-I/O: encoders return the JSON text to send; ``decode_frame`` takes one
received frame (text or binary) and returns a ``QuoteFrame`` with typed events. Text pushes
(``p(``, ``pt(``, ``pd(``, ``pr(``) are parsed with plain string operations because they arrive once
per market-data message (implemented in ``_quote_push``); JSON replies and the zlib-compressed
K-line replies are decoded in ``_quote_reply``. Decoders raise only
``ProtocolError``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from typing import Final

from ..errors import InvalidArgumentError
from ..models.market import KlineType, SymbolKey
from ._quote_frame import (
    LEGACY_TRADE_MODE,
    QUOTE_TIME_UNIT,
    FrameKind,
    QuoteEvent,
    QuoteFrame,
    QuoteReply,
    QuoteTimeUnit,
    normalize_time_ms,
    time_converter,
)
from ._quote_reply import (
    KLINE_INFLATE_WBITS,
    MAX_INFLATED_SIZE,
    compress_kline_reply,
    decode_frame,
    decode_ticker_push,
)

__all__ = [
    "INFLATED_BYTES_PER_BAR",
    "KLINE_INFLATE_WBITS",
    "LEGACY_TRADE_MODE",
    "MAX_BATCH_KLINE_PRODUCTS",
    "MAX_CALLS_PER_SECOND",
    "MAX_EXT_LENGTH",
    "MAX_INFLATED_SIZE",
    "MAX_KLINE_BARS",
    "MAX_PRODUCTS_PER_SUBSCRIPTION",
    "QUOTE_HEARTBEAT_INTERVAL",
    "QUOTE_IDLE_TIMEOUT",
    "QUOTE_TIME_UNIT",
    "RET_SESSION_LOST",
    "CancelType",
    "FrameKind",
    "KlineQuery",
    "QuoteCmd",
    "QuoteEvent",
    "QuoteFrame",
    "QuoteReply",
    "QuoteTimeUnit",
    "check_request_limits",
    "compress_kline_reply",
    "decode_frame",
    "decode_ticker_push",
    "encode_batch_kline_request",
    "encode_cancel",
    "encode_heartbeat",
    "encode_kline_request",
    "encode_market_subscribe",
    "encode_rolling_subscribe",
    "encode_ticker_subscribe",
    "normalize_time_ms",
    "rate_limit_delay_ms",
    "time_converter",
]


class QuoteCmd(IntEnum):
    """Protocol numbers (``cmd_id``). A reply's number is the request's plus one."""

    TICKER_SUBSCRIBE = 14000
    TICKER_SUBSCRIBE_REPLY = 14001
    CANCEL = 14006
    CANCEL_REPLY = 14007
    HEARTBEAT = 14008
    HEARTBEAT_REPLY = 14009
    MARKET_SUBSCRIBE = 14010
    MARKET_SUBSCRIBE_REPLY = 14011
    KLINE = 14012
    KLINE_REPLY = 14013
    BATCH_KLINE = 14014
    BATCH_KLINE_REPLY = 14015
    ROLLING_SUBSCRIBE = 14016
    ROLLING_SUBSCRIBE_REPLY = 14017


class CancelType(IntEnum):
    """``cancel_type`` of a 14006 cancel."""

    ALL = 0
    TICKER = 1
    MARKET = 2
    ROLLING = 3


QUOTE_HEARTBEAT_INTERVAL: Final = 10.0
"""Seconds between 14008 heartbeats (the documented 10 s)."""
QUOTE_IDLE_TIMEOUT: Final = 30.0
"""Seconds of silence after which the server drops the client, and the SDK reconnects (documented: 30 s)."""
MAX_CALLS_PER_SECOND: Final = 50
"""Documented limit of all commands together, per connection and second."""
MAX_PRODUCTS_PER_SUBSCRIPTION: Final = 100
"""Products per subscribe command (the documented 100), counted per command type (setting
``quote_max_products_scope``)."""
MAX_KLINE_BARS: Final = 1000
"""Bars per K-line query, and per product of a batch query (the documented 1,000-bar limit)."""
MAX_BATCH_KLINE_PRODUCTS: Final = 100
"""Products per 14014 batch K-line query (documented: 100)."""
MAX_EXT_LENGTH: Final = 64
"""Longest ``ext`` trace the server accepts (documented: 64 characters)."""
RET_SESSION_LOST: Final = 203
"""``ret`` of a reply when the server has lost this connection's session: reconnect and
resubscribe, whatever the command."""
INFLATED_BYTES_PER_BAR: Final = 2048
"""Budget per requested bar when bounding an inflated K-line reply (a simulator bar, percent-encoded,
takes about 400 bytes); the bound never exceeds ``MAX_INFLATED_SIZE``."""

_UINT32: Final = 2**32
_UINT64: Final = 2**64
_CANCEL_TYPES: Final = frozenset(int(c) for c in CancelType)
_KLINE_TYPES: Final = frozenset(int(k) for k in KlineType)
_PRODUCT_LIMITED: Final = frozenset(
    {QuoteCmd.TICKER_SUBSCRIBE, QuoteCmd.MARKET_SUBSCRIBE, QuoteCmd.ROLLING_SUBSCRIBE, QuoteCmd.BATCH_KLINE}
)


@dataclass(frozen=True, slots=True)
class KlineQuery:
    """One product's part of a K-line query (14012, or one ``data_list`` entry of 14014)."""

    symbol: SymbolKey
    """The product."""
    kline_type: KlineType | int
    """Bar length."""
    query_kline_num: int
    """Number of bars, 1 to ``MAX_KLINE_BARS``."""
    kline_timestamp_end: int | None = None
    """End time in **seconds**; ``None`` (sent as absent) asks for the latest bars, open bar included."""


def check_request_limits(cmd_id: int, *, products: int = 0, bars: int = 0) -> None:
    """Refuse a request that exceeds the documented per-request limits (100 products, 1,000 bars).

    Args:
        cmd_id: The request's protocol number.
        products: Number of distinct products in the request.
        bars: Bars asked for (per product).

    Raises:
        InvalidArgumentError: ``products`` or ``bars`` exceeds its limit for ``cmd_id``.
    """
    limit = MAX_BATCH_KLINE_PRODUCTS if cmd_id == QuoteCmd.BATCH_KLINE else MAX_PRODUCTS_PER_SUBSCRIPTION
    if cmd_id in _PRODUCT_LIMITED and products > limit:
        raise InvalidArgumentError(f"cmd_id {cmd_id} carries {products} products; the limit is {limit}")
    if cmd_id in (QuoteCmd.KLINE, QuoteCmd.BATCH_KLINE) and not 1 <= bars <= MAX_KLINE_BARS:
        raise InvalidArgumentError(f"query_kline_num must be 1..{MAX_KLINE_BARS}, got {bars}")


def rate_limit_delay_ms(
    sent_ms: Sequence[int], now_ms: int, *, limit: int = MAX_CALLS_PER_SECOND, window_ms: int = 1000
) -> int:
    """How long to wait before the next command keeps within ``limit`` calls per ``window_ms``.

    Args:
        sent_ms: Send times of earlier commands in milliseconds, oldest first (the last ``limit`` suffice).
        now_ms: The current time in milliseconds.
        limit: Calls allowed per window.
        window_ms: Window length in milliseconds.

    Returns:
        Milliseconds to wait; ``0`` when a command may be sent now.
    """
    if len(sent_ms) < limit:
        return 0
    return max(0, sent_ms[-limit] + window_ms - now_ms)


def _uint(name: str, value: int, bound: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < bound:
        raise InvalidArgumentError(f"{name} must be an unsigned integer below {bound}, got {value!r}")
    return value


def _encode(cmd: QuoteCmd, seq_id: int, ext: str, data: dict[str, object]) -> str:
    _uint("seq_id", seq_id, _UINT32)
    if not isinstance(ext, str) or len(ext) > MAX_EXT_LENGTH:
        raise InvalidArgumentError(f"ext must be a string of at most {MAX_EXT_LENGTH} characters")
    frame = {"cmd_id": int(cmd), "seq_id": seq_id, "ext": ext, "data": data}
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _symbol(key: SymbolKey) -> dict[str, object]:
    return {
        "symbol_id": _uint("symbol_id", key.symbol_id, _UINT64),
        "trade_type": _uint("trade_type", key.trade_type, _UINT32),
        "trade_mode": _uint("trade_mode", key.trade_mode, _UINT32),
    }


def _symbol_list(cmd: QuoteCmd, symbols: Iterable[SymbolKey]) -> list[SymbolKey]:
    unique = list(dict.fromkeys(symbols))  # every subscribe replaces the last: duplicates add nothing
    check_request_limits(cmd, products=len(unique))
    return unique


def encode_ticker_subscribe(symbols: Iterable[SymbolKey], seq_id: int, ext: str) -> str:
    """Encode a 14000 ticker subscription. It **replaces** the connection's previous one.

    Args:
        symbols: Every product wanted (duplicates are dropped); empty clears the subscription.
        seq_id: Request number echoed in the 14001 reply.
        ext: Trace echoed in the reply, at most 64 characters.

    Returns:
        The JSON text frame.

    Raises:
        InvalidArgumentError: more than 100 products, or an out-of-range field.
    """
    unique = _symbol_list(QuoteCmd.TICKER_SUBSCRIBE, symbols)
    return _encode(QuoteCmd.TICKER_SUBSCRIBE, seq_id, ext, {"symbol_list": [_symbol(s) for s in unique]})


def encode_market_subscribe(
    symbols: Iterable[SymbolKey],
    *,
    depth_level: int | None,
    merge_accuracy: str | Decimal,
    trade_info_count: int,
    seq_id: int,
    ext: str,
) -> str:
    """Encode a 14010 depth-and-trades subscription. It **replaces** the previous one.

    Args:
        symbols: Every product wanted, each with the same options.
        depth_level: Book levels per side; ``None`` leaves the field out (the server sends one level).
        merge_accuracy: Price bucket for merging levels, e.g. ``"0.001"`` or ``"10"`` (sent as a string).
        trade_info_count: Recent trades in the snapshot.
        seq_id: Request number echoed in the 14011 reply.
        ext: Trace echoed in the reply.

    Returns:
        The JSON text frame.

    Raises:
        InvalidArgumentError: more than 100 products, or an out-of-range field.
    """
    unique = _symbol_list(QuoteCmd.MARKET_SUBSCRIBE, symbols)
    if depth_level is not None and (_uint("depth_level", depth_level, _UINT32) < 1):
        raise InvalidArgumentError("depth_level must be at least 1")
    accuracy = format(merge_accuracy, "f") if isinstance(merge_accuracy, Decimal) else merge_accuracy
    try:
        valid = isinstance(accuracy, str) and Decimal(accuracy) > 0
    except ArithmeticError:
        valid = False
    if not valid:
        raise InvalidArgumentError(
            f"merge_accuracy must be a positive decimal string, got {merge_accuracy!r}"
        )
    _uint("trade_info_count", trade_info_count, _UINT32)
    entries = []
    for key in unique:
        entry = _symbol(key)
        if depth_level is not None:
            entry["depth_level"] = depth_level
        entry["merge_accuracy"] = accuracy
        entry["trade_info_count"] = trade_info_count
        entries.append(entry)
    return _encode(QuoteCmd.MARKET_SUBSCRIBE, seq_id, ext, {"symbol_list": entries})


def encode_rolling_subscribe(
    symbols: Iterable[SymbolKey], seq_id: int, ext: str, *, update_speed: int = 1000
) -> str:
    """Encode a 14016 rolling 24-hour statistics subscription (assumed to replace the previous one).

    Args:
        symbols: Every product wanted.
        seq_id: Request number echoed in the 14017 reply.
        ext: Trace echoed in the reply.
        update_speed: Push interval in milliseconds, as the H5 client sends it.

    Returns:
        The JSON text frame.

    Raises:
        InvalidArgumentError: more than 100 products, or an out-of-range field.
    """
    unique = _symbol_list(QuoteCmd.ROLLING_SUBSCRIBE, symbols)
    data: dict[str, object] = {
        "symbol_list": [_symbol(s) for s in unique],
        "update_speed": _uint("update_speed", update_speed, _UINT32),
    }
    return _encode(QuoteCmd.ROLLING_SUBSCRIBE, seq_id, ext, data)


def encode_cancel(cancel_type: CancelType | int, seq_id: int, ext: str) -> str:
    """Encode a 14006 cancel: 0 everything, 1 tickers, 2 depth and trades, 3 rolling statistics.

    Raises:
        InvalidArgumentError: ``cancel_type`` is not one of the documented values.
    """
    if isinstance(cancel_type, bool) or not isinstance(cancel_type, int) or cancel_type not in _CANCEL_TYPES:
        raise InvalidArgumentError(f"cancel_type must be 0..3, got {cancel_type!r}")
    return _encode(QuoteCmd.CANCEL, seq_id, ext, {"cancel_type": int(cancel_type)})


def encode_heartbeat(seq_id: int, ext: str) -> str:
    """Encode a 14008 heartbeat (``data`` is ``{}``); send one every ``QUOTE_HEARTBEAT_INTERVAL`` s.

    Raises:
        InvalidArgumentError: ``seq_id`` or ``ext`` out of range.
    """
    return _encode(QuoteCmd.HEARTBEAT, seq_id, ext, {})


def _kline_data(query: KlineQuery) -> dict[str, object]:
    data = _symbol(query.symbol)
    kind = query.kline_type
    if isinstance(kind, bool) or not isinstance(kind, int) or kind not in _KLINE_TYPES:
        raise InvalidArgumentError(f"kline_type must be 1..10, got {kind!r}")
    data["kline_type"] = int(kind)
    if query.kline_timestamp_end is not None:
        data["kline_timestamp_end"] = _uint("kline_timestamp_end", query.kline_timestamp_end, _UINT64)
    bars = _uint("query_kline_num", query.query_kline_num, _UINT32)
    check_request_limits(QuoteCmd.KLINE, bars=bars)
    data["query_kline_num"] = bars
    return data


def encode_kline_request(query: KlineQuery, seq_id: int, ext: str) -> str:
    """Encode a 14012 historical K-line query for one product (the reply arrives compressed).

    Raises:
        InvalidArgumentError: more than 1000 bars, or an out-of-range field.
    """
    return _encode(QuoteCmd.KLINE, seq_id, ext, _kline_data(query))


def encode_batch_kline_request(queries: Sequence[KlineQuery], seq_id: int, ext: str) -> str:
    """Encode a 14014 batch K-line query (``data.data_list``), at most 100 products of 1000 bars.

    Raises:
        InvalidArgumentError: too many products or bars, or an out-of-range field.
    """
    check_request_limits(QuoteCmd.BATCH_KLINE, products=len(queries), bars=1)
    return _encode(QuoteCmd.BATCH_KLINE, seq_id, ext, {"data_list": [_kline_data(q) for q in queries]})
