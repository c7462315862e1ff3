"""The relay lease on a real nats-server: one holder at a time, renewal, release and expiry hand it over."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import anyio
import pytest

import multimarkets_async as mm
from multimarkets_async.relay._nats import Lease, NatsLink
from multimarkets_async.relay._settings import LeaseSettings
from multimarkets_async.relay._subjects import RelayNames
from multimarkets_async.testing import NatsServer

pytestmark = pytest.mark.anyio

TTL = LeaseSettings(ttl_s=0.6)


@pytest.fixture
def names(relay_prefix: str) -> RelayNames:
    return RelayNames(439, relay_prefix)


@pytest.fixture
async def link(nats_server: NatsServer) -> AsyncIterator[NatsLink]:
    async with await NatsLink.open(nats_server.url) as opened:
        yield opened


async def acquired_within(lease: Lease, timeout: float) -> float:
    """Seconds until ``lease.try_acquire()`` succeeded (polling a real condition, with a deadline)."""
    began = time.monotonic()
    while not await lease.try_acquire():
        assert time.monotonic() - began < timeout, "the lease was never free"
        await anyio.sleep(0.02)
    return time.monotonic() - began


async def test_one_owner_at_a_time_with_renewal(link: NatsLink, names: RelayNames) -> None:
    one = await Lease.open(link, names, owner="relay-1", settings=LeaseSettings(ttl_s=30))
    two = await Lease.open(link, names, owner="relay-2", settings=LeaseSettings(ttl_s=30))
    assert await one.holder() is None
    assert await one.try_acquire() is True
    assert one.held
    assert await two.try_acquire() is False
    assert not two.held
    assert await one.holder() == "relay-1"
    assert await one.renew() is True
    assert await one.try_acquire() is True  # already ours: a renewal
    assert await two.renew() is False  # never held
    assert "relay-1" in repr(one)


async def test_release_hands_the_lease_over_at_once(link: NatsLink, names: RelayNames) -> None:
    one = await Lease.open(link, names, owner="relay-1", settings=LeaseSettings(ttl_s=30))
    two = await Lease.open(link, names, owner="relay-2", settings=LeaseSettings(ttl_s=30))
    assert await one.try_acquire()
    await one.release()
    assert not one.held
    assert await one.holder() is None
    assert await two.try_acquire() is True
    assert await two.holder() == "relay-2"
    await one.release()  # not ours: nothing happens


async def test_an_expired_lease_goes_to_the_other_relay_and_the_old_holder_learns_it(
    link: NatsLink, names: RelayNames
) -> None:
    one = await Lease.open(link, names, owner="relay-1", settings=TTL)
    two = await Lease.open(link, names, owner="relay-2", settings=TTL)
    assert await one.try_acquire()
    waited = await acquired_within(two, timeout=10)
    assert waited < 5
    assert await two.holder() == "relay-2"
    assert await one.renew() is False  # lost: someone else took it
    assert not one.held
    await one.release()  # lost: no error
    assert await two.holder() == "relay-2"


async def test_an_expired_lease_nobody_took_is_renewed(link: NatsLink, names: RelayNames) -> None:
    one = await Lease.open(link, names, owner="relay-1", settings=TTL)
    assert await one.try_acquire()
    deadline = time.monotonic() + 10
    while await one.holder() is not None:  # wait for JetStream to expire it
        assert time.monotonic() < deadline
        await anyio.sleep(0.02)
    assert await one.renew() is True
    assert await one.holder() == "relay-1"


async def test_two_relays_under_one_name_are_still_two_holders(link: NatsLink, names: RelayNames) -> None:
    # One deployment spec, two replicas: the same --name must not make them share (and flip) the lease.
    first = await Lease.open(link, names, owner="relay-1", settings=LeaseSettings(ttl_s=30))
    second = await Lease.open(link, names, owner="relay-1", settings=LeaseSettings(ttl_s=30))
    assert await first.try_acquire()
    assert await second.try_acquire() is False
    assert await first.renew() is True
    assert await second.holder() == "relay-1"
    await first.release()
    assert await second.try_acquire() is True
    assert await first.renew() is False


async def test_reopening_with_another_ttl_updates_the_bucket(link: NatsLink, names: RelayNames) -> None:
    await Lease.open(link, names, owner="relay-1", settings=LeaseSettings(ttl_s=30))
    await Lease.open(link, names, owner="relay-1", settings=LeaseSettings(ttl_s=12))
    info = await link.js.stream_info(f"KV_{names.lease_bucket}")
    assert info.config.max_age == 12


async def test_an_empty_owner_is_refused(link: NatsLink, names: RelayNames) -> None:
    with pytest.raises(mm.InvalidArgumentError):
        await Lease.open(link, names, owner=" ", settings=TTL)


async def test_a_closed_link_is_a_transport_error(nats_server: NatsServer, names: RelayNames) -> None:
    link = await NatsLink.open(nats_server.url)
    lease = await Lease.open(link, names, owner="relay-1", settings=TTL)
    assert await lease.try_acquire()
    await link.aclose()
    with pytest.raises(mm.TransportError):
        await lease.renew()
    await lease.release()  # logs, never raises


async def test_a_renewal_whose_answer_was_lost_is_still_ours(link: NatsLink, names: RelayNames) -> None:
    # The server stored a renewal but its answer never came back: the lease's known revision is stale.
    lease = await Lease.open(link, names, owner="relay-1", settings=LeaseSettings(ttl_s=30))
    other = await Lease.open(link, names, owner="relay-2", settings=LeaseSettings(ttl_s=30))
    assert await lease.try_acquire()
    stale = lease._revision
    assert await lease.renew()
    lease._revision = stale  # as if the second renewal's answer had been lost
    assert await lease.renew() is True
    assert await other.try_acquire() is False
    assert await lease.holder() == "relay-1"


async def test_a_lease_whose_create_answer_was_lost_is_taken_up_again(
    link: NatsLink, names: RelayNames
) -> None:
    # The create reached the server but its answer did not come back (NATS was reconnecting): the key
    # holds this Lease's own value while the Lease believes it holds nothing.
    lease = await Lease.open(link, names, owner="relay-1", settings=LeaseSettings(ttl_s=30))
    other = await Lease.open(link, names, owner="relay-1", settings=LeaseSettings(ttl_s=30))
    assert await lease.try_acquire()
    lease._revision = None
    assert await other.try_acquire() is False  # the same name, another Lease: not its lease
    assert await lease.try_acquire() is True
    assert await lease.renew() is True
