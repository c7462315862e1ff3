"""Every example script and the ``multimarkets demo`` command run against the embedded simulator and say
what they promise.

The FastAPI examples (packages under ``examples/``) have their own tests in test_fastapi_example.py and
test_backoffice_example.py; test_examples_typecheck.py runs mypy --strict over all of them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

EXPECTED = {
    "quickstart.py": ["products: BTCUSDT, DOGE/USDT-BN-TG, ETHUSDT, EURUSD, XAUUSD", "account 1031002"],
    "raw_call.py": [
        "raw:   EURUSD symbolId 1001 tradeType 1",
        "typed: EURUSD tradeType 1, 5 price decimals",
        "client.symbols.list(): BTCUSDT,",
    ],
    "stream_tickers.py": [
        "[quote#1 reconnected]",
        "done: 120 ticks, 2 reconnects, 3 malformed frames skipped",
    ],
    "follow_fills.py": ["[messages reconnected]", "fill: EURUSD order ", "done: every fill arrived"],
    "trading_bot.py": [
        "signal: ",
        " POSITION_OPEN ",
        " POSITION_CLOSE @ ",
        "closed, 0 open",
    ],
    "relay_worker.py": [": deposit D", ": ledger entry ", "done: 9 data-push events, each handled once, by "],
}
# Arguments an example needs to run on its own (relay_worker.py starts a simulator, NATS and a relay).
ARGS = {"relay_worker.py": ["--demo"]}
# Lines whose exact text varies from run to run.
PATTERNS = {"stream_tickers.py": r"(?m)^tick #\d+: (EURUSD|XAUUSD) bid=\d"}


def run(*args: str) -> str:
    """Run ``python *args`` from the repository root; its stdout, once it exited cleanly."""
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "Task was destroyed" not in result.stderr
    assert "Unclosed" not in result.stderr
    return result.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs(name: str) -> None:
    output = run(str(EXAMPLES / name), *ARGS.get(name, []))
    for line in EXPECTED[name]:
        assert line in output
    if name in PATTERNS:
        assert re.search(PATTERNS[name], output), output


def test_every_example_is_covered() -> None:
    assert {p.name for p in EXAMPLES.glob("*.py")} == set(EXPECTED)


def test_only_raw_call_uses_call() -> None:
    """The examples trade through the typed API; ``client.call()`` keeps one example of its own."""
    users = {p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*.py") if ".call(" in p.read_text()}
    assert users == {"raw_call.py"}


def test_the_demo_trades_through_the_typed_api_names_products_and_says_what_next() -> None:
    output = run("-m", "multimarkets_async", "demo")
    for line in (
        "   EURUSD     tradeType 2, 5 price decimals",
        "   bought 0.1 EURUSD at ",
        "executed once (2 positions open, not 3)",
        "   InvalidArgumentError: price for EURUSD 1.0850001 has more decimals",
        "   closed EURUSD position ",
        "   0 positions open",
        "   pending: EURUSD BUY at 1.00000",
        "   cancelled; 0 pending orders left",
        "   -- quote#1 reconnected --",
        "   push: POSITION_OPEN EURUSD order ",
        "Done: the simulator stopped and every connection closed.",
    ):
        assert line in output
    ticks = re.findall(r"^   (\S+) +bid \d", output, re.MULTILINE)
    assert len(ticks) == 6
    assert set(ticks) == {"EURUSD", "XAUUSD"}  # products by name, not by id

    next_steps = output.split("\nTry next:\n", 1)[1].splitlines()
    assert any("multimarkets sim" in line for line in next_steps)
    named = [word for line in next_steps for word in line.split() if word.endswith((".py", ".md"))]
    assert any(word.startswith("examples/") for word in named)
    assert any(word.startswith("docs/") for word in named)
    assert [word for word in named if not (ROOT / word).is_file()] == []
