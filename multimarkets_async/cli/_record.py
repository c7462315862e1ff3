"""``multimarkets record``: stream tickers, depth and trades (and the account's pushes) to Parquet files.

The work is the library's (``data._recorder``: ``record`` into a ``Recorder``); this
module parses the command line, shows what was recorded on stderr and closes the recorder however
the command ends, so Ctrl-C loses nothing the client received.
"""

from __future__ import annotations

import importlib.util
import signal
import sys
from pathlib import Path
from typing import Annotated

import anyio
import typer
from rich.live import Live
from rich.text import Text

from ..data._recorder import DEFAULT_MAX_BYTES, Recorder, RecorderStats, record
from ..errors import ConfigurationError
from ._app import app, client_from_env, err_console, fail, run

__all__ = ["record_command"]


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _Status:
    """What was recorded so far, on stderr: a line that refreshes in place on a terminal; elsewhere a
    plain line after each flush that wrote something new (none with ``--quiet``)."""

    def __init__(self, *, quiet: bool) -> None:
        self._quiet = quiet
        self._last = ""
        self._live: Live | None = None
        if not quiet and _stderr_is_terminal():
            self._live = Live(Text("recording..."), console=err_console, transient=True, auto_refresh=False)

    def __enter__(self) -> _Status:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()

    def update(self, stats: RecorderStats) -> None:
        line = f"recorded {stats.summary()}"
        if self._quiet or line == self._last:
            return
        self._last = line
        if self._live is not None:
            self._live.update(Text(line), refresh=True)
        else:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()


async def _stop_on_termination(scope: anyio.CancelScope, stopped_by: list[int]) -> None:
    """Stop recording on SIGTERM or SIGHUP (a service manager, a closed terminal) as on Ctrl-C."""
    if sys.platform == "win32":  # no signal receiver there; Ctrl-C still works
        return
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGHUP) as signals:
        async for signum in signals:
            stopped_by.append(int(signum))
            scope.cancel()
            return


@app.command("record", short_help="Record live tickers and books to Parquet files.")
def record_command(
    symbols: Annotated[
        list[str],
        typer.Argument(metavar="SYMBOL...", help="Product names, e.g. EURUSD XAUUSD.", show_default=False),
    ],
    *,
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            metavar="DIR",
            help="Directory the Parquet files go to (created when missing).",
            show_default=False,
        ),
    ],
    max_bytes: Annotated[
        int,
        typer.Option(
            "--max-bytes", metavar="BYTES", min=1, help="Start the next file once one holds this many bytes."
        ),
    ] = DEFAULT_MAX_BYTES,
    messages: Annotated[
        bool,
        typer.Option(
            "--messages", help="Also record the account's pushes (needs API-key or login credentials)."
        ),
    ] = False,
    depth: Annotated[
        bool, typer.Option("--depth/--no-depth", help="Record the order books and trades too.")
    ] = True,
    depth_level: Annotated[
        int, typer.Option("--depth-level", metavar="N", min=1, max=100, help="Book levels per side.")
    ] = 10,
    trade_type: Annotated[
        int | None,
        typer.Option(
            "--trade-type", "-t", metavar="N", help="Choose among products listed under several trade types."
        ),
    ] = None,
    flush_every: Annotated[
        float,
        typer.Option(
            "--flush-every", metavar="SECONDS", min=0.01, help="Seconds between writes to the files."
        ),
    ] = 1.0,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print nothing but errors.")] = False,
) -> None:
    """Record live tickers and order books to Parquet files in a directory until Ctrl-C.

    One file per kind of event (ticks, depth, trades, messages) and UTC hour, split further by
    --max-bytes; each row carries the time it was received. Files being written end in .part and
    get their final name when finished. Ctrl-C (or SIGTERM) writes everything received and finishes
    the files.
    """
    if importlib.util.find_spec("pyarrow") is None:
        raise fail(
            ConfigurationError("writing Parquet needs pyarrow: pip install 'multimarkets-async[data]'")
        )
    if output.exists() and not output.is_dir():
        raise typer.BadParameter(f"{output} is a file; give a directory", param_hint="'-o' / '--output'")

    async def main() -> None:
        recorder = Recorder(output, max_bytes=max_bytes)
        status = _Status(quiet=quiet)
        stopped_by: list[int] = []
        interrupted = False
        try:
            with status:
                async with client_from_env(require_credentials=messages) as client:
                    async with anyio.create_task_group() as tg:
                        tg.start_soon(_stop_on_termination, tg.cancel_scope, stopped_by)
                        await record(
                            client,
                            symbols,
                            recorder,
                            depth=depth,
                            messages=messages,
                            trade_type=trade_type,
                            depth_level=depth_level,
                            flush_interval_s=flush_every,
                            on_flush=status.update,
                        )
        except anyio.get_cancelled_exc_class():
            interrupted = True  # Ctrl-C
            raise
        finally:
            # Whatever ended the command, the rows still buffered go to disk.
            recorder.close()
            if (interrupted or stopped_by) and not quiet:
                files = len(recorder.stats.files)
                sys.stderr.write(f"recorded {recorder.stats.summary()} into {files} files in {output}\n")
                sys.stderr.flush()
        if stopped_by:
            raise typer.Exit(128 + stopped_by[0])

    run(main)
