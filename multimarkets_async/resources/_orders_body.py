"""Building order bodies: human prices and sizes in, the platform's scaled, typed fields out."""

from __future__ import annotations

import re
from decimal import Decimal

from ..errors import InvalidArgumentError
from ..models.customer import Account
from ..models.symbols import Symbol
from ..models.trading import Side, SideLike
from ..protocol.prices import Number, decimal_text, scale_price

__all__ = ["OrderBody", "place_biz_type", "service", "side_of"]

_CLIENT_ORDER_ID = re.compile(r"^[A-Za-z0-9_]{1,255}$")


def side_of(side: SideLike) -> Side:
    """``side`` as a ``Side``: ``mm.Side.BUY``/``SELL``, or ``"buy"``/``"sell"`` in any case.

    Raises:
        InvalidArgumentError: anything else (an int, another word), before anything is sent.
    """
    if isinstance(side, Side):
        return side
    if isinstance(side, str) and side.strip().lower() in ("buy", "sell"):
        return Side.BUY if side.strip().lower() == "buy" else Side.SELL
    raise InvalidArgumentError(f"side must be mm.Side.BUY, mm.Side.SELL, 'buy' or 'sell', got {side!r}")


def service(trade_type: int, method: str) -> str:
    """The documented operation name of an order operation for ``trade_type``.

    Full-margin (1) uses the ``CfdMM*`` services, isolated-margin (2) ``OrderApiService``; the HTTP
    session falls back once to the other name on an unknown-operation error.
    """
    if trade_type == 1:
        return f"tradeapi.app.CfdMMOrderApiService.{method}"
    if trade_type == 2:
        return f"tradeapi.app.OrderApiService.{method}"
    raise InvalidArgumentError(
        "typed orders cover the contract accounts (tradeType 1 and 2); "
        f"use client.call() for tradeType {trade_type}"
    )


def place_biz_type(trade_type: int) -> str:
    """The bizType that places an order for ``trade_type``."""
    return service(trade_type, "addMarketOrder")


class OrderBody:
    """Accumulates one order's body from domain arguments.

    Args:
        symbol: the product's catalogue row (its digits scale the prices).
        fields: the body so far; ``new_order`` starts one that places an order.
    """

    def __init__(self, symbol: Symbol, fields: dict[str, object]) -> None:
        self.symbol = symbol
        self.body = fields

    @classmethod
    def new_order(cls, symbol: Symbol, account: Account, *, now_ms: int) -> OrderBody:
        """The body of a new order of ``symbol`` on ``account``."""
        fields: dict[str, object] = {
            "tradeType": symbol.trade_type,
            "symbolId": symbol.symbol_id,
            "accountId": account.account_id,
            "accountCurrency": account.currency,
            "accountDigits": account.digits,
            "requestTime": now_ms,
        }
        if symbol.trade_type == 2:
            fields["entryType"] = 1  # requestNum is a quantity in lots
        return cls(symbol, fields)

    def price(self, field: str, value: Number | None, *, what: str) -> None:
        """Set an integer-scaled price field (``requestPrice``, ``stopLoss``, ``takeProfit``)."""
        if value is not None:
            self.body[field] = scale_price(value, self.symbol.symbol_digits, what=f"{what} for {self._name}")

    def stops(self, stop_loss: Number | None, take_profit: Number | None) -> None:
        """Set the ``stopLoss`` and ``takeProfit`` prices that are given."""
        self.price("stopLoss", stop_loss, what="stop-loss")
        self.price("takeProfit", take_profit, what="take-profit")

    def volume(self, value: Number) -> None:
        """Set ``requestNum`` (lots)."""
        self.body["requestNum"] = decimal_text(value, what="volume")

    def set(self, field: str, value: object) -> None:
        """Set a field when ``value`` is not ``None``."""
        if value is not None:
            self.body[field] = value

    def client_order_id(self, value: str | None) -> None:
        """Set ``thirdPartyOrder``: your own order tag, echoed in queries and pushes."""
        if value is not None:
            if not _CLIENT_ORDER_ID.match(value):
                raise InvalidArgumentError("client_order_id must be 1-255 characters of [A-Za-z0-9_]")
            self.body["thirdPartyOrder"] = value

    def leverage(self, value: int | None) -> None:
        """Set ``crossLevelNum``."""
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidArgumentError(f"leverage must be a positive int, got {value!r}")
            self.body["crossLevelNum"] = value

    def slippage(self, value: str | Decimal | None) -> None:
        """Set ``slippage``: a percentage like ``"0.5%"`` or a decimal."""
        if value is not None:
            self.body["slippage"] = str(value)

    @property
    def _name(self) -> str:
        return self.symbol.symbol_code or str(self.symbol.symbol_id)
