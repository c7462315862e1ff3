"""K-line queries over the quote socket: ``client.quotes.klines()`` (14012, one product) and
``batch_klines()`` (14014, up to 100 products), one request each, and the ``end=`` they accept.

A mixin, like ``_history.History``: ``Quotes`` supplies the client core, the quote feed and the
resolution of symbols into keys and names (``_keys``); this module turns a query into one socket
request and its reply into bars. Paging a long range through these queries is ``_history``'s job.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import datetime
from typing import TypeAlias

from .._streams.quote_feed import QuoteFeed
from .._types import NOT_GIVEN, NotGivenOr
from ..errors import InvalidArgumentError
from ..models.market import Kline, KlineType, SymbolKey
from ..protocol import quote
from ._core import ClientCore
from ._lookup import SymbolLike

__all__ = ["KlineEnd", "KlineQueries", "kline_end_seconds"]

KlineEnd: TypeAlias = datetime | int | float | None
"""The end of a K-line query: an aware ``datetime``, epoch **seconds**, or ``None`` for the latest bars."""

_MS_THRESHOLD = 100_000_000_000
"""Epoch values from here up are milliseconds (1e11 s is the year 5138)."""


def kline_end_seconds(end: KlineEnd) -> int | None:
    """``end`` as epoch seconds for the 14012/14014 ``kline_timestamp_end``.

    The wire reads ``kline_timestamp_end`` 0 as "now" (the latest bars), so an end before one second
    past the epoch is refused rather than sent as 0.

    Raises:
        InvalidArgumentError: a naive ``datetime``, a value that looks like milliseconds, a time before
            1970-01-01T00:00:01Z (0 would ask for the latest bars), or something that is not a time.
    """
    if end is None:
        return None
    if isinstance(end, datetime):
        if end.tzinfo is None or end.utcoffset() is None:
            raise InvalidArgumentError(
                "end= is a naive datetime; give it a tzinfo (e.g. datetime(..., tzinfo=timezone.utc)) "
                "or pass epoch seconds"
            )
        seconds: int | float = end.timestamp()
    elif isinstance(end, bool) or not isinstance(end, int | float):
        raise InvalidArgumentError(f"end= is an aware datetime or epoch seconds, got {end!r}")
    else:
        seconds = end
    if not 1 <= seconds < _MS_THRESHOLD:  # also refuses NaN
        if seconds >= _MS_THRESHOLD and seconds != float("inf"):
            hint = " (it looks like milliseconds: divide by 1000)"
        elif seconds < 1:
            hint = " after 1970-01-01T00:00:01Z (pass None, not 0, for the latest bars)"
        else:
            hint = ""
        raise InvalidArgumentError(f"end= must be epoch seconds{hint}, got {end!r}")
    return int(seconds)


class KlineQueries:
    """``client.quotes.klines()`` and ``batch_klines()``, mixed into ``Quotes`` (which supplies
    ``_core``, ``_feed`` and ``_keys``)."""

    _core: ClientCore
    _feed: QuoteFeed
    _keys: Callable[
        [Sequence[SymbolLike], int | None, NotGivenOr[float | None]],
        Awaitable[tuple[list[SymbolKey], dict[SymbolKey, str | None]]],
    ]

    async def klines(
        self,
        symbol: SymbolLike,
        *,
        kline_type: KlineType | int = KlineType.MIN_1,
        count: int = 100,
        end: KlineEnd = None,
        trade_type: int | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> list[Kline]:
        """Historical bars of one product (14012), oldest first, the still-open bar included when ``end``
        is ``None``.

        Args:
            symbol: a ``SymbolKey``, a ``Symbol`` row or a product name.
            kline_type: bar size.
            count: number of bars, 1..1000.
            end: the last bar wanted: an aware ``datetime`` or epoch seconds; ``None`` for the latest.
                (Bars say their own time in ``Kline.time_ms``, milliseconds.)
            trade_type: chooses among products listed under several tradeTypes, for names.
            timeout: seconds to wait for the reply (and for each catalogue request a name needs; None
                waits forever); ``StreamSettings.request_timeout`` by default.

        Raises:
            InvalidArgumentError: ``end`` is a naive ``datetime``, looks like milliseconds or is not
                after the epoch; ``count`` is out of range.
            RequestTimeoutError: no reply within ``timeout``.
            ProtocolError: the reply holds more than ``count`` bars, or inflates past its size bound.
        """
        end_s = kline_end_seconds(end)
        keys, names = await self._keys([symbol], trade_type, timeout)
        query = quote.KlineQuery(keys[0], int(kline_type), count, end_s)
        frame = await self._feed.request(
            functools.partial(_encode_kline, query),
            timeout=self._socket_timeout(timeout),
            bars=count,
            names=names,
        )
        return [event for event in frame.events if isinstance(event, Kline)]

    async def batch_klines(
        self,
        symbols: Sequence[SymbolLike],
        *,
        kline_type: KlineType | int = KlineType.MIN_1,
        count: int = 100,
        end: KlineEnd = None,
        trade_type: int | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> dict[SymbolKey, list[Kline]]:
        """Historical bars of up to 100 products in one request (14014); ``end`` and ``timeout`` as for
        ``klines``."""
        end_s = kline_end_seconds(end)
        keys, names = await self._keys(symbols, trade_type, timeout)
        queries = [quote.KlineQuery(key, int(kline_type), count, end_s) for key in keys]
        frame = await self._feed.request(
            functools.partial(_encode_batch, queries),
            timeout=self._socket_timeout(timeout),
            bars=count,
            products=len(queries),
            names=names,
        )
        bars: dict[SymbolKey, list[Kline]] = {key: [] for key in keys}
        for event in frame.events:
            if isinstance(event, Kline):
                bars.setdefault(event.key, []).append(event)
        return bars

    def _socket_timeout(self, timeout: NotGivenOr[float | None]) -> float:
        """Seconds a socket request waits: ``timeout``, forever for ``None``, else the setting."""
        if timeout is NOT_GIVEN:
            return self._core.streams.request_timeout
        return math.inf if timeout is None else timeout


def _encode_kline(query: quote.KlineQuery, seq: int) -> tuple[str, Hashable]:
    return quote.encode_kline_request(query, seq, f"kline-{seq}"), seq


def _encode_batch(queries: list[quote.KlineQuery], seq: int) -> tuple[str, Hashable]:
    return quote.encode_batch_kline_request(queries, seq, f"batch-kline-{seq}"), seq
