"""The simulator's in-memory exchange: trading on the books of ``AccountBook``.

Pure state plus operations. Nothing here reads a clock or a global random source: callers pass the
server time (``now_ms``) and a seeded ``random.Random``. Wire formats live elsewhere (``_http.views`` and
the handler modules); this module speaks Decimals, scaled integers and dataclasses. Business rule
violations raise ``TradingError`` carrying the ``E0000nn`` number; the caller adds the bizCode
of the tradeType (``CFD`` for tradeType 1, ``CFDWBW`` otherwise). The books and look-ups are in
``account_book``, pending orders in ``SimExchange.pending`` (``pending``), the fund flow in
``ledger``, the rules in ``rules``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from .account_book import AccountBook
from .ledger import Kind
from .market import Quote, SimSymbol
from .pending import PendingOrders
from .records import (
    BUY,
    CLOSE_PENDING_TYPES,
    SELL,
    MarketOrder,
    SimAccount,
    SimOrder,
    SimPendingOrder,
    SimPosition,
    TradingError,
)
from .rules import check_stops, check_volume, pnl

__all__ = ["SimExchange"]

_PNL_KIND: dict[int, Kind] = {3: "stop_loss_pnl", 4: "take_profit_pnl"}


class SimExchange(AccountBook):
    """The seeded exchange: the books of ``AccountBook`` plus trading on them.

    Takes the arguments of ``AccountBook``; adds the order and pending-order listeners and the book of
    pending orders.
    """

    def __init__(
        self, *, company_id: int, login_name: str, password_md5: str, initial_balance: str, now_ms: int
    ) -> None:
        super().__init__(
            company_id=company_id,
            login_name=login_name,
            password_md5=password_md5,
            initial_balance=initial_balance,
            now_ms=now_ms,
        )
        self.order_listeners: list[Callable[[SimOrder], None]] = []
        """Called with every executed order (placed, closed, fired by a stop or a pending order's
        price), after it is booked."""
        self.pending_listeners: list[Callable[[SimPendingOrder], None]] = []
        """Called whenever a pending order is placed, changed, cancelled, expires or is refused."""
        self.pending = PendingOrders(self)
        """The pending orders (limit, stop and aggregate limit)."""

    # ------------------------------------------------------------------ trading

    def place_market_order(
        self, order: MarketOrder, now_ms: int, *, order_id: int | None = None, pending_id: int = 0
    ) -> SimOrder:
        """Execute an order at the current price: an open (bizType 1, or a fired pending open 10-13)
        or a close (bizType 2, or a fired pending close 14).

        Args:
            order: the validated request.
            now_ms: the server time.
            order_id: the id to book it under (a pending order's); a new one when ``None``.
            pending_id: the pending order it comes from, if any.

        Raises:
            TradingError: a trading rule refused it (volume, balance, position, SL/TP).
        """
        ids = (order_id, pending_id)
        if order.biz_type == 2 or order.biz_type in CLOSE_PENDING_TYPES:
            return self._close(order, now_ms, ids)
        return self._open(order, now_ms, ids)

    def _open(self, req: MarketOrder, now_ms: int, ids: tuple[int | None, int]) -> SimOrder:
        symbol, account = req.symbol, req.account
        leverage = req.leverage if req.leverage is not None else self.leverage_for(account, symbol)
        if not 1 <= leverage <= symbol.max_leverage:
            raise TradingError("E000029")
        price = symbol.ask if req.direction == BUY else symbol.bid
        volume = req.request_num
        if req.entry_type == 2:  # requestNum is an amount of margin (Assumption, see the docs)
            volume = (volume * leverage / (price * symbol.contract_size)).quantize(
                symbol.volume_step, rounding=ROUND_DOWN
            )
        check_volume(symbol, volume)
        check_stops(symbol, req.direction, req.stop_loss, req.take_profit)
        margin, fee = self.margin_and_fee(account, symbol, price, volume, leverage)
        if margin - fee > self.account_totals(account)["free_margin"]:
            raise TradingError("E000031")
        order_id = ids[0] if ids[0] is not None else self.new_order_id()
        deal_id, position_id = self._new_deal(), self._next_position
        self._next_position += 1
        account.balance += fee
        self.ledger.book(account, fee, "open_fee", bookkeep_id=position_id, now_ms=now_ms)
        self.positions[position_id] = SimPosition(
            position_id=position_id,
            order_id=order_id,
            deal_id=deal_id,
            account_id=account.account_id,
            symbol_id=symbol.symbol_id,
            trade_type=account.trade_type,
            direction=req.direction,
            open_price=price,
            open_volume=volume,
            volume=volume,
            leverage=leverage,
            contract_size=symbol.contract_size,
            margin=margin,
            open_margin=margin,
            open_fee=fee,
            stop_loss=req.stop_loss,
            take_profit=req.take_profit,
            open_time_ms=now_ms,
            remark=req.remark,
            source=req.source,
            third_party_order=req.third_party_order,
        )
        fill = (price, volume, fee, margin, Decimal(0))
        return self._record(req, (order_id, deal_id, position_id, ids[1]), 1, fill, now_ms)

    def _close(self, req: MarketOrder, now_ms: int, ids: tuple[int | None, int]) -> SimOrder:
        position = self.positions.get(req.position_id) if req.position_id is not None else None
        if (
            position is None
            or position.status not in ("1", "3")
            or position.account_id != req.account.account_id
            or position.symbol_id != req.symbol.symbol_id
        ):
            raise TradingError("E000008")
        if req.direction == position.direction:  # a close goes the opposite way
            raise TradingError("E000007")
        symbol, volume = req.symbol, req.request_num
        if volume < symbol.min_volume:
            raise TradingError("E000019")
        if volume > position.volume:
            raise TradingError("E000020")
        if volume % symbol.volume_step != 0:
            raise TradingError("E000021")
        order_id = ids[0] if ids[0] is not None else self.new_order_id()
        deal_id = self._new_deal()
        price = symbol.bid if position.direction == BUY else symbol.ask
        fee, profit = self._settle(position, price, volume, now_ms, "close_pnl")
        if position.status == "3" and req.biz_type == 2:
            # Assumption close_copies_levels: what a market close leaves open takes the close's
            # stopLoss/takeProfit ("0" removes; the handler fills absent ones from the position).
            # The vendor's client copies the position's levels into every close, as the SDK does.
            position.stop_loss, position.take_profit = req.stop_loss, req.take_profit
        fill = (price, volume, fee, Decimal(0), profit)
        return self._record(req, (order_id, deal_id, position.position_id, ids[1]), 2, fill, now_ms)

    def _settle(
        self, position: SimPosition, price: Decimal, volume: Decimal, now_ms: int, pnl_kind: Kind
    ) -> tuple[Decimal, Decimal]:
        """Close ``volume`` of ``position`` at ``price``; book P&L and fee; return (fee, profit)."""
        symbol = self.symbol_of(position)
        account = self.accounts[position.account_id]
        money = Decimal(1).scaleb(-account.digits)
        profit = pnl(position, price, volume).quantize(money, rounding=ROUND_HALF_UP)
        fee = -(price * volume * symbol.contract_size * symbol.fee_rate).quantize(
            money, rounding=ROUND_HALF_UP
        )
        released = (position.margin * volume / position.volume).quantize(money, rounding=ROUND_HALF_UP)
        account.balance += profit
        self.ledger.book(account, profit, pnl_kind, bookkeep_id=position.position_id, now_ms=now_ms)
        account.balance += fee
        self.ledger.book(account, fee, "close_fee", bookkeep_id=position.position_id, now_ms=now_ms)
        position.margin -= released
        position.volume -= volume
        position.close_volume += volume
        position.close_price = price
        position.close_fee += fee
        position.realized_profit += profit
        if position.volume == 0:
            position.status, position.close_time_ms, position.margin = "2", now_ms, Decimal(0)
        else:
            position.status = "3"
        return fee, profit

    def update_stops(self, position: SimPosition, stop_loss: int, take_profit: int) -> None:
        """Set stop-loss and take-profit (scaled; 0 removes) on an open position.

        Raises:
            TradingError: the new levels are on the wrong side of the market.
        """
        check_stops(self.symbol_of(position), position.direction, stop_loss, take_profit)
        position.stop_loss, position.take_profit = stop_loss, take_profit

    def set_leverage(self, account: SimAccount, symbol: SimSymbol, leverage: int) -> None:
        """Set the product's leverage for the account; open positions take it and their margin follows.

        Raises:
            TradingError: ``E000029`` outside 1..the product's maximum; ``E000031`` when the new
                margin does not fit the account.
        """
        if not 1 <= leverage <= symbol.max_leverage:
            raise TradingError("E000029")
        positions = [p for p in self.open_positions(account.account_id) if p.symbol_id == symbol.symbol_id]
        new = {
            p.position_id: self.margin_and_fee(account, symbol, p.open_price, p.volume, leverage)[0]
            for p in positions
        }
        extra = sum((new[p.position_id] - p.margin for p in positions), Decimal(0))
        if extra > 0 and extra > self.account_totals(account)["free_margin"]:
            raise TradingError("E000031")
        self.leverage[(account.account_id, symbol.symbol_id)] = leverage
        for p in positions:
            p.leverage, p.margin = leverage, new[p.position_id]

    # ------------------------------------------------------------------ price moves

    def tick(self, rng: random.Random, now_ms: int) -> tuple[list[Quote], list[SimOrder]]:
        """Move every price one random-walk step, then run ``after_prices``.

        Returns:
            The new quotes, and the orders the move executed (stop-loss/take-profit closes, fired
            pending orders).
        """
        quotes = self.market.tick(rng, now_ms)
        return quotes, self.after_prices(now_ms)

    def after_prices(self, now_ms: int) -> list[SimOrder]:
        """After a price move: fire stop-losses and take-profits, then due pending orders (expired
        ones are dropped first). Returns the orders executed, in that order."""
        fired = self.fire_stops(now_ms)
        return fired + self.pending.fire(now_ms)

    def fire_stops(self, now_ms: int) -> list[SimOrder]:
        """Close every open position whose stop-loss or take-profit the current price has reached."""
        fired = []
        for position in self.open_positions():
            symbol = self.symbol_of(position)
            price = symbol.bid if position.direction == BUY else symbol.ask
            scaled = symbol.scale(price)
            sign = 1 if position.direction == BUY else -1
            biz_type = 0
            if position.stop_loss and sign * (scaled - position.stop_loss) <= 0:
                biz_type = 3
            elif position.take_profit and sign * (scaled - position.take_profit) >= 0:
                biz_type = 4
            if biz_type:
                fired.append(self._auto_close(position, biz_type, price, now_ms))
        return fired

    def _auto_close(self, position: SimPosition, biz_type: int, price: Decimal, now_ms: int) -> SimOrder:
        symbol, volume = self.symbol_of(position), position.volume
        req = MarketOrder(
            account=self.accounts[position.account_id],
            symbol=symbol,
            biz_type=biz_type,
            direction=SELL if position.direction == BUY else BUY,
            request_price=symbol.scale(price),
            request_num=volume,
            stop_loss=position.stop_loss,
            take_profit=position.take_profit,
            position_id=position.position_id,
            request_time_ms=now_ms,
        )
        order_id, deal_id = self.new_order_id(), self._new_deal()
        fee, profit = self._settle(position, price, volume, now_ms, _PNL_KIND[biz_type])
        fill = (price, volume, fee, Decimal(0), profit)
        return self._record(req, (order_id, deal_id, position.position_id, 0), 2, fill, now_ms)

    # ------------------------------------------------------------------ helpers

    def _record(
        self,
        req: MarketOrder,
        ids: tuple[int, int, int, int],
        open_or_close: int,
        fill: tuple[Decimal, Decimal, Decimal, Decimal, Decimal],
        now_ms: int,
    ) -> SimOrder:
        """Store the executed order: ``ids`` (order, deal, position, pending), ``fill`` (price,
        volume, fee, margin, profit); then tell the order listeners."""
        (order_id, deal_id, position_id, pending_id), (price, volume, fee, margin, profit) = ids, fill
        order = SimOrder(
            order_id=order_id,
            deal_id=deal_id,
            account_id=req.account.account_id,
            symbol_id=req.symbol.symbol_id,
            trade_type=req.account.trade_type,
            biz_type=req.biz_type,
            direction=req.direction,
            open_or_close=open_or_close,
            position_id=position_id,
            request_price=req.request_price,
            request_num=req.request_num,
            execute_price=price,
            execute_num=volume,
            fee=fee,
            margin=margin,
            profit=profit,
            stop_loss=req.stop_loss,
            take_profit=req.take_profit,
            request_time_ms=req.request_time_ms,
            execute_time_ms=now_ms,
            customer_group_id=self.customer_of(req.account).customer_group_id,
            remark=req.remark,
            source=req.source,
            third_party_order=req.third_party_order,
            pending_id=pending_id,
            update_time_ms=now_ms,
        )
        self.orders[order_id] = order
        for listener in self.order_listeners:
            listener(order)
        return order
