"""Placing orders: addMarketOrder (market and pending business types) and calculateMarketOrder.

Served under both names, ``tradeapi.app.OrderApiService.…`` (tradeTypes 1 and 2, as the vendor's H5
client uses it) and ``tradeapi.app.CfdMMOrderApiService.…`` (tradeType 1 only). The body is validated
field by field; errors carry bizCode ``CFD`` for tradeType 1 and ``CFDWBW`` otherwise (Assumption
``cfd_full_margin_codes``).

Business types: 1 market open and 2 market close execute at once; 10 limit and 11 stop pending orders
(tradeTypes 1 and 2), 12 limit open (tradeType 1), 13 aggregate limit open and 14 aggregate limit close
(tradeType 2) wait for their ``requestPrice`` (Assumption ``pending_price_is_limit``) and live
``expireType`` long (1 day, 2 week (default), 3 30 days, 4 90 days). A market close (2) sets what it
leaves open to its ``stopLoss``/``takeProfit`` (``"0"`` removes, absent keeps the position's;
Assumption ``close_copies_levels``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any, Final

from ..._exchange.records import BUY, CLOSE_PENDING_TYPES, PENDING_TYPES, MarketOrder, TradingError
from ..._exchange.rules import check_volume
from ..error_codes import CFD_FULL, SimError
from ..fields import decimal_field, int_field, scaled_field, tag_field
from ..operation import SimCall, trading_biz_code, trading_error
from ..views import fill_view
from ..views_trading import money_text, pending_fill_view, price_text

__all__ = ["ParsedOrder", "calculate_market_order", "parse_order", "place_market_order", "trading_biz_code"]

_FULL_MARGIN_SERVICE = "CfdMMOrderApiService"
# Business types each tradeType accepts.
_BIZ_TYPES: Final = {1: frozenset({1, 2, 10, 11, 12}), 2: frozenset({1, 2, 10, 11, 13, 14})}
_CLOSES: Final = frozenset({2}) | CLOSE_PENDING_TYPES


@dataclass(frozen=True, slots=True)
class ParsedOrder:
    """A validated order body.

    Attributes:
        order: the request, ready for the exchange.
        expire_type: ``expireType`` (pending orders; 2 when not sent).
        biz_code: the bizCode of its errors.
    """

    order: MarketOrder
    expire_type: int
    biz_code: str


def _expire_type(body: dict[str, Any], biz_code: str) -> int:
    value = body.get("expireType")
    if value is None or value == "":
        return 2  # the documented default: one week
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)  # the spot order documents it as a string; accept both
    if not isinstance(value, int) or isinstance(value, bool):
        raise SimError("E000006", biz_code)
    if value not in (1, 2, 3, 4):
        raise SimError("E000007", biz_code)
    return value


def parse_order(call: SimCall) -> ParsedOrder:
    """Validate an order body for the caller.

    Raises:
        SimError: a missing field (``E000005``), a bad format (``E000006``), an inconsistent field
            (``E000007``), an unlisted product (``E000013``).
    """
    body = call.body
    full_margin_only = _FULL_MARGIN_SERVICE in call.biz_type
    biz_code = CFD_FULL if full_margin_only else trading_biz_code(body.get("tradeType"))
    trade_type = int_field(body, "tradeType", biz_code)
    assert trade_type is not None
    if trade_type not in ((1,) if full_margin_only else (1, 2)):
        raise SimError("E000007", biz_code)

    required_ints = ["accountDigits", "bizType", "direction", "symbolId", "requestTime"]
    if trade_type == 2:
        required_ints.append("entryType")  # required for isolated margin
    ints = {name: int_field(body, name, biz_code) or 0 for name in required_ints}
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
    if biz_type not in _BIZ_TYPES[trade_type] or direction not in (1, 2) or entry_type not in (1, 2):
        raise SimError("E000007", biz_code)
    if biz_type in _CLOSES and position_id is None:
        raise SimError("E000005", biz_code)
    expire_type = _expire_type(body, biz_code) if biz_type in PENDING_TYPES else 2
    target = call.state.exchange.positions.get(position_id or 0) if biz_type == 2 else None
    if target is not None:  # a level the close leaves out stays as it is
        stop_loss = target.stop_loss if body.get("stopLoss") in (None, "") else stop_loss
        take_profit = target.take_profit if body.get("takeProfit") in (None, "") else take_profit

    exchange = call.state.exchange
    account = exchange.find_account(
        trade_type, account_id=account_id, currency=currency, customer_id=call.customer_id
    )
    if account is None or ints["accountDigits"] != account.digits:
        raise SimError("E000007", biz_code)
    symbol = exchange.market.listed(ints["symbolId"], trade_type)
    if symbol is None:
        raise SimError("E000013", biz_code)
    order = MarketOrder(
        account=account,
        symbol=symbol,
        biz_type=biz_type,
        direction=direction,
        request_price=request_price,
        request_num=request_num,
        entry_type=entry_type,
        stop_loss=stop_loss,
        take_profit=take_profit,
        leverage=leverage,
        position_id=position_id,
        request_time_ms=ints["requestTime"],
        remark=remark,
        source=tag_field(body, "source", biz_code),
        third_party_order=tag_field(body, "thirdPartyOrder", biz_code),
    )
    return ParsedOrder(order, expire_type, biz_code)


def place_market_order(call: SimCall) -> dict[str, Any]:
    """Place an order and answer the addMarketOrder layout.

    Market orders (bizType 1, 2) execute at once; pending types (10-14) are stored and answered with
    ``tradeVolume`` ``"0"``, ``positionId`` 0 (or the position a close targets) and, beyond the
    documented fields, ``pboId`` (str) and ``orderStatus`` 1.

    Raises:
        SimError: a body error (see ``parse_order``) or a trading rule (``E0000nn``).
    """
    parsed = parse_order(call)
    exchange, order = call.state.exchange, parsed.order
    try:
        if order.biz_type in PENDING_TYPES:
            pending = exchange.pending.place(order, expire_type=parsed.expire_type, now_ms=call.now_ms)
            return pending_fill_view(exchange, pending)
        filled = exchange.place_market_order(order, call.now_ms)
    except TradingError as exc:
        raise trading_error(exc, parsed.biz_code) from None
    return fill_view(exchange, filled)


def calculate_market_order(call: SimCall) -> dict[str, str]:
    """Trial calculation: ``{margin, calculatePrice, fee}``; nothing is traded.

    An open is priced at the current ask (buy) or bid (sell), or at ``requestPrice`` for a pending
    type; ``margin`` is what it would occupy and ``fee`` the commission it would be charged (a
    positive amount), both in account currency. A close (2, 14) is priced where the position would
    close; its ``margin`` is ``"0…"`` (nothing new is occupied).

    Raises:
        SimError: as ``parse_order``; ``E000008`` for a close of an unknown position,
            ``E000026``/``E000029`` for a size or leverage the product refuses.
    """
    parsed = parse_order(call)
    exchange, req = call.state.exchange, parsed.order
    symbol, account = req.symbol, req.account
    try:
        if req.biz_type in _CLOSES:
            position = exchange.positions.get(req.position_id or 0)
            if position is None or position.account_id != account.account_id or position.status == "2":
                raise TradingError("E000008")
            price = symbol.bid if position.direction == BUY else symbol.ask
            fee = exchange.margin_and_fee(account, symbol, price, req.request_num, position.leverage)[1]
            margin = Decimal(0)
        else:
            leverage = req.leverage if req.leverage is not None else exchange.leverage_for(account, symbol)
            if not 1 <= leverage <= symbol.max_leverage:
                raise TradingError("E000029")
            price = symbol.ask if req.direction == BUY else symbol.bid
            if req.biz_type in PENDING_TYPES:
                price = symbol.unscale(req.request_price)
            volume = req.request_num
            if req.entry_type == 2:
                volume = (volume * leverage / (price * symbol.contract_size)).quantize(
                    symbol.volume_step, rounding=ROUND_DOWN
                )
            check_volume(symbol, volume)
            margin, fee = exchange.margin_and_fee(account, symbol, price, volume, leverage)
    except TradingError as exc:
        raise trading_error(exc, parsed.biz_code) from None
    return {
        "margin": money_text(account, margin),
        "calculatePrice": price_text(symbol, price),
        "fee": money_text(account, -fee),
    }
