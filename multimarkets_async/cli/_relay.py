"""``multimarkets relay``: hold the platform connections once and publish their events onto NATS JetStream.

The work is the library's (``relay._relay.Relay``); this module parses the command line, reads the
credentials from the environment as every command does, and shows on stderr the relay's role changes,
what it has published every few seconds (once it has published something), and the relay's own notices
and the SDK's warnings (NATS lost and back, a lease given up, a take-over retried) as plain lines; with
``-v`` those come through the verbose log instead. Ctrl-C (exit 130) and SIGTERM or SIGHUP (exit 0) stop
it the same way: the platform connections close, every event they delivered is published, and the lease
is released so a standby relay takes over at once.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Literal

import anyio
import typer

import multimarkets_async as mm

from .._logging import RELAY_LOGGER
from ..errors import ConfigurationError, ConnectError
from ..relay._settings import DEFAULT_NATS_URL, LeaseSettings, Retention
from ..relay._subjects import DEFAULT_PREFIX
from ._app import app, client_from_env, fail, run

if TYPE_CHECKING:  # nats-py (the relay extra) is imported when the command runs
    from ..relay._relay import Relay
    from ..relay._relay_pumps import RelayStats

__all__ = ["NATS_URL_VARIABLE", "relay_command"]

NATS_URL_VARIABLE = "MULTIMARKETS_NATS_URL"
"""Where ``--nats`` comes from when it is not given (comma-separated URLs)."""
_SDK_LOGGER = "multimarkets_async"


def _split(values: Sequence[str] | None) -> list[str]:
    """Repeated options, each possibly comma-separated, as one list without blanks or repeats."""
    found: dict[str, None] = {}
    for value in values or ():
        for part in value.split(","):
            if part.strip():
                found[part.strip()] = None
    return list(found)


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


async def _show_roles(relay: Relay) -> None:
    while True:
        role = await relay.next_role()
        if role == "active":
            _say(f"relay {relay.name}: active, publishing")
        elif role == "standby":
            _say(f"relay {relay.name}: standby, waiting for the lease")


async def _show_counters(stats: RelayStats, every_s: float) -> None:
    last = f"relayed {stats.summary()}"  # nothing yet: a relay in standby or still starting stays quiet
    while True:
        await anyio.sleep(every_s)
        line = f"relayed {stats.summary()}"
        if line != last:
            last = line
            _say(line)


async def _stop_on_termination(scope: anyio.CancelScope, stopped_by: list[int]) -> None:
    """Stop on SIGTERM or SIGHUP (a service manager, a closed terminal) as on Ctrl-C."""
    if sys.platform == "win32":  # no signal receiver there; Ctrl-C still works
        return
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGHUP) as signals:
        async for signum in signals:
            stopped_by.append(int(signum))
            scope.cancel()
            return


def _notice(record: logging.LogRecord) -> bool:
    """Whether a log record is a status line: the SDK's warnings, and the relay's own notices but its
    role changes (``Relay._set_role``; ``_show_roles`` prints those as status lines)."""
    if record.levelno >= logging.WARNING:
        return True
    return (
        record.levelno >= logging.INFO
        and record.name.startswith(RELAY_LOGGER)
        and record.funcName != "_set_role"
    )


@contextmanager
def _notices_on_stderr() -> Iterator[None]:
    """Print the relay's notices and the SDK's warnings on stderr, as bare lines, while the command
    runs (the package's ``NullHandler`` would otherwise swallow them). Nothing when ``-v`` already sends
    the SDK's log to stderr."""
    sdk = logging.getLogger(_SDK_LOGGER)
    if sdk.level != logging.NOTSET:  # -v / -vv: the verbose handler shows all of it, with timestamps
        yield
        return
    relay_logger = logging.getLogger(RELAY_LOGGER)
    level = relay_logger.level
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(_notice)
    relay_logger.setLevel(logging.INFO)
    sdk.addHandler(handler)
    try:
        yield
    finally:
        sdk.removeHandler(handler)
        relay_logger.setLevel(level)


def _with_nats_hint(exc: ConnectError, servers: Sequence[str]) -> ConnectError:
    """The relay's first NATS connection failed: say what to start or pass (the URLs are masked)."""
    if not exc.message.startswith("cannot connect to NATS"):
        return exc
    hint = "; is a NATS server with JetStream running there (nats-server -js)? Point --nats or "
    hint += f"${NATS_URL_VARIABLE} at it" if len(servers) == 1 else f"${NATS_URL_VARIABLE} at one"
    return ConnectError(exc.message + hint)


_SYMBOLS = "SYMBOL"


@app.command("relay", short_help="Publish live platform events onto NATS JetStream.")
def relay_command(
    *,
    nats: Annotated[
        list[str] | None,
        typer.Option(
            "--nats",
            metavar="URL",
            help=f"NATS server URL (repeat or comma-separate for a cluster). Default: ${NATS_URL_VARIABLE}, "
            f"else {DEFAULT_NATS_URL}.",
            show_default=False,
        ),
    ] = None,
    tickers: Annotated[
        list[str] | None,
        typer.Option("--tickers", metavar=_SYMBOLS, help="Relay these products' ticks.", show_default=False),
    ] = None,
    book: Annotated[
        list[str] | None,
        typer.Option(
            "--book",
            metavar=_SYMBOLS,
            help="Relay these products' order books and trades.",
            show_default=False,
        ),
    ] = None,
    rolling: Annotated[
        list[str] | None,
        typer.Option(
            "--rolling", metavar=_SYMBOLS, help="Relay these products' 24 h statistics.", show_default=False
        ),
    ] = None,
    messages: Annotated[
        bool,
        typer.Option(
            "--messages",
            help="Relay the account's pushes of trade types 1 and 2 (needs API-key or login credentials).",
        ),
    ] = False,
    data_push: Annotated[
        str | None,
        typer.Option(
            "--data-push",
            metavar="GROUP",
            help="Relay the Manager data-push events of this consumer group (needs the Manager credentials).",
            show_default=False,
        ),
    ] = None,
    trade_type: Annotated[
        int | None,
        typer.Option(
            "--trade-type", "-t", metavar="N", help="Choose among products listed under several trade types."
        ),
    ] = None,
    prefix: Annotated[
        str, typer.Option("--prefix", metavar="TOKEN", help="The first token of every subject.")
    ] = DEFAULT_PREFIX,
    lease_ttl: Annotated[
        float,
        typer.Option(
            "--lease-ttl",
            metavar="SECONDS",
            min=0.5,
            help="How long the lease outlives the last renewal (a standby takes over within about that).",
        ),
    ] = LeaseSettings().ttl_s,
    name: Annotated[
        str | None,
        typer.Option(
            "--name", metavar="NAME", help="This relay's name in the lease (default: host-pid-random)."
        ),
    ] = None,
    market_max_age: Annotated[
        float,
        typer.Option("--market-max-age", metavar="SECONDS", min=0.001, help="How long market data is kept."),
    ] = Retention().market_max_age_s,
    market_storage: Annotated[
        str,
        typer.Option("--market-storage", metavar="memory|file", help="Where the market stream is stored."),
    ] = Retention().market_storage,
    kept_max_age: Annotated[
        float,
        typer.Option(
            "--kept-max-age",
            metavar="SECONDS",
            min=1.0,
            help="How long account pushes and data-push events are kept.",
        ),
    ] = Retention().kept_max_age_s,
    kept_max_bytes: Annotated[
        int | None,
        typer.Option(
            "--kept-max-bytes",
            metavar="BYTES",
            min=1,
            help="Size limit of each kept stream (default none: kept by age; JetStream reserves it).",
            show_default=False,
        ),
    ] = None,
    replicas: Annotated[
        int, typer.Option("--replicas", metavar="N", min=1, max=5, help="Stream copies in a NATS cluster.")
    ] = 1,
    status_every: Annotated[
        float,
        typer.Option("--status-every", metavar="SECONDS", min=0.05, help="Seconds between counter lines."),
    ] = 5.0,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print nothing but errors.")] = False,
) -> None:
    """Hold the platform connections once and publish every event onto NATS JetStream, so many
    processes read them (mm.relay.connect).

    Run two or more for the same company: one holds the platform connections (a lease in NATS), the
    others wait and take over when it stops. Ctrl-C or SIGTERM publishes everything already received
    and releases the lease first.
    """
    if importlib.util.find_spec("nats") is None:
        raise fail(ConfigurationError("the relay needs nats-py: pip install 'multimarkets-async[relay]'"))
    from ..relay._relay import Relay

    servers = _split(nats) or _split([os.environ.get(NATS_URL_VARIABLE, "")]) or [DEFAULT_NATS_URL]
    symbols = {"tickers": _split(tickers), "book": _split(book), "rolling": _split(rolling)}
    if not (any(symbols.values()) or messages or data_push):
        raise typer.BadParameter(
            "nothing to relay: give --tickers, --book, --rolling, --messages or --data-push",
            param_hint="'--tickers'",
        )
    if market_storage not in ("memory", "file"):
        raise typer.BadParameter(
            f"{market_storage!r} is neither memory nor file", param_hint="'--market-storage'"
        )
    storage: Literal["memory", "file"] = "memory" if market_storage == "memory" else "file"
    market = any(symbols.values()) or messages

    async def main() -> None:
        retention = Retention(
            market_max_age_s=market_max_age,
            market_duplicate_window_s=min(Retention().market_duplicate_window_s, market_max_age),
            market_storage=storage,
            kept_max_age_s=kept_max_age,
            kept_duplicate_window_s=min(Retention().kept_duplicate_window_s, kept_max_age),
            kept_max_bytes=kept_max_bytes if kept_max_bytes is not None else Retention().kept_max_bytes,
            replicas=replicas,
        )
        client: Callable[[], mm.MultiMarkets] | None = None
        manager: Callable[[], mm.ManagerClient] | None = None
        if market:
            client = lambda: client_from_env(require_credentials=messages)  # noqa: E731
        if data_push:
            manager = mm.ManagerClient.from_env
        # Credentials are read now, so a missing variable fails at once rather than at take-over.
        company_id = 0
        for factory in (client, manager):
            if factory is not None:
                made = factory()
                company_id = made.company_id
                await made.aclose()
        relay = Relay(
            nats=servers,
            client=client,
            manager=manager,
            company_id=company_id,
            tickers=symbols["tickers"],
            book=symbols["book"],
            rolling=symbols["rolling"],
            trade_type=trade_type,
            messages=messages,
            data_push_group=data_push,
            prefix=prefix,
            retention=retention,
            lease=LeaseSettings(ttl_s=lease_ttl),
            name=name,
        )
        stopped_by: list[int] = []
        interrupted = False
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(_stop_on_termination, tg.cancel_scope, stopped_by)
                if not quiet:
                    tg.start_soon(_show_roles, relay)
                    tg.start_soon(_show_counters, relay.stats, status_every)
                try:
                    await relay.run()
                except ConnectError as exc:
                    raise _with_nats_hint(exc, servers) from exc
        except anyio.get_cancelled_exc_class():
            interrupted = True  # Ctrl-C: the relay has drained and released the lease
            raise
        finally:
            if (interrupted or stopped_by) and not quiet:
                _say(f"relay {relay.name}: stopped; relayed {relay.stats.summary()}")

    if quiet:
        run(main)
        return
    with _notices_on_stderr():
        run(main)
