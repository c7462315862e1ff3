"""The ``multimarkets`` command line: a Typer app whose commands live one module per group.

``main(argv)`` runs it and returns the exit status (0 ok, 1 failed, 2 usage, 130 interrupted); the
``multimarkets`` script and ``python -m multimarkets_async`` call it. It needs the ``cli`` extra
(``pip install "multimarkets-async[cli]"``; the ``sim`` extra includes it).
"""

from __future__ import annotations

from collections.abc import Sequence

from . import _account, _klines, _market, _record, _relay, _sim
from ._app import app, set_verbosity

__all__ = ["app", "main"]

_COMMANDS = (_account, _klines, _market, _record, _relay, _sim)  # imported for the commands they register


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``multimarkets`` command with ``argv`` (``sys.argv[1:]`` by default); the exit status."""
    import typer.main

    command = typer.main.get_command(app)
    try:
        command.main(args=list(argv) if argv is not None else None, prog_name="multimarkets")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    finally:
        set_verbosity(0)
    return 0
