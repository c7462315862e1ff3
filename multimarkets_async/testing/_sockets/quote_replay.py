"""Replayed market data on the quote socket: recorded ticks, books and trades pushed as recorded.

A replayed event goes to the sessions subscribed to its product exactly as it was recorded (the
prices and volumes as the recording's decimal strings, its ``seq`` and time), under the trade type
and mode each session subscribed with: ``p(`` to ticker subscribers, ``pd(`` (cut to the session's
``depth_level``) and ``pt(`` to market subscribers. The exchange's prices are moved by the caller
(``testing._replay``), which also decides when each event goes out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .quote import STOCK_TRADE_TYPE

if TYPE_CHECKING:
    from .._exchange.market import SimSymbol
    from .kinds import Key, QuoteSession
    from .state_view import SocketState

__all__ = ["push_replayed_depth", "push_replayed_tick", "push_replayed_trade", "quote_backlog"]

_TRADE_SIDES = {"UNKNOWN": 0, "BUY": 1, "SELL": 2}


def _subscribers(state: SocketState, symbol: SimSymbol, keys_of: str) -> Iterator[tuple[QuoteSession, Key]]:
    for session in state.sockets.quote:
        keys: Sequence[Key] = getattr(session, keys_of)
        for key in keys:
            sid, trade_type, _ = key
            stock_socket = session.path.endswith("/quote_stock")
            in_area = (trade_type == STOCK_TRADE_TYPE) == stock_socket
            if sid == symbol.symbol_id and trade_type in symbol.trade_types and in_area:
                yield session, key


def push_replayed_tick(state: SocketState, symbol: SimSymbol, row: Mapping[str, Any]) -> None:
    """Push a recorded tick (a ``ticks`` row) as ``p(`` to the product's ticker subscribers."""
    body = (
        f"{row['seq']},{row['time_ms']},{row['price']},{row['bid']},{row['ask']},"
        f"{row['bid_volume']},{row['ask_volume']});"
    )
    for session, (sid, trade_type, trade_mode) in _subscribers(state, symbol, "tickers"):
        session.push(f"p({sid},{trade_type},{trade_mode},{body}")


def push_replayed_depth(state: SocketState, symbol: SimSymbol, row: Mapping[str, Any]) -> None:
    """Push a recorded book (a ``depth`` row) as ``pd(`` to the product's market subscribers, cut to
    each one's ``depth_level``."""
    bids, asks = row["bids"] or [], row["asks"] or []
    for session, key in _subscribers(state, symbol, "market"):
        sid, trade_type, trade_mode = key
        levels = session.market_options[key].depth_level
        bid_text = "".join(f"({level['price']},{level['volume']})" for level in bids[:levels])
        ask_text = "".join(f"({level['price']},{level['volume']})" for level in asks[:levels])
        head = f"pd({sid},{trade_type},{trade_mode},{row['seq']},{row['time_ms']})"
        session.push(f"{head};{bid_text};{ask_text};")


def push_replayed_trade(state: SocketState, symbol: SimSymbol, row: Mapping[str, Any]) -> None:
    """Push a recorded trade (a ``trades`` row) as ``pt(`` to the product's market subscribers."""
    side = _TRADE_SIDES.get(str(row["direction"]), 0)
    seq = row["seq"] if row["seq"] is not None else symbol.seq
    body = f"{seq},{row['time_ms']},{row['price']},{row['volume']},{side});"
    for session, (sid, trade_type, trade_mode) in _subscribers(state, symbol, "market"):
        session.push(f"pt({sid},{trade_type},{trade_mode},{body}")


def quote_backlog(state: SocketState) -> int:
    """Frames queued and not yet handed to the network, over every subscribed quote connection."""
    return sum(s.queued for s in state.sockets.quote if s.tickers or s.market)
