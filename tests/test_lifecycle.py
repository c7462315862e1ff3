"""The client owns its background tasks: closing works from any task, in any order, and undoes
entering completely; a crash in a background task never reaches the user's task."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from typing import Any

import anyio
import anyio.lowlevel
import pytest

import multimarkets_async as mm
from multimarkets_async._ws import SocketConnection, WebsocketsBackend
from multimarkets_async.testing import Simulator
from tests._support import EURUSD, next_item, sim_bridge, sim_client, sim_manager

pytestmark = pytest.mark.anyio


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator().serve_in_thread() as simulator:
        yield simulator


def other_tasks() -> set[asyncio.Task[Any]]:
    """Tasks of this loop besides the test's own (the simulator serves from another loop)."""
    current = asyncio.current_task()
    return {task for task in asyncio.all_tasks() if task is not current and not task.done()}


async def streaming(client: mm.MultiMarkets, sim: Simulator) -> mm.Subscription[Any]:
    """Enter a ticker subscription and wait until it delivered a tick."""
    ticks = client.quotes.tickers([EURUSD])
    await ticks.__aenter__()
    await next_item(ticks, sim)
    return ticks


async def still_alive() -> None:
    """The calling task is not cancelled: several awaits in a row complete."""
    for _ in range(3):
        await anyio.lowlevel.checkpoint()
    await asyncio.sleep(0.01)


async def test_closing_through_wait_for_in_another_task_closes_everything(sim: Simulator) -> None:
    before = other_tasks()
    client = sim_client(sim)
    await client.__aenter__()
    await streaming(client, sim)
    assert len(sim.sockets.live("quote")) == 1

    # On 3.11 wait_for runs the coroutine in a task of its own.
    await asyncio.wait_for(asyncio.ensure_future(client.__aexit__(None, None, None)), 5)

    assert client.closed
    await still_alive()
    await sim.sockets.wait_for(lambda: not sim.sockets.live("quote"))
    assert other_tasks() <= before
    with pytest.raises(RuntimeError, match="closed"):
        await client.quotes.tickers([EURUSD]).__aenter__()


async def test_enter_then_aclose_in_the_same_task_ends_every_task(sim: Simulator) -> None:
    before = other_tasks()
    client = sim_client(sim)
    await client.__aenter__()
    await streaming(client, sim)
    assert other_tasks() - before  # the host, a reader, a heartbeat ...

    await client.aclose()

    assert other_tasks() <= before
    await sim.sockets.wait_for(lambda: not sim.sockets.live("quote"))
    with anyio.move_on_after(0.01):  # an outer cancel scope still exits cleanly
        await anyio.sleep(1)
    await still_alive()


async def test_clients_closed_in_the_order_they_were_opened(sim: Simulator) -> None:
    first, second = sim_client(sim), sim_client(sim)
    await first.__aenter__()
    await second.__aenter__()
    await streaming(first, sim)
    ticks = await streaming(second, sim)

    await first.aclose()
    # The second client is unaffected by the first one's closing.
    with anyio.fail_after(5):
        while ticks.get_nowait() is None:
            sim.tick()
            await anyio.sleep(0.01)
    await second.aclose()

    assert first.closed
    assert second.closed
    await still_alive()


async def test_a_subscription_iterating_while_its_client_closes_ends(sim: Simulator) -> None:
    client = sim_client(sim)
    await client.__aenter__()
    received: list[Any] = []
    ended = anyio.Event()

    async def consume() -> None:
        async with client.quotes.tickers([EURUSD]) as ticks:
            async for tick in ticks:
                received.append(tick)
        ended.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(consume)
        with anyio.fail_after(5):
            while not received:
                sim.tick()
                await anyio.sleep(0.01)
        await client.aclose()
        with anyio.fail_after(5):
            await ended.wait()


class _CrashingConnection:
    """A socket whose second read raises an error the SDK does not expect (a bug, say)."""

    def __init__(self, inner: SocketConnection) -> None:
        self._inner = inner
        self._reads = 0

    async def send(self, text: str) -> None:
        await self._inner.send(text)

    async def recv(self) -> str | bytes:
        self._reads += 1
        if self._reads == 2:
            raise ZeroDivisionError("a bug in a background task")
        return await self._inner.recv()

    async def close(self) -> None:
        await self._inner.close()


