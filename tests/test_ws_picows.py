"""The optional picows backend behaves like the default one: streams, reconnects, typed errors."""

from __future__ import annotations

import anyio
import pytest

import multimarkets_async as mm
from multimarkets_async.testing import Simulator
from tests._support import EURUSD, sim_client

pytest.importorskip("picows")
pytestmark = pytest.mark.anyio


def client(sim: Simulator, **kwargs: object) -> mm.MultiMarkets:
    return sim_client(sim, socket_backend=mm.PicowsBackend(), **kwargs)


async def test_tickers_stream_through_a_dropped_connection() -> None:
    async with Simulator(tick_interval_s=0.01) as sim, client(sim) as mmc:
        async with mmc.quotes.tickers([EURUSD], connection_events=True) as ticks:
            kinds = []
            with anyio.fail_after(10):
                async for item in ticks:
                    if isinstance(item, mm.ConnectionEvent):
                        kinds.append(item.kind)
                        continue
                    if not kinds:
                        sim.socket_faults.drop_all("quote")
                    elif kinds[-1] is mm.ConnectionEventKind.RECONNECTED:
                        break
            assert kinds == [mm.ConnectionEventKind.DISCONNECTED, mm.ConnectionEventKind.RECONNECTED]


async def test_compressed_kline_replies_and_private_pushes() -> None:
    async with Simulator() as sim, client(sim) as mmc:
        assert len(await mmc.quotes.klines(EURUSD, count=7)) == 7
        async with mmc.messages.subscribe(trade_types=[2]):
            await sim.sockets.wait_for(lambda: sim.sockets.messages and sim.sockets.messages[0].trade_types)


async def test_a_refused_upgrade_is_a_typed_handshake_error() -> None:
    async with Simulator() as sim, client(sim) as mmc:
        sim.socket_faults.refuse_handshakes(1, kind="quote", status=403)
        with pytest.raises(mm.HandshakeError) as info:
            async with mmc.quotes.tickers([EURUSD]):
                pass
        assert info.value.status_code == 403
