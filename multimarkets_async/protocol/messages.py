"""The message-push socket dialect: ``head``/``msgType`` client frames and the server's events.

Sans-I/O: the encoders return the JSON text of ``login``, ``subscribe_asset``,
``cancel_subscribe_asset``, ``ping`` and ``logout`` (the clock, ``seqId`` and trace are passed in);
``decode_message`` turns one received frame (``msgCode`` JSON, or an ``f(``/``g(`` P&L push)
into a typed event from ``push``, raising only ``ProtocolError``
(implemented in ``_messages_decode``).

Acks (setting ``msg_ws_ack_shape``): replies to the client frames are undocumented. We assume
the simulator's shape: ``login`` and ``subscribe_asset`` are answered with ``subscribe_success`` (or
``subscribe_fail`` for a bad token) echoing ``seqId``, ``ping`` with ``pong``. Nothing waits for an
ack; ``subscribe_fail``, ``disconnect``, ``UserForceLogoutRet`` and a logout ``notice`` end the session
(``ends_session``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Final

from ..errors import InvalidArgumentError
from ._messages_decode import decode_message, ends_session

__all__ = [
    "DEFAULT_DEVICE",
    "DEFAULT_LANG",
    "MSG_WS_IDLE_TIMEOUT",
    "MSG_WS_PING_INTERVAL",
    "MsgDevice",
    "MsgSession",
    "MsgType",
    "decode_message",
    "encode_cancel_subscribe_asset",
    "encode_login",
    "encode_logout",
    "encode_ping",
    "encode_subscribe_asset",
    "ends_session",
]


class MsgType(StrEnum):
    """``head.msgType`` of client frames."""

    LOGIN = "login"
    LOGOUT = "logout"
    PING = "ping"
    SUBSCRIBE_ASSET = "subscribe_asset"
    CANCEL_SUBSCRIBE_ASSET = "cancel_subscribe_asset"


class MsgDevice(IntEnum):
    """``device`` codes of this socket (from the H5 client; not the ``registerSource`` codes)."""

    H5 = 1
    H5_ANDROID = 2
    H5_IOS = 3
    PC_WINDOWS = 4
    PC_MACOS = 5
    ANDROID = 6
    IOS = 7


MSG_WS_PING_INTERVAL: Final = 15.0
"""Seconds between ``ping`` frames (the docs; the H5 client uses 30). Setting ``msg_ws_ping_interval``."""
MSG_WS_IDLE_TIMEOUT: Final = 60.0
"""Assumed server idle timeout; the SDK treats 60 s without any frame as a dead connection."""
DEFAULT_DEVICE: Final = MsgDevice.H5
"""The ``device`` the SDK sends, as the docs' examples do."""
DEFAULT_LANG: Final = "en-US"
"""The ``head.lang`` the SDK sends unless told otherwise."""


@dataclass(frozen=True, slots=True)
class MsgSession:
    """What every client frame repeats in ``head`` and beside it: the token, language and device."""

    token: str = field(repr=False)
    """Push token from ``getMsgPushToken`` (``...push``) or a login token (``...app``); not in reprs."""
    lang: str = DEFAULT_LANG
    """``head.lang``, e.g. ``en-US`` or ``zh-CN``."""
    device: int = DEFAULT_DEVICE
    """A ``MsgDevice`` code."""


