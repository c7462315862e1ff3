"""Shared pytest configuration: run async tests on asyncio through anyio's plugin; fixtures that
several test modules use (plain helpers live in ``tests/_support.py``)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from multimarkets_async.testing import NatsServer, Simulator


@pytest.fixture
def anyio_backend() -> str:
    """The SDK targets asyncio (websockets is asyncio-only)."""
    return "asyncio"


@pytest.fixture
async def http(simulator: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    """Raw httpx against the plugin's ``simulator``: for tests of the wire a correct SDK must speak."""
    async with httpx.AsyncClient(base_url=simulator.base_url, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
def nats_server() -> Iterator[NatsServer]:
    """A real nats-server with JetStream for the whole session (tests keep apart by ``relay_prefix``)."""
    with NatsServer() as server:
        yield server


@pytest.fixture
def relay_prefix(request: pytest.FixtureRequest) -> Iterator[str]:
    """A subject prefix of this test's own, so tests share one NATS server without sharing streams;
    the streams and buckets made under it are deleted afterwards (when the test used the server)."""
    prefix = "t" + uuid.uuid4().hex[:10]
    yield prefix
    if "nats_server" in request.fixturenames:
        server: NatsServer = request.getfixturevalue("nats_server")
        if server.running:
            _delete_streams(server.url, prefix.upper())


def _delete_streams(url: str, stream_prefix: str) -> None:
    import asyncio
    import contextlib

    import nats

    async def delete() -> None:
        nc = await nats.connect(url, allow_reconnect=False, connect_timeout=2)
        try:
            js = nc.jetstream()
            for info in await js.streams_info():
                name = info.config.name or ""
                if name.startswith((stream_prefix, f"KV_{stream_prefix}")):
                    with contextlib.suppress(Exception):
                        await js.delete_stream(name)
        finally:
            await nc.close()

    def run() -> None:
        with contextlib.suppress(Exception):  # a test that stopped the server leaves nothing to clean
            asyncio.run(delete())

    # A thread of its own: the test's event loop may still be running in this one.
    import threading

    cleaner = threading.Thread(target=run)
    cleaner.start()
    cleaner.join()
