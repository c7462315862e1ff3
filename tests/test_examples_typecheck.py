"""The README's code and every example pass ``mypy --strict``: what users copy first type-checks.

One mypy run covers ``examples/`` and each Python block of README.md, written to its own module so
that every block stands alone (as a reader copies it).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
EXAMPLES = ROOT / "examples"

_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def readme_blocks(text: str) -> list[str]:
    """The Python code blocks of a Markdown text, in order."""
    return _PYTHON_BLOCK.findall(text)


def test_readme_blocks_are_found() -> None:
    text = "intro\n```python\nx = 1\n```\n```bash\nls\n```\n```python\ny = 2\n```\n"
    assert readme_blocks(text) == ["x = 1\n", "y = 2\n"]
    assert len(readme_blocks(README.read_text(encoding="utf-8"))) >= 2  # the bot and the test


def test_readme_and_examples_pass_mypy_strict(tmp_path: Path) -> None:
    blocks = tmp_path / "readme"
    blocks.mkdir()
    for number, code in enumerate(readme_blocks(README.read_text(encoding="utf-8")), start=1):
        (blocks / f"readme_block_{number}.py").write_text(code, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict",
            "--config-file", str(ROOT / "pyproject.toml"),
            "--cache-dir", str(tmp_path / "mypy_cache"),
            str(EXAMPLES), str(blocks),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
