"""Typed events of the private message-push socket: trade results, refresh hints, P&L pushes, session events.

Built by ``messages`` from ``msgCode`` JSON frames and the ``f(``/``g(``
text pushes. Frozen, slotted dataclasses like the market models. Every JSON
event keeps the raw ``content`` object, so a field the SDK does not type is never lost; a frame with
an unknown ``msgCode`` is delivered as ``UnknownMessageEvent``, not dropped.

Times are milliseconds since the epoch in fields named ``..._ms``. ``timestamp``, ``deal_execute_time``
and ``date`` were renamed ``timestamp_ms``, ``deal_execute_time_ms`` and ``date_ms``; the old names still
read, with a ``DeprecationWarning``, until the next release.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import ClassVar, TypeAlias

__all__ = [
    "AccountUpdate",
    "DisconnectEvent",
    "ForcedLogoutEvent",
    "MessageEvent",
    "MsgCode",
    "NoticeEvent",
    "NoticeUpdateType",
    "PongEvent",
    "PositionPnlUpdate",
    "PushEvent",
    "SubscribeAck",
    "SubscribeFailed",
    "TradeBizType",
    "TradeEvent",
    "UnknownMessageEvent",
]


def _renamed(owner: object, old: str, new: str) -> None:
    warnings.warn(
        f"{type(owner).__name__}.{old} is deprecated, use {new}; the old name goes in the next release",
        DeprecationWarning,
        stacklevel=3,
    )


class MsgCode(StrEnum):
    """``msgCode`` values of server frames (docs, the H5 client, and the simulator's ``pong``)."""

    TRADE = "trade"
    """An order result (fill or failure)."""
    NOTICE = "notice"
    """A hint to refresh positions, orders or funds."""
    DISCONNECT = "disconnect"
    """The session was taken over by a login elsewhere."""
    USER_FORCE_LOGOUT = "UserForceLogoutRet"
    """A forced logout; the token is dead."""
    SUBSCRIBE_SUCCESS = "subscribe_success"
    """Login or subscription accepted."""
    SUBSCRIBE_FAIL = "subscribe_fail"
    """Login refused (bad token)."""
    PONG = "pong"
    """Heartbeat answer."""


class TradeBizType(StrEnum):
    """Known ``content.bizType`` values of a ``trade`` message (compare with ``TradeEvent.biz_type``)."""

    POSITION_OPEN = "POSITION_OPEN"
    """A market open was executed."""
    POSITION_CLOSE = "POSITION_CLOSE"
    """A market close was executed."""
    ME_POSITION_LIMIT_OPEN = "ME_POSITION_LIMIT_OPEN"
    """A limit open was executed."""
    ME_POSITION_LIMIT_CLOSE = "ME_POSITION_LIMIT_CLOSE"
    """A limit close was executed."""
    POSITION_OPEN_FAIL = "POSITION_OPEN_FAIL"
    """A market open failed."""
    ME_POSITION_LIMIT_FAIL = "ME_POSITION_LIMIT_FAIL"
    """A limit open failed."""


class NoticeUpdateType(IntEnum):
    """``notice`` ``updateType``: what the client should refresh."""

    NONE = 0
    """Nothing to refresh."""
    POSITIONS = 1
    """Refresh positions."""
    PENDING_ORDERS = 2
    """Refresh pending orders."""
    FUNDS = 3
    """Refresh funds."""
    LOGOUT = 4
    """Logged out (kicked)."""
    POSITIONS_AND_PENDING_ORDERS = 5
    """Refresh positions and pending orders."""
    PENDING_ORDERS_AND_FUNDS = 6
    """Refresh pending orders and funds."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageEvent:
    """Fields every JSON frame of the message socket carries; the base of the ``msgCode`` events."""

    MSG_CODE: ClassVar[str] = ""

    timestamp_ms: int | None = None
    """Server send time, milliseconds since the epoch (``timestamp``)."""
    trace: str | None = None
    """Server trace (an echo of the client's trace on acks)."""
    seq_id: int | None = None
    """Server sequence number; an echo of the client's ``seqId`` on acks; absent on ``trade``."""
    content: Mapping[str, object] | None = None
    """The raw ``content`` object, kept whole."""

    @property
    def timestamp(self) -> int | None:
        """Deprecated alias of ``timestamp_ms``."""
        _renamed(self, "timestamp", "timestamp_ms")
        return self.timestamp_ms


@dataclass(frozen=True, slots=True, kw_only=True)
class TradeEvent(MessageEvent):
    """``msgCode: trade``: an order was filled, or failed. Match ``order_id`` with the placing call.

    Typed fields are ``None`` when the server left them out or sent text that does not parse; the
    untouched strings are in ``param_map``.
    """

    MSG_CODE: ClassVar[str] = MsgCode.TRADE

    biz_type: str
    """Event: a ``TradeBizType`` value such as ``POSITION_OPEN`` (unknown values are kept)."""
    account_id: int | None = None
    """Account the order belongs to."""
    company_id: int | None = None
    """Company (white label) of the account."""
    customer_id: int | None = None
    """Customer owning the account."""
    trade_type: int | None = None
    """Account family: 1 full-margin contract, 2 isolated contract, 5 spot, 6 stock."""
    order_id: int | None = None
    """Order id returned by the placing call (``orderId``)."""
    position_id: int | None = None
    """Position opened or affected (``positionId``)."""
    deal_id: int | None = None
    """Deal id (``dealId``)."""
    pending_id: int | None = None
    """Pending (limit) order id; ``None`` when the wire says ``"0"``."""
    order_status: int | None = None
    """1 received, 2 completed, 3 partly completed, 4 cancelled, 5 partly cancelled, 6 rejected, 7 expired."""
    order_type: int | None = None
    """Order business type (``orderType``; 1 market open, ...)."""
    order_biz_type: int | None = None
    """Order business type (``orderBizType``)."""
    direction: int | None = None
    """1 buy, 2 sell (``direction``)."""
    order_direction: int | None = None
    """1 buy, 2 sell (``orderDirection``)."""
    symbol_id: int | None = None
    """Product id."""
    symbol_name: str | None = None
    """Product name, e.g. ``EURAUD``."""
    symbol_digits: int | None = None
    """Price decimal places of the product."""
    contract_size: Decimal | None = None
    """Units per lot."""
    deal_price: Decimal | None = None
    """Fill price (``dealPrice``)."""
    deal_execute_price: Decimal | None = None
    """Fill price (``dealExecutePrice``)."""
    deal_amount: Decimal | None = None
    """Lots filled."""
    request_amount: Decimal | None = None
    """Lots requested."""
    deal_execute_num: Decimal | None = None
    """Units filled (lots x contract size)."""
    source_execute_vol: Decimal | None = None
    """Requested size as the user typed it."""
    source_execute_vol_sum: Decimal | None = None
    """Cumulative size as the user typed it."""
    commission: Decimal | None = None
    """Commission, in account currency."""
    margin: Decimal | None = None
    """Margin used (wire key ``Margin``, capital M)."""
    account_currency: str | None = None
    """Currency of the account."""
    currency: str | None = None
    """Currency of the order."""
    deal_execute_time_ms: int | None = None
    """Fill time, milliseconds since the epoch (``dealExecuteTime``)."""
    date_ms: int | None = None
    """Event time, milliseconds since the epoch (``date``)."""
    source: str | None = None
    """Order source, e.g. ``H5``."""
    play_type: int | None = None
    """The trade type again (``playType``)."""
    take_profit_msg: str | None = None
    """Take-profit display text, ``"--"`` when not set."""
    stop_loss_msg: str | None = None
    """Stop-loss display text, ``"--"`` when not set."""
    param_map: Mapping[str, object]
    """The raw ``paramMap`` (strings on the wire), kept whole."""

    @property
    def deal_execute_time(self) -> int | None:
        """Deprecated alias of ``deal_execute_time_ms``."""
        _renamed(self, "deal_execute_time", "deal_execute_time_ms")
        return self.deal_execute_time_ms

    @property
    def date(self) -> int | None:
        """Deprecated alias of ``date_ms``."""
        _renamed(self, "date", "date_ms")
        return self.date_ms


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeEvent(MessageEvent):
    """``msgCode: notice``: a hint to refresh positions, pending orders or funds, or a KYC result."""

    MSG_CODE: ClassVar[str] = MsgCode.NOTICE

    update_type: int | None = None
    """What to refresh: a ``NoticeUpdateType`` value (unknown values are kept)."""
    show: bool | None = None
    """Whether the platform would show a pop-up to the user."""
    biz_type: str | None = None
    """Topic, e.g. ``AUDIT_CUSTOMER_SUCCESS``."""
    trade_type: int | None = None
    """Affected account family."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscribeAck(MessageEvent):
    """``msgCode: subscribe_success``: the ``login`` or ``subscribe_asset`` with ``seq_id`` took effect."""

    MSG_CODE: ClassVar[str] = MsgCode.SUBSCRIBE_SUCCESS


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscribeFailed(MessageEvent):
    """``msgCode: subscribe_fail``: the token was refused; the session is over."""

    MSG_CODE: ClassVar[str] = MsgCode.SUBSCRIBE_FAIL


@dataclass(frozen=True, slots=True, kw_only=True)
class PongEvent(MessageEvent):
    """``msgCode: pong``: the simulator's answer to ``ping`` (undocumented for the real server; optional)."""

    MSG_CODE: ClassVar[str] = MsgCode.PONG


@dataclass(frozen=True, slots=True, kw_only=True)
class DisconnectEvent(MessageEvent):
    """``msgCode: disconnect``: the account logged in elsewhere and this session was kicked out."""

    MSG_CODE: ClassVar[str] = MsgCode.DISCONNECT


@dataclass(frozen=True, slots=True, kw_only=True)
class ForcedLogoutEvent(MessageEvent):
    """``msgCode: UserForceLogoutRet``: forced logout; the token is dead."""

    MSG_CODE: ClassVar[str] = MsgCode.USER_FORCE_LOGOUT


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownMessageEvent(MessageEvent):
    """A frame whose ``msgCode`` the SDK does not know; delivered as is rather than dropped."""

    msg_code: str
    """The ``msgCode`` as received (``""`` when absent)."""
    raw: Mapping[str, object]
    """The whole frame object."""


@dataclass(frozen=True, slots=True)
class PositionPnlUpdate:
    """One position's part of an ``f(``/``g(`` push."""

    position_id: int
    """Position id."""
    profit_loss: Decimal
    """Floating P&L of the position."""
    preview_stop_price: Decimal | None = None
    """Estimated liquidation price; ``None`` from older servers that send two values."""


@dataclass(frozen=True, slots=True)
class AccountUpdate:
    """Floating P&L push of a contract account: ``f(`` (trade type 1) or ``g(`` (trade type 2)."""

    trade_type: int
    """1 for ``f(`` (full-margin contract), 2 for ``g(`` (isolated contract)."""
    profit_loss: Decimal
    """Floating P&L of the account (``profitLoss``)."""
    occupy_margin: Decimal
    """Margin in use (``occupyMargin``)."""
    available_margin: Decimal
    """Free margin (``availableMargin``)."""
    margin_ratio: Decimal
    """Margin ratio (wire name ``marginRadio``)."""
    net_worth: Decimal
    """Equity (``netWorth``)."""
    balance: Decimal
    """Balance."""
    positions: tuple[PositionPnlUpdate, ...] = ()
    """Per-position P&L, in wire order."""


PushEvent: TypeAlias = (
    TradeEvent
    | NoticeEvent
    | SubscribeAck
    | SubscribeFailed
    | PongEvent
    | DisconnectEvent
    | ForcedLogoutEvent
    | UnknownMessageEvent
    | AccountUpdate
)
"""Any event the message socket decoder returns."""
