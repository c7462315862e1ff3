"""client.rpc: Client API calls over the header/body socket, against the simulator."""

from __future__ import annotations

import pytest

import multimarkets_async as mm
from multimarkets_async.testing import Simulator

pytestmark = pytest.mark.anyio

INFO = "customer.app.CustomerWebApiService.findCustomerInfo"


async def test_calls_over_the_socket_correlate_by_trace_and_raise_typed_errors() -> None:
    async with Simulator() as sim:
        async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id) as client:
            await client.login(login_name=sim.login_name, password=sim.password)
            async with client.rpc.connect() as rpc:
                info = await rpc.call(INFO, {})
                assert info["customerNo"] == sim.customer_no
                rows = await rpc.call(
                    "config.app.AppSymbolDubboService.getSymbolBaseList", {"customerGroupId": 1}
                )
                assert {row["symbolId"] for row in rows} >= {1001, 1002}
                sim.faults.fail_next("GATEWAY_CODE_019", biz_type="findCustomerInfo")
                with pytest.raises(mm.PermissionDeniedError):
                    await rpc.call(INFO, {})
                (session,) = sim.sockets.rpc
                frames = [f for f in session.received if isinstance(f, dict)]
                assert {f["header"]["bizType"] for f in frames} >= {"ping", INFO}
                request = next(f for f in frames if f["header"]["bizType"] == INFO)
                assert isinstance(request["header"]["companyId"], int)
                assert request["header"]["token"]
            await sim.sockets.wait_for(lambda: not sim.sockets.rpc)


async def test_rpc_reconnects_after_a_drop() -> None:
    policy = mm.ReconnectPolicy(initial_delay=0.01, max_delay=0.02)
    async with Simulator() as sim:
        async with mm.MultiMarkets(
            base_url=sim.base_url, company_id=sim.company_id, reconnect=policy
        ) as client:
            await client.login(login_name=sim.login_name, password=sim.password)
            async with client.rpc.connect() as rpc:
                await rpc.call(INFO, {})
                sim.socket_faults.drop_all("rpc")
                await sim.sockets.wait_for(lambda: len(sim.sockets.history) >= 2 and sim.sockets.rpc)
                assert (await rpc.call(INFO, {}))["customerNo"] == sim.customer_no
                assert rpc.connection.stats.reconnects == 1
