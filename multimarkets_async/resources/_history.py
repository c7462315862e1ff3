"""Exact-range K-line downloads: ``client.quotes.history()`` and ``histories()`` page a time range
through the 1,000-bar limit of 14012 (one product) or 14014 (several), oldest first, each bar once.

How a range is paged. 14012 answers "N bars ending at ``kline_timestamp_end``", counting backwards
from the bar that holds that second. The range is cut into windows of 1,000 bar lengths, walked
forwards from ``start``; each window asks for the 1,000 bars ending one second before the window ends.
Bars are never closer together than one bar length, so those 1,000 bars hold every bar that opens in
the window; where the market had a gap (a weekend) they reach further back, into bars an earlier
window already gave, and are dropped. A page that does not reach back to the window's start (fewer
bars than asked, or the history begins inside the window) is completed by asking for the bars before
its oldest one until they reach it or none older come; a page that came empty for a product that gave
bars before is asked again, then is a ``ProtocolError`` (never a silent gap). So every bar whose
open time ``t`` satisfies ``start <= t < end`` comes out once, oldest first, as soon as its window
arrives, and memory stays at one window whatever the range. Windows that open after the server's
clock plus one bar are not asked for: a range that ends in the future stops at the open bar. (A range
that ends less than a day ago or later first measures the server's clock, ``/thirdExt/now``, once.)
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Final, Protocol, TypeAlias, cast

from .._types import NOT_GIVEN, NotGivenOr
from ..errors import InvalidArgumentError, MultiMarketsError, ProtocolError
from ..models.market import Kline, KlineType, SymbolKey
from ._lookup import SymbolLike

if TYPE_CHECKING:
    from ._core import ClientCore

__all__ = [
    "INTERVALS",
    "History",
    "Interval",
    "ProgressCallback",
    "download",
    "kline_type_of",
]

INTERVALS: Final[dict[str, KlineType]] = {
    "1m": KlineType.MIN_1,
    "5m": KlineType.MIN_5,
    "15m": KlineType.MIN_15,
    "30m": KlineType.MIN_30,
    "1h": KlineType.HOUR_1,
    "2h": KlineType.HOUR_2,
    "4h": KlineType.HOUR_4,
    "1d": KlineType.DAY_1,
    "1w": KlineType.WEEK_1,
    "1M": KlineType.MONTH_1,
}
"""The bar sizes by name (``1m`` is a minute, ``1M`` a month)."""

Interval: TypeAlias = KlineType | int | str
"""A bar size: a ``KlineType``, its wire number (1-10) or its name in ``INTERVALS``."""

ProgressCallback: TypeAlias = Callable[[int, int], object]
"""``progress(done, total_estimate)``: bars delivered so far and the expected total (the range's
length in bars times the products; a market that was closed part of the time delivers fewer, and the
last call is ``progress(done, done)``)."""

PAGE_BARS: Final = 1000
"""Bars per product per request: the 14012/14014 limit."""
BATCH_PRODUCTS: Final = 100
"""Products per 14014 request."""

logger = logging.getLogger("multimarkets_async.client")

_DAY: Final = 86_400
# The shortest distance between two bar opens, in seconds (a month is at least 28 days) ...
_SHORTEST: Final[dict[KlineType, int]] = {
    KlineType.MIN_1: 60,
    KlineType.MIN_5: 300,
    KlineType.MIN_15: 900,
    KlineType.MIN_30: 1800,
    KlineType.HOUR_1: 3600,
    KlineType.HOUR_2: 7200,
    KlineType.HOUR_4: 14_400,
    KlineType.DAY_1: _DAY,
    KlineType.WEEK_1: 7 * _DAY,
    KlineType.MONTH_1: 28 * _DAY,
}
# ... and the mean one, for the progress estimate (a Gregorian month averages 30.436875 days).
_MEAN_MONTH: Final = 30.436875 * _DAY


class KlinePages(Protocol):
    """What ``download`` needs of ``client.quotes``: one 14012 page and one 14014 page."""

    async def klines(
        self,
        symbol: SymbolLike,
        *,
        kline_type: KlineType | int = ...,
        count: int = ...,
        end: datetime | int | float | None = ...,
        trade_type: int | None = ...,
        timeout: NotGivenOr[float | None] = ...,
    ) -> list[Kline]: ...

    async def batch_klines(
        self,
        symbols: Sequence[SymbolLike],
        *,
        kline_type: KlineType | int = ...,
        count: int = ...,
        end: datetime | int | float | None = ...,
        trade_type: int | None = ...,
        timeout: NotGivenOr[float | None] = ...,
    ) -> dict[SymbolKey, list[Kline]]: ...


class History:
    """``client.quotes.history()`` and ``histories()``, mixed into ``Quotes`` (which supplies the
    pages: ``klines``, ``batch_klines``; and the server clock: ``_core``)."""

    _core: ClientCore

    def history(
        self,
        symbol: SymbolLike,
        *,
        interval: Interval,
        start: datetime,
        end: datetime,
        trade_type: int | None = None,
        progress: ProgressCallback | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> AsyncIterator[Kline]:
        """Every bar of one product whose open time ``t`` satisfies ``start <= t < end``, oldest first,
        each once, paged through 14012 however long the range.

            async for bar in client.quotes.history("EURUSD", interval="1m", start=t0, end=t1):
                print(bar.time_ms, bar.close)

        Args:
            symbol: a ``SymbolKey``, a ``Symbol`` row or a product name.
            interval: a ``KlineType`` or a name: ``1m 5m 15m 30m 1h 2h 4h 1d 1w 1M``.
            start: the first open time wanted, an aware ``datetime``.
            end: the first open time not wanted, an aware ``datetime``. A bar still open at the
                moment (``end`` in the future) is included as it stands.
            trade_type: chooses among products listed under several tradeTypes, for names.
            progress: ``progress(done, total_estimate)`` after each page (1,000 bar lengths).
            timeout: seconds to wait for each page, as for ``klines``.

        Raises:
            InvalidArgumentError: a naive ``datetime``, ``end`` not after ``start``, an unknown
                interval (at the call, before any request).
            RequestTimeoutError: a page did not come within ``timeout``.
            ProtocolError: the platform twice answered no bar for a product it gave bars of before.
        """
        return download(
            self._pages(), [symbol], interval=interval, start=start, end=end, batch=False,
            clock=self._clock(), trade_type=trade_type, progress=progress, timeout=timeout,
        )  # fmt: skip

    def histories(
        self,
        symbols: Sequence[SymbolLike],
        *,
        interval: Interval,
        start: datetime,
        end: datetime,
        trade_type: int | None = None,
        progress: ProgressCallback | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> AsyncIterator[Kline]:
        """``history`` of several products at once, paged through 14014 (100 products a request).

        Bars come oldest first; bars of the same open time in the order of ``symbols``. Each bar's
        ``symbol`` (its name) and ``key`` say whose it is. Arguments and errors as for ``history``;
        ``progress`` counts the bars of every product.
        """
        return download(
            self._pages(), symbols, interval=interval, start=start, end=end, batch=True,
            clock=self._clock(), trade_type=trade_type, progress=progress, timeout=timeout,
        )  # fmt: skip

    def _clock(self) -> tuple[Callable[[], int], Callable[[], Awaitable[object]]]:
        return self._core.http.now_ms, self._core.http.sync_clock

    def _pages(self) -> KlinePages:
        return cast("KlinePages", self)  # Quotes, which has klines() and batch_klines()


def kline_type_of(interval: Interval) -> KlineType:
    """``interval`` as a ``KlineType``.

    Raises:
        InvalidArgumentError: not one of the ten bar sizes.
    """
    if isinstance(interval, str):
        if interval in INTERVALS:
            return INTERVALS[interval]
        names = " ".join(INTERVALS)
        raise InvalidArgumentError(f"interval= must be one of {names} (or a KlineType), got {interval!r}")
    if isinstance(interval, int) and not isinstance(interval, bool) and 1 <= interval <= 10:
        return KlineType(interval)
    raise InvalidArgumentError(
        f"interval= must be a KlineType or one of {' '.join(INTERVALS)}, got {interval!r}"
    )


def _epoch_ms(name: str, value: object) -> int:
    if not isinstance(value, datetime):
        raise InvalidArgumentError(f"{name}= must be an aware datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidArgumentError(
            f"{name}= is a naive datetime; give it a tzinfo (e.g. datetime(..., tzinfo=timezone.utc))"
        )
    return math.floor(value.timestamp() * 1000)


def range_ms(start: datetime, end: datetime) -> tuple[int, int]:
    """``(start, end)`` in epoch milliseconds.

    Raises:
        InvalidArgumentError: a naive or missing ``datetime``, or ``end`` not after ``start``.
    """
    start_ms, end_ms = _epoch_ms("start", start), _epoch_ms("end", end)
    if end_ms <= start_ms:
        raise InvalidArgumentError(f"end= ({end.isoformat()}) must be after start= ({start.isoformat()})")
    return start_ms, end_ms


def download(
    quotes: KlinePages,
    symbols: Sequence[SymbolLike],
    *,
    interval: Interval,
    start: datetime,
    end: datetime,
    batch: bool,
    clock: tuple[Callable[[], int], Callable[[], Awaitable[object]] | None],
    trade_type: int | None = None,
    progress: ProgressCallback | None = None,
    timeout: NotGivenOr[float | None] = NOT_GIVEN,
) -> AsyncIterator[Kline]:
    """Every bar of ``symbols`` whose open time ``t`` satisfies ``start <= t < end``, oldest first
    (bars of the same time in the order of ``symbols``), each once (see the module docstring).

    Args:
        quotes: ``client.quotes``, whose ``klines`` (``batch=False``, one product) or ``batch_klines``
            (``batch=True``, 100 products a request) fetch each window.
        symbols: the products, as ``klines`` takes them.
        interval: the bar size.
        start: the first open time wanted (aware).
        end: the first open time not wanted (aware).
        batch: whether to use 14014.
        clock: the server's clock as the client knows it (epoch ms), and a coroutine function that
            measures it again (or ``None``).
        trade_type: chooses among products listed under several tradeTypes.
        progress: called after each window with ``(done, total_estimate)``.
        timeout: per request, as for ``klines``.

    Raises:
        InvalidArgumentError: a bad interval or range, or no symbol (at the call).
    """
    kind = kline_type_of(interval)
    start_ms, end_ms = range_ms(start, end)
    if not symbols:
        raise InvalidArgumentError("histories() needs at least one symbol")
    query = _Query(tuple(symbols), kind, start_ms, end_ms, batch, trade_type, timeout)
    return _walk(quotes, query, clock=clock, progress=progress)


@dataclass(frozen=True, slots=True)
class _Query:
    """What one download asks for (times in epoch ms)."""

    symbols: tuple[SymbolLike, ...]
    kind: KlineType
    start_ms: int
    end_ms: int
    batch: bool
    trade_type: int | None
    timeout: NotGivenOr[float | None]


async def _walk(
    quotes: KlinePages,
    query: _Query,
    *,
    clock: tuple[Callable[[], int], Callable[[], Awaitable[object]] | None],
    progress: ProgressCallback | None,
) -> AsyncIterator[Kline]:
    """The windows of ``download``, walked forwards (see the module docstring)."""
    start_ms, end_ms = query.start_ms, query.end_ms
    now_ms, sync = clock
    if sync is not None and end_ms > now_ms() - _DAY * 1000:  # the range may reach the present
        try:
            await sync()
        except MultiMarketsError as exc:  # the local clock will do: at worst a few empty pages
            logger.warning("could not measure the server clock (%s); using the local one", exc)
    shortest = _SHORTEST[query.kind]
    # Windows are whole seconds (the wire's unit); a bar opens on a whole second.
    cursor = max(math.ceil(start_ms / 1000), 0)
    horizon = math.ceil(now_ms() / 1000) + shortest
    stop = min(math.ceil(end_ms / 1000), max(horizon, cursor))
    mean = _MEAN_MONTH if query.kind is KlineType.MONTH_1 else shortest
    total = math.ceil(max(stop - cursor, 0) / mean) * len(query.symbols)
    done = 0
    newest: dict[SymbolKey, int] = {}
    seen: dict[int, SymbolKey] = {}  # the products (by position) that gave bars so far
    while cursor < stop:
        window_end = min(cursor + PAGE_BARS * shortest, stop)
        page_end = max(window_end - 1, 1)  # 0 would mean "the latest bars"
        pages = await _fetch(quotes, query, page_end)
        fresh: list[tuple[int, int, Kline]] = []
        for index, page in enumerate(pages):
            known = seen.get(index)  # the next bar after the newest given opens a shortest bar later
            floor = start_ms if known is None else min(cursor, newest[known] // 1000 + shortest) * 1000
            bars = await _complete(quotes, query, index, page, page_end, floor_ms=floor, seen=index in seen)
            for bar in sorted(bars, key=attrgetter("time_ms")):
                t, key = bar.time_ms, bar.key
                if start_ms <= t < end_ms and t < window_end * 1000 and t > newest.get(key, -1):
                    newest[key], seen[index] = t, key  # a product asked twice, a bar repeated: once
                    fresh.append((t, index, bar))
        fresh.sort(key=lambda item: item[:2])
        for _, _, bar in fresh:
            yield bar
        done += len(fresh)
        if progress is not None:
            progress(done, max(total, done))
        cursor = window_end
    if progress is not None:
        progress(done, done)


async def _complete(
    quotes: KlinePages,
    query: _Query,
    index: int,
    bars: list[Kline],
    page_end: int,
    *,
    floor_ms: int,
    seen: bool,
) -> list[Kline]:
    """``bars``, the page of product ``index``, completed back to ``floor_ms`` (the window's start, or
    the earliest open of the bar after the newest one given; ``start`` for a product that gave none)
    by asking for the bars before its oldest one until they reach it or none older come.

    Raises:
        ProtocolError: asked twice, no bar before ``page_end`` of a product that gave bars before.
    """
    held = list(bars)
    if not held and seen:
        held = [bar for page in await _fetch(quotes, query, page_end, only=index) for bar in page]
        if not held:
            when = datetime.fromtimestamp(page_end, UTC).isoformat()
            raise ProtocolError(
                f"the K-line query for {query.symbols[index]} answered no bar up to {when} though it gave "
                "bars of earlier times: the download stopped rather than leave a gap"
            )
    while held:
        oldest = min(bar.time_ms for bar in held)
        if oldest <= floor_ms or oldest // 1000 - 1 < 1:
            break
        more = await _fetch(quotes, query, oldest // 1000 - 1, only=index)
        key = held[0].key  # a reply that left a product out must not mix another one's bars in
        older = [bar for page in more for bar in page if bar.key == key and bar.time_ms < oldest]
        if not older:
            break
        held.extend(older)
    return held


async def _fetch(
    quotes: KlinePages, query: _Query, page_end: int, *, only: int | None = None
) -> list[list[Kline]]:
    """One window: the bars of each product (in the order of ``query.symbols``; with ``only``, of
    that product alone)."""
    kind, trade_type, timeout = query.kind, query.trade_type, query.timeout
    if not query.batch:
        (symbol,) = query.symbols
        bars = await quotes.klines(
            symbol, kline_type=kind, count=PAGE_BARS, end=page_end, trade_type=trade_type, timeout=timeout
        )
        return [bars]
    symbols = query.symbols if only is None else query.symbols[only : only + 1]
    pages: list[list[Kline]] = []
    for first in range(0, len(symbols), BATCH_PRODUCTS):
        found = await quotes.batch_klines(
            symbols[first : first + BATCH_PRODUCTS],
            kline_type=kind,
            count=PAGE_BARS,
            end=page_end,
            trade_type=trade_type,
            timeout=timeout,
        )
        pages.extend(found.values())
    return pages
