"""The quote socket's text push parsers (hot path).

``p(`` (tickers), ``pt(`` (trades), ``pd(`` (depth books) and ``pr(`` (24 h statistics) pushes arrive
once per market-data message, so they are parsed with ``split``/``partition`` straight into typed named
tuples: no regex per field, no validation layer. The parsers raise
``ValueError``/``ArithmeticError``/``LookupError`` on garbage; ``decode_frame`` turns those into
``ProtocolError``. Each event carries the product's name from a ``ProductNames`` (one per connection,
filled at subscribe time), found through the record-head cache at no cost per message.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Final

from ..models.market import DepthBook, DepthLevel, Rolling24h, Tick, Trade, TradeDirection
from ._quote_frame import LEGACY_TRADE_MODE, Malformed, auto_ms
from ._quote_names import CACHE_LIMIT as _CACHE_LIMIT
from ._quote_names import NO_NAMES, ProductNames

__all__ = [
    "FAST_ERRORS",
    "NO_NAMES",
    "ProductNames",
    "direction",
    "parse_depth",
    "parse_levels",
    "parse_rolling",
    "parse_tick_record",
    "parse_ticks",
    "parse_trades",
]

_D = Decimal
_new = tuple.__new__


def _fields(segment: str, tag_length: int) -> list[str]:
    inner, close, tail = segment[tag_length:].partition(")")
    if not close or tail.strip():
        raise Malformed("record is not closed by ')'")
    return inner.split(",")


def _check_segment(segment: str) -> None:
    # Between records only empty segments and the legacy "(bid,ask,bidVol,askVol)" extras are allowed.
    if segment and segment[0] != "(":
        raise Malformed("unexpected segment")


# -- the parsers -------------------------------------------------------------------------------------
#
# Each parser has a fast path for the shape servers send, ``tag(f1,...,fn);`` records back to back
# with no blanks around the separators, and falls back to the general parser (``_general_*``) for
# everything else: blanks, the legacy 9-field ``p(``, a missing ``;``, and every error, which the
# general parser reports. The fast path gives up (to the general parser) whenever a record is not
# that shape or a field does not convert, and a ')' or ';' anywhere else lands in some field, which
# then does not convert. So what the fast path returns is exactly what the general parser would
# return (tests/test_quote_fast_path.py checks both against a plain reference decoder).
#
# Where the time goes (benchmarks/stream_throughput.py, one record per frame): a ``Decimal`` from a
# string costs about three dict look-ups, and the product ids repeat in every record. So each record is
# cut with one ``rsplit`` that leaves its head (``p(1001,1,1``) whole; the head's ids and name and every
# number string come from small caches keyed by the exact substring (the head's per tag and per
# ``ProductNames``), filled on a miss. The value cached for a substring is the value ``Decimal(substring)``
# gives (sign, digits and exponent: ``Decimal('1.08500')`` stays ``Decimal('1.08500')``; ``Decimal`` is
# immutable, so sharing it is safe), and only finite numbers are cached, so a hit needs no
# ``is_finite``. A cache is emptied when it reaches ``_CACHE_LIMIT`` entries, which bounds its memory
# whatever the feed sends. Tuples are built with ``tuple.__new__``: a named tuple's generated
# ``__new__`` is a Python function, about twice the cost of the tuple itself.

_NUMBERS: dict[str, Decimal] = {}
"""Exact number substring -> its finite ``Decimal``."""
FAST_ERRORS: Final = (ValueError, ArithmeticError)
_NUMBER: Final = _NUMBERS.get


def _number(text: str) -> Decimal:
    """``Decimal(text)`` for a fast path, cached; ``Malformed`` (a ``ValueError``) if not finite."""
    number = _D(text)
    if not number.is_finite():
        raise Malformed("non-finite number")
    if len(_NUMBERS) >= _CACHE_LIMIT:
        _NUMBERS.clear()
    _NUMBERS[text] = number
    return number


def parse_ticks(text: str, to_ms: Callable[[int], int], names: ProductNames = NO_NAMES) -> tuple[Tick, ...]:
    """Parse every ``p(`` record of a frame: 10 fields, or 9 in the legacy form without ``trade_mode``."""
    if text[-2:] == ");":
        body = text[:-2]
        try:
            # What servers send, one record per frame, with no search for a separator: a frame of
            # several records leaves a ``);`` in the first record's head, which ``parse_tick_record`` refuses.
            return (parse_tick_record(body, to_ms, names),)
        except FAST_ERRORS:
            pass
        try:
            return tuple([parse_tick_record(record, to_ms, names) for record in body.split(");")])
        except FAST_ERRORS:
            pass  # the general parser says what is wrong
    return _general_ticks(text, to_ms, names)


def parse_tick_record(record: str, to_ms: Callable[[int], int], names: ProductNames = NO_NAMES) -> Tick:
    """One ``p(`` record of the fast shape, without its ``);``; a ``ValueError`` otherwise."""
    head, seq, tick_time, price, bid, ask, bid_vol, ask_vol = record.rsplit(",", 7)
    sym, tt, tm, name = names.p_get(head) or names.head(head, "p(")
    t = int(tick_time)
    if to_ms is auto_ms:  # inlined
        t = t * 1000 if t < 100_000_000_000 else (t if t < 100_000_000_000_000 else t // 1000)
    else:
        t = to_ms(t)
    number = _NUMBER
    return _new(
        Tick,
        (
            sym,
            tt,
            tm,
            int(seq),
            t,
            number(price) or _number(price),
            number(bid) or _number(bid),
            number(ask) or _number(ask),
            number(bid_vol) or _number(bid_vol),
            number(ask_vol) or _number(ask_vol),
            None,  # the six candle fields, which only a snapshot tick has
            None,
            None,
            None,
            None,
            None,
            name,
        ),
    )


def _general_ticks(
    text: str, to_ms: Callable[[int], int], names: ProductNames = NO_NAMES
) -> tuple[Tick, ...]:
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
        ids = (int(sym), int(tt), mode)
        ticks.append(Tick(*ids, int(seq), to_ms(int(tick_time)), p, b, a, bv, av, symbol=names.get(ids)))
    return tuple(ticks)


_DIRECTIONS: Final = {d.value: d for d in TradeDirection}


def direction(value: int) -> TradeDirection:
    """Map a wire ``trade_direction`` to the enum; values outside 0-2 become ``UNKNOWN``."""
    return _DIRECTIONS.get(value, TradeDirection.UNKNOWN)


def parse_trades(text: str, to_ms: Callable[[int], int], names: ProductNames = NO_NAMES) -> tuple[Trade, ...]:
    """Parse every ``pt(`` record of a frame (8 fields)."""
    if text[-2:] == ");":
        heads, number, directions = names.heads["pt("].get, _NUMBERS.get, _DIRECTIONS
        trades = []
        try:
            for record in text[:-2].split(");"):
                head, seq, t, price, volume, side = record.rsplit(",", 5)
                sym, tt, tm, name = heads(head) or names.head(head, "pt(")
                trades.append(
                    _new(
                        Trade,
                        (
                            sym,
                            tt,
                            tm,
                            int(seq),
                            to_ms(int(t)),
                            number(price) or _number(price),
                            number(volume) or _number(volume),
                            directions.get(int(side), TradeDirection.UNKNOWN),
                            name,
                        ),
                    )
                )
            return tuple(trades)
        except FAST_ERRORS:
            pass
    return _general_trades(text, to_ms, names)


def _general_trades(
    text: str, to_ms: Callable[[int], int], names: ProductNames = NO_NAMES
) -> tuple[Trade, ...]:
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
        ids = (int(sym), int(tt), int(tm))
        trade = Trade(*ids, int(seq), to_ms(int(tick_time)), p, v, direction(int(side)), names.get(ids))
        trades.append(trade)
    return tuple(trades)


def _fast_levels(side: str) -> tuple[DepthLevel, ...]:
    """One book side in the fast shape, ``(p,v)(p,v)`` or ``""``; a ``ValueError`` otherwise."""
    if not side:
        return ()
    if side[0] != "(" or side[-1] != ")":
        raise Malformed("not the fast shape")
    number = _NUMBERS.get
    levels = []
    for level in side[1:-1].split(")("):
        price, volume = level.split(",")
        levels.append(_new(DepthLevel, (number(price) or _number(price), number(volume) or _number(volume))))
    return tuple(levels)


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


def parse_depth(
    text: str, to_ms: Callable[[int], int], names: ProductNames = NO_NAMES
) -> tuple[DepthBook, ...]:
    """Parse ``pd(header);bids;asks;`` records; a missing or blank side is an empty side."""
    segs = text.split(";")
    if len(segs) % 3 == 1 and not segs[-1]:
        heads = names.heads["pd("].get
        books = []
        try:
            for i in range(0, len(segs) - 1, 3):
                header = segs[i]
                if header[-1:] != ")":
                    raise Malformed("not the fast shape")
                head, seq, t = header[:-1].rsplit(",", 2)
                sym, tt, tm, name = heads(head) or names.head(head, "pd(")
                bids, asks = _fast_levels(segs[i + 1]), _fast_levels(segs[i + 2])
                books.append(_new(DepthBook, (sym, tt, tm, int(seq), to_ms(int(t)), bids, asks, None, name)))
            return tuple(books)
        except FAST_ERRORS:
            pass
    return _general_depth(segs, to_ms, names)


def _general_depth(
    segs: list[str], to_ms: Callable[[int], int], names: ProductNames = NO_NAMES
) -> tuple[DepthBook, ...]:
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
        ids = (int(sym), int(tt), int(tm))
        books.append(DepthBook(*ids, int(seq), to_ms(int(tick_time)), bids, asks, symbol=names.get(ids)))
        i += 3
    return tuple(books)


def parse_rolling(text: str, names: ProductNames = NO_NAMES) -> tuple[Rolling24h, ...]:
    """Parse every ``pr(`` record of a frame (9 fields, no seq or time)."""
    if text[-2:] == ");":
        heads, number = names.heads["pr("].get, _NUMBERS.get
        stats = []
        try:
            for record in text[:-2].split(");"):
                head, last, first, high, low, volume, amount = record.rsplit(",", 6)
                sym, tt, tm, name = heads(head) or names.head(head, "pr(")
                stats.append(
                    _new(
                        Rolling24h,
                        (
                            sym,
                            tt,
                            tm,
                            number(last) or _number(last),
                            number(first) or _number(first),
                            number(high) or _number(high),
                            number(low) or _number(low),
                            number(volume) or _number(volume),
                            number(amount) or _number(amount),
                            name,
                        ),
                    )
                )
            return tuple(stats)
        except FAST_ERRORS:
            pass
    return _general_rolling(text, names)


def _general_rolling(text: str, names: ProductNames = NO_NAMES) -> tuple[Rolling24h, ...]:
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
        ids = (int(f[0]), int(f[1]), int(f[2]))
        stats.append(Rolling24h(*ids, last, first, high, low, volume, amount, names.get(ids)))
    return tuple(stats)
