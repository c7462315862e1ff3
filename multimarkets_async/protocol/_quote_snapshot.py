"""The data of the quote socket's JSON replies: ticker, market and 24 h snapshots (14001, 14011, 14017)
and K-line bars (14013, 14015), parsed into the typed events of ``models.market``.

Every parser raises ``Malformed`` (or another ``ValueError``, ``LookupError``, ``TypeError``) on a bad
field; ``_quote_reply`` turns that into the reply's ``ProtocolError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Final, TypeAlias

from ..models.market import DepthBook, DepthLevel, Kline, Rolling24h, Tick, Trade
from ._quote_frame import Malformed, QuoteEvent, time_converter
from ._quote_names import ProductNames
from ._quote_push import direction

__all__ = ["MAX_REPLY_BARS", "SNAPSHOTS", "ToMs", "as_object", "check_bars"]

MAX_REPLY_BARS: Final = 1000
"""Default ``max_kline_bars``: the documented 1,000-bar limit per product of one K-line query (14012)."""


def as_object(value: object) -> Mapping[str, object]:
    """``value`` if it is a JSON object; ``Malformed`` otherwise."""
    if not isinstance(value, dict):
        raise Malformed("expected an object")
    return value


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise Malformed("expected an array")
    return value


def _int(obj: Mapping[str, object], key: str, default: int | None = None) -> int:
    value = obj.get(key)
    if type(value) is int:
        return value
    if type(value) is str:
        return int(value)
    if value is None and default is not None:
        return default
    raise Malformed(f"{key} is not an integer")


def _opt_int(obj: Mapping[str, object], key: str) -> int | None:
    return None if obj.get(key) is None else _int(obj, key)


def _dec(obj: Mapping[str, object], key: str) -> Decimal:
    value = obj.get(key)
    if type(value) is str or type(value) is int:
        number = Decimal(value)
    elif type(value) is float:
        number = Decimal(repr(value))
    else:
        raise Malformed(f"{key} is not a number")
    if not number.is_finite():
        raise Malformed(f"{key} is not finite")
    return number


def _opt_dec(obj: Mapping[str, object], key: str) -> Decimal | None:
    return None if obj.get(key) is None else _dec(obj, key)


ToMs = Callable[[int], int]
# trade_time and K-line timestamps are documented in seconds, so quote_time_unit (which is about
# tick_time and last_tick_time) does not apply to them; deciding by magnitude also survives a server
# that sends milliseconds.
_SECONDS_TO_MS: Final = time_converter("auto")


def _ticker_snapshot(data: Mapping[str, object], to_ms: ToMs, names: ProductNames) -> list[QuoteEvent]:
    ticks: list[QuoteEvent] = []
    for item in _list(data.get("tick_list", [])):
        t = as_object(item)
        deep = _list(t.get("tick_deep", []))
        if not deep:  # no quote yet: the next p( push brings one
            continue
        d = as_object(deep[0])
        sym, tt, tm = _int(t, "symbol_id"), _int(t, "trade_type"), _int(t, "trade_mode", 0)
        ticks.append(
            Tick(
                symbol_id=sym,
                trade_type=tt,
                trade_mode=tm,
                seq=_int(t, "seq"),
                time_ms=to_ms(_int(t, "tick_time")),
                price=_dec(t, "price"),
                bid=_dec(d, "price_bid"),
                ask=_dec(d, "price_ask"),
                bid_volume=_dec(d, "volume_bid"),
                ask_volume=_dec(d, "volume_ask"),
                open=_opt_dec(t, "open_price"),
                high=_opt_dec(t, "high_price"),
                low=_opt_dec(t, "low_price"),
                close=_opt_dec(t, "close_price"),
                yesterday_close=_opt_dec(t, "yesterday_close_price"),
                price_digits=_opt_int(t, "price_digits"),
                symbol=names.get((sym, tt, tm)),
            )
        )
    return ticks


def _market_snapshot(data: Mapping[str, object], to_ms: ToMs, names: ProductNames) -> list[QuoteEvent]:
    events: list[QuoteEvent] = []
    for item in _list(data.get("tick_list", [])):
        t = as_object(item)
        sym, tt, tm = _int(t, "symbol_id"), _int(t, "trade_type"), _int(t, "trade_mode", 0)
        name = names.get((sym, tt, tm))
        bids = [as_object(x) for x in _list(t.get("bid_deep", []))]
        asks = [as_object(x) for x in _list(t.get("ask_deep", []))]
        events.append(
            DepthBook(
                symbol_id=sym,
                trade_type=tt,
                trade_mode=tm,
                seq=_int(t, "seq"),
                time_ms=to_ms(_int(t, "tick_time")),
                bids=tuple(DepthLevel(_dec(b, "price_bid"), _dec(b, "volume_bid")) for b in bids),
                asks=tuple(DepthLevel(_dec(a, "price_ask"), _dec(a, "volume_ask")) for a in asks),
                price_digits=_opt_int(t, "price_digits"),
                symbol=name,
            )
        )
        for raw in _list(t.get("trade_info", [])):
            x = as_object(raw)
            when = _SECONDS_TO_MS(_int(x, "trade_time"))
            side = direction(_int(x, "trade_direction", 0))
            price, volume = _dec(x, "price"), _dec(x, "volume")
            events.append(Trade(sym, tt, tm, None, when, price, volume, side, name))
    return events


def _bars(entry: Mapping[str, object], to_ms: ToMs, names: ProductNames) -> list[QuoteEvent]:
    sym, tt, tm = _int(entry, "symbol_id"), _int(entry, "trade_type"), _int(entry, "trade_mode", 0)
    name = names.get((sym, tt, tm))
    kind, digits = _opt_int(entry, "kline_type"), _opt_int(entry, "price_digits")
    bars: list[QuoteEvent] = []
    for raw in _list(entry.get("kline_list", [])):
        k = as_object(raw)
        last_tick = _opt_int(k, "last_tick_time")
        bars.append(
            Kline(
                symbol_id=sym,
                trade_type=tt,
                trade_mode=tm,
                kline_type=kind,
                time_ms=_SECONDS_TO_MS(_int(k, "timestamp")),
                open=_dec(k, "open_price"),
                high=_dec(k, "high_price"),
                low=_dec(k, "low_price"),
                close=_dec(k, "close_price"),
                volume=_dec(k, "transactions_number"),
                last_tick_time_ms=None if last_tick is None else to_ms(last_tick),
                last_tick_seq=_opt_int(k, "last_tick_seq"),
                price_digits=digits,
                symbol=name,
            )
        )
    return bars


def _kline_reply(data: Mapping[str, object], to_ms: ToMs, names: ProductNames) -> list[QuoteEvent]:
    return _bars(data, to_ms, names)


def _batch_kline_reply(data: Mapping[str, object], to_ms: ToMs, names: ProductNames) -> list[QuoteEvent]:
    entries = _list(data.get("data_list", []))
    return [bar for entry in entries for bar in _bars(as_object(entry), to_ms, names)]


def _rolling_snapshot(data: Mapping[str, object], to_ms: ToMs, names: ProductNames) -> list[QuoteEvent]:
    # The 14017 snapshot is undocumented. Assumption: entries use the pr( field names; others are skipped.
    stats: list[QuoteEvent] = []
    for item in _list(data.get("tick_list", [])):
        r = as_object(item)
        if "rolling_last_price" not in r:
            continue
        sym, tt, tm = _int(r, "symbol_id"), _int(r, "trade_type"), _int(r, "trade_mode", 0)
        stats.append(
            Rolling24h(
                symbol_id=sym,
                trade_type=tt,
                trade_mode=tm,
                last_price=_dec(r, "rolling_last_price"),
                first_price=_dec(r, "rolling_first_price"),
                high_price=_dec(r, "rolling_high_price"),
                low_price=_dec(r, "rolling_low_price"),
                volume=_dec(r, "rolling_transactions_number"),
                amount=_dec(r, "rolling_amount"),
                symbol=names.get((sym, tt, tm)),
            )
        )
    return stats


_Snapshot: TypeAlias = Callable[[Mapping[str, object], ToMs, ProductNames], list[QuoteEvent]]
SNAPSHOTS: Final[dict[int, _Snapshot]] = {
    14001: _ticker_snapshot,
    14011: _market_snapshot,
    14013: _kline_reply,
    14015: _batch_kline_reply,
    14017: _rolling_snapshot,
}


def check_bars(cmd_id: int, data: Mapping[str, object], max_bars: int) -> None:
    """Refuse a K-line reply with more than ``max_bars`` bars for one product (``Malformed``)."""
    # Counted before a single Kline is built: a hostile reply must not cost memory or loop time.
    entries = [data] if cmd_id == 14013 else _list(data.get("data_list", [])) if cmd_id == 14015 else []
    for entry in entries:
        count = len(_list(as_object(entry).get("kline_list", [])))
        if count > max_bars:
            raise Malformed(f"{count} bars for one product, more than the {max_bars} accepted")
