"""Pending orders (limit, stop, aggregate): place, change, cancel, expire, and fire them when the price
comes.

A pending order is placed with ``bizType`` 10 (limit), 11 (stop), 12 (limit open, tradeType 1), 13
(aggregate limit open) or 14 (aggregate limit close, tradeType 2); its ``requestPrice`` is the limit
or trigger price (Assumption ``pending_price_is_limit``). It gets an order id at once (answered by the
placing call, and kept by the order it becomes) and a ``pboId``. After every price move the exchange
calls ``PendingOrders.fire``: orders whose lifetime (``expireType``) is over expire, and orders
whose price the market reaches execute like a market order at the current price, through the same
listeners as every other order (so the message socket pushes a ``trade`` for them). An order that a
trading rule refuses when it fires (not enough margin, a position already closed) is marked refused
(status 6); nothing is pushed for it but a ``notice``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Protocol

from .market import Market, SimSymbol
from .records import (
    CLOSE_PENDING_TYPES,
    MarketOrder,
    SimAccount,
    SimCustomer,
    SimOrder,
    SimPendingOrder,
    SimPosition,
    TradingError,
)
from .rules import EXPIRE_MS, check_pending_price, check_volume, pending_fires

__all__ = ["PendingHost", "PendingOrders"]


class PendingHost(Protocol):
    """What pending orders use of the exchange they trade on (``SimExchange`` satisfies it).

    A protocol rather than ``SimExchange`` itself, so ``exchange`` imports ``pending`` and not the
    other way round (no import circle, not even for type checking).
    """

    @property
    def accounts(self) -> dict[int, SimAccount]: ...

    @property
    def positions(self) -> dict[int, SimPosition]: ...

    @property
    def orders(self) -> dict[int, SimOrder]: ...

    @property
    def market(self) -> Market: ...

    @property
    def pending_listeners(self) -> list[Callable[[SimPendingOrder], None]]: ...

    def customer_of(self, account: SimAccount) -> SimCustomer: ...

    def new_order_id(self) -> int: ...

    def place_market_order(
        self, order: MarketOrder, now_ms: int, *, order_id: int | None = None, pending_id: int = 0
    ) -> SimOrder: ...


# Order statuses a pending order's record goes through (``OrderStatus``).
_PLACED, _FILLED, _CANCELLED, _REJECTED, _EXPIRED = 1, 2, 4, 6, 7


class PendingOrders:
    """The exchange's pending orders, by ``pboId``.

    Args:
        exchange: the exchange they trade on.

    Attributes:
        orders: every pending order ever placed, by ``pboId`` (waiting or not).
    """

    def __init__(self, exchange: PendingHost) -> None:
        self._exchange = exchange
        self.orders: dict[int, SimPendingOrder] = {}
        self._next_id = 5000001

    # ------------------------------------------------------------------ look-ups

    def waiting(self, account_id: int | None = None) -> list[SimPendingOrder]:
        """The orders still waiting for their price, optionally of one account, oldest first."""
        return [
            p
            for p in self.orders.values()
            if p.waiting and (account_id is None or p.account_id == account_id)
        ]

    def find(self, pbo_id: int) -> SimPendingOrder | None:
        """The pending order with this ``pboId``, waiting or not."""
        return self.orders.get(pbo_id)

    def by_order_id(self, order_id: int) -> SimPendingOrder | None:
        """The pending order placed under this order id, waiting or not."""
        return next((p for p in self.orders.values() if p.order_id == order_id), None)

    # ------------------------------------------------------------------ changes

    def place(self, req: MarketOrder, *, expire_type: int, now_ms: int) -> SimPendingOrder:
        """Validate and store a pending order; its order record starts as received (status 1).

        Args:
            req: the validated request (``biz_type`` one of 10-14).
            expire_type: 1 day, 2 week, 3 30 days, 4 90 days.
            now_ms: the server time.

        Raises:
            TradingError: a price already reached or zero, stop levels on the wrong side of the
                price, a bad size, an unknown position (closes), leverage out of range.
        """
        symbol, exchange = req.symbol, self._exchange
        closes = req.biz_type in CLOSE_PENDING_TYPES
        if closes:
            position = exchange.positions.get(req.position_id or 0)
            if position is None or position.status not in ("1", "3"):
                raise TradingError("E000008")
            if position.symbol_id != symbol.symbol_id:
                raise TradingError("E000008")
            if position.account_id != req.account.account_id or req.direction == position.direction:
                raise TradingError("E000007")
            if req.request_num > position.volume:
                raise TradingError("E000020")
        elif req.leverage is not None and not 1 <= req.leverage <= symbol.max_leverage:
            raise TradingError("E000029")
        if req.entry_type == 1:
            check_volume(symbol, req.request_num)
        check_pending_price(
            symbol,
            req.biz_type,
            req.direction,
            req.request_price,
            stop_loss=req.stop_loss,
            take_profit=req.take_profit,
        )
        pending = SimPendingOrder(
            pbo_id=self._next_id,
            order_id=exchange.new_order_id(),
            account_id=req.account.account_id,
            symbol_id=symbol.symbol_id,
            trade_type=req.account.trade_type,
            biz_type=req.biz_type,
            direction=req.direction,
            request_price=req.request_price,
            request_num=req.request_num,
            entry_type=req.entry_type,
            stop_loss=req.stop_loss,
            take_profit=req.take_profit,
            leverage=req.leverage,
            position_id=req.position_id if closes else None,
            expire_type=expire_type,
            order_time_ms=now_ms,
            request_time_ms=req.request_time_ms,
            expire_time_ms=now_ms + EXPIRE_MS[expire_type],
            remark=req.remark,
            source=req.source,
            third_party_order=req.third_party_order,
        )
        self._next_id += 1
        self.orders[pending.pbo_id] = pending
        exchange.orders[pending.order_id] = self._record(pending, now_ms)
        self._changed(pending)
        return pending

    def modify(
        self,
        pending: SimPendingOrder,
        *,
        price: int | None,
        num: Decimal | None,
        stop_loss: int | None,
        take_profit: int | None,
        now_ms: int,
    ) -> None:
        """Change a waiting order's price, size or stop levels (``None`` keeps a value).

        Raises:
            TradingError: ``10011012`` when the order no longer waits; the placement rules otherwise.
        """
        if not pending.waiting:
            raise TradingError("10011012")
        symbol = self._symbol(pending)
        new_price = pending.request_price if price is None else price
        new_num = pending.request_num if num is None else num
        new_sl = pending.stop_loss if stop_loss is None else stop_loss
        new_tp = pending.take_profit if take_profit is None else take_profit
        if num is not None and pending.entry_type == 1:
            check_volume(symbol, new_num)
        check_pending_price(
            symbol, pending.biz_type, pending.direction, new_price, stop_loss=new_sl, take_profit=new_tp
        )
        pending.request_price, pending.request_num = new_price, new_num
        pending.stop_loss, pending.take_profit = new_sl, new_tp
        self._exchange.orders[pending.order_id] = self._record(pending, now_ms)
        self._changed(pending)

    def cancel(self, pending: SimPendingOrder, now_ms: int) -> None:
        """Cancel a waiting order (its record becomes status 4, cancelled).

        Raises:
            TradingError: ``10011012`` ("cancel failed") when the order no longer waits.
        """
        if not pending.waiting:
            raise TradingError("10011012")
        self._finish(pending, _CANCELLED, now_ms)

    def expire(self, now_ms: int) -> list[SimPendingOrder]:
        """Expire every waiting order whose lifetime is over; return them."""
        due = [p for p in self.waiting() if now_ms >= p.expire_time_ms]
        for pending in due:
            self._finish(pending, _EXPIRED, now_ms)
        return due

    def fire(self, now_ms: int) -> list[SimOrder]:
        """Expire what is due, then execute every waiting order whose price the market reaches.

        Returns:
            The executed orders, oldest pending order first.
        """
        self.expire(now_ms)
        executed = []
        exchange = self._exchange
        for pending in self.waiting():
            symbol = self._symbol(pending)
            if not pending_fires(pending, symbol):
                continue
            req = MarketOrder(
                account=exchange.accounts[pending.account_id],
                symbol=symbol,
                biz_type=pending.biz_type,
                direction=pending.direction,
                request_price=pending.request_price,
                request_num=pending.request_num,
                entry_type=pending.entry_type,
                stop_loss=pending.stop_loss,
                take_profit=pending.take_profit,
                leverage=pending.leverage,
                position_id=pending.position_id,
                request_time_ms=pending.request_time_ms,
                remark=pending.remark,
                source=pending.source,
                third_party_order=pending.third_party_order,
            )
            try:
                order = exchange.place_market_order(
                    req, now_ms, order_id=pending.order_id, pending_id=pending.pbo_id
                )
            except TradingError:
                self._finish(pending, _REJECTED, now_ms)
                continue
            pending.status = _FILLED
            order.create_time_ms = pending.order_time_ms
            executed.append(order)
            self._changed(pending)
        return executed

    # ------------------------------------------------------------------ helpers

    def _symbol(self, pending: SimPendingOrder) -> SimSymbol:
        symbol = self._exchange.market.get(pending.symbol_id)
        assert symbol is not None  # pending orders only exist on seeded products
        return symbol

    def _finish(self, pending: SimPendingOrder, status: int, now_ms: int) -> None:
        pending.status = status
        record = self._exchange.orders[pending.order_id]
        record.status, record.update_time_ms = status, now_ms
        self._changed(pending)

    def _changed(self, pending: SimPendingOrder) -> None:
        for listener in self._exchange.pending_listeners:
            listener(pending)

    def _record(self, pending: SimPendingOrder, now_ms: int) -> SimOrder:
        """The order record of a waiting pending order (received, nothing executed yet)."""
        account = self._exchange.accounts[pending.account_id]
        return SimOrder(
            order_id=pending.order_id,
            deal_id=0,
            account_id=pending.account_id,
            symbol_id=pending.symbol_id,
            trade_type=pending.trade_type,
            biz_type=pending.biz_type,
            direction=pending.direction,
            open_or_close=2 if pending.biz_type in CLOSE_PENDING_TYPES else 1,
            position_id=pending.position_id or 0,
            request_price=pending.request_price,
            request_num=pending.request_num,
            execute_price=Decimal(0),
            execute_num=Decimal(0),
            fee=Decimal(0),
            margin=Decimal(0),
            profit=Decimal(0),
            stop_loss=pending.stop_loss,
            take_profit=pending.take_profit,
            request_time_ms=pending.request_time_ms,
            execute_time_ms=0,
            customer_group_id=self._exchange.customer_of(account).customer_group_id,
            remark=pending.remark,
            source=pending.source,
            third_party_order=pending.third_party_order,
            status=_PLACED,
            pending_id=pending.pbo_id,
            create_time_ms=pending.order_time_ms,
            update_time_ms=now_ms,
        )
