"""Subscription buffers, overflow policies and the merged-subscription registry."""

from __future__ import annotations

from collections.abc import Hashable

import anyio
import anyio.lowlevel
import pytest

from multimarkets_async._streams.subscription import OverflowPolicy, Subscription, SubscriptionRegistry
from multimarkets_async.errors import SlowConsumerError

pytestmark = pytest.mark.anyio


async def _noop(subscription: Subscription[object]) -> None:
    return None


def make(policy: OverflowPolicy = OverflowPolicy.KEEP_LATEST, maxsize: int = 10) -> Subscription[object]:
    def key(item: object) -> Hashable | None:
        return item[0] if isinstance(item, tuple) and item[0] != "trade" else None

    return Subscription(name="test", policy=policy, maxsize=maxsize, key=key, on_enter=_noop, on_exit=_noop)


async def drain(subscription: Subscription[object]) -> list[object]:
    items = []
    while (item := subscription.get_nowait()) is not None:
        items.append(item)
    return items


async def test_keep_latest_replaces_per_key_and_counts() -> None:
    sub = make()
    async with sub:
        sub.push(("EURUSD", 1))
        sub.push(("XAUUSD", 1))
        sub.push(("EURUSD", 2))
        sub.push(("EURUSD", 3))
        assert await drain(sub) == [("EURUSD", 3), ("XAUUSD", 1)]
    assert (sub.stats.received, sub.stats.replaced, sub.stats.delivered) == (4, 2, 2)


async def test_keep_every_event_queues_each_tick_and_drops_only_beyond_maxsize() -> None:
    sub = make(maxsize=4).keep_every_event()
    async with sub:
        for n in range(5):
            sub.push(("EURUSD", n))
        assert await drain(sub) == [("EURUSD", 1), ("EURUSD", 2), ("EURUSD", 3), ("EURUSD", 4)]
        with pytest.raises(RuntimeError, match="before entering"):
            sub.keep_every_event()
    assert (sub.stats.replaced, sub.stats.dropped) == (0, 1)


async def test_uncoalesced_events_queue_and_the_oldest_is_dropped_when_full() -> None:
    sub = make(maxsize=3)
    async with sub:
        for n in range(5):
            sub.push(("trade", n))
        assert await drain(sub) == [("trade", 2), ("trade", 3), ("trade", 4)]
    assert sub.stats.dropped == 2


async def test_never_drop_policy_fails_loudly_after_delivering_what_it_holds() -> None:
    sub = make(OverflowPolicy.FAIL, maxsize=2)
    async with sub:
        for n in range(4):
            sub.push(("private", n))
        received = [await sub.__anext__(), await sub.__anext__()]
        with pytest.raises(SlowConsumerError, match="fell 2 messages behind"):
            await sub.__anext__()
    assert received == [("private", 0), ("private", 1)]
    assert sub.stats.dropped == 0


async def test_iteration_waits_for_pushes_and_ends_on_close() -> None:
    sub = make()
    got: list[object] = []

    async def consume() -> None:
        async for item in sub:
            got.append(item)

    async with sub, anyio.create_task_group() as tg:
        tg.start_soon(consume)
        await anyio.wait_all_tasks_blocked()
        sub.push(("A", 1))
        await anyio.wait_all_tasks_blocked()
        assert got == [("A", 1)]
        sub.push(("B", 1))
        sub.close()
    assert got == [("A", 1), ("B", 1)]


async def test_failure_is_raised_from_the_iterator_as_a_typed_error() -> None:
    sub = make()
    async with sub:
        sub.fail(SlowConsumerError("boom"))
        sub.push(("ignored", 1))
        with pytest.raises(SlowConsumerError):
            await sub.__anext__()


async def test_misuse_raises_runtime_error() -> None:
    sub = make()
    with pytest.raises(RuntimeError, match="async with"):
        sub.__aiter__()
    async with sub:
        pass
    with pytest.raises(RuntimeError, match="already entered"):
        async with sub:
            pass


async def test_enter_and_exit_hooks_run_and_exit_is_shielded() -> None:
    calls: list[str] = []

    async def enter(s: Subscription[object]) -> None:
        calls.append("enter")

    async def leave(s: Subscription[object]) -> None:
        await anyio.lowlevel.checkpoint()
        calls.append("exit")

    sub: Subscription[object] = Subscription(
        name="t", policy=OverflowPolicy.FAIL, maxsize=1, key=lambda _: None, on_enter=enter, on_exit=leave
    )
    with anyio.CancelScope() as scope:
        async with sub:
            scope.cancel()
            await anyio.sleep(1)
    assert calls == ["enter", "exit"]
    assert sub.closed


def test_registry_merges_in_first_asked_order_and_reports_changes() -> None:
    registry: SubscriptionRegistry[str] = SubscriptionRegistry()
    a, b = make(), make()
    assert registry.add("ticker", a, ["EURUSD", "XAUUSD"]) is True
    assert registry.add("ticker", b, ["XAUUSD"]) is False  # nothing new on the wire
    assert registry.merged("ticker") == ["EURUSD", "XAUUSD"]
    assert registry.subscribers("ticker", "XAUUSD") == [a, b]
    assert registry.remove(b) == []  # XAUUSD is still wanted by a
    assert registry.remove(a) == ["ticker"]
    assert registry.merged("ticker") == []
    assert registry.subscribers("ticker", "EURUSD") == []


def test_registry_channels_are_independent() -> None:
    registry: SubscriptionRegistry[int] = SubscriptionRegistry()
    a = make()
    registry.add("ticker", a, [1])
    registry.add("market", a, [2])
    assert registry.count("ticker") == 1
    assert sorted(registry.remove(a)) == ["market", "ticker"]
    assert registry.all_subscriptions() == []
