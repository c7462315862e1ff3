"""The ``multimarkets`` Typer app and what every command shares: global options, clients from the
environment, the run loop with its exit statuses, and JSON-lines output.

Exit statuses: 0 done, 1 an expected failure (one line on stderr; ``--debug`` adds the traceback),
2 a usage error (Typer's), 130 interrupted with Ctrl-C. Command modules add commands with
``@app.command("name")`` and start their async work with ``run``.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
import os
import sys
import traceback
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import anyio
import typer
from rich.console import Console

import multimarkets_async as mm

__all__ = [
    "app",
    "client_from_env",
    "console",
    "err_console",
    "jsonable",
    "print_json_line",
    "run",
    "stdout_is_terminal",
    "wants_json",
]

console = Console(highlight=False)
"""Standard output: tables and live views."""
err_console = Console(stderr=True, highlight=False)
"""Standard error: progress bars and messages."""

_SDK_LOGGER = "multimarkets_async"
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (mm.MultiMarketsError, OSError)
"""Failures a command reports in one line (``ConfigurationError`` is a ``MultiMarketsError``)."""

app = typer.Typer(
    name="multimarkets",
    help=(
        "Look at the MultiMarkets platform from the shell: live tickers and order books, your account, "
        "positions and orders, K-line exports, and a local simulator to try it all on.\n\n"
        "Commands read MULTIMARKETS_BASE_URL, MULTIMARKETS_COMPANY_ID and a credential set from the "
        "environment; 'eval \"$(multimarkets sim --env)\"' sets them for a local simulator."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no markup to escape, no boxes in a pipe
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclasses.dataclass
class _Options:
    debug: bool = False


_options = _Options()
_log_handler: logging.Handler | None = None


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"multimarkets-async {mm.__version__}\n")
        raise typer.Exit


def set_verbosity(level: int) -> None:
    """Send the SDK's own loggers (``multimarkets_async.*``, not httpx or websockets) to stderr:
    INFO with ``-v``, DEBUG with ``-vv``; ``0`` removes the handler again."""
    global _log_handler  # noqa: PLW0603 - one handler per process, replaced by each invocation
    logger = logging.getLogger(_SDK_LOGGER)
    if _log_handler is not None:
        logger.removeHandler(_log_handler)
        _log_handler = None
        logger.setLevel(logging.NOTSET)
    if level <= 0:
        return
    _log_handler = logging.StreamHandler(sys.stderr)
    _log_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(_log_handler)
    logger.setLevel(logging.INFO if level == 1 else logging.DEBUG)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit."),
    ] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "-v",
            "--verbose",
            count=True,
            show_default=False,
            help="Log the SDK's own messages to stderr (-vv for debug).",
        ),
    ] = 0,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of a failure.")] = False,
) -> None:
    """The MultiMarkets command line."""
    _options.debug = debug
    set_verbosity(verbose)


def stdout_is_terminal() -> bool:
    """Whether standard output is a terminal (tables there; JSON lines anywhere else)."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def wants_json(flag: bool) -> bool:
    """JSON lines with ``--json``, or when standard output is not a terminal (a pipe, a file)."""
    return flag or not stdout_is_terminal()


def client_from_env(*, require_credentials: bool = False, **overrides: object) -> mm.MultiMarkets:
    """``MultiMarkets.from_env()`` with the command's flags as overrides (not entered yet);
    ``require_credentials`` refuses a guest.

    Raises:
        ConfigurationError: a variable missing or half set, named.
    """
    return mm.MultiMarkets.from_env(require_credentials=require_credentials, **overrides)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = text.replace("pass trade_type=", "pass --trade-type")  # the library's advice, in flag terms
    return f"error: {text}"


def _expected(exc: BaseException) -> BaseException | None:
    """The expected failure behind ``exc`` (unwrapping one-exception groups), or ``None``."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc if isinstance(exc, EXPECTED_ERRORS) else None


def fail(exc: BaseException) -> typer.Exit:
    """Report an expected failure on stderr (one line, the traceback too with ``--debug``) and return
    the ``Exit(1)`` to raise."""
    if _options.debug:
        traceback.print_exception(exc, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.write(_one_line(exc) + "\n")
    sys.stderr.flush()
    return typer.Exit(1)


def run(main: Callable[[], Awaitable[None]]) -> None:
    """Run a command's async ``main`` on a new event loop and turn its end into an exit status.

    Ctrl-C ends with status 130 and no traceback; an expected failure (``MultiMarketsError``,
    ``ConfigurationError``, ``OSError``) prints one line on stderr and ends with status 1.
    """
    try:
        anyio.run(main)
    except KeyboardInterrupt:
        sys.stdout.flush()
        raise typer.Exit(130) from None
    except BaseException as exc:
        if isinstance(exc, typer.Exit | SystemExit):
            raise
        found = _expected(exc)
        if found is None:
            raise
        if isinstance(found, BrokenPipeError):  # `multimarkets ... | head`: the reader left, say nothing
            _silence_stdout()
            raise typer.Exit(1) from None
        raise fail(found) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail on the broken pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (captured output)
        pass


def jsonable(value: object) -> Any:
    """``value`` as JSON data: ``Decimal`` as a string, ``datetime`` as ISO 8601 UTC with ``Z``, enums
    by name, models and named tuples as objects."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="milliseconds") + "Z"
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return jsonable(value._asdict())
    if hasattr(value, "model_dump"):
        return jsonable(value.model_dump(mode="python", exclude={"raw"}))
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    return str(value)


def print_json_line(obj: Mapping[str, object]) -> None:
    """Write ``obj`` as one JSON object on one line of stdout, flushed (for ``jq`` and pipes)."""
    sys.stdout.write(json.dumps(jsonable(obj), ensure_ascii=False, separators=(",", ":")) + "\n")
    sys.stdout.flush()
