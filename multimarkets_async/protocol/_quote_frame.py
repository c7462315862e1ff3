"""The quote socket's decoded-frame types (``QuoteFrame``, ``QuoteReply``) and the normalisation of
quote times to epoch milliseconds: what every quote codec shares, apart from the parsers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal, TypeAlias

from ..errors import ConfigurationError, MultiMarketsError
from ..models.market import DepthBook, Kline, Rolling24h, Tick, Trade

__all__ = [
    "LEGACY_TRADE_MODE",
    "QUOTE_TIME_UNIT",
    "FrameKind",
    "Malformed",
    "QuoteEvent",
    "QuoteFrame",
    "QuoteReply",
    "QuoteTimeUnit",
    "auto_ms",
    "normalize_time_ms",
    "time_converter",
]

QuoteTimeUnit: TypeAlias = Literal["auto", "s", "ms", "us"]
"""Unit of quote ``tick_time``/``last_tick_time`` values: ``"auto"`` decides by magnitude (below 1e11
seconds, below 1e14 milliseconds, else microseconds)."""
QUOTE_TIME_UNIT: Final[QuoteTimeUnit] = "auto"
"""Default of the ``quote_time_unit`` setting."""
LEGACY_TRADE_MODE: Final = 0
"""``trade_mode`` given to ticks of the legacy 9-field ``p(`` form, which has none."""

QuoteEvent: TypeAlias = Tick | Trade | DepthBook | Rolling24h | Kline
"""Any typed event a quote frame can carry."""


class Malformed(ValueError):
    """A short reason why a frame does not parse; never escapes ``decode_frame``."""


class FrameKind(StrEnum):
    """What a quote socket frame turned out to be."""

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


def auto_ms(value: int) -> int:
    if value < 100_000_000_000:  # below 1e11: seconds
        return value * 1000
    if value < 100_000_000_000_000:  # below 1e14: milliseconds
        return value
    return value // 1000  # microseconds (or the 16-digit seq-like values some servers send)


def _s_ms(value: int) -> int:
    return value * 1000


def _ms_ms(value: int) -> int:
    return value


def _us_ms(value: int) -> int:
    return value // 1000


_CONVERTERS: Final[dict[str, Callable[[int], int]]] = {
    "auto": auto_ms,
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
    """Normalise a quote time to milliseconds (the wire mixes seconds, milliseconds and microseconds).

    With ``"auto"``: below 10^11 it is seconds (x1000), below 10^14 milliseconds, otherwise microseconds
    (//1000).

    Raises:
        ConfigurationError: unknown ``quote_time_unit``.
    """
    return time_converter(quote_time_unit)(value)
