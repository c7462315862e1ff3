"""The simulator's in-memory exchange: the seeded customer, accounts, positions, orders and trading.

Pure state plus operations. Nothing here reads a clock or a global random source: callers pass the
server time (``now_ms``) and a seeded ``random.Random``. Wire formats live elsewhere (``_views`` and
``_handlers``); this module speaks Decimals, scaled integers and dataclasses. Business rule violations
raise :class:`TradingError` carrying the ``E0000nn`` number; the caller adds the bizCode of the
tradeType (errors.md 4).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from ._book import BUY, SELL, Account, Customer, MarketOrder, Order, Position, TradingError
from ._market import Market, Quote, Symbol, seed_symbols

__all__ = ["Exchange"]


def _fmt(value: Decimal) -> str:
    """Shortest plain decimal text (``Decimal("0.10")`` -> ``"0.1"``)."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


class Exchange:
    """The seeded exchange: one customer, three USDT accounts, the products and every order.

    Args:
        company_id: the company the customer belongs to.
        login_name: the customer's e-mail (login type 1).
        password_md5: lowercase hex MD5 of the customer's password.
        initial_balance: starting balance of every account.
        now_ms: server time at creation.
    """

    def __init__(
        self, *, company_id: int, login_name: str, password_md5: str, initial_balance: str, now_ms: int
    ) -> None:
        self.customer = Customer(1176, "86001175", company_id, 1, login_name, password_md5)
        balance = Decimal(initial_balance)
        self.accounts: dict[int, Account] = {
            acc.account_id: acc
            for acc in (
                Account(1031001, 1176, 1, "USDT", 4, balance),
                Account(1031002, 1176, 2, "USDT", 4, balance),
                Account(1031005, 1176, 5, "USDT", 4, balance),
            )
        }
        self.market = Market(seed_symbols(), now_ms)
        self.positions: dict[int, Position] = {}
        self.orders: dict[int, Order] = {}
        self._next_order = 14460001
        self._next_deal = 13394001
        self._next_position = 2024010100001
        self.order_listeners: list[Callable[[Order], None]] = []
        """Called with every executed order (placed, closed, or fired by a stop), after it is booked."""

    # ------------------------------------------------------------------ look-ups

    def find_account(
        self, trade_type: int, *, account_id: int | None = None, currency: str | None = None
    ) -> Account | None:
        """Return the customer's account of ``trade_type`` matching the id and/or currency given."""
        for account in self.accounts.values():
            if account.trade_type != trade_type:
                continue
            if account_id is not None and account.account_id != account_id:
                continue
            if currency is not None and account.currency != currency:
                continue
            return account
        return None

    def open_positions(self, account_id: int | None = None) -> list[Position]:
        """Positions still open (status ``"1"`` or ``"3"``), optionally of one account."""
        return [
            p
            for p in self.positions.values()
            if p.status in ("1", "3") and (account_id is None or p.account_id == account_id)
        ]

    def symbol_of(self, position: Position) -> Symbol:
        """The product of a position."""
        symbol = self.market.get(position.symbol_id)
        assert symbol is not None  # positions only exist on seeded products
        return symbol

    def floating_profit(self, position: Position) -> Decimal:
        """Unrealised P&L of the open volume at the current closing price, in account currency."""
        symbol = self.symbol_of(position)
        price = symbol.bid if position.direction == BUY else symbol.ask
        return self._pnl(position, price, position.volume)

    def account_totals(self, account: Account) -> dict[str, Decimal]:
        """``balance``, ``profit``, ``margin``, ``equity`` and ``free_margin`` of an account now."""
        digits = Decimal(1).scaleb(-account.digits)
        positions = self.open_positions(account.account_id)
        profit = sum((self.floating_profit(p) for p in positions), Decimal(0))
        margin = sum((p.margin for p in positions), Decimal(0))
        equity = account.balance + profit
        return {
            "balance": account.balance.quantize(digits),
            "profit": profit.quantize(digits),
            "margin": margin.quantize(digits),
            "equity": equity.quantize(digits),
            "free_margin": (equity - margin).quantize(digits),
        }

    # ------------------------------------------------------------------ trading

    def place_market_order(self, order: MarketOrder, now_ms: int) -> Order:
        """Execute a market open (bizType 1) or close (bizType 2) at the current price.

        Raises:
            TradingError: a trading rule refused it (volume, balance, position, SL/TP).
        """
        if order.biz_type == 1:
            return self._open(order, now_ms)
        return self._close(order, now_ms)

    def _open(self, req: MarketOrder, now_ms: int) -> Order:
        symbol, account = req.symbol, req.account
        leverage = req.leverage if req.leverage is not None else symbol.default_leverage
        if not 1 <= leverage <= symbol.max_leverage:
            raise TradingError("E000029")
        price = symbol.ask if req.direction == BUY else symbol.bid
        volume = req.request_num
        if req.entry_type == 2:  # requestNum is an amount of margin (Assumption, see the docs)
            volume = (volume * leverage / (price * symbol.contract_size)).quantize(
                symbol.volume_step, rounding=ROUND_DOWN
            )
        self._check_volume(symbol, volume)
        self._check_stops(symbol, req.direction, req.stop_loss, req.take_profit)
        money = Decimal(1).scaleb(-account.digits)
        notional = price * volume * symbol.contract_size
        margin = (notional / leverage).quantize(money, rounding=ROUND_HALF_UP)
        fee = -(notional * symbol.fee_rate).quantize(money, rounding=ROUND_HALF_UP)
        if margin - fee > self.account_totals(account)["free_margin"]:
            raise TradingError("E000031")
        order_id, deal_id, position_id = self._ids(position=True)
        account.balance += fee
        self.positions[position_id] = Position(
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
        return self._record(
            req,
            ids=(order_id, deal_id, position_id),
            open_or_close=1,
            fill=(price, volume),
            money=(fee, margin, Decimal(0)),
            now_ms=now_ms,
        )

    def _close(self, req: MarketOrder, now_ms: int) -> Order:
        position = self.positions.get(req.position_id) if req.position_id is not None else None
        if (
            position is None
            or position.status not in ("1", "3")
            or position.account_id != req.account.account_id
            or position.symbol_id != req.symbol.symbol_id
        ):
            raise TradingError("E000008")
        if req.direction == position.direction:  # a close goes the opposite way (endpoints 5.4)
            raise TradingError("E000007")
        symbol, volume = req.symbol, req.request_num
        if volume < symbol.min_volume:
            raise TradingError("E000019")
        if volume > position.volume:
            raise TradingError("E000020")
        if volume % symbol.volume_step != 0:
            raise TradingError("E000021")
        order_id, deal_id, _ = self._ids(position=False)
        price = symbol.bid if position.direction == BUY else symbol.ask
        fee, profit = self._settle(position, price, volume, now_ms)
        return self._record(
            req,
            ids=(order_id, deal_id, position.position_id),
            open_or_close=2,
            fill=(price, volume),
            money=(fee, Decimal(0), profit),
            now_ms=now_ms,
        )

    def _settle(
        self, position: Position, price: Decimal, volume: Decimal, now_ms: int
    ) -> tuple[Decimal, Decimal]:
        """Close ``volume`` of ``position`` at ``price``; book P&L and fee; return (fee, profit)."""
        symbol = self.symbol_of(position)
        account = self.accounts[position.account_id]
        money = Decimal(1).scaleb(-account.digits)
        profit = self._pnl(position, price, volume).quantize(money, rounding=ROUND_HALF_UP)
        fee = -(price * volume * symbol.contract_size * symbol.fee_rate).quantize(
            money, rounding=ROUND_HALF_UP
        )
        released = (position.margin * volume / position.volume).quantize(money, rounding=ROUND_HALF_UP)
        account.balance += profit + fee
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

    def update_stops(self, position: Position, stop_loss: int, take_profit: int) -> None:
        """Set stop-loss and take-profit (scaled; 0 removes) on an open position.

        Raises:
            TradingError: the new levels are on the wrong side of the market.
        """
        self._check_stops(self.symbol_of(position), position.direction, stop_loss, take_profit)
        position.stop_loss, position.take_profit = stop_loss, take_profit

    def tick(self, rng: random.Random, now_ms: int) -> tuple[list[Quote], list[Order]]:
        """Move every price one random-walk step, then fire stop-losses and take-profits.

        Returns:
            The new quotes, and the closing orders (bizType 3 stop-loss, 4 take-profit) they caused.
        """
        quotes = self.market.tick(rng, now_ms)
        return quotes, self.fire_stops(now_ms)

    def fire_stops(self, now_ms: int) -> list[Order]:
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

    def _auto_close(self, position: Position, biz_type: int, price: Decimal, now_ms: int) -> Order:
        volume = position.volume
        order_id, deal_id, _ = self._ids(position=False)
        fee, profit = self._settle(position, price, volume, now_ms)
        order = Order(
            order_id=order_id,
            deal_id=deal_id,
            account_id=position.account_id,
            symbol_id=position.symbol_id,
            trade_type=position.trade_type,
            biz_type=biz_type,
            direction=SELL if position.direction == BUY else BUY,
            open_or_close=2,
            position_id=position.position_id,
            request_price=self.symbol_of(position).scale(price),
            request_num=volume,
            execute_price=price,
            execute_num=volume,
            fee=fee,
            margin=Decimal(0),
            profit=profit,
            stop_loss=position.stop_loss,
            take_profit=position.take_profit,
            request_time_ms=now_ms,
            execute_time_ms=now_ms,
            customer_group_id=self.customer.customer_group_id,
        )
        self.orders[order_id] = order
        self._executed(order)
        return order

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _pnl(position: Position, price: Decimal, volume: Decimal) -> Decimal:
        sign = 1 if position.direction == BUY else -1
        return (price - position.open_price) * volume * position.contract_size * sign

    def _check_volume(self, symbol: Symbol, volume: Decimal) -> None:
        if not symbol.min_volume <= volume <= symbol.max_volume or volume % symbol.volume_step != 0:
            raise TradingError(
                "E000026", (_fmt(symbol.min_volume), _fmt(symbol.max_volume), _fmt(symbol.volume_step))
            )

    @staticmethod
    def _check_stops(symbol: Symbol, direction: int, stop_loss: int, take_profit: int) -> None:
        bid, ask = symbol.scale(symbol.bid), symbol.scale(symbol.ask)
        if direction == BUY:
            if stop_loss and stop_loss >= bid:
                raise TradingError("E000009")
            if take_profit and take_profit <= ask:
                raise TradingError("E000010")
        else:
            if stop_loss and stop_loss <= ask:
                raise TradingError("E000009")
            if take_profit and take_profit >= bid:
                raise TradingError("E000010")

    def _ids(self, *, position: bool) -> tuple[int, int, int]:
        order_id, deal_id = self._next_order, self._next_deal
        self._next_order += 1
        self._next_deal += 1
        position_id = 0
        if position:
            position_id = self._next_position
            self._next_position += 1
        return order_id, deal_id, position_id

    def _record(
        self,
        req: MarketOrder,
        *,
        ids: tuple[int, int, int],
        open_or_close: int,
        fill: tuple[Decimal, Decimal],
        money: tuple[Decimal, Decimal, Decimal],
        now_ms: int,
    ) -> Order:
        """Store the order: ``ids`` (order, deal, position), ``fill`` (price, volume) and ``money``
        (fee, margin, profit)."""
        (order_id, deal_id, position_id), (price, volume), (fee, margin, profit) = ids, fill, money
        order = Order(
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
            customer_group_id=self.customer.customer_group_id,
            remark=req.remark,
            source=req.source,
            third_party_order=req.third_party_order,
        )
        self.orders[order_id] = order
        self._executed(order)
        return order

    def _executed(self, order: Order) -> None:
        for listener in self.order_listeners:
            listener(order)
