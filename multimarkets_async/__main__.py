"""``python -m multimarkets_async``: the ``multimarkets`` command (see ``multimarkets_async.cli``).

This is an application entry point, so it is the one place that starts an event loop; the library
itself never calls ``asyncio.run``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``multimarkets`` command; the exit status."""
    try:
        from multimarkets_async.cli import main as cli_main
    except ImportError as exc:
        if exc.name not in {"typer", "rich", "click"}:
            raise
        sys.stderr.write(
            f"error: the command line needs the 'cli' extra ({exc.name} is missing): "
            "pip install 'multimarkets-async[cli]'\n"
        )
        return 1
    return cli_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
