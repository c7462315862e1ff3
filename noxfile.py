"""Developer checks, one nox session each: ``nox -s tests lint typecheck demo examples benchmarks soak``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "demo"]
nox.options.reuse_existing_virtualenvs = True

PYTHONS = ["3.11", "3.12", "3.13"]

# A fenced Python block of a Markdown page (tests/test_examples_typecheck.py reads README.md the same way).
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


@nox.session(python=PYTHONS[0])
def tests(session: nox.Session) -> None:
    """The whole test suite (unit tests and integration tests against the simulator)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHONS[0])
def lint(session: nox.Session) -> None:
    """ruff (lint + format check) and the import-linter layering contracts of STYLE.md."""
    session.install("-e", ".[dev]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")


@nox.session(python=PYTHONS[0])
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, then over the examples and the README's Python blocks.

    Each README block becomes a module of its own, so each must stand alone, as a reader copies it.
    """
    session.install("-e", ".[dev]")
    session.run("mypy")
    blocks = Path(session.create_tmp()) / "readme"
    shutil.rmtree(blocks, ignore_errors=True)
    blocks.mkdir(parents=True)
    readme = Path("README.md").read_text(encoding="utf-8")
    for number, code in enumerate(_PYTHON_BLOCK.findall(readme), start=1):
        (blocks / f"readme_block_{number}.py").write_text(code, encoding="utf-8")
    session.run("mypy", "--strict", "examples", str(blocks))


@nox.session(python=PYTHONS[0])
def demo(session: nox.Session) -> None:
    """The README's main job: the demo against the embedded simulator."""
    session.install("-e", ".[sim]")
    session.run("multimarkets", "demo")


@nox.session(python=PYTHONS[0])
def examples(session: nox.Session) -> None:
    """Run every example against the embedded simulator (the scripts, and the FastAPI app's tests)."""
    session.install("-e", ".[test]")
    session.run(
        "python",
        "-m",
        "pytest",
        "tests/test_examples.py",
        "tests/test_fastapi_example.py",
        "tests/test_backoffice_example.py",
        *session.posargs,
    )


@nox.session(python=PYTHONS[0])
def benchmarks(session: nox.Session) -> None:
    """Performance against a raw baseline measured in the same run (on demand; prints ratios).

    ``nox -s benchmarks -- --quick``: the arguments go to ``http_overhead.py``; ``scale.py`` (1,000
    products at 5,000 ticks/s, idle RSS) only takes ``--quick`` from them.
    """
    session.install("-e", ".[sim]")
    session.run("python", "benchmarks/http_overhead.py", *session.posargs)
    session.run("python", "benchmarks/scale.py", *[arg for arg in session.posargs if arg == "--quick"])


@nox.session(python=PYTHONS[0])
def soak(session: nox.Session) -> None:
    """Tickers, messages and data push with churn and socket drops for a while (on demand, not in CI).

    ``nox -s soak -- --minutes 10``: prints RSS, task count and errors at the start and the end.
    """
    session.install("-e", ".[sim]")
    session.run("python", "benchmarks/soak.py", *session.posargs)


@nox.session(python=PYTHONS[0])
def docs(session: nox.Session) -> None:
    """The documentation site (guides + API reference from docstrings); any warning fails the build."""
    session.install("-e", ".[sim,fast,docs]")
    # Material prints an end-of-life banner on every build; it is not a build warning.
    session.env["NO_MKDOCS_2_WARNING"] = "1"
    session.run("mkdocs", "build", "--strict", *session.posargs)
