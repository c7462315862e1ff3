"""pytest plugin (entry point ``pytest11: multimarkets``): a ``simulator`` fixture.

Installed with the package, so it is active in every test session; it only adds a fixture and a
marker and imports nothing optional up front, so sessions that never use it are unaffected. The
fixture is synchronous: the simulator serves from a thread and event loop of its own
(``Simulator.serve_in_thread``), so the same fixture works under anyio's plugin
(``@pytest.mark.anyio``), pytest-asyncio (strict or auto mode, any loop scope) and in plain
synchronous tests::

    @pytest.mark.anyio                                  # or @pytest.mark.asyncio
    @pytest.mark.simulator(open_api_rate_per_min=3)     # optional SimulatorConfig overrides
    async def test_bot(simulator):
        async with MultiMarkets(base_url=simulator.base_url, company_id=simulator.company_id,
                                api_key=simulator.api_key, secret_key=simulator.secret_key) as client:
            ...
"""

from __future__ import annotations

from collections.abc import Iterator
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
def simulator(request: pytest.FixtureRequest) -> Iterator[Simulator]:
    """A running ``Simulator`` on its own thread and event loop, stopped after the test.

    Configure it with ``@pytest.mark.simulator(**SimulatorConfig fields)``. Needs the ``[sim]`` extra.
    Its controls (``tick``, ``faults``, ``socket_faults``, ``await sockets.wait_for(...)``) may be
    called from the test as usual.
    """
    from ._simulator import Simulator  # the [sim] extra is needed only from here on

    marker = request.node.get_closest_marker("simulator")
    overrides = dict(marker.kwargs) if marker is not None else {}
    with Simulator(**overrides).serve_in_thread() as sim:
        yield sim
