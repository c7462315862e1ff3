"""``client.positions``: open positions, closing them, stop-loss and take-profit (endpoints.md §5.6, §5.8)."""

from __future__ import annotations

from ..errors import ProtocolError
from ..models._answers import parse_answer
from ..models.market import SymbolKey
from ..models.trading import OrderResult, Page, Position
from ..protocol.prices import Number, scale_price
from ._core import ClientCore
from .account import AccountResource
from .orders import Orders
from .symbols import Symbols

__all__ = ["Positions"]


class Positions:
    """Positions on the contract accounts."""

    def __init__(self, core: ClientCore, symbols: Symbols, account: AccountResource, orders: Orders) -> None:
        self._core = core
        self._symbols = symbols
        self._account = account
        self._orders = orders

    async def list(
        self, *, trade_type: int, symbol_id: int | None = None, page: int = 1, size: int = 20
    ) -> Page[Position]:
        """Open positions of ``trade_type`` (``queryPositionPage``)."""
        body: dict[str, object] = {"tradeType": trade_type, "current": page, "size": size}
        if symbol_id is not None:
            body["symbolId"] = symbol_id
        data = await self._core.http.request("tradeapi.app.PositionApiService.queryPositionPage", body)
        if isinstance(data, list):
            data = {"records": data, "total": len(data), "size": size, "current": page}
        return parse_answer(Page[Position], data or {})

    async def get(self, position_id: int, *, trade_type: int) -> Position:
        """One position (``queryPositionDetail``)."""
        operation = (
            "tradeapi.app.CfdMMPositionApiService.queryPositionDetail"
            if trade_type == 1
            else "tradeapi.app.PositionApiService.queryPositionDetail"
        )
        data = await self._core.http.request(operation, {"tradeType": trade_type, "positionId": position_id})
        if not isinstance(data, dict):
            raise ProtocolError("queryPositionDetail did not answer an object")
        return parse_answer(Position, data)

    async def close(self, position: Position, *, volume: Number | None = None) -> OrderResult:
        """Close ``position`` at market, whole or in part (see ``Orders.close``)."""
        return await self._orders.close(position, volume=volume)

    async def set_stop_loss_take_profit(
        self, position: Position, *, stop_loss: Number | None = None, take_profit: Number | None = None
    ) -> Position:
        """Set, change or remove (``0``) a position's stop-loss and take-profit (``updateOrder``).

        Raises:
            ValidationError: a price with more decimals than the product has.
            TradingRuleError: the price is on the wrong side or too close (CFDWBWE000009/10).
        """
        digits = position.open_symbol_digits
        if digits is None:
            row = await self._symbols.get(SymbolKey(position.symbol_id, position.trade_type, 0))
            digits = row.symbol_digits
        account = await self._account.for_trade_type(position.trade_type)
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
        data = await self._core.http.request(f"tradeapi.app.{prefix}OrderApiService.updateOrder", body)
        if not isinstance(data, dict):
            raise ProtocolError("updateOrder did not answer an object")
        return parse_answer(Position, data)
