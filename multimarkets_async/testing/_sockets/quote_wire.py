"""Wire texts of the quote socket: snapshot entries of the JSON replies and the text push records.

Exactly the documented shapes: prices as strings at the product's
digits, volumes as plain decimal strings, ``tick_time`` in milliseconds, K-line and trade times in
seconds. Push records are ``p(...);``, ``pd(...);bids;asks;``, ``pt(...);`` and ``pr(...);``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .._exchange.market import SimSymbol
from .._exchange.quote_data import Bar, FeedTrade, QuoteData

__all__ = [
    "MarketOptions",
    "kline_entry",
    "market_entry",
    "p_record",
    "pd_record",
    "pr_record",
    "pt_record",
    "rolling_entry",
    "ticker_entry",
]


@dataclass(frozen=True, slots=True)
class MarketOptions:
    """The options of one product's 14010 subscription.

    Attributes:
        depth_level: book levels a side (``depth_level``; 1 when absent).
        accuracy: the price bucket levels are merged to (``merge_accuracy``).
        trade_info_count: recent trades in the snapshot.
    """

    depth_level: int
    accuracy: Decimal
    trade_info_count: int


def _px(symbol: SimSymbol, price: Decimal) -> str:
    return format(price.quantize(symbol.point), "f")


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def ticker_entry(
    symbol: SimSymbol, trade_type: int, trade_mode: int, feed: QuoteData, now_ms: int
) -> dict[str, Any]:
    """One ``tick_list`` entry of the 14001 snapshot."""
    bids, asks = feed.book(symbol, 1)
    yesterday, today = feed.daily(symbol, now_ms)
    return {
        "symbol_id": symbol.symbol_id,
        "trade_type": trade_type,
        "trade_mode": trade_mode,
        "seq": symbol.seq,
        "tick_time": symbol.tick_time_ms,
        "price_digits": symbol.digits,
        "price": _px(symbol, symbol.mid),
        "tick_deep": [
            {
                "price_bid": _px(symbol, symbol.bid),
                "price_ask": _px(symbol, symbol.ask),
                "volume_bid": _num(bids[0][1]),
                "volume_ask": _num(asks[0][1]),
            }
        ],
        "open_price": _px(symbol, today.open),
        "close_price": _px(symbol, today.close),
        "high_price": _px(symbol, today.high),
        "low_price": _px(symbol, today.low),
        "yesterday_close_price": _px(symbol, yesterday.close),
    }


def market_entry(
    symbol: SimSymbol,
    trade_type: int,
    trade_mode: int,
    feed: QuoteData,
    *,
    options: MarketOptions,
) -> dict[str, Any]:
    """One ``tick_list`` entry of the 14011 snapshot (book and recent trades, newest first)."""
    bids, asks = feed.book(symbol, options.depth_level, options.accuracy)
    return {
        "symbol_id": symbol.symbol_id,
        "trade_type": trade_type,
        "trade_mode": trade_mode,
        "seq": symbol.seq,
        "tick_time": symbol.tick_time_ms,
        "price_digits": symbol.digits,
        "bid_deep": [{"price_bid": _px(symbol, p), "volume_bid": _num(v)} for p, v in bids],
        "ask_deep": [{"price_ask": _px(symbol, p), "volume_ask": _num(v)} for p, v in asks],
        "trade_info": [
            {
                "price": _px(symbol, t.price),
                "volume": _num(t.volume),
                "trade_direction": t.direction,
                "trade_time": t.time_ms // 1000,
            }
            for t in feed.trades(symbol, options.trade_info_count)
        ],
    }


def rolling_entry(
    symbol: SimSymbol, trade_type: int, trade_mode: int, feed: QuoteData, now_ms: int
) -> dict[str, Any]:
    """One ``tick_list`` entry of the 14017 snapshot (the ``pr(`` fields under their names)."""
    last, first, high, low, volume, amount = feed.rolling(symbol, now_ms)
    return {
        "symbol_id": symbol.symbol_id,
        "trade_type": trade_type,
        "trade_mode": trade_mode,
        "rolling_last_price": _px(symbol, last),
        "rolling_first_price": _px(symbol, first),
        "rolling_high_price": _px(symbol, high),
        "rolling_low_price": _px(symbol, low),
        "rolling_transactions_number": _num(volume),
        "rolling_amount": _num(amount),
    }


def kline_entry(symbol: SimSymbol, bar: Bar) -> dict[str, Any]:
    """One ``kline_list`` entry of 14013/14015 (``timestamp`` in seconds, ``last_tick_time`` in ms)."""
    return {
        "timestamp": bar.start,
        "open_price": _px(symbol, bar.open),
        "close_price": _px(symbol, bar.close),
        "high_price": _px(symbol, bar.high),
        "low_price": _px(symbol, bar.low),
        "last_tick_time": bar.last_tick_ms,
        "last_tick_seq": bar.last_tick_seq,
        "transactions_number": _num(bar.volume),
    }


def p_record(symbol: SimSymbol, trade_type: int, trade_mode: int, feed: QuoteData) -> str:
    """``p(symbol_id,trade_type,trade_mode,seq,tick_time,price,bid,ask,bid_vol,ask_vol);``."""
    bids, asks = feed.book(symbol, 1)
    return (
        f"p({symbol.symbol_id},{trade_type},{trade_mode},{symbol.seq},{symbol.tick_time_ms},"
        f"{_px(symbol, symbol.mid)},{_px(symbol, symbol.bid)},{_px(symbol, symbol.ask)},"
        f"{_num(bids[0][1])},{_num(asks[0][1])});"
    )


def pd_record(
    symbol: SimSymbol, trade_type: int, trade_mode: int, feed: QuoteData, options: MarketOptions
) -> str:
    """``pd(symbol_id,trade_type,trade_mode,seq,tick_time);(bid,vol)...;(ask,vol)...;`` (full book)."""
    bids, asks = feed.book(symbol, options.depth_level, options.accuracy)
    bid_text = "".join(f"({_px(symbol, p)},{_num(v)})" for p, v in bids)
    ask_text = "".join(f"({_px(symbol, p)},{_num(v)})" for p, v in asks)
    head = f"pd({symbol.symbol_id},{trade_type},{trade_mode},{symbol.seq},{symbol.tick_time_ms})"
    return f"{head};{bid_text};{ask_text};"


def pt_record(symbol: SimSymbol, trade_type: int, trade_mode: int, trade: FeedTrade) -> str:
    """``pt(symbol_id,trade_type,trade_mode,seq,tick_time,price,volume,trade_direction);``."""
    return (
        f"pt({symbol.symbol_id},{trade_type},{trade_mode},{trade.seq},{trade.time_ms},"
        f"{_px(symbol, trade.price)},{_num(trade.volume)},{trade.direction});"
    )


def pr_record(symbol: SimSymbol, trade_type: int, trade_mode: int, feed: QuoteData, now_ms: int) -> str:
    """``pr(symbol_id,trade_type,trade_mode,last,first,high,low,volume,amount);``."""
    last, first, high, low, volume, amount = feed.rolling(symbol, now_ms)
    return (
        f"pr({symbol.symbol_id},{trade_type},{trade_mode},{_px(symbol, last)},{_px(symbol, first)},"
        f"{_px(symbol, high)},{_px(symbol, low)},{_num(volume)},{_num(amount)});"
    )