def _frame(
    msg_type: MsgType, session: MsgSession, seq_id: int, trace: str, send_time: int, *, data: object = None
) -> str:
    if not isinstance(session.token, str) or not session.token:
        raise InvalidArgumentError("the message-socket token must be a non-empty string")
    for name, value in (("seq_id", seq_id), ("send_time", send_time), ("device", session.device)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidArgumentError(f"{name} must be a non-negative integer, got {value!r}")
    if not (isinstance(trace, str) and trace and isinstance(session.lang, str) and session.lang):
        raise InvalidArgumentError("trace and lang must be non-empty strings")
    head = {"msgType": str(msg_type), "token": session.token, "sendTime": send_time, "lang": session.lang}
    frame: dict[str, object] = {"head": head}
    if data is not None:
        frame["data"] = data
    frame.update(device=int(session.device), seqId=seq_id, trace=trace)
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def encode_login(session: MsgSession, seq_id: int, trace: str, send_time: int) -> str:
    """Encode ``login``: the first frame after connecting, and again after every reconnect.

    Args:
        session: Token, language and device.
        seq_id: Per-connection counter, incremented on every frame.
        trace: Unique per frame (``uuid4-ms`` or ``x-{ms}-{n}``).
        send_time: Send time in milliseconds since the epoch.

    Returns:
        The JSON text frame.

    Raises:
        InvalidArgumentError: an empty token, trace or lang, or a negative number.
    """
    return _frame(MsgType.LOGIN, session, seq_id, trace, send_time)


def encode_logout(session: MsgSession, seq_id: int, trace: str, send_time: int) -> str:
    """Encode ``logout``; the server keeps the socket open, so close it after. Args as ``encode_login``.

    Raises:
        InvalidArgumentError: an empty token, trace or lang, or a negative number.
    """
    return _frame(MsgType.LOGOUT, session, seq_id, trace, send_time)


def encode_ping(session: MsgSession, seq_id: int, trace: str, send_time: int) -> str:
    """Encode ``ping``, sent every ``MSG_WS_PING_INTERVAL`` s. Args as ``encode_login``.

    Raises:
        InvalidArgumentError: an empty token, trace or lang, or a negative number.
    """
    return _frame(MsgType.PING, session, seq_id, trace, send_time)


def _csv(name: str, values: Iterable[int] | str) -> str:
    items = values.split(",") if isinstance(values, str) else [str(v) for v in values]
    items = list(dict.fromkeys(item.strip() for item in items))
    if not items or not all(item.isascii() and item.isdigit() and int(item) > 0 for item in items):
        raise InvalidArgumentError(f"{name} must be positive integers, e.g. [1, 2] or '1,2', got {values!r}")
    return ",".join(items)


def _asset_data(types: Iterable[int] | str, subscribe_type: Iterable[int] | str | None) -> dict[str, str]:
    data = {"tradeTypes": _csv("trade_types", types)}
    if subscribe_type is not None:
        data["subscribeType"] = _csv("subscribe_type", subscribe_type)
    return data


def encode_subscribe_asset(
    session: MsgSession,
    seq_id: int,
    trace: str,
    send_time: int,
    *,
    trade_types: Iterable[int] | str,
    subscribe_type: Iterable[int] | str | None = None,
) -> str:
    """Encode ``subscribe_asset`` for some account families (``data.tradeTypes``, sent as ``"1,2"``).

    Args:
        session: Token, language and device.
        seq_id: Per-connection counter.
        trace: Unique per frame.
        send_time: Send time in milliseconds.
        trade_types: Account families: 1 full-margin contract, 2 isolated contract, 5 spot, 6 stock.
        subscribe_type: Stock only: 1 position floating P&L, 2 asset messages; ``None`` leaves it out.

    Returns:
        The JSON text frame.

    Raises:
        InvalidArgumentError: no or non-positive trade types, or a bad common field.
    """
    data = _asset_data(trade_types, subscribe_type)
    return _frame(MsgType.SUBSCRIBE_ASSET, session, seq_id, trace, send_time, data=data)


def encode_cancel_subscribe_asset(
    session: MsgSession,
    seq_id: int,
    trace: str,
    send_time: int,
    *,
    trade_types: Iterable[int] | str,
    subscribe_type: Iterable[int] | str | None = None,
) -> str:
    """Encode ``cancel_subscribe_asset``; arguments as ``encode_subscribe_asset``.

    Raises:
        InvalidArgumentError: no or non-positive trade types, or a bad common field.
    """
    data = _asset_data(trade_types, subscribe_type)
    return _frame(MsgType.CANCEL_SUBSCRIBE_ASSET, session, seq_id, trace, send_time, data=data)
