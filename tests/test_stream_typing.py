"""Stream methods are typed by what they yield: market events alone, or with ``ConnectionEvent`` only
when ``connection_events=True`` was asked for (overloads). Proved by ``mypy --strict`` on user code.

One mypy run over one file (cache in ``tmp_path``). Each line of the snippet that mypy must report
ends with a ``# expect: ...`` marker: ``reveal <type>`` for a ``reveal_type`` note, ``error <code>``
for an error. The test compares the reported lines and kinds with the markers, both ways, so a
missing error fails as surely as an unexpected one.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SNIPPET = """\
from __future__ import annotations

import multimarkets_async as mm


async def quotes(client: mm.MultiMarkets, events_wanted: bool) -> None:
    async with client.quotes.tickers(["EURUSD"]) as ticks:
        async for tick in ticks:
            reveal_type(tick)  # expect: reveal market.Tick
            print(tick.ask, tick.symbol, tick.time_ms)
    async with client.quotes.tickers(["EURUSD"], connection_events=False) as ticks:
        async for tick in ticks:
            print(tick.ask)
    async with client.quotes.tickers(["EURUSD"], connection_events=True) as events:
        async for item in events:
            print(item.ask)  # expect: error union-attr
            if isinstance(item, mm.Tick):
                print(item.ask)
    async with client.quotes.tickers(["EURUSD"], connection_events=events_wanted) as maybe:
        async for item in maybe:
            print(item.bid)  # expect: error union-attr
    async with client.quotes.market(["EURUSD"]) as books:
        async for book in books:
            reveal_type(book)  # expect: reveal market.DepthBook | market.Trade
    async with client.quotes.market(["EURUSD"], connection_events=True) as books_and_events:
        async for event in books_and_events:
            if isinstance(event, mm.ConnectionEvent):
                print(event.kind)
            else:
                print(event.symbol_id)
    async with client.quotes.rolling_24h(["EURUSD"]) as stats:
        async for stat in stats:
            print(stat.last_price)
    async with client.quotes.rolling_24h(["EURUSD"], connection_events=True) as stats_events:
        async for stat_or_event in stats_events:
            print(stat_or_event.last_price)  # expect: error union-attr


async def private(client: mm.MultiMarkets, manager: mm.ManagerClient) -> None:
    async with client.messages.subscribe() as messages:
        async for message in messages:
            reveal_type(message)  # expect: reveal push.MessageEvent | push.AccountUpdate
    async with client.messages.subscribe(connection_events=True) as messages_and_events:
        async for message_or_event in messages_and_events:
            print(message_or_event.kind)  # expect: error union-attr
    async with manager.data_push.events() as pushes:
        async for push in pushes:
            print(push.event_type, push.raw)
    async with manager.data_push.events(connection_events=True) as pushes_and_events:
        async for push_or_event in pushes_and_events:
            print(push_or_event.event_type)  # expect: error union-attr
"""

_FALLBACK = re.compile(r", fallback=([\w.]+)\]")
_MARKER = re.compile(r"# expect: (reveal|error) (.+)$")
_REPORT = re.compile(r"^snippet\.py:(\d+): (note|error): (.*?)(?:  \[([a-z-]+)\])?$")


def expected(snippet: str) -> set[tuple[int, str, str]]:
    """``(line, kind, detail)`` for every ``# expect:`` marker of ``snippet``."""
    found = set()
    for number, line in enumerate(snippet.splitlines(), start=1):
        match = _MARKER.search(line)
        if match:
            found.add((number, match[1], match[2].strip()))
    return found


def named_tuples(revealed: str) -> str:
    """A revealed type with each named tuple (``tuple[int, ..., fallback=mod.Tick]``) written by name."""
    while match := _FALLBACK.search(revealed):
        depth, start = 0, match.start()
        while start > 0:  # back to the "tuple[" whose "]" closes this fallback
            start -= 1
            if revealed[start] == "]":
                depth += 1
            elif revealed[start] == "[":
                if depth == 0:
                    break
                depth -= 1
        start -= len("tuple")
        revealed = revealed[:start] + match[1] + revealed[match.end() :]
    return revealed


def reported(output: str) -> set[tuple[int, str, str]]:
    """``(line, kind, detail)`` of mypy's report: ``reveal`` notes with their type (the models' package
    left out), errors with their code."""
    found = set()
    for line in output.splitlines():
        match = _REPORT.match(line)
        if match is None:
            continue
        number, level, message, code = int(match[1]), match[2], match[3], match[4]
        if level == "note" and message.startswith("Revealed type is "):
            revealed = named_tuples(message.removeprefix("Revealed type is ").strip('"'))
            found.add((number, "reveal", revealed.replace("multimarkets_async.models.", "")))
        elif level == "error":
            found.add((number, "error", code or message))
    return found


def test_the_markers_are_read() -> None:
    assert expected("x = 1  # expect: error union-attr\ny = 2\n") == {(1, "error", "union-attr")}
    output = (
        'snippet.py:3: note: Revealed type is "builtins.int"\n'
        'snippet.py:4: error: Item "A" of "A | B" has no attribute "x"  [union-attr]\n'
        "Found 1 error in 1 file (checked 1 source file)\n"
    )
    assert reported(output) == {(3, "reveal", "builtins.int"), (4, "error", "union-attr")}
    nested = (
        "tuple[int, tuple[tuple[int, fallback=m.Level], ...], fallback=m.Book] | tuple[str, fallback=m.Trade]"
    )
    assert named_tuples(nested) == "m.Book | m.Trade"


def test_streams_are_typed_by_connection_events(tmp_path: Path) -> None:
    source = tmp_path / "snippet.py"
    source.write_text(SNIPPET, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict",
            "--config-file", str(ROOT / "pyproject.toml"),
            "--cache-dir", str(tmp_path / "mypy_cache"),
            "--no-error-summary", "--hide-error-context", "--no-pretty", "--show-error-codes",
            "snippet.py",
        ],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert expected(SNIPPET), "the snippet lost its markers"
    assert reported(output) == expected(SNIPPET), output
