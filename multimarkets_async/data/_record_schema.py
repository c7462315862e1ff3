"""The recorded-market file format: file kinds, their Parquet schemas, and events turned into rows.

A recording is a directory of Parquet files, one kind of event per file: ``ticks`` (``Tick``),
``depth`` (``DepthBook``), ``trades`` (``Trade``) and ``messages`` (the account's pushes). Every row
starts with ``received_at``, the time the recorder took the event from its stream (a
``timestamp[ms, UTC]``), then the event's own fields under their SDK names. Prices and volumes are
decimal strings exactly as the platform sent them (``"1.08512"``), never floats: a product's digits
vary, so no single ``decimal128`` scale fits a column. Message pushes, whose fields vary by type, keep
their fields as one JSON object (decimals as strings) in ``data``.

This module names the columns; ``_recorder`` writes them and ``testing``'s replay reads them. pyarrow
is imported inside the functions (the ``data`` extra), so importing this module needs nothing.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Final, Literal

from ..models.market import DepthBook, DepthLevel, Tick, Trade
from ..models.push import AccountUpdate, MessageEvent

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "FILE_KINDS",
    "FileKind",
    "RecordedEvent",
    "event_kind",
    "event_row",
    "schema_of",
]

FileKind = Literal["ticks", "depth", "trades", "messages"]
"""One kind of recorded file; the file names start with it (``ticks-20261207T01Z-000.parquet``)."""

FILE_KINDS: Final[tuple[FileKind, ...]] = ("ticks", "depth", "trades", "messages")

RecordedEvent = Tick | DepthBook | Trade | MessageEvent | AccountUpdate
"""What a ``Recorder`` takes: a market event or one of the account's pushes."""

_PRODUCT: Final = (
    ("symbol", "string"),
    ("symbol_id", "int64"),
    ("trade_type", "int32"),
    ("trade_mode", "int32"),
)
_COLUMNS: Final[dict[FileKind, tuple[tuple[str, str], ...]]] = {
    "ticks": (
        *_PRODUCT,
        ("seq", "int64"),
        ("time_ms", "int64"),
        ("price", "string"),
        ("bid", "string"),
        ("ask", "string"),
        ("bid_volume", "string"),
        ("ask_volume", "string"),
        ("open", "string"),
        ("high", "string"),
        ("low", "string"),
        ("close", "string"),
        ("yesterday_close", "string"),
        ("price_digits", "int32"),
    ),
    "depth": (
        *_PRODUCT,
        ("seq", "int64"),
        ("time_ms", "int64"),
        ("price_digits", "int32"),
        ("bids", "levels"),
        ("asks", "levels"),
    ),
    "trades": (
        *_PRODUCT,
        ("seq", "int64"),
        ("time_ms", "int64"),
        ("price", "string"),
        ("volume", "string"),
        ("direction", "string"),
    ),
    "messages": (
        ("type", "string"),
        ("trade_type", "int32"),
        ("timestamp_ms", "int64"),
        ("data", "string"),
    ),
}


def schema_of(kind: FileKind) -> pa.Schema:
    """The Parquet schema of one file kind (``received_at`` first)."""
    import pyarrow as pa

    level = pa.list_(pa.struct([("price", pa.string()), ("volume", pa.string())]))
    types = {"string": pa.string(), "int64": pa.int64(), "int32": pa.int32(), "levels": level}
    fields = [pa.field("received_at", pa.timestamp("ms", tz="UTC"), nullable=False)]
    fields += [pa.field(name, types[type_name]) for name, type_name in _COLUMNS[kind]]
    return pa.schema(fields)


def event_kind(event: object) -> FileKind:
    """The file kind an event is written to.

    Raises:
        TypeError: not a ``Tick``, ``DepthBook``, ``Trade``, ``MessageEvent`` or ``AccountUpdate``.
    """
    if isinstance(event, Tick):
        return "ticks"
    if isinstance(event, DepthBook):
        return "depth"
    if isinstance(event, Trade):
        return "trades"
    if isinstance(event, MessageEvent | AccountUpdate):
        return "messages"
    raise TypeError(
        f"a Recorder records Tick, DepthBook, Trade and message-push events, not {type(event).__name__}"
    )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _levels(levels: tuple[DepthLevel, ...]) -> list[dict[str, str]]:
    return [{"price": format(level.price, "f"), "volume": format(level.volume, "f")} for level in levels]


def event_row(event: RecordedEvent, received_ms: int) -> dict[str, object]:
    """One row of the event's file kind: ``received_at`` (epoch ms) and the event's fields."""
    row: dict[str, object] = {"received_at": received_ms}
    if isinstance(event, Tick | DepthBook | Trade):
        row |= {
            "symbol": event.symbol,
            "symbol_id": event.symbol_id,
            "trade_type": event.trade_type,
            "trade_mode": event.trade_mode,
            "seq": event.seq,
            "time_ms": event.time_ms,
        }
    if isinstance(event, Tick):
        decimals = ("price", "bid", "ask", "bid_volume", "ask_volume", "open", "high", "low", "close")
        row |= {name: _text(getattr(event, name)) for name in (*decimals, "yesterday_close")}
        row["price_digits"] = event.price_digits
    elif isinstance(event, DepthBook):
        row |= {"price_digits": event.price_digits, "bids": _levels(event.bids), "asks": _levels(event.asks)}
    elif isinstance(event, Trade):
        row |= {"price": _text(event.price), "volume": _text(event.volume), "direction": event.direction.name}
    else:
        fields = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
        row |= {
            "type": type(event).__name__,
            "trade_type": fields.get("trade_type"),
            "timestamp_ms": fields.get("timestamp_ms"),
            "data": json.dumps(fields, default=_json_value, separators=(",", ":"), sort_keys=True),
        }
    return row


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, Mapping):
        return dict(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | frozenset | set):
        return list(value)
    return str(value)
