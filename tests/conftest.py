"""Shared pytest configuration: run async tests on asyncio through anyio's plugin."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """The SDK targets asyncio (websockets is asyncio-only)."""
    return "asyncio"
