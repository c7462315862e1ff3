"""``multimarkets demo``: a walk through the SDK against a simulator started in this process.

A guest reads the catalogue, a customer logs in, a bot trades over the Open API (with a lost answer
retried once and executed once), positions and pending orders are listed and closed, tickers stream
through a dropped connection, and an order's fill arrives as a push. It ends with what to try next.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import multimarkets_async as mm

if TYPE_CHECKING:
    from multimarkets_async.testing import Simulator

__all__ = ["demo"]

_SYMBOL = "EURUSD"
_TRADE_TYPE = 2  # isolated-margin contracts
_VOLUME = "0.10"  # lots
_LIMIT_PRICE = "1.00000"  # far below the market: the limit order waits until it is cancelled

_NEXT_STEPS = (
    ("python examples/trading_bot.py", "a moving-average bot: signal, market order, fill push, close"),
    ("python examples/raw_call.py", "client.call(): any operation by its bizType, as plain JSON"),
    ("multimarkets sim", "serve this simulator and point your own bot at the credentials it prints"),
    ("docs/cli.md", "the command line: live tickers and books, account, positions, K-line exports"),
    ("docs/trading.md", "orders, positions and accounts through the typed API"),
    ("docs/streams.md", "tickers, order books, K-lines and account pushes as async iterators"),
    ("docs/simulator.md", "the simulator's fault controls, for your own tests"),
)


def _print(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


async def demo() -> None:
    """Walk through the SDK against a simulator started in this process."""
    from multimarkets_async.testing import Simulator

    # Prices move every 50 ms, so the streams below have something to show.
    async with Simulator(tick_interval_s=0.05) as sim:
        _print(f"Simulator listening on {sim.base_url} (company {sim.company_id})")
        await _demo_guest(sim)
        await _demo_login(sim)
        async with mm.MultiMarkets(
            base_url=sim.base_url, company_id=sim.company_id, api_key=sim.api_key, secret_key=sim.secret_key
        ) as bot:
            await _demo_orders(sim, bot)
            await _demo_positions(bot)
            await _demo_tickers(sim, bot)
            await _demo_pushes(bot)
    _print()
    _print("Done: the simulator stopped and every connection closed.")
    _print()
    _print("Try next:")
    width = max(len(what) for what, _ in _NEXT_STEPS)
    for what, why in _NEXT_STEPS:
        _print(f"   {what:<{width}}  {why}")


async def _demo_guest(sim: Simulator) -> None:
    _print()
    _print("1. A guest reads the product list and the server clock")
    async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id) as guest:
        offset = await guest.sync_clock()
        _print(f"   server clock offset: {offset} ms")
        for row in (await guest.symbols.list())[:4]:
            name = row.symbol_code or str(row.symbol_id)
            _print(f"   {name:<10} tradeType {row.trade_type}, {row.symbol_digits} price decimals")


async def _demo_login(sim: Simulator) -> None:
    _print()
    _print("2. A customer logs in with a password (sent as its MD5 hash)")
    async with mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id) as client:
        profile = await client.login(login_name=sim.login_name, password=sim.password)
        _print(f"   {profile.customer_no}: {len(profile.account_list)} accounts; repr hides the token:")
        _print(f"   {client!r}")
        await client.logout()


async def _demo_orders(sim: Simulator, bot: mm.MultiMarkets) -> None:
    _print()
    _print("3. A bot trades over the Open API (every request signed with SHA1withRSA)")
    account = await bot.account.get(trade_type=_TRADE_TYPE)
    _print(f"   balance before: {account.balance} {account.currency}")
    filled = await bot.orders.market(_SYMBOL, side=mm.Side.BUY, volume=_VOLUME, trade_type=_TRADE_TYPE)
    _print(
        f"   bought {filled.trade_volume} {filled.symbol_name} at {filled.execute_price}: "
        f"order {filled.order_id}, position {filled.position_id}"
    )
    _print("   the simulator now drops the answer to the next order after executing it...")
    sim.faults.drop_next(after_processing=True, biz_type="addMarketOrder")
    again = await bot.orders.market(_SYMBOL, side=mm.Side.BUY, volume=_VOLUME, trade_type=_TRADE_TYPE)
    opened = await bot.positions.list(trade_type=_TRADE_TYPE)
    _print(
        f"   ...the SDK retried with the same idempotency-key and got order {again.order_id} back, "
        f"executed once ({opened.total} positions open, not 3)"
    )
    _print("   a price with more decimals than the product has is refused before sending:")
    try:
        await bot.orders.market(
            _SYMBOL, side=mm.Side.BUY, volume=_VOLUME, trade_type=_TRADE_TYPE, price="1.0850001"
        )
    except mm.InvalidArgumentError as exc:
        _print(f"   {type(exc).__name__}: {exc}")


async def _demo_positions(bot: mm.MultiMarkets) -> None:
    _print()
    _print("4. Positions and pending orders are typed objects, prices as Decimal")
    page = await bot.positions.list(trade_type=_TRADE_TYPE)
    for position in page.records:
        _print(
            f"   position {position.position_id}: {position.symbol_name} "
            f"{mm.Side(position.direction).name} {position.volume} lots at {position.open_price}"
        )
    for position in page.records:
        closed = await bot.orders.close(position)
        _print(
            f"   closed {position.symbol_name} position {position.position_id} at {closed.execute_price}, "
            f"profit {closed.profit}"
        )
    left = await bot.positions.list(trade_type=_TRADE_TYPE)
    _print(f"   {left.total} positions open")
    placed = await bot.orders.limit(
        _SYMBOL, side="buy", volume=_VOLUME, price=_LIMIT_PRICE, trade_type=_TRADE_TYPE
    )
    _print(f"   limit order {placed.pending_id}: buy {_VOLUME} {_SYMBOL} at {_LIMIT_PRICE} or better")
    for pending in await bot.orders.pending(trade_type=_TRADE_TYPE):
        _print(f"   pending: {pending.symbol_name} {mm.Side(pending.direction).name} at {pending.open_price}")
    await bot.orders.cancel(placed)
    _print(f"   cancelled; {len(await bot.orders.pending(trade_type=_TRADE_TYPE))} pending orders left")


async def _demo_tickers(sim: Simulator, bot: mm.MultiMarkets) -> None:
    _print()
    _print("5. Tickers stream as an async iterator, through a dropped connection")
    shown = 0
    async with bot.quotes.tickers(
        [_SYMBOL, "XAUUSD"], trade_type=_TRADE_TYPE, connection_events=True
    ) as ticks:
        async for item in ticks:
            if isinstance(item, mm.ConnectionEvent):
                _print(f"   -- {item.connection} {item.kind.value} --")
                continue
            shown += 1
            _print(f"   {item.symbol or item.symbol_id!s:<8} bid {item.bid} ask {item.ask}")
            if shown == 3:
                _print("   the simulator now drops every quote connection...")
                sim.socket_faults.drop_all("quote")
            if shown == 6:
                break
        stats = bot.quotes.connections[0].stats
        _print(f"   {stats.reconnects} reconnect; {ticks.stats.replaced} stale ticks replaced by newer ones")


async def _demo_pushes(bot: mm.MultiMarkets) -> None:
    _print()
    _print("6. An order's fill arrives as a typed push on the message socket")
    async with bot.messages.subscribe(trade_types=[_TRADE_TYPE]) as events:
        sold = await bot.orders.market(_SYMBOL, side=mm.Side.SELL, volume=_VOLUME, trade_type=_TRADE_TYPE)
        _print(f"   sold {sold.trade_volume} {sold.symbol_name}: order {sold.order_id}")
        async for event in events:
            if isinstance(event, mm.TradeEvent) and event.order_id == sold.order_id:
                _print(
                    f"   push: {event.biz_type} {event.symbol_name} order {event.order_id}, "
                    f"{event.deal_amount} lots at {event.deal_price}"
                )
            elif isinstance(event, mm.NoticeEvent):
                _print(f"   push: notice, refresh {mm.NoticeUpdateType(event.update_type or 0).name.lower()}")
                if event.update_type == mm.NoticeUpdateType.FUNDS:
                    break
