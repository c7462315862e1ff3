"""``multimarkets demo`` and ``multimarkets sim``: the SDK's walk-through, and the simulator served
for your own bot and for the other commands (``sim --env`` prints its credentials as shell exports).

The two-shell workflow: ``multimarkets sim`` in one shell serves on a fixed port (8765 by default);
``eval "$(multimarkets sim --env)"`` in another sets ``MULTIMARKETS_*`` for that port, after which every
command (and ``MultiMarkets.from_env()``) talks to the simulator.
"""

from __future__ import annotations

import shlex
import socket
import sys
from typing import Annotated

import anyio
import typer

from ._app import app, run

__all__ = ["DEFAULT_PORT", "demo", "sim"]

DEFAULT_PORT = 8765
"""The port ``sim`` serves on and ``sim --env`` points at, unless ``--port`` says otherwise."""


def _write(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _exports(environment: dict[str, str]) -> list[str]:
    return [f"export {name}={shlex.quote(value)}" for name, value in environment.items()]


@app.command("demo")
def demo() -> None:
    """The SDK's walk-through, on a simulator.

    Runs against a simulator started in this process: no account, no network.
    """
    from ._demo import demo as walk_through

    run(walk_through)


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@app.command("sim")
def sim(
    port: Annotated[
        int,
        typer.Option(
            "--port", "-p", metavar="PORT", min=0, max=65535, help="TCP port on 127.0.0.1 (0: any free port)."
        ),
    ] = DEFAULT_PORT,
    tick_interval: Annotated[
        float,
        typer.Option(
            "--tick-interval",
            metavar="SECONDS",
            min=0,
            help="Seconds between price moves (0 keeps prices still).",
        ),
    ] = 0.5,
    env: Annotated[
        bool,
        typer.Option(
            "--env",
            help="Print 'export MULTIMARKETS_...' lines for the simulator on --port and exit, for "
            "'eval \"$(multimarkets sim --env)\"'.",
        ),
    ] = False,
) -> None:
    """Serve the simulator; --env prints its exports.

    The simulator serves on 127.0.0.1 for your own bot and for the other commands.

    It prints its credentials (Open API key, password login, Manager app, Bridge key) and serves
    until Ctrl-C. With --env it prints only the exports, for a
    simulator serving on --port in another shell. With several credential sets in the environment,
    the client uses the Open API key.
    """
    from multimarkets_async.testing import Simulator

    if env:
        if port == 0:
            raise typer.BadParameter("--env needs a fixed port", param_hint="--port")
        simulator = Simulator(port=port)
        for line in _exports(simulator.environment()):
            _write(line)
        if not _answers(simulator.config.host, port):
            sys.stderr.write(
                f"note: no simulator answers on {simulator.config.host}:{port} yet; start one in another "
                f"shell with 'multimarkets sim --port {port}'\n"
            )
        return

    async def serve() -> None:
        async with Simulator(port=port, tick_interval_s=tick_interval or None) as served:
            _write(f"MultiMarkets simulator on {served.base_url}")
            _write(f"  company_id={served.company_id}")
            _write(f"  api_key={served.api_key}")
            _write(f"  secret_key={served.secret_key}   (a published vendor TEST key)")
            _write(f"  login_name={served.login_name} password={served.password}")
            _write(f"  manager app_id={served.manager_app_id} app_secret={served.manager_app_secret}")
            _write(f"  bridge api_key={served.bridge_api_key}")
            _write()
            served_port = served.base_url.rsplit(":", 1)[1]
            _write(f'In another shell: eval "$(multimarkets sim --env --port {served_port})"')
            _write("then, e.g.: multimarkets tickers EURUSD XAUUSD")
            _write("Press Ctrl+C to stop.")
            await anyio.sleep_forever()

    run(serve)
