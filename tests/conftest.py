"""Shared pytest configuration: run async tests on asyncio through anyio's plugin; fixtures that
several test modules use (plain helpers live in ``tests/_support.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from multimarkets_async.testing import Simulator


@pytest.fixture
def anyio_backend() -> str:
    """The SDK targets asyncio (websockets is asyncio-only)."""
    return "asyncio"


@pytest.fixture
async def http(simulator: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    """Raw httpx against the plugin's ``simulator``: for tests of the wire a correct SDK must speak."""
    async with httpx.AsyncClient(base_url=simulator.base_url, timeout=10) as client:
        yield client
