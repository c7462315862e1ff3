"""Quote socket frame classification, JSON replies and their snapshots, and compressed K-line replies.

``decode_frame`` is the one entry point (re-exported by ``quote``):
binary frames are inflated and percent-decoded (websockets.md §2.7), text frames are dispatched on
their tag (§2.9.5). Anything that fails to parse becomes a ``ProtocolError``: for a text push with a
short excerpt (public market data), for a reply never with its content (JSON is read by
``_json.loads``).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Final, TypeAlias
from urllib.parse import quote, unquote

from ..errors import MultiMarketsError, ProtocolError
from ..models.market import DepthBook, DepthLevel, Kline, Rolling24h, Tick, Trade
from ._json import cause_of, loads
from ._quote_frame import (
    QUOTE_TIME_UNIT,
    FrameKind,
    Malformed,
    QuoteEvent,
    QuoteFrame,
    QuoteReply,
    QuoteTimeUnit,
    time_converter,
)
from ._quote_push import (
    FAST_ERRORS,
    direction,
    parse_depth,
    parse_rolling,
    parse_tick_record,
    parse_ticks,
    parse_trades,
)
from .error_codes import quote_error_from_ret

__all__ = [
    "KLINE_INFLATE_WBITS",
    "MAX_INFLATED_SIZE",
    "MAX_REPLY_BARS",
    "compress_kline_reply",
    "decode_frame",
    "decode_ticker_push",
]

KLINE_INFLATE_WBITS: Final = zlib.MAX_WBITS | 32
"""Default ``kline_inflate_wbits``: accept a zlib or a gzip header (§2.7)."""
MAX_INFLATED_SIZE: Final = 64 * 1024 * 1024
"""Largest inflated K-line reply accepted; a bigger one is refused as a decompression bomb."""
MAX_REPLY_BARS: Final = 1000
"""Default ``max_kline_bars``: the documented bars per product of one K-line query (§2.6)."""
_EXCERPT: Final = 80
# Anything a parser may raise on garbage; converted to ProtocolError at the one seam below.
_PARSE_ERRORS: Final = (ValueError, ArithmeticError, LookupError, TypeError, zlib.error, RecursionError)


def _excerpt(frame: str | bytes) -> str:
    if isinstance(frame, str):
        return repr(frame if len(frame) <= _EXCERPT else frame[:_EXCERPT] + "...")
    return repr(bytes(frame[: _EXCERPT // 2])) + ("..." if len(frame) > _EXCERPT // 2 else "")


def _reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, Malformed) else type(exc).__name__


def compress_kline_reply(reply_json: str) -> bytes:
    """Encode a reply the way the server sends K-lines: percent-encode, then zlib (for the simulator)."""
    return zlib.compress(quote(reply_json, safe="!~*'()").encode("ascii"))


def _inflate(payload: bytes, wbits: int, max_size: int) -> str:
    for bits in dict.fromkeys((wbits, -zlib.MAX_WBITS)):  # configured wrapper first, then raw deflate
        inflater = zlib.decompressobj(bits)
        try:
            raw = inflater.decompress(payload, max_size)
        except zlib.error:
            continue
        if inflater.unconsumed_tail:
            raise Malformed(f"inflated reply exceeds {max_size} bytes")
        if inflater.eof:
            if raw.lstrip().startswith(b"{"):  # tolerate an unencoded body (JSON text is UTF-8)
                return raw.decode("utf-8")
            # Percent-encoded ASCII in practice; latin-1 never fails, and unquote checks the UTF-8.
            return unquote(raw.decode("latin-1"), encoding="utf-8", errors="strict")
    raise Malformed("not a complete zlib, gzip or deflate stream")


def _obj(value: object) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise Malformed("expected an object")
    return value


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise Malformed("expected an array")
    return value


def _int(obj: Mapping[str, object], key: str, default: int | None = None) -> int:
    value = obj.get(key)
    if type(value) is int:
        return value
    if type(value) is str:
        return int(value)
    if value is None and default is not None:
        return default
    raise Malformed(f"{key} is not an integer")


def _opt_int(obj: Mapping[str, object], key: str) -> int | None:
    return None if obj.get(key) is None else _int(obj, key)


def _dec(obj: Mapping[str, object], key: str) -> Decimal:
    value = obj.get(key)
    if type(value) is str or type(value) is int:
        number = Decimal(value)
    elif type(value) is float:
        number = Decimal(repr(value))
    else:
        raise Malformed(f"{key} is not a number")
    if not number.is_finite():
        raise Malformed(f"{key} is not finite")
    return number


def _opt_dec(obj: Mapping[str, object], key: str) -> Decimal | None:
    return None if obj.get(key) is None else _dec(obj, key)


ToMs = Callable[[int], int]
# trade_time and K-line timestamps are documented in seconds (§2.8), so quote_time_unit (which is about
# tick_time and last_tick_time) does not apply to them; deciding by magnitude also survives a server
# that sends milliseconds.
_SECONDS_TO_MS: Final = time_converter("auto")


def _ticker_snapshot(data: Mapping[str, object], to_ms: ToMs) -> list[QuoteEvent]:
    ticks: list[QuoteEvent] = []
    for item in _list(data.get("tick_list", [])):
        t = _obj(item)
        deep = _list(t.get("tick_deep", []))
        if not deep:  # no quote yet: the next p( push brings one
            continue
        d = _obj(deep[0])
        ticks.append(
            Tick(
                symbol_id=_int(t, "symbol_id"),
                trade_type=_int(t, "trade_type"),
                trade_mode=_int(t, "trade_mode", 0),
                seq=_int(t, "seq"),
                time=to_ms(_int(t, "tick_time")),
                price=_dec(t, "price"),
                bid=_dec(d, "price_bid"),
                ask=_dec(d, "price_ask"),
                bid_volume=_dec(d, "volume_bid"),
                ask_volume=_dec(d, "volume_ask"),
                open=_opt_dec(t, "open_price"),
                high=_opt_dec(t, "high_price"),
                low=_opt_dec(t, "low_price"),
                close=_opt_dec(t, "close_price"),
                yesterday_close=_opt_dec(t, "yesterday_close_price"),
                price_digits=_opt_int(t, "price_digits"),
            )
        )
    return ticks


def _market_snapshot(data: Mapping[str, object], to_ms: ToMs) -> list[QuoteEvent]:
    events: list[QuoteEvent] = []
    for item in _list(data.get("tick_list", [])):
        t = _obj(item)
        sym, tt, tm = _int(t, "symbol_id"), _int(t, "trade_type"), _int(t, "trade_mode", 0)
        bids = [_obj(x) for x in _list(t.get("bid_deep", []))]
        asks = [_obj(x) for x in _list(t.get("ask_deep", []))]
        events.append(
            DepthBook(
                symbol_id=sym,
                trade_type=tt,
                trade_mode=tm,
                seq=_int(t, "seq"),
                time=to_ms(_int(t, "tick_time")),
                bids=tuple(DepthLevel(_dec(b, "price_bid"), _dec(b, "volume_bid")) for b in bids),
                asks=tuple(DepthLevel(_dec(a, "price_ask"), _dec(a, "volume_ask")) for a in asks),
                price_digits=_opt_int(t, "price_digits"),
            )
        )
        for raw in _list(t.get("trade_info", [])):
            x = _obj(raw)
            when = _SECONDS_TO_MS(_int(x, "trade_time"))
            side = direction(_int(x, "trade_direction", 0))
            events.append(Trade(sym, tt, tm, None, when, _dec(x, "price"), _dec(x, "volume"), side))
    return events


def _bars(entry: Mapping[str, object], to_ms: ToMs) -> list[QuoteEvent]:
    sym, tt, tm = _int(entry, "symbol_id"), _int(entry, "trade_type"), _int(entry, "trade_mode", 0)
    kind, digits = _opt_int(entry, "kline_type"), _opt_int(entry, "price_digits")
    bars: list[QuoteEvent] = []
    for raw in _list(entry.get("kline_list", [])):
        k = _obj(raw)
        last_tick = _opt_int(k, "last_tick_time")
        bars.append(
            Kline(
                symbol_id=sym,
                trade_type=tt,
                trade_mode=tm,
                kline_type=kind,
                time=_SECONDS_TO_MS(_int(k, "timestamp")),
                open=_dec(k, "open_price"),
                high=_dec(k, "high_price"),
                low=_dec(k, "low_price"),
                close=_dec(k, "close_price"),
                volume=_dec(k, "transactions_number"),
                last_tick_time=None if last_tick is None else to_ms(last_tick),
                last_tick_seq=_opt_int(k, "last_tick_seq"),
                price_digits=digits,
            )
        )
    return bars


def _kline_reply(data: Mapping[str, object], to_ms: ToMs) -> list[QuoteEvent]:
    return _bars(data, to_ms)


def _batch_kline_reply(data: Mapping[str, object], to_ms: ToMs) -> list[QuoteEvent]:
    return [bar for entry in _list(data.get("data_list", [])) for bar in _bars(_obj(entry), to_ms)]


def _rolling_snapshot(data: Mapping[str, object], to_ms: ToMs) -> list[QuoteEvent]:
    # The 14017 snapshot is undocumented. Assumption: entries use the pr( field names; others are skipped.
    stats: list[QuoteEvent] = []
    for item in _list(data.get("tick_list", [])):
        r = _obj(item)
        if "rolling_last_price" not in r:
            continue
        stats.append(
            Rolling24h(
                symbol_id=_int(r, "symbol_id"),
                trade_type=_int(r, "trade_type"),
                trade_mode=_int(r, "trade_mode", 0),
                last_price=_dec(r, "rolling_last_price"),
                first_price=_dec(r, "rolling_first_price"),
                high_price=_dec(r, "rolling_high_price"),
                low_price=_dec(r, "rolling_low_price"),
                volume=_dec(r, "rolling_transactions_number"),
                amount=_dec(r, "rolling_amount"),
            )
        )
    return stats


_SNAPSHOTS: Final[dict[int, Callable[[Mapping[str, object], ToMs], list[QuoteEvent]]]] = {
    14001: _ticker_snapshot,
    14011: _market_snapshot,
    14013: _kline_reply,
    14015: _batch_kline_reply,
    14017: _rolling_snapshot,
}


def _check_bars(cmd_id: int, data: Mapping[str, object], max_bars: int) -> None:
    # Counted before a single Kline is built: a hostile reply must not cost memory or loop time.
    entries = [data] if cmd_id == 14013 else _list(data.get("data_list", [])) if cmd_id == 14015 else []
    for entry in entries:
        count = len(_list(_obj(entry).get("kline_list", [])))
        if count > max_bars:
            raise Malformed(f"{count} bars for one product, more than the {max_bars} accepted")


def _reply(text: str, to_ms: ToMs, max_bars: int = MAX_REPLY_BARS) -> QuoteFrame:
    obj = _obj(loads(text, what="quote reply frame"))
    ret = obj.get("ret", obj.get("right"))  # the English docs misprint ret as "right"
    cmd_id, seq_id, ext, msg = obj.get("cmd_id"), obj.get("seq_id"), obj.get("ext"), obj.get("msg")
    if type(ret) is not int or type(cmd_id) is not int:
        raise Malformed("reply lacks an integer ret or cmd_id")
    if not (seq_id is None or type(seq_id) is int) or not (ext is None or isinstance(ext, str)):
        raise Malformed("reply has a malformed seq_id or ext")
    raw_data = obj.get("data")
    data: Mapping[str, object] = raw_data if isinstance(raw_data, dict) else {}
    message = msg if isinstance(msg, str) else ""
    error: MultiMarketsError | None = None
    events: list[QuoteEvent] = []
    if ret != 200:
        error = quote_error_from_ret(ret, message, data=raw_data, trace=ext)
    elif cmd_id in _SNAPSHOTS:
        # The envelope is sound, so the waiting caller is told through the reply instead of an exception.
        try:
            _check_bars(cmd_id, data, max_bars)
            events = _SNAPSHOTS[cmd_id](data, to_ms)
        except _PARSE_ERRORS as exc:
            error = ProtocolError(f"malformed data in reply {cmd_id}: {_reason(exc)}", trace=ext)
    reply = QuoteReply(cmd_id, seq_id, ext, ret, message, data, error)
    return QuoteFrame(FrameKind.REPLY, tuple(events), reply)


_AUTO_MS: Final = time_converter("auto")
_TICKER: Final = FrameKind.TICKER
_new_frame: Final = object.__new__
# The slot descriptors of QuoteFrame: setting a frozen slot directly, as its generated __init__ does
# through object.__setattr__, at half the cost.
_Setter: TypeAlias = Callable[[QuoteFrame, object], None]
_set_kind: Final[_Setter] = vars(QuoteFrame)["kind"].__set__
_set_events: Final[_Setter] = vars(QuoteFrame)["events"].__set__
_set_reply: Final[_Setter] = vars(QuoteFrame)["reply"].__set__


def decode_frame(
    frame: str | bytes,
    *,
    quote_time_unit: QuoteTimeUnit = QUOTE_TIME_UNIT,
    kline_inflate_wbits: int = KLINE_INFLATE_WBITS,
    max_inflated_size: int = MAX_INFLATED_SIZE,
    max_kline_bars: int = MAX_REPLY_BARS,
) -> QuoteFrame:
    """Classify and parse one quote socket frame (websockets.md §2.9.5).

    Binary frames are inflated (``kline_inflate_wbits``, then raw deflate), percent-decoded and parsed
    as a reply. Text frames starting with ``pt(``, ``pd(``, ``pr(``, ``p(`` (after leading blanks) are
    pushes; ``{`` starts a JSON reply; anything else comes back as ``FrameKind.IGNORED``.

    Args:
        frame: The frame as received: ``str`` for text, ``bytes`` for binary.
        quote_time_unit: Unit of ``tick_time``/``last_tick_time``; ``"auto"`` decides by magnitude.
        kline_inflate_wbits: ``wbits`` for the K-line inflater.
        max_inflated_size: Largest inflated reply accepted, in bytes.
        max_kline_bars: Most bars accepted per product of a K-line reply; more make ``reply.error`` a
            ``ProtocolError`` before any ``Kline`` is built.

    Returns:
        The frame's kind, its typed events, and for replies the envelope (``reply.error`` is set when
        ``ret`` != 200 or the reply's data is malformed).

    Raises:
        ProtocolError: the frame is garbage (bad push record, bad JSON envelope, failed decompression).
        ConfigurationError: ``quote_time_unit`` is not a known unit.
    """
    if type(frame) is str and frame[:2] == "p(" and quote_time_unit == "auto":
        # The common case, a ticker push with the default unit, without the classification below; the
        # same parser, result and error as the general path.
        try:
            if frame[-2:] == ");":
                try:  # parse_ticks's own first step, inlined: one record, the fast shape
                    events: tuple[Tick, ...] = (parse_tick_record(frame[:-2], _AUTO_MS),)
                except FAST_ERRORS:
                    events = parse_ticks(frame, _AUTO_MS)
            else:
                events = parse_ticks(frame, _AUTO_MS)
        except _PARSE_ERRORS as exc:
            raise _ticker_error(exc, frame) from exc
        result = _new_frame(QuoteFrame)  # the frozen dataclass's __init__, without its three calls
        _set_kind(result, _TICKER)
        _set_events(result, events)
        _set_reply(result, None)
        return result
    return _classify(
        frame, time_converter(quote_time_unit), kline_inflate_wbits, max_inflated_size, max_kline_bars
    )


def _classify(
    frame: str | bytes, to_ms: ToMs, kline_inflate_wbits: int, max_inflated_size: int, max_kline_bars: int
) -> QuoteFrame:
    """``decode_frame`` without its ticker fast path: every kind of frame, classified."""
    kind = FrameKind.REPLY
    try:
        if not isinstance(frame, str):
            return _reply(
                _inflate(bytes(frame), kline_inflate_wbits, max_inflated_size), to_ms, max_kline_bars
            )
        text = frame.lstrip()
        head = text[:3]
        if head == "pt(":
            kind = FrameKind.TRADE
            return QuoteFrame(kind, parse_trades(text, to_ms))
        if head == "pd(":
            kind = FrameKind.DEPTH
            return QuoteFrame(kind, parse_depth(text, to_ms))
        if head == "pr(":
            kind = FrameKind.ROLLING
            return QuoteFrame(kind, parse_rolling(text))
        if head[:2] == "p(":
            kind = FrameKind.TICKER
            return QuoteFrame(kind, parse_ticks(text, to_ms))
        if head[:1] == "{":
            return _reply(text, to_ms, max_kline_bars)
        return QuoteFrame(FrameKind.IGNORED)
    except _PARSE_ERRORS as exc:
        # A reply may echo what the client sent; only public push records are quoted.
        shown = "" if kind is FrameKind.REPLY else f": {_excerpt(frame)}"
        raise ProtocolError(f"malformed quote {kind} frame ({_reason(exc)}){shown}") from cause_of(exc)


def decode_ticker_push(text: str, to_ms: ToMs) -> tuple[Tick, ...]:
    """Parse a frame already known to start with ``p(`` (the hot path: one call per ticker push).

    The same parser and the same error seam as ``decode_frame``, without the classification and
    the ``QuoteFrame`` wrapper.

    Raises:
        ProtocolError: the record is malformed.
    """
    try:
        return parse_ticks(text, to_ms)
    except _PARSE_ERRORS as exc:
        raise _ticker_error(exc, text) from exc


def _ticker_error(exc: BaseException, text: str) -> ProtocolError:
    # The message ``_classify`` gives a ticker push (a push parser's error is its own cause).
    return ProtocolError(f"malformed quote ticker frame ({_reason(exc)}): {_excerpt(text)}")
