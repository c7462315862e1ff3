"""``client.positions``: open positions, closing them, stop-loss and take-profit.

``timeout=`` on every method: read timeout in seconds for each request it sends (None waits forever);
the client's by default.
"""

from __future__ import annotations

from .._types import NOT_GIVEN, NotGivenOr
from ..models._answers import Paged
from ..models.market import SymbolKey
from ..models.positions import Position
from ..models.trading import OrderResult, Page
from ..protocol.prices import Number, scale_price
from ._core import ClientCore
from ._lookup import Lookup
from .orders import Orders

__all__ = ["Positions"]


class Positions:
    """Positions on the contract accounts."""

    def __init__(self, core: ClientCore, lookup: Lookup) -> None:
        self._core = core
        self._lookup = lookup
        self._orders = Orders(core, lookup)  # closing a position is an order

    async def list(
        self,
        *,
        trade_type: int,
        symbol_id: int | None = None,
        page: int = 1,
        size: int = 20,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Page[Position]:
        """Open positions of ``trade_type`` (``queryPositionPage``).

        ``timeout``: read timeout in seconds for each request this sends (None waits forever); the
        client's by default.
        """
        body: dict[str, object] = {"tradeType": trade_type, "current": page, "size": size}
        if symbol_id is not None:
            body["symbolId"] = symbol_id
        return await self._core.call(
            "tradeapi.app.PositionApiService.queryPositionPage",
            body,
            Paged(Page[Position], page=page, size=size),
            timeout=timeout,
        )

    async def get(
        self, position_id: int, *, trade_type: int, timeout: NotGivenOr[float | None] = NOT_GIVEN
    ) -> Position:
        """One position, open or closed (``queryPositionDetail``).

        ``timeout``: read timeout in seconds for each request this sends (None waits forever); the
        client's by default.
        """
        operation = (
            "tradeapi.app.CfdMMPositionApiService.queryPositionDetail"
            if trade_type == 1
            else "tradeapi.app.PositionApiService.queryPositionDetail"
        )
        return await self._core.call(
            operation, {"tradeType": trade_type, "positionId": position_id}, Position, timeout=timeout
        )

    async def close(
        self,
        position: Position,
        *,
        volume: Number | None = None,
        price: Number | None = None,
        idempotency_key: str | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> OrderResult:
        """Close ``position`` at market, whole or in part, keeping its stop-loss and take-profit on what
        stays open: the same call as ``Orders.close``, with the same arguments.

        ``timeout``: read timeout in seconds for each request this sends (None waits forever); the
        client's by default.
        """
        return await self._orders.close(
            position, volume=volume, price=price, idempotency_key=idempotency_key, timeout=timeout
        )

    async def set_stop_loss_take_profit(
        self,
        position: Position,
        *,
        stop_loss: Number | None = None,
        take_profit: Number | None = None,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> Position:
        """Set, change or remove (``0``) a position's stop-loss and take-profit (``updateOrder``); a
        level left out keeps its value.

        ``timeout``: read timeout in seconds for each request this sends (None waits forever); the
        client's by default.

        Raises:
            InvalidArgumentError: a price with more decimals than the product has.
            TradingRuleError: the price is on the wrong side or too close (CFDWBWE000009/10).
        """
        digits = position.open_symbol_digits
        if digits is None:
            row = await self._lookup.symbol(SymbolKey(position.symbol_id, position.trade_type, 0))
            digits = row.symbol_digits
        account = await self._lookup.account(position.trade_type)
        body: dict[str, object] = {
            "tradeType": position.trade_type,
            "accountId": position.account_id or account.account_id,
            "accountDigits": account.digits,
            "orderId": position.order_id,
            "positionId": position.position_id,
        }
        if stop_loss is not None:
            body["stopLoss"] = scale_price(stop_loss, digits, what="stop-loss")
        if take_profit is not None:
            body["takeProfit"] = scale_price(take_profit, digits, what="take-profit")
        prefix = "CfdMM" if position.trade_type == 1 else "CfdWBW"  # both alias OrderApiService.updateOrder
        return await self._core.call(
            f"tradeapi.app.{prefix}OrderApiService.updateOrder", body, Position, timeout=timeout
        )
