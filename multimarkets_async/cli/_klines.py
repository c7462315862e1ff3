"""``multimarkets klines``: export the bars of a time range to a CSV, JSON-lines or Parquet file.

The download is the library's (``client.quotes.history``, or ``histories`` for several products,
paged through 14012/14014) and the file is ``data.export_bars``'s (a temporary file renamed at the
end, so an interrupted export leaves nothing behind). This module parses the command line and shows
a progress bar on stderr when stderr is a terminal; anywhere else it prints nothing but errors.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

import multimarkets_async as mm

from ..data import DATA_EXTRA, export_bars, format_of
from ..resources._history import INTERVALS
from ._app import app, client_from_env, err_console, run

__all__ = ["klines_command", "parse_time"]

_EXAMPLE = "2023-11-14T00:00:00Z"


def parse_time(value: str) -> datetime:
    """An ISO 8601 time or date from the command line, as an aware ``datetime`` (UTC when the text has
    no offset: ``2023-11-14`` is midnight UTC).

    Raises:
        typer.BadParameter: not an ISO 8601 time (a usage error, status 2).
    """
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 time such as {_EXAMPLE}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _interval(value: str) -> str:
    if value not in INTERVALS:
        raise typer.BadParameter(f"{value!r} is not one of {' '.join(INTERVALS)}")
    return value


def _output(value: Path) -> Path:
    try:
        format_of(value)
    except mm.InvalidArgumentError as exc:
        raise typer.BadParameter(str(exc)) from None
    # Checked here, before connecting, so the error names the user's directory and not the
    # temporary file the export would have opened in it.
    directory = value.parent
    if not directory.is_dir():
        raise typer.BadParameter(f"directory '{directory}' does not exist")
    return value


@app.command("klines", short_help="Export the bars of a time range to CSV, JSON lines or Parquet.")
def klines_command(
    symbols: Annotated[
        list[str],
        typer.Argument(
            metavar="SYMBOL...",
            help="Product names, such as EURUSD. With several, one file holds them all: its symbol "
            "column says whose each bar is, and bars of the same time follow the order given.",
            show_default=False,
        ),
    ],
    *,
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            help="The file to write. Its extension sets the format: .csv, .jsonl, or .parquet (needs "
            "the data extra). It appears only once every bar is written.",
            callback=_output,
            metavar="FILE",
            dir_okay=False,
            show_default=False,
        ),
    ],
    start: Annotated[
        datetime,
        typer.Option(
            "--start",
            parser=parse_time,
            metavar="TIME",
            help=f"Open time of the first bar wanted, ISO 8601 ({_EXAMPLE}); UTC unless it has an offset.",
            show_default=False,
        ),
    ],
    end: Annotated[
        datetime | None,
        typer.Option(
            "--end",
            parser=parse_time,
            metavar="TIME",
            help="End of the range: bars that open at this time or later are left out. Default: now.",
            show_default=False,
        ),
    ] = None,
    interval: Annotated[
        str,
        typer.Option(
            "-i",
            "--interval",
            metavar="INTERVAL",
            help=f"Bar size: {', '.join(INTERVALS)} (1M is a month).",
            callback=_interval,
        ),
    ] = "1m",
    trade_type: Annotated[
        int | None,
        typer.Option(
            "--trade-type",
            "-t",
            metavar="N",
            help="The trade type, for a product listed under several (for example 2).",
            min=1,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Export the bars that open in [--start, --end) to a file, oldest first, each once.

    Example: multimarkets klines EURUSD --interval 1m --start 2023-11-14T00:00:00Z
    --end 2023-11-15T12:00:00Z -o eurusd.csv
    """
    first, last = start, datetime.now(UTC) if end is None else end
    if last <= first:
        raise typer.BadParameter(f"must be after --start ({first.isoformat()})", param_hint="--end")
    parquet_missing = format_of(output) == "parquet" and importlib.util.find_spec("pyarrow") is None

    async def main() -> None:
        if parquet_missing:  # before connecting: nothing to download for
            raise mm.ConfigurationError(
                f"writing Parquet needs pyarrow, which is not installed: {DATA_EXTRA}"
            )
        async with client_from_env() as client:
            with _Progress(enabled=err_console.is_terminal) as progress:
                bars: AsyncIterator[mm.Kline]
                if len(symbols) == 1:
                    bars = client.quotes.history(
                        symbols[0], interval=interval, start=first, end=last, trade_type=trade_type,
                        progress=progress.update,
                    )  # fmt: skip
                else:
                    bars = client.quotes.histories(
                        symbols, interval=interval, start=first, end=last, trade_type=trade_type,
                        progress=progress.update,
                    )  # fmt: skip
                count = await export_bars(bars, output)
            if err_console.is_terminal:
                err_console.print(f"{count} bars written to {output}")

    run(main)


class _Progress:
    """A Rich progress bar on stderr fed by ``history``'s ``progress(done, total)``; nothing when
    ``enabled`` is false (stderr is not a terminal)."""

    def __init__(self, *, enabled: bool) -> None:
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        if enabled:
            self._bar = Progress(
                TextColumn("bars"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
            )
            self._task = self._bar.add_task("download", total=None)

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(self, done: int, total: int) -> None:
        """Show ``done`` of about ``total`` bars."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done, total=total)
