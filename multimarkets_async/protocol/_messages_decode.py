"""Decoding of the message-push socket's server frames into the typed events of ``models.push``.

``msgCode`` JSON frames and the ``f(``/``g(`` floating P&L pushes. Re-exported by
``messages``; everything that fails to parse becomes ``ProtocolError`` (JSON is read by ``_json.loads``;
no message ever shows the frame, which may carry a token).
Typed fields of ``trade`` and ``notice`` are read leniently (``None`` when odd) because a private event
must never be lost for one field; the raw ``content`` is always kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final, TypeAlias, TypedDict

from ..models.push import (
    AccountUpdate,
    DisconnectEvent,
    ForcedLogoutEvent,
    MsgCode,
    NoticeEvent,
    NoticeUpdateType,
    PongEvent,
    PositionPnlUpdate,
    PushEvent,
    SubscribeAck,
    SubscribeFailed,
    TradeEvent,
    UnknownMessageEvent,
)
from ._json import DECODE_ERRORS, cause_of, decode_error, loads
from ._json import Malformed as _Malformed

__all__ = ["decode_message", "ends_session"]

_WHAT: Final = "message-socket frame"


def ends_session(event: PushEvent) -> bool:
    """Whether ``event`` means the server has ended this session (token refused, kicked, forced logout)."""
    if isinstance(event, NoticeEvent):
        return event.update_type == NoticeUpdateType.LOGOUT
    return isinstance(event, SubscribeFailed | DisconnectEvent | ForcedLogoutEvent)


class _Common(TypedDict):
    timestamp_ms: int | None
    trace: str | None
    seq_id: int | None
    content: Mapping[str, object] | None


def _int(value: object) -> int | None:
    if type(value) is int:
        return value
    if isinstance(value, str) and len(value) < 40:
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _dec(value: object) -> Decimal | None:
    if type(value) is float:
        value = repr(value)
    if type(value) is int or (isinstance(value, str) and len(value) < 100):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return None
        return number if number.is_finite() else None
    return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _mapping(value: object, what: str) -> Mapping[str, object]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Malformed(f"{what} is not an object")
    return value


def _trade(content: Mapping[str, object], common: _Common) -> TradeEvent:
    pm = _mapping(content.get("paramMap"), "paramMap")
    pending = _int(pm.get("pendingId"))
    return TradeEvent(
        **common,
        biz_type=_str(content.get("bizType")) or "",
        account_id=_int(content.get("accountId", pm.get("accountId"))),
        company_id=_int(content.get("companyId", pm.get("companyId"))),
        customer_id=_int(content.get("customerId")),
        trade_type=_int(content.get("tradeType", pm.get("playType"))),
        order_id=_int(pm.get("orderId")),
        position_id=_int(pm.get("positionId")),
        deal_id=_int(pm.get("dealId")),
        pending_id=pending or None,
        order_status=_int(pm.get("orderStatus")),
        order_type=_int(pm.get("orderType")),
        order_biz_type=_int(pm.get("orderBizType")),
        direction=_int(pm.get("direction")),
        order_direction=_int(pm.get("orderDirection")),
        symbol_id=_int(pm.get("symbolId")),
        symbol_name=_str(pm.get("symbolName")),
        symbol_digits=_int(pm.get("symbolDigits")),
        contract_size=_dec(pm.get("contractSize")),
        deal_price=_dec(pm.get("dealPrice")),
        deal_execute_price=_dec(pm.get("dealExecutePrice")),
        deal_amount=_dec(pm.get("dealAmount")),
        request_amount=_dec(pm.get("requestAmount")),
        deal_execute_num=_dec(pm.get("dealExecuteNum")),
        source_execute_vol=_dec(pm.get("sourceExecuteVol")),
        source_execute_vol_sum=_dec(pm.get("sourceExecuteVolSum")),
        commission=_dec(pm.get("commission")),
        margin=_dec(pm.get("Margin")),
        account_currency=_str(pm.get("accountCurrency")),
        currency=_str(pm.get("currency")),
        deal_execute_time_ms=_int(pm.get("dealExecuteTime")),
        date_ms=_int(pm.get("date")),
        source=_str(pm.get("source")),
        play_type=_int(pm.get("playType")),
        take_profit_msg=_str(pm.get("takeProfitMsg")),
        stop_loss_msg=_str(pm.get("stopLossMsg")),
        param_map=pm,
    )


def _notice(content: Mapping[str, object], common: _Common) -> NoticeEvent:
    show = content.get("show")
    return NoticeEvent(
        **common,
        update_type=_int(content.get("updateType")),
        show=show if isinstance(show, bool) else None if _int(show) is None else _int(show) != 0,
        biz_type=_str(content.get("bizType")),
        trade_type=_int(content.get("tradeType")),
    )


_SimpleEvent: TypeAlias = SubscribeAck | SubscribeFailed | PongEvent | DisconnectEvent | ForcedLogoutEvent
_SIMPLE: Final[dict[str, type[_SimpleEvent]]] = {
    MsgCode.SUBSCRIBE_SUCCESS: SubscribeAck,
    MsgCode.SUBSCRIBE_FAIL: SubscribeFailed,
    MsgCode.PONG: PongEvent,
    MsgCode.DISCONNECT: DisconnectEvent,
    MsgCode.USER_FORCE_LOGOUT: ForcedLogoutEvent,
}


def _json_event(text: str) -> PushEvent:
    obj = loads(text, what=_WHAT)
    if not isinstance(obj, dict):
        raise _Malformed("frame is not a JSON object")
    code = obj.get("msgCode")
    raw_content = obj.get("content")
    common = _Common(
        timestamp_ms=_int(obj.get("timestamp")),
        trace=_str(obj.get("trace")),
        seq_id=_int(obj.get("seqId")),
        content=raw_content if isinstance(raw_content, dict) else None,
    )
    if code == MsgCode.TRADE:
        return _trade(_mapping(raw_content, "content"), common)
    if code == MsgCode.NOTICE:
        return _notice(_mapping(raw_content, "content"), common)
    if isinstance(code, str) and code in _SIMPLE:
        return _SIMPLE[code](**common)
    return UnknownMessageEvent(**common, msg_code=code if isinstance(code, str) else "", raw=obj)


def _pnl(text: str, trade_type: int) -> AccountUpdate:
    segments = text.split(";")
    inner, close, tail = segments[0].strip()[2:].partition(")")
    account = inner.split(",")
    if not close or tail.strip() or len(account) != 6:
        raise _Malformed("account part must be six values in '(...)'")
    values = [Decimal(x) for x in account]
    positions = []
    for raw in segments[1:]:
        seg = raw.strip()
        if not seg:
            continue
        if seg[0] != "(" or seg[-1] != ")":
            raise _Malformed("position part is not '(...)'")
        fields = seg[1:-1].split(",")
        if len(fields) not in (2, 3):
            raise _Malformed("position part must have two or three values")
        stop = fields[2].strip() if len(fields) == 3 else ""
        pnl, preview = Decimal(fields[1]), Decimal(stop) if stop else None
        values.extend((pnl,) if preview is None else (pnl, preview))
        positions.append(PositionPnlUpdate(int(fields[0]), pnl, preview))
    if not all(v.is_finite() for v in values):
        raise _Malformed("non-finite number")
    pl, occupy, available, ratio, net_worth, balance = values[:6]
    return AccountUpdate(trade_type, pl, occupy, available, ratio, net_worth, balance, tuple(positions))


def decode_message(frame: str | bytes) -> PushEvent | None:
    """Decode one frame of the message-push socket.

    Args:
        frame: The frame as received (``bytes`` are decoded as UTF-8).

    Returns:
        A typed event: ``f(``/``g(`` -> ``AccountUpdate``; a JSON frame -> the event for its
        ``msgCode``, or ``UnknownMessageEvent``. ``None`` for text that is neither (log and drop).

    Raises:
        ProtocolError: malformed or non-strict JSON, a ``trade``/``notice`` whose ``content`` is not an
            object, or a malformed ``f(``/``g(`` push. The message says why, never what the frame held.
    """
    try:
        text = frame if isinstance(frame, str) else bytes(frame).decode("utf-8")
        body = text.lstrip()
        tag = body[:2]
        if tag in ("f(", "g("):
            return _pnl(body, 1 if tag == "f(" else 2)
        if tag[:1] == "{":
            return _json_event(body)
        return None
    except DECODE_ERRORS as exc:
        raise decode_error(_WHAT, exc) from cause_of(exc)
