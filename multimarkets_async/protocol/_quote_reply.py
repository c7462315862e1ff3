"""Quote socket frame classification, JSON replies and their snapshots, and compressed K-line replies.

``decode_frame`` is the one entry point (re-exported by ``quote``): binary frames (the K-line
replies) are inflated (zlib, gzip or raw deflate) and percent-decoded, text frames are dispatched on
their tag (``p(``, ``pt(``, ``pd(``, ``pr(`` pushes, ``{`` replies). Anything that fails to parse
becomes a ``ProtocolError``: for a text push with a short excerpt (public market data), for a reply
never with its content (JSON is read by ``_json.loads``).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from typing import Final, TypeAlias
from urllib.parse import quote, unquote

from ..errors import MultiMarketsError, ProtocolError
from ..models.market import Tick
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
    NO_NAMES,
    ProductNames,
    parse_depth,
    parse_rolling,
    parse_tick_record,
    parse_ticks,
    parse_trades,
)
from ._quote_snapshot import MAX_REPLY_BARS, SNAPSHOTS, ToMs, as_object, check_bars
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
"""Default ``kline_inflate_wbits``: accept a zlib or a gzip header."""
MAX_INFLATED_SIZE: Final = 64 * 1024 * 1024
"""Largest inflated K-line reply accepted; a bigger one is refused as a decompression bomb."""
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


def _reply(
    text: str, to_ms: ToMs, max_bars: int = MAX_REPLY_BARS, names: ProductNames = NO_NAMES
) -> QuoteFrame:
    obj = as_object(loads(text, what="quote reply frame"))
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
    elif cmd_id in SNAPSHOTS:
        # The envelope is sound, so the waiting caller is told through the reply instead of an exception.
        try:
            check_bars(cmd_id, data, max_bars)
            events = SNAPSHOTS[cmd_id](data, to_ms, names)
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
    names: ProductNames = NO_NAMES,
) -> QuoteFrame:
    """Classify and parse one quote socket frame.

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
        names: the product names to put in the events' ``symbol`` (none by default).

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
                    events: tuple[Tick, ...] = (parse_tick_record(frame[:-2], _AUTO_MS, names),)
                except FAST_ERRORS:
                    events = parse_ticks(frame, _AUTO_MS, names)
            else:
                events = parse_ticks(frame, _AUTO_MS, names)
        except _PARSE_ERRORS as exc:
            raise _ticker_error(exc, frame) from exc
        result = _new_frame(QuoteFrame)  # the frozen dataclass's __init__, without its three calls
        _set_kind(result, _TICKER)
        _set_events(result, events)
        _set_reply(result, None)
        return result
    return _classify(
        frame, time_converter(quote_time_unit), kline_inflate_wbits, max_inflated_size, max_kline_bars, names
    )


def _classify(  # noqa: PLR0917 (private; one call site)
    frame: str | bytes,
    to_ms: ToMs,
    kline_inflate_wbits: int,
    max_inflated_size: int,
    max_kline_bars: int,
    names: ProductNames = NO_NAMES,
) -> QuoteFrame:
    """``decode_frame`` without its ticker fast path: every kind of frame, classified."""
    kind = FrameKind.REPLY
    try:
        if not isinstance(frame, str):
            return _reply(
                _inflate(bytes(frame), kline_inflate_wbits, max_inflated_size), to_ms, max_kline_bars, names
            )
        text = frame.lstrip()
        head = text[:3]
        if head == "pt(":
            kind = FrameKind.TRADE
            return QuoteFrame(kind, parse_trades(text, to_ms, names))
        if head == "pd(":
            kind = FrameKind.DEPTH
            return QuoteFrame(kind, parse_depth(text, to_ms, names))
        if head == "pr(":
            kind = FrameKind.ROLLING
            return QuoteFrame(kind, parse_rolling(text, names))
        if head[:2] == "p(":
            kind = FrameKind.TICKER
            return QuoteFrame(kind, parse_ticks(text, to_ms, names))
        if head[:1] == "{":
            return _reply(text, to_ms, max_kline_bars, names)
        return QuoteFrame(FrameKind.IGNORED)
    except _PARSE_ERRORS as exc:
        # A reply may echo what the client sent; only public push records are quoted.
        shown = "" if kind is FrameKind.REPLY else f": {_excerpt(frame)}"
        raise ProtocolError(f"malformed quote {kind} frame ({_reason(exc)}){shown}") from cause_of(exc)


def decode_ticker_push(text: str, to_ms: ToMs, names: ProductNames = NO_NAMES) -> tuple[Tick, ...]:
    """Parse a frame already known to start with ``p(`` (the hot path: one call per ticker push).

    The same parser and the same error seam as ``decode_frame``, without the classification and
    the ``QuoteFrame`` wrapper.

    Raises:
        ProtocolError: the record is malformed.
    """
    try:
        return parse_ticks(text, to_ms, names)
    except _PARSE_ERRORS as exc:
        raise _ticker_error(exc, text) from exc


def _ticker_error(exc: BaseException, text: str) -> ProtocolError:
    # The message ``_classify`` gives a ticker push (a push parser's error is its own cause).
    return ProtocolError(f"malformed quote ticker frame ({_reason(exc)}): {_excerpt(text)}")
