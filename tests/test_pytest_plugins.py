"""The ``simulator`` fixture and a client fixture work under pytest-asyncio (strict and auto mode,
function and module loop scope) as well as under anyio's plugin: run as a user's test session would."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

USER_TESTS = textwrap.dedent(
    """
    import anyio
    import pytest
    import pytest_asyncio

    import multimarkets_async as mm

    EURUSD = mm.SymbolKey(1001, 2, 1)


    @pytest.fixture
    def anyio_backend():
        return "asyncio"


    @pytest_asyncio.fixture
    async def client(simulator):
        async with mm.MultiMarkets(
            base_url=simulator.base_url, company_id=simulator.company_id,
            api_key=simulator.api_key, secret_key=simulator.secret_key,
        ) as client:
            yield client  # pytest-asyncio tears this down in another task


    @pytest.mark.asyncio
    async def test_calls_and_streams(simulator, client):
        assert await client.server_time() > 0
        async with client.quotes.tickers([EURUSD]) as ticks:
            with anyio.fail_after(5):
                while (tick := ticks.get_nowait()) is None:
                    simulator.tick()
                    await anyio.sleep(0.01)
        assert tick.bid < tick.ask


    @pytest.mark.asyncio
    async def test_fault_controls_from_the_test(simulator, client):
        fault = simulator.faults.http_status_next(503)
        assert await client.server_time() > 0  # retried after the 503
        with anyio.fail_after(5):
            await fault.wait_hit()
        async with client.quotes.tickers([EURUSD]):
            await simulator.sockets.wait_for(lambda: simulator.sockets.live("quote"))


    @pytest.mark.anyio
    async def test_under_anyio_too(simulator):
        async with mm.MultiMarkets(base_url=simulator.base_url, company_id=simulator.company_id) as client:
            assert await client.server_time() > 0


    def test_a_synchronous_test_reads_the_simulator(simulator):
        assert simulator.base_url.startswith("http://127.0.0.1:")
    """
)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param([], id="strict-function"),
        pytest.param(["-o", "asyncio_mode=auto"], id="auto-function"),
        pytest.param(
            [
                "-o",
                "asyncio_default_fixture_loop_scope=module",
                "-o",
                "asyncio_default_test_loop_scope=module",
            ],
            id="strict-module",
        ),
    ],
)
def test_user_suite_passes_under_pytest_asyncio(tmp_path: Path, options: list[str]) -> None:
    (tmp_path / "test_bot.py").write_text(USER_TESTS)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nfilterwarnings =\n    error\nasyncio_default_fixture_loop_scope = function\n"
    )
    result = subprocess.run(  # the interpreter running this suite
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "4 passed" in output, output
    for complaint in ("Task was destroyed", "Unclosed", "never awaited", "Exception ignored"):
        assert complaint not in output, output
