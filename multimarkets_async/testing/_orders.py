"""The addMarketOrder operation: validate the body field by field, then trade on the exchange.

Served under both names, ``tradeapi.app.OrderApiService.addMarketOrder`` (tradeTypes 1 and 2, as the
vendor's H5 client uses it) and ``tradeapi.app.CfdMMOrderApiService.addMarketOrder`` (tradeType 1 only),
following endpoints.md 5.1 to 5.4. Errors carry bizCode ``CFD`` for tradeType 1 and ``CFDWBW``
otherwise (Assumption ``cfd_full_margin_codes``, errors.md 4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._book import MarketOrder, TradingError
from ._fields import decimal_field, int_field, scaled_field, tag_field
from ._messages import CFD_FULL, CFD_ISOLATED, SimError
from ._views import fill_view

if TYPE_CHECKING:
    from ._handlers import Call

__all__ = ["place_market_order", "trading_biz_code"]

_FULL_MARGIN_SERVICE = "CfdMMOrderApiService"
# Simulated order business types: 1 market open, 2 market close (pending types are not simulated).
_SIMULATED_BIZ_TYPES = (1, 2)


def trading_biz_code(trade_type: object) -> str:
    """The bizCode of trading errors for ``trade_type``: ``CFD`` for 1, ``CFDWBW`` otherwise."""
    return CFD_FULL if trade_type == 1 else CFD_ISOLATED


def place_market_order(call: Call) -> dict[str, Any]:
    """Place a market open (bizType 1) or close (bizType 2) and answer the endpoints 5.2 shape.

    Raises:
        SimError: a missing field (``E000005``), a bad format (``E000006``), an inconsistent field
            (``E000007``), an unlisted product (``E000013``) or a trading rule (``E0000nn``).
    """
    body = call.body
    full_margin_only = _FULL_MARGIN_SERVICE in call.biz_type
    raw_trade_type = body.get("tradeType")
    biz_code = CFD_FULL if full_margin_only else trading_biz_code(raw_trade_type)
    trade_type = int_field(body, "tradeType", biz_code)
    assert trade_type is not None
    if trade_type not in ((1,) if full_margin_only else (1, 2)):
        raise SimError("E000007", biz_code)

    required_ints = ["accountDigits", "bizType", "direction", "symbolId", "requestTime"]
    if trade_type == 2:
        required_ints.append("entryType")  # required for isolated margin (endpoints 5.3)
    ints = {name: int_field(body, name, biz_code) for name in required_ints}
    currency = body.get("accountCurrency")
    if currency is None or currency == "":
        raise SimError("E000005", biz_code)
    if not isinstance(currency, str):
        raise SimError("E000006", biz_code)
    request_price = scaled_field(body, "requestPrice", biz_code, required=True)
    request_num = decimal_field(body, "requestNum", biz_code)
    stop_loss = scaled_field(body, "stopLoss", biz_code, required=False)
    take_profit = scaled_field(body, "takeProfit", biz_code, required=False)
    account_id = int_field(body, "accountId", biz_code, required=False)
    leverage = int_field(body, "crossLevelNum", biz_code, required=False)
    position_id = int_field(body, "positionId", biz_code, required=False)
    entry_type = ints.get("entryType") or 1
    biz_type, direction = ints["bizType"], ints["direction"]
    remark = body.get("remark") or ""
    if not isinstance(remark, str):
        raise SimError("E000006", biz_code)
    if biz_type not in _SIMULATED_BIZ_TYPES or direction not in (1, 2) or entry_type not in (1, 2):
        raise SimError("E000007", biz_code)
    if biz_type == 2 and position_id is None:
        raise SimError("E000005", biz_code)

    exchange = call.state.exchange
    account = exchange.find_account(trade_type, account_id=account_id, currency=currency)
    if account is None or ints["accountDigits"] != account.digits:
        raise SimError("E000007", biz_code)
    symbol_id = ints["symbolId"]
    assert symbol_id is not None
    symbol = exchange.market.listed(symbol_id, trade_type)
    if symbol is None:
        raise SimError("E000013", biz_code)
    order = MarketOrder(
        account=account,
        symbol=symbol,
        biz_type=biz_type or 0,
        direction=direction or 0,
        request_price=request_price,
        request_num=request_num,
        entry_type=entry_type,
        stop_loss=stop_loss,
        take_profit=take_profit,
        leverage=leverage,
        position_id=position_id,
        request_time_ms=ints["requestTime"] or 0,
        remark=remark,
        source=tag_field(body, "source", biz_code),
        third_party_order=tag_field(body, "thirdPartyOrder", biz_code),
    )
    try:
        filled = exchange.place_market_order(order, call.now_ms)
    except TradingError as exc:
        raise SimError(exc.code, biz_code, msg_params=exc.msg_params) from None
    return fill_view(exchange, filled)
