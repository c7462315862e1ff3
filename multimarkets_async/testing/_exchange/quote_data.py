"""Market data behind the quote socket: a synthetic book, recent trades, K-line history, 24 h statistics.

The exchange knows only each product's current bid/ask (``market``). This module derives the rest,
deterministically from the seed, the clock and the current price:

* **History** is a smooth price path ``mid_now * exp(vol * (noise(t) - noise(now)))``, a sum of sine
  waves with seeded phases, so it always ends at the live price. K-line bars sample it (the open bar
  closes at the live mid); volumes come from a hash of the bar, so a bar is the same on every query
  while the price stands still.
* **The book** has up to ``BOOK_LEVELS`` levels a side, one price bucket apart from the best bid
  and ask (the bucket is the larger of ``merge_accuracy`` and one point); volumes vary with ``seq``.
* **A replayed book** (``set_book``, from a recording) replaces the synthetic one while the product's
  price is a replayed quote (``SimSymbol.quoted``) and both its sides hold levels: as recorded,
  ``levels`` a side.
* **Trades**: every price move makes one trade at the new mid (BUY when it rose, SELL when it fell);
  every executed order adds one; the last ``TRADES_KEPT`` per product are kept.

Wire texts (prices at the product's digits) are built in ``_sockets.quote_wire``.
"""

from __future__ import annotations

import calendar
import hashlib
import math
import random
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Final

from .market import Market, Quote, SimSymbol

__all__ = ["BOOK_LEVELS", "TRADES_KEPT", "Bar", "FeedTrade", "QuoteData", "bar_start", "step_back"]

BOOK_LEVELS: Final = 20
"""Levels a side in the synthetic book (a larger ``depth_level`` gets this many)."""
TRADES_KEPT: Final = 100
"""Recent trades kept per product for the 14011 snapshot."""

_FIXED: Final = {1: 60, 2: 300, 3: 900, 4: 1800, 5: 3600, 6: 7200, 7: 14400, 8: 86400}
_WEEK: Final = 7 * 86400
_MONDAY_OFFSET: Final = 3 * 86400  # 1970-01-01 was a Thursday: Monday 00:00 is 3 days earlier
# (period in seconds, amplitude in units of the product's volatility) of the history's sine waves.
_WAVES: Final = ((390.0, 1.0), (1530.0, 2.0), (26280.0, 5.0), (267840.0, 10.0), (1468800.0, 25.0))


def bar_start(t_s: int, kline_type: int) -> int:
    """Start (epoch seconds, UTC) of the ``kline_type`` bar holding ``t_s`` (weeks start on Monday)."""
    if kline_type in _FIXED:
        return t_s - t_s % _FIXED[kline_type]
    if kline_type == 9:
        return t_s - (t_s + _MONDAY_OFFSET) % _WEEK
    day = datetime.fromtimestamp(t_s, UTC)
    return calendar.timegm((day.year, day.month, 1, 0, 0, 0))