class _CrashingBackend:
    def __init__(self) -> None:
        self._inner = WebsocketsBackend()

    async def connect(self, url: str, *, headers: Mapping[str, str], open_timeout: float) -> SocketConnection:
        conn = await self._inner.connect(url, headers=headers, open_timeout=open_timeout)
        return _CrashingConnection(conn)


async def test_a_crash_in_a_background_task_ends_its_subscriptions_not_the_caller(sim: Simulator) -> None:
    async with sim_client(sim, socket_backend=_CrashingBackend()) as client:
        async with client.quotes.tickers([EURUSD]) as ticks:

            async def read_until_it_fails() -> None:
                while True:
                    sim.tick()
                    await ticks.__anext__()

            with anyio.fail_after(5), pytest.raises(mm.StreamError, match="quote#1") as caught:
                await read_until_it_fails()
        assert isinstance(caught.value.__cause__, ZeroDivisionError)  # one SDK error, no ExceptionGroup
        await still_alive()
        # The client is still usable.
        assert await client.server_time() > 0


async def test_a_client_used_from_another_event_loop_names_the_rule(sim: Simulator) -> None:
    async with sim_client(sim) as client:

        async def from_another_loop() -> None:
            async with client.quotes.tickers([EURUSD]):
                pass

        with pytest.raises(RuntimeError, match="belongs to the event loop it was entered on"):
            await anyio.to_thread.run_sync(asyncio.run, from_another_loop())


async def test_http_calls_from_another_event_loop_name_the_rule(sim: Simulator) -> None:
    entered = sim_client(sim)
    never_entered = sim_client(sim)
    async with entered:
        assert await never_entered.server_time() > 0  # binds it to this loop, where its pool lives
        for client in (entered, never_entered):
            with pytest.raises(RuntimeError, match="belongs to the event loop"):
                await anyio.to_thread.run_sync(asyncio.run, client.server_time())
    await never_entered.aclose()


async def test_manager_and_bridge_clients_close_from_another_task(sim: Simulator) -> None:
    before = other_tasks()
    manager = sim_manager(sim)
    bridge = sim_bridge(sim)
    await manager.__aenter__()
    await bridge.__aenter__()
    events = manager.data_push.events(group="lifecycle")
    await events.__aenter__()
    await sim.sockets.wait_for(lambda: sim.sockets.live("datapush"))

    await asyncio.wait_for(asyncio.ensure_future(manager.aclose()), 5)
    await asyncio.wait_for(asyncio.ensure_future(bridge.__aexit__(None, None, None)), 5)

    assert manager.closed
    assert bridge.closed
    await sim.sockets.wait_for(lambda: not sim.sockets.live("datapush"))
    assert other_tasks() <= before
    with anyio.fail_after(5):
        assert [event async for event in events] == []
    await still_alive()


async def test_the_simulator_closes_from_another_task_and_out_of_order() -> None:
    before = other_tasks()
    simulator = Simulator()
    await simulator.__aenter__()
    client = sim_client(simulator)
    await client.__aenter__()
    await streaming(client, simulator)

    # The simulator first, then its client (not LIFO), each from a task of its own.
    await asyncio.wait_for(asyncio.ensure_future(simulator.aclose()), 10)
    await asyncio.wait_for(asyncio.ensure_future(client.aclose()), 10)

    assert client.closed
    assert other_tasks() <= before
    await still_alive()


async def test_controls_of_a_threaded_simulator_run_on_its_loop(sim: Simulator) -> None:
    async with sim_client(sim) as client:
        ticks = await streaming(client, sim)
        while ticks.get_nowait() is not None:  # nothing old left in the buffer
            pass
        assert sim.socket_faults.drop_all("quote") == 1  # runs on the simulator's loop, returns its value
        await sim.sockets.wait_for(lambda: len(sim.sockets.history) >= 2 and sim.sockets.live("quote"))
        with anyio.fail_after(5):  # resubscribed on the new connection
            while ticks.get_nowait() is None:
                sim.tick()
                await anyio.sleep(0.01)
        silence = sim.socket_faults.go_silent("quote")
        silence.resume()
        await ticks.__aexit__(None, None, None)
