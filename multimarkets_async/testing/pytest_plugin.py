"""pytest plugin (entry point ``pytest11: multimarkets``): a ``simulator`` fixture for async tests.

Installed with the package, so it is active in every test session; it only adds a fixture and a
marker and imports nothing optional up front, so sessions that never use it are unaffected. The
fixture runs through anyio's pytest plugin (mark tests ``@pytest.mark.anyio``) on asyncio::

    @pytest.mark.anyio
    @pytest.mark.simulator(open_api_rate_per_min=3)     # optional SimulatorConfig overrides
    async def test_bot(simulator):
        client = MultiMarkets(base_url=simulator.base_url, company_id=simulator.company_id,
                              api_key=simulator.api_key, secret_key=simulator.secret_key)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = ["pytest_configure", "simulator"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``simulator`` marker (pytest runs with ``--strict-markers`` in many projects)."""
    config.addinivalue_line(
        "markers", "simulator(**overrides): SimulatorConfig fields for the 'simulator' fixture of this test"
    )


@pytest.fixture
async def simulator(anyio_backend: object, request: pytest.FixtureRequest) -> AsyncIterator[Simulator]:
    """A running ``Simulator``, stopped after the test.

    Configure it with ``@pytest.mark.simulator(**SimulatorConfig fields)``. Needs the ``[sim]`` extra
    and the asyncio backend (uvicorn runs on asyncio).
    """
    backend = anyio_backend if isinstance(anyio_backend, str) else anyio_backend[0]  # type: ignore[index]
    if backend != "asyncio":
        pytest.skip(f"the multimarkets simulator runs on asyncio only, not {backend!r}")
    from ._simulator import Simulator  # the [sim] extra is needed only from here on

    marker = request.node.get_closest_marker("simulator")
    overrides = dict(marker.kwargs) if marker is not None else {}
    async with Simulator(**overrides) as sim:
        yield sim
