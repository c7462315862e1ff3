"""Bars as tables: ``to_pandas`` (a DataFrame on a UTC ``DatetimeIndex``) and ``to_arrow`` (a pyarrow
``Table``), for the ``data`` extra.

pandas and pyarrow are imported when a function is called, never at import, so the SDK works without
them; a missing one is an ``ImportError`` naming ``pip install "multimarkets-async[data]"``.

Prices stay exact by default: ``Decimal`` objects in pandas (an ``object`` column), ``decimal128`` in
Arrow with the scale of the most precise value given (so every value converts without rounding).
``prices="float"`` gives ``float64`` columns, for numerical work that accepts binary rounding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

from ..errors import InvalidArgumentError
from ..models.market import Kline

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["COLUMNS", "DATA_EXTRA", "PriceFormat", "require", "to_arrow", "to_pandas"]

DATA_EXTRA: Final = 'pip install "multimarkets-async[data]"'
"""The command that installs pandas and pyarrow at the versions the SDK supports."""

PriceFormat: TypeAlias = Literal["decimal", "float", "string"]
"""How prices and volumes are held: exact decimals (the default), ``float64``, or (Arrow only) text."""

COLUMNS: Final = (
    "time", "open", "high", "low", "close", "volume", "symbol", "symbol_id", "trade_type", "trade_mode",
    "kline_type", "last_tick_time", "last_tick_seq", "price_digits",
)  # fmt: skip
"""The columns of a table of bars, in order (``time`` is the bar's open time, UTC)."""

_PRICES: Final = ("open", "high", "low", "close")
_DECIMALS: Final = (*_PRICES, "volume")
_PRECISION: Final = 38  # decimal128's widest


def require(module: str, what: str) -> None:
    """Import ``module`` (``"pandas"`` or ``"pyarrow"``) or say how to install it.

    Raises:
        ImportError: the ``data`` extra is not installed; the message names the command.
    """
    try:
        __import__(module)
    except ImportError as exc:
        raise ImportError(f"{what} needs {module}, which is not installed: {DATA_EXTRA}") from exc


def _check(prices: str, allowed: Sequence[str], what: str) -> None:
    if prices not in allowed:
        raise InvalidArgumentError(
            f"{what}(prices=) is one of {', '.join(map(repr, allowed))}, got {prices!r}"
        )


def _scale(values: Iterable[Decimal]) -> int:
    """Decimal places of the most precise of ``values`` (0 for whole numbers)."""
    scale = 0
    for value in values:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > scale:
            scale = -exponent
    return scale


def to_arrow(bars: Iterable[Kline], *, prices: PriceFormat = "decimal") -> pa.Table:
    """``bars`` as a pyarrow ``Table`` with the columns of ``COLUMNS``, in the order given.

    ``time`` and ``last_tick_time`` are ``timestamp[ms, tz=UTC]``; prices and volume are
    ``decimal128(38, s)`` with ``s`` the decimal places of their most precise value (``prices="float"``:
    ``float64``; ``prices="string"``: exact text); ids are ``int64``/``int32``, and a field the reply
    left out is null.

    Raises:
        ImportError: pyarrow is not installed (``pip install "multimarkets-async[data]"``).
        InvalidArgumentError: an unknown ``prices``.
    """
    _check(prices, ("decimal", "float", "string"), "to_arrow")
    require("pyarrow", "to_arrow()")
    import pyarrow as pa

    rows = list(bars)
    utc = pa.timestamp("ms", tz="UTC")
    columns: dict[str, pa.Array] = {"time": pa.array([b.time_ms for b in rows], type=pa.int64()).cast(utc)}
    for name in _DECIMALS:
        values = [getattr(b, name) for b in rows]
        if prices == "float":
            columns[name] = pa.array([float(v) for v in values], type=pa.float64())
        elif prices == "string":
            columns[name] = pa.array([format(v, "f") for v in values], type=pa.string())
        else:
            columns[name] = pa.array(values, type=pa.decimal128(_PRECISION, _scale(values)))
    columns["symbol"] = pa.array([b.symbol for b in rows], type=pa.string())
    columns["symbol_id"] = pa.array([b.symbol_id for b in rows], type=pa.int64())
    columns["trade_type"] = pa.array([b.trade_type for b in rows], type=pa.int32())
    columns["trade_mode"] = pa.array([b.trade_mode for b in rows], type=pa.int32())
    columns["kline_type"] = pa.array([b.kline_type for b in rows], type=pa.int32())
    ticks = pa.array([b.last_tick_time_ms for b in rows], type=pa.int64())
    columns["last_tick_time"] = ticks.cast(utc)
    columns["last_tick_seq"] = pa.array([b.last_tick_seq for b in rows], type=pa.int64())
    columns["price_digits"] = pa.array([b.price_digits for b in rows], type=pa.int32())
    return pa.table(columns)


def to_pandas(bars: Iterable[Kline], *, prices: Literal["decimal", "float"] = "decimal") -> pd.DataFrame:
    """``bars`` as a pandas ``DataFrame`` indexed by the bars' open times.

    The index is a ``DatetimeIndex`` in UTC named ``time`` (``datetime64[ms, UTC]``); the columns are
    the rest of ``COLUMNS``.
    ``open``, ``high``, ``low``, ``close`` and ``volume`` hold ``Decimal`` objects (exact; an
    ``object`` column), or ``float64`` with ``prices="float"``. ``last_tick_time`` is a UTC datetime
    column; the integer columns are nullable (``Int64``), since a reply may leave a field out.

        bars = [bar async for bar in client.quotes.history("EURUSD", interval="1h", start=a, end=b)]
        frame = mm.to_pandas(bars, prices="float")

    Raises:
        ImportError: pandas is not installed (``pip install "multimarkets-async[data]"``).
        InvalidArgumentError: an unknown ``prices``.
    """
    _check(prices, ("decimal", "float"), "to_pandas")
    require("pandas", "to_pandas()")
    import pandas as pd

    rows = list(bars)
    # One resolution (ms, the wire's and to_arrow's) whatever pandas infers, for an empty list too.
    times = pd.to_datetime([b.time_ms for b in rows], unit="ms", utc=True).as_unit("ms")
    index = pd.DatetimeIndex(times, name="time")
    data: dict[str, object] = {}
    for name in _DECIMALS:
        values = [getattr(b, name) for b in rows]
        if prices == "float":
            data[name] = pd.array([float(v) for v in values], dtype="float64")
        else:
            data[name] = pd.array(values, dtype=object)
    data["symbol"] = pd.array([b.symbol for b in rows], dtype=object)
    for name in ("symbol_id", "trade_type", "trade_mode", "kline_type"):
        data[name] = pd.array([getattr(b, name) for b in rows], dtype="Int64")
    ticks = [pd.NaT if b.last_tick_time_ms is None else b.last_tick_time_ms for b in rows]
    data["last_tick_time"] = pd.to_datetime(ticks, unit="ms", utc=True).as_unit("ms")
    data["last_tick_seq"] = pd.array([b.last_tick_seq for b in rows], dtype="Int64")
    data["price_digits"] = pd.array([b.price_digits for b in rows], dtype="Int64")
    return pd.DataFrame(data, index=index)
