"""The quote socket's decoded-frame types, time normalisation and its text push parsers (hot path).

``p(``, ``pt(``, ``pd(`` and ``pr(`` pushes (websockets.md §2.9) arrive once per market-data message,
so they are parsed with ``split``/``partition`` straight into slotted dataclasses: no regex per
field, no validation layer. The parsers raise ``ValueError``/``ArithmeticError``/``LookupError`` on
garbage; ``decode_frame`` turns those into ``ProtocolError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final, Literal, TypeAlias

from ..errors import ConfigurationError, MultiMarketsError
from ..models.market import DepthBook, DepthLevel, Kline, Rolling24h, Tick, Trade, TradeDirection

__all__ = [
    "LEGACY_TRADE_MODE",
    "QUOTE_TIME_UNIT",
    "FrameKind",
    "Malformed",
    "QuoteEvent",
    "QuoteFrame",
    "QuoteReply",
    "QuoteTimeUnit",
    "direction",
    "normalize_time_ms",
    "parse_depth",
    "parse_levels",
    "parse_rolling",
    "parse_ticks",
    "parse_trades",
    "time_converter",
]

QuoteTimeUnit: TypeAlias = Literal["auto", "s", "ms", "us"]
"""Unit of quote ``tick_time``/``last_tick_time`` values: ``"auto"`` decides by magnitude (§2.8)."""
QUOTE_TIME_UNIT: Final[QuoteTimeUnit] = "auto"
"""Default of the ``quote_time_unit`` setting."""
LEGACY_TRADE_MODE: Final = 0
"""``trade_mode`` given to ticks of the legacy 9-field ``p(`` form, which has none (§2.9.1)."""

QuoteEvent: TypeAlias = Tick | Trade | DepthBook | Rolling24h | Kline
"""Any typed event a quote frame can carry."""


class Malformed(ValueError):
    """A short reason why a frame does not parse; never escapes ``decode_frame``."""


class FrameKind(StrEnum):
    """What a quote socket frame turned out to be (websockets.md §2.9.5)."""

    REPLY = "reply"
    TICKER = "ticker"
    TRADE = "trade"
    DEPTH = "depth"
    ROLLING = "rolling"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class QuoteReply:
    """The envelope of a JSON (or decompressed binary) reply; correlate on ``seq_id``, check ``ext``."""

    cmd_id: int
    """Reply protocol number (request number + 1)."""
    seq_id: int | None
    """Echo of the request's ``seq_id``."""
    ext: str | None
    """Echo of the request's ``ext`` trace."""
    ret: int
    """Status: 200 OK (also when only part of a batch was known)."""
    msg: str
    """``"ok"`` or the server's error text."""
    data: Mapping[str, object]
    """The raw ``data`` object (``{}`` when absent or not an object)."""
    error: MultiMarketsError | None = None
    """The error to hand the waiting caller: ``ret`` != 200 mapped through ``quote_error_from_ret``,
    or a ``ProtocolError`` when the envelope parsed but its ``data`` did not. ``None`` on success."""


@dataclass(frozen=True, slots=True)
class QuoteFrame:
    """One classified frame of the quote socket."""

    kind: FrameKind
    """Which kind of frame this was; ``IGNORED`` frames should be logged and dropped."""
    events: tuple[QuoteEvent, ...] = ()
    """Typed events, from a push or from a reply's snapshot (ticks, books and trades, bars, stats)."""
    reply: QuoteReply | None = None
    """The reply envelope when ``kind`` is ``REPLY``."""


def _auto_ms(value: int) -> int:
    if value < 100_000_000_000:  # below 1e11: seconds
        return value * 1000
    if value < 100_000_000_000_000:  # below 1e14: milliseconds
        return value
    return value // 1000  # microseconds (or the 16-digit seq-like values of §2.8)


def _s_ms(value: int) -> int:
    return value * 1000


def _ms_ms(value: int) -> int:
    return value


def _us_ms(value: int) -> int:
    return value // 1000


_CONVERTERS: Final[dict[str, Callable[[int], int]]] = {
    "auto": _auto_ms,
    "s": _s_ms,
    "ms": _ms_ms,
    "us": _us_ms,
}


def time_converter(quote_time_unit: QuoteTimeUnit) -> Callable[[int], int]:
    """The function that turns a quote time of unit ``quote_time_unit`` into milliseconds.

    Raises:
        ConfigurationError: the unit is not one of ``auto``, ``s``, ``ms``, ``us``.
    """
    try:
        return _CONVERTERS[quote_time_unit]
    except (KeyError, TypeError):
        raise ConfigurationError(
            f"quote_time_unit must be auto, s, ms or us, got {quote_time_unit!r}"
        ) from None


def normalize_time_ms(value: int, quote_time_unit: QuoteTimeUnit = QUOTE_TIME_UNIT) -> int:
    """Normalise a quote time to milliseconds (websockets.md §2.8).

    With ``"auto"``: below 10^11 it is seconds (x1000), below 10^14 milliseconds, otherwise microseconds
    (//1000).

    Raises:
        ConfigurationError: unknown ``quote_time_unit``.
    """
    return time_converter(quote_time_unit)(value)


_D = Decimal


def _fields(segment: str, tag_length: int) -> list[str]:
    inner, close, tail = segment[tag_length:].partition(")")
    if not close or tail.strip():
        raise Malformed("record is not closed by ')'")
    return inner.split(",")


def _check_segment(segment: str) -> None:
    # Between records only empty segments and the legacy "(bid,ask,bidVol,askVol)" extras are allowed.
    if segment and segment[0] != "(":
        raise Malformed("unexpected segment")


def parse_ticks(text: str, to_ms: Callable[[int], int]) -> tuple[Tick, ...]:
    """Parse every ``p(`` record of a frame: 10 fields, or 9 in the legacy form without ``trade_mode``."""
    ticks = []
    for raw in text.split(";"):
        seg = raw.strip()
        if seg[:2] != "p(":
            if seg:  # inlined _check_segment: the common trailing "" costs nothing
                _check_segment(seg)
            continue
        f = _fields(seg, 2)
        if len(f) == 10:
            sym, tt, tm, seq, tick_time, price, bid, ask, bid_vol, ask_vol = f
            mode = int(tm)
        elif len(f) == 9:
            sym, tt, seq, tick_time, price, bid, ask, bid_vol, ask_vol = f
            mode = LEGACY_TRADE_MODE
        else:
            raise Malformed(f"p( record has {len(f)} fields, expected 10 (or 9)")
        p, b, a, bv, av = _D(price), _D(bid), _D(ask), _D(bid_vol), _D(ask_vol)
        if not (p.is_finite() and b.is_finite() and a.is_finite() and bv.is_finite() and av.is_finite()):
            raise Malformed("non-finite number")
        ticks.append(Tick(int(sym), int(tt), mode, int(seq), to_ms(int(tick_time)), p, b, a, bv, av))
    return tuple(ticks)


_DIRECTIONS: Final = {d.value: d for d in TradeDirection}


def direction(value: int) -> TradeDirection:
    """Map a wire ``trade_direction`` to the enum; values outside 0-2 become ``UNKNOWN``."""
    return _DIRECTIONS.get(value, TradeDirection.UNKNOWN)


def parse_trades(text: str, to_ms: Callable[[int], int]) -> tuple[Trade, ...]:
    """Parse every ``pt(`` record of a frame (8 fields)."""
    trades = []
    for raw in text.split(";"):
        seg = raw.strip()
        if seg[:3] != "pt(":
            _check_segment(seg)
            continue
        f = _fields(seg, 3)
        if len(f) != 8:
            raise Malformed(f"pt( record has {len(f)} fields, expected 8")
        sym, tt, tm, seq, tick_time, price, volume, side = f
        p, v = _D(price), _D(volume)
        if not (p.is_finite() and v.is_finite()):
            raise Malformed("non-finite number")
        trades.append(
            Trade(int(sym), int(tt), int(tm), int(seq), to_ms(int(tick_time)), p, v, direction(int(side)))
        )
    return tuple(trades)


def parse_levels(side: str) -> tuple[DepthLevel, ...]:
    """Parse one book side, ``(price,volume)(price,volume)...``; blank means no levels."""
    levels = []
    for raw in side.split(")"):
        part = raw.strip()
        if not part:
            continue
        if part[0] != "(":
            raise Malformed("depth level does not start with '('")
        price, comma, volume = part[1:].partition(",")
        p, v = _D(price), _D(volume)
        if not (comma and p.is_finite() and v.is_finite()):
            raise Malformed("bad depth level")
        levels.append(DepthLevel(p, v))
    return tuple(levels)


def parse_depth(text: str, to_ms: Callable[[int], int]) -> tuple[DepthBook, ...]:
    """Parse ``pd(header);bids;asks;`` records; a missing or blank side is an empty side."""
    segs = text.split(";")
    books = []
    i = 0
    while i < len(segs):
        seg = segs[i].strip()
        if seg[:3] != "pd(":
            if seg:
                raise Malformed("unexpected segment")
            i += 1
            continue
        f = _fields(seg, 3)
        if len(f) != 5:
            raise Malformed(f"pd( header has {len(f)} fields, expected 5")
        bids = parse_levels(segs[i + 1]) if i + 1 < len(segs) else ()
        asks = parse_levels(segs[i + 2]) if i + 2 < len(segs) else ()
        sym, tt, tm, seq, tick_time = f
        books.append(DepthBook(int(sym), int(tt), int(tm), int(seq), to_ms(int(tick_time)), bids, asks))
        i += 3
    return tuple(books)


def parse_rolling(text: str) -> tuple[Rolling24h, ...]:
    """Parse every ``pr(`` record of a frame (9 fields, no seq or time)."""
    stats = []
    for raw in text.split(";"):
        seg = raw.strip()
        if seg[:3] != "pr(":
            _check_segment(seg)
            continue
        f = _fields(seg, 3)
        if len(f) != 9:
            raise Malformed(f"pr( record has {len(f)} fields, expected 9")
        last, first, high, low, volume, amount = (_D(x) for x in f[3:])
        if not all(v.is_finite() for v in (last, first, high, low, volume, amount)):
            raise Malformed("non-finite number")
        stats.append(Rolling24h(int(f[0]), int(f[1]), int(f[2]), last, first, high, low, volume, amount))
    return tuple(stats)
