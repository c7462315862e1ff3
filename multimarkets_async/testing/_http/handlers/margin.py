"""The margin of an isolated-margin position.

* ``tradeapi.app.PositionApiService.updateOccupyTheMargin`` (tradeType 2 only): ``{tradeType,
  accountId, accountCurrency?, positionId, accountDigits (str), occupyTheMargin (str; negative
  removes), orderId, remark}``; every field but ``accountCurrency`` is required (``E000005`` when
  one is missing; ``remark`` may be empty). ``accountDigits`` must be the account's and ``orderId``
  the position's opening order (``E000007``); the amount is a decimal with at most the account's
  digits and not zero (``E000006``/``E000007``). Adding more than the account's free margin answers
  ``E000031``; removing so much that the margin falls below what the position needs at its leverage
  answers ``E000007``; a closed position ``E000008``. The margin moves between the account's free
  margin and the position; the balance (and so the ledger) does not change. ``data`` is ``null``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..._exchange.records import TradingError
from ..error_codes import SimError
from ..fields import int_field
from ..operation import (
    SimCall,
    SimOperation,
    caller_account,
    caller_position,
    trade_op,
    trade_type_for,
    trading_error,
)

__all__ = ["MARGIN_OPERATIONS"]

_REQUIRED = ("accountId", "positionId", "accountDigits", "occupyTheMargin", "orderId", "remark")


def _amount(text: object, digits: int, biz_code: str) -> Decimal:
    if not isinstance(text, str | int) or isinstance(text, bool):
        raise SimError("E000006", biz_code)
    try:
        amount = Decimal(str(text).strip())
    except InvalidOperation:
        raise SimError("E000006", biz_code) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal(1).scaleb(-digits)):
        raise SimError("E000006", biz_code)
    if not amount:
        raise SimError("E000007", biz_code)
    return amount


def _update_margin(call: SimCall) -> None:
    trade_type, biz_code = trade_type_for(call)
    body, exchange = call.body, call.state.exchange
    if trade_type != 2:
        raise SimError("E000007", biz_code)
    for name in _REQUIRED:
        if body.get(name) is None or (name != "remark" and body.get(name) == ""):
            raise SimError("E000005", biz_code)
    account = caller_account(call, trade_type, biz_code)
    digits = body["accountDigits"]  # a string in the spec; an int is taken too
    if not isinstance(digits, str | int) or isinstance(digits, bool) or not str(digits).strip().isdigit():
        raise SimError("E000006", biz_code)
    if int(str(digits)) != account.digits:
        raise SimError("E000007", biz_code)
    position = caller_position(call, account, biz_code)
    if int_field(body, "orderId", biz_code) != position.order_id:
        raise SimError("E000007", biz_code)
    amount = _amount(body["occupyTheMargin"], account.digits, biz_code)
    try:
        exchange.adjust_margin(account, position, amount)
    except TradingError as exc:
        raise trading_error(exc, biz_code) from None


MARGIN_OPERATIONS: tuple[SimOperation, ...] = (
    trade_op("tradeapi.app.PositionApiService.updateOccupyTheMargin", _update_margin),
)
"""The margin operation."""
