"""Bars into files: ``export_bars`` writes a stream of bars to ``.csv``, ``.jsonl`` or ``.parquet``,
chosen by the file's extension, all or nothing.

The rows go to a temporary file beside the target (``.NAME.*.part``, in the same directory so the
final rename stays on one file system) and the temporary file is renamed over the target only once
the last bar is written. A download that fails or is interrupted (an error, a cancellation, Ctrl-C)
removes the temporary file and leaves the target as it was: never a half-written file.

Every format has the columns of ``COLUMNS`` in that order, so ``time,open,high,low,close,volume``
come first. Times are ISO 8601 in UTC with a ``Z`` (milliseconds only when they are not zero);
prices and volumes are exact decimal text in CSV and JSON lines (never floats), and ``decimal128``
in Parquet (see ``to_arrow``). CSV and JSON lines are written as the bars arrive; Parquet holds the
bars until the end (one table, one decimal scale per column), which needs pyarrow.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from collections.abc import AsyncIterable, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Final, Literal, TypeAlias

from ..errors import InvalidArgumentError
from ..models.market import Kline
from ._frames import COLUMNS, require, to_arrow

__all__ = ["FORMATS", "ExportFormat", "export_bars", "format_of", "iso_utc", "row_of"]

ExportFormat: TypeAlias = Literal["csv", "jsonl", "parquet"]
"""A file format of ``export_bars``."""

FORMATS: Final[dict[str, ExportFormat]] = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}
"""The file extensions ``export_bars`` knows, and their formats."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def format_of(path: str | os.PathLike[str]) -> ExportFormat:
    """The format of ``path``, from its extension (in any case).

    Raises:
        InvalidArgumentError: an extension other than ``.csv``, ``.jsonl`` or ``.parquet``.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        raise InvalidArgumentError(f"cannot tell the format of {os.fspath(path)!r}: name it {known}")
    return FORMATS[suffix]


def iso_utc(ms: int) -> str:
    """Epoch milliseconds as ISO 8601 in UTC: ``2023-11-14T00:00:00Z`` (``.123`` when not whole)."""
    seconds, millis = divmod(ms, 1000)
    text = (_EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{millis:03d}Z" if millis else f"{text}Z"


def row_of(bar: Kline) -> dict[str, str | int | None]:
    """One bar as a row of ``COLUMNS``: times as ``iso_utc``, decimals as exact text, the rest as is."""
    row: dict[str, str | int | None] = {
        "time": iso_utc(bar.time_ms),
        "open": _text(bar.open),
        "high": _text(bar.high),
        "low": _text(bar.low),
        "close": _text(bar.close),
        "volume": _text(bar.volume),
        "symbol": bar.symbol,
        "symbol_id": bar.symbol_id,
        "trade_type": bar.trade_type,
        "trade_mode": bar.trade_mode,
        "kline_type": bar.kline_type,
        "last_tick_time": None if bar.last_tick_time_ms is None else iso_utc(bar.last_tick_time_ms),
        "last_tick_seq": bar.last_tick_seq,
        "price_digits": bar.price_digits,
    }
    return row


def _text(value: Decimal) -> str:
    return format(value, "f")  # never an exponent: 1E+2 is written 100


async def export_bars(
    bars: AsyncIterable[Kline],
    path: str | os.PathLike[str],
    *,
    format: ExportFormat | None = None,
) -> int:
    """Write ``bars`` to ``path`` (replacing it only when every bar is written) and return how many.

    Args:
        bars: the bars, e.g. ``client.quotes.history(...)``.
        path: the file to write; its directory must exist.
        format: ``"csv"``, ``"jsonl"`` or ``"parquet"``; by default from the extension.

    Raises:
        InvalidArgumentError: no format given and an extension that names none.
        ImportError: Parquet without pyarrow (``pip install "multimarkets-async[data]"``).
        OSError: the directory does not exist or cannot be written.
        Exception: whatever ``bars`` raises; the target is then left as it was.
    """
    kind = format or format_of(path)
    if kind not in FORMATS.values():
        raise InvalidArgumentError(f"format= is one of {', '.join(FORMATS.values())}, got {kind!r}")
    if kind == "parquet":
        require("pyarrow", "writing Parquet")  # before any bar is downloaded
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            count = await _WRITERS[kind](bars, out, temporary)
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except BaseException:  # an error, a cancellation or Ctrl-C: no half-written file stays
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return count


def _mode_for(target: Path) -> int:
    """The permissions ``target`` has, or a new file would get (mkstemp's temporary file is 0600)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0o022)  # read the umask: setting it is the only way, so put it back at once
        os.umask(umask)
        return 0o666 & ~umask


async def _write_csv(bars: AsyncIterable[Kline], out: IO[str], _: str) -> int:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    async for bar in bars:
        writer.writerow(row_of(bar))
        count += 1
    return count


async def _write_jsonl(bars: AsyncIterable[Kline], out: IO[str], _: str) -> int:
    count = 0
    async for bar in bars:
        out.write(json.dumps(row_of(bar), separators=(",", ":")) + "\n")
        count += 1
    return count


async def _write_parquet(bars: AsyncIterable[Kline], out: IO[str], temporary: str) -> int:
    import pyarrow.parquet as pq

    held = [bar async for bar in bars]
    out.close()  # pyarrow writes the file by its name
    pq.write_table(to_arrow(held), temporary)
    return len(held)


_WRITERS: Final[dict[ExportFormat, Callable[[AsyncIterable[Kline], IO[str], str], Awaitable[int]]]] = {
    "csv": _write_csv,
    "jsonl": _write_jsonl,
    "parquet": _write_parquet,
}
