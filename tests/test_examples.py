"""Every example script runs against the embedded simulator and says what it promises.

The FastAPI example (a package, ``examples/fastapi_app``) has its own tests in test_fastapi_example.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

EXPECTED = {
    "quickstart.py": ["products:", "account 1031002"],
    "stream_tickers.py": [
        "[quote#1 reconnected]",
        "done: 120 ticks, 2 reconnects, 3 malformed frames skipped",
    ],
    "follow_fills.py": ["[messages reconnected]", "done: every fill arrived"],
    "trading_bot.py": [
        "signal: ",
        " POSITION_OPEN ",
        " POSITION_CLOSE @ ",
        "closed, 0 open",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs(name: str) -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for line in EXPECTED[name]:
        assert line in result.stdout
    assert "Traceback" not in result.stderr
    assert "Task was destroyed" not in result.stderr
    assert "Unclosed" not in result.stderr


def test_every_example_is_covered() -> None:
    assert {p.name for p in EXAMPLES.glob("*.py")} == set(EXPECTED)