def step_back(start: int, kline_type: int, bars: int = 1) -> int:
    """Start of the bar ``bars`` before the one starting at ``start`` (negative ``bars``: after)."""
    if kline_type in _FIXED:
        return start - bars * _FIXED[kline_type]
    if kline_type == 9:
        return start - bars * _WEEK
    day = datetime.fromtimestamp(start, UTC)
    months = day.year * 12 + day.month - 1 - bars
    return calendar.timegm((months // 12, months % 12 + 1, 1, 0, 0, 0))


@dataclass(frozen=True, slots=True)
class FeedTrade:
    """One trade on the tape: price, volume, side (0 unknown, 1 BUY, 2 SELL), time and quote seq."""

    price: Decimal
    volume: Decimal
    direction: int
    time_ms: int
    seq: int


@dataclass(frozen=True, slots=True)
class Bar:
    """One K-line bar: start (s), OHLC, volume, last tick time (ms) and seq."""

    start: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    last_tick_ms: int
    last_tick_seq: int


class QuoteData:
    """The derived market data of every product (see the module docstring).

    Args:
        market: the exchange's products.
        seed: seeds the history's phases and the volume hashes.
        now_ms: server time at creation (the first trades are stamped before it).
    """

    def __init__(self, market: Market, seed: int, now_ms: int) -> None:
        self._market = market
        self._seed = seed
        rng = random.Random(seed ^ 0x51F15EED)  # noqa: S311 - reproducible test data, not secrets
        self._phases = {s.symbol_id: [rng.uniform(0, 2 * math.pi) for _ in _WAVES] for s in market.symbols}
        self._last_mid = {s.symbol_id: s.mid for s in market.symbols}
        self._trades: dict[int, deque[FeedTrade]] = {}
        self._replayed: dict[int, tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]] = {}
        self._recorded_books: set[int] = set()
        for symbol in market.symbols:
            tape: deque[FeedTrade] = deque(maxlen=TRADES_KEPT)
            for i in range(20, 0, -1):  # a short tape so the first snapshot is not empty
                t_ms = now_ms - i * 15_000
                price = self.price_at(symbol, t_ms / 1000, now_ms / 1000)
                tape.append(FeedTrade(price, self._volume(symbol, i), 1 + i % 2, t_ms, 0))
            self._trades[symbol.symbol_id] = tape

    # ------------------------------------------------------------------ live data

    def on_quote(self, quote: Quote) -> FeedTrade | None:
        """Record the trade a price move makes; ``None`` for an unknown product."""
        symbol = self._market.get(quote.symbol_id)
        if symbol is None:
            return None
        previous = self._last_mid.get(symbol.symbol_id, symbol.mid)
        self._last_mid[symbol.symbol_id] = symbol.mid
        side = 1 if symbol.mid > previous else 2 if symbol.mid < previous else 0
        return self.record_trade(symbol, symbol.mid, self._volume(symbol, symbol.seq), side, quote.time_ms)

    def record_trade(
        self, symbol: SimSymbol, price: Decimal, volume: Decimal, direction: int, time_ms: int
    ) -> FeedTrade:
        """Append a trade to ``symbol``'s tape and return it."""
        trade = FeedTrade(price.quantize(symbol.point), volume, direction, time_ms, symbol.seq)
        self._trades[symbol.symbol_id].append(trade)
        return trade

    def trades(self, symbol: SimSymbol, count: int) -> list[FeedTrade]:
        """The last ``count`` trades of ``symbol``, newest first."""
        tape = self._trades[symbol.symbol_id]
        return list(reversed(tape))[: max(count, 0)]

    def set_book(
        self,
        symbol_id: int,
        bids: list[tuple[Decimal, Decimal]],
        asks: list[tuple[Decimal, Decimal]],
        *,
        recorded: bool = False,
    ) -> None:
        """Serve these levels (best first) as ``symbol_id``'s book while its quote is a replayed one;
        ``recorded``: a recorded book, not one made of a tick's best levels."""
        self._replayed[symbol_id] = (bids, asks)
        if recorded:
            self._recorded_books.add(symbol_id)

    def has_recorded_book(self, symbol_id: int) -> bool:
        """Whether a recorded book was set for ``symbol_id`` (a tick's best levels then leave it be)."""
        return symbol_id in self._recorded_books

    def book(
        self, symbol: SimSymbol, levels: int, accuracy: Decimal | None = None
    ) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        """``(bids, asks)``, best first, ``levels`` a side (at most ``BOOK_LEVELS``), merged to
        ``accuracy``; a replayed book as recorded (not merged)."""
        replayed = self._replayed.get(symbol.symbol_id) if symbol.quoted is not None else None
        if replayed is not None and replayed[0] and replayed[1]:
            count = max(1, levels)
            return replayed[0][:count], replayed[1][:count]
        bucket = max(accuracy or symbol.point, symbol.point)
        count = max(1, min(levels, BOOK_LEVELS))
        best_bid = (symbol.bid / bucket).to_integral_value(ROUND_FLOOR) * bucket
        best_ask = (symbol.ask / bucket).to_integral_value(ROUND_CEILING) * bucket
        bids, asks = [], []
        for i in range(count):
            bid = best_bid - i * bucket
            if bid > 0:
                bids.append((bid.quantize(symbol.point), self._level_volume(symbol, i, 0)))
            asks.append(((best_ask + i * bucket).quantize(symbol.point), self._level_volume(symbol, i, 1)))
        return bids, asks

    # ------------------------------------------------------------------ history

    def price_at(self, symbol: SimSymbol, t_s: float, now_s: float) -> Decimal:
        """The history path's price at ``t_s`` (equal to the live mid at ``now_s``)."""
        phases = self._phases[symbol.symbol_id]

        def noise(t: float) -> float:
            waves = zip(_WAVES, phases, strict=True)
            return sum(amp * math.sin(2 * math.pi * t / period + ph) for (period, amp), ph in waves)

        factor = math.exp(symbol.volatility * (noise(t_s) - noise(now_s)))
        return (symbol.mid * Decimal(repr(factor))).quantize(symbol.point, ROUND_HALF_UP)

    def bars(
        self, symbol: SimSymbol, kline_type: int, end_s: int | None, count: int, now_ms: int
    ) -> list[Bar]:
        """``count`` bars, oldest first, ending with the bar holding ``end_s`` (the open bar when ``None``
        or later than now)."""
        now_s = now_ms // 1000
        last = bar_start(now_s if end_s is None else min(end_s, now_s), kline_type)
        current = bar_start(now_s, kline_type)
        starts = [step_back(last, kline_type, n) for n in range(count - 1, -1, -1)]
        return [self._bar(symbol, kline_type, s, s == current, now_ms) for s in starts]

    def _bar(self, symbol: SimSymbol, kline_type: int, start: int, is_open: bool, now_ms: int) -> Bar:
        now_s = now_ms / 1000
        end = step_back(start, kline_type, -1)
        stop = now_s if is_open else float(end)
        samples = [self.price_at(symbol, start + (stop - start) * k / 5, now_s) for k in range(6)]
        if is_open:
            samples[-1] = symbol.mid.quantize(symbol.point)
        h = self._hash(symbol.symbol_id, kline_type, start)
        wiggle = symbol.mid * Decimal(repr(symbol.volatility)) * Decimal(h % 7) / 4
        high = (max(samples) + wiggle).quantize(symbol.point, ROUND_HALF_UP)
        low = max(min(samples) - wiggle, symbol.point).quantize(symbol.point, ROUND_HALF_UP)
        volume = Decimal(h % 1_000_000) / 10
        if is_open:
            return Bar(start, samples[0], high, low, samples[-1], volume, symbol.tick_time_ms, symbol.seq)
        return Bar(start, samples[0], high, low, samples[-1], volume, end * 1000 - 1, 0)

    def daily(self, symbol: SimSymbol, now_ms: int) -> tuple[Bar, Bar]:
        """Yesterday's and today's daily bars (today's is the open bar)."""
        yesterday, today = self.bars(symbol, 8, None, 2, now_ms)
        return yesterday, today

    def rolling(self, symbol: SimSymbol, now_ms: int) -> tuple[Decimal, ...]:
        """24 h rolling ``(last, first, high, low, volume, amount)``."""
        now_s = now_ms / 1000
        samples = [self.price_at(symbol, now_s - 86400 + 900 * k, now_s) for k in range(96)]
        last = symbol.mid.quantize(symbol.point)
        samples.append(last)
        hour = int(now_s) - int(now_s) % 3600
        hourly = (self._hash(symbol.symbol_id, 5, hour - 3600 * k) % 100_000 for k in range(24))
        volume = sum((Decimal(h) / 10 for h in hourly), Decimal(0))
        amount = (volume * last).quantize(Decimal("0.01"))
        return last, samples[0], max(samples), min(samples), volume, amount

    # ------------------------------------------------------------------ helpers

    def _hash(self, symbol_id: int, kline_type: int, start: int) -> int:
        digest = hashlib.blake2b(f"{self._seed}:{symbol_id}:{kline_type}:{start}".encode(), digest_size=8)
        return int.from_bytes(digest.digest(), "big")

    @staticmethod
    def _volume(symbol: SimSymbol, n: int) -> Decimal:
        return (symbol.min_volume * (1 + n % 9) * 10).normalize()

    @staticmethod
    def _level_volume(symbol: SimSymbol, level: int, side: int) -> Decimal:
        return (symbol.min_volume * 10 * (level + 1 + (symbol.seq + 3 * level + side) % 4)).normalize()
