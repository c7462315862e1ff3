"""Review fixes for the command line: the docs' shown ``--help`` matches the command's, ``klines -o``
into a missing directory is a usage error naming the directory, and ``record --help`` shows metavars
instead of Click's type names."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from multimarkets_async.cli import main
from multimarkets_async.testing import Simulator

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("MULTIMARKETS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "80")  # the width docs/cli.md was captured at


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_docs_show_the_help_the_command_prints(capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    match = re.search(r"```text\n\$ multimarkets --help\n(.*?)```", text, re.DOTALL)
    assert match is not None
    code, out, _ = cli(capsys, "--help")
    assert code == 0
    assert out == match.group(1)


def test_klines_into_a_missing_directory_is_a_usage_error_naming_it(
    capsys: pytest.CaptureFixture[str], simulator: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in simulator.environment().items():
        monkeypatch.setenv(name, value)
    target = tmp_path / "missing" / "eurusd.csv"
    code, out, err = cli(
        capsys, "klines", "EURUSD", "-t", "2", "-i", "1h", "--start", "2023-11-14", "--end",
        "2023-11-14T03:00:00Z", "-o", str(target),
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert f"directory '{target.parent}' does not exist" in " ".join(err.split())
    assert ".part" not in err
    assert not target.parent.exists()


def test_record_help_shows_metavars_not_click_type_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "record", "--help")
    assert code == 0
    for name in ("<path>", "<int range>", "<float range>"):
        assert name not in out
    assert "-o, --output DIR" in out


def test_manager_from_env_reads_the_company_public_key(simulator: Simulator) -> None:
    import anyio

    import multimarkets_async as mm

    env = simulator.environment() | {"MULTIMARKETS_PUBLIC_KEY": simulator.company_public_key}
    manager = mm.ManagerClient.from_env(env)
    assert manager._manager._fixed_encryptor is not None  # the key from the environment, not authorize's
    assert mm.ManagerClient.from_env(simulator.environment())._manager._fixed_encryptor is None

    async def authorize() -> None:
        async with manager:
            assert (await manager.authorize()).token
            assert (await manager.company.currencies()) is not None

    anyio.run(authorize)


def test_the_environment_section_of_the_docs_is_python() -> None:
    import ast
    import textwrap

    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    section = text.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert blocks
    for block in blocks:  # inside a coroutine, as the docs' `async with` lines assume
        ast.parse("async def example():\n" + textwrap.indent(block, "    "))
