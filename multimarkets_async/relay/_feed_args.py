"""The arguments of a relay feed's subscriptions, checked and turned into what each one reads: a market
subscription's products resolved through the relay's symbol table into subjects (and checked against
the market kinds the relay carries for each), a kept-stream subscription's consumer settings.

Pure: values in, values out (the feed reads the table; this module only looks rows up). Every refusal
is an ``InvalidArgumentError`` that says what to do (pass ``trade_type=``, or add the product to
``multimarkets relay``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from ..errors import InvalidArgumentError
from ..models.market import SymbolKey
from ..models.symbols import Symbol
from ._payloads import RelayedProduct
from ._subjects import MarketKind, RelayNames

__all__ = [
    "FeedSymbol",
    "KeptSource",
    "check_maxsize",
    "check_seconds",
    "event_type_set",
    "find_product",
    "kept_source",
    "market_routes",
    "symbol_list",
    "trade_type_list",
]

FeedSymbol = SymbolKey | Symbol | RelayedProduct | str
"""A product as a feed takes it: a name (``symbolCode``), a ``SymbolKey``, a ``Symbol`` row, or one of
the relay's ``RelayedProduct`` rows (``await feed.products()``)."""

RELAY_FLAG: Final[Mapping[MarketKind, str]] = {
    "tick": "--tickers",
    "book": "--book",
    "trade": "--book",
    "rolling": "--rolling",
}
"""The ``multimarkets relay`` option that makes the relay publish each market kind."""

_LISTED: Final = 12
"""Products named at most in an error message."""
_TRADE_TYPES: Final = (1, 2, 3, 5, 6)


def check_seconds(name: str, value: float) -> None:
    """Refuse anything but a positive, finite number of seconds as ``name``.

    Raises:
        InvalidArgumentError: naming ``name``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgumentError(f"{name} must be a positive number of seconds, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise InvalidArgumentError(f"{name} must be a positive number of seconds, got {value!r}")


def check_maxsize(maxsize: int | None) -> None:
    """Refuse a ``maxsize`` that is not ``None`` or a positive int (``InvalidArgumentError``)."""
    if maxsize is not None and (isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 1):
        raise InvalidArgumentError(f"maxsize must be a positive int or None, got {maxsize!r}")


def trade_type_list(trade_types: Collection[int] | None) -> list[int] | None:
    """``trade_types`` checked: account families among 1, 2, 3, 5, 6 (``None``: every one).

    Raises:
        InvalidArgumentError: one number instead of a list, or an unknown trade type.
    """
    if trade_types is None:
        return None
    if isinstance(trade_types, str | int):
        raise InvalidArgumentError("trade_types is a list, e.g. [2]")
    types = list(trade_types)
    if any(isinstance(t, bool) or t not in _TRADE_TYPES for t in types):
        raise InvalidArgumentError(f"trade_types must be among 1, 2, 3, 5, 6; got {types!r}")
    return types


def event_type_set(event_types: Collection[str] | None) -> frozenset[str] | None:
    """``event_types`` checked: ``eventType`` names (``None``: every one).

    Raises:
        InvalidArgumentError: one name instead of a list, or something that is not a name.
    """
    if event_types is None:
        return None
    if isinstance(event_types, str) or not all(isinstance(t, str) and t for t in event_types):
        raise InvalidArgumentError("event_types is a list of eventType names, e.g. ['deposit']")
    return frozenset(event_types)


def symbol_list(symbols: Sequence[FeedSymbol]) -> list[FeedSymbol]:
    """``symbols`` as a list, checked for shape (a list, not one symbol; at least one).

    Raises:
        InvalidArgumentError: a bare symbol instead of a list, or an empty list.
    """
    if isinstance(symbols, str | SymbolKey | Symbol | RelayedProduct):
        raise InvalidArgumentError("pass a list of symbols, e.g. ['EURUSD'] rather than 'EURUSD'")
    items = list(symbols)
    if not items:
        raise InvalidArgumentError("subscribe to at least one symbol")
    return items


def find_product(table: Sequence[RelayedProduct], item: FeedSymbol, trade_type: int | None) -> RelayedProduct:
    """The row of ``item`` in the relay's symbol table.

    Args:
        table: the relay's products.
        item: a name, or anything with ``symbol_id`` and ``trade_type`` (its ``trade_mode`` is ignored:
            the relay carries a product once per tradeType).
        trade_type: for names: chooses among products carried under several tradeTypes.

    Raises:
        InvalidArgumentError: a product the relay does not carry, an unknown name, or a name carried
            under several tradeTypes without ``trade_type``.
    """
    if isinstance(item, RelayedProduct | SymbolKey | Symbol):
        found = [r for r in table if r.symbol_id == item.symbol_id and r.trade_type == item.trade_type]
        if not found:
            raise InvalidArgumentError(
                f"the relay does not carry product {item.symbol_id} of tradeType {item.trade_type}: add it "
                f"to `multimarkets relay` (it carries {_listing(table)})"
            )
        return found[0]
    if not isinstance(item, str):
        raise InvalidArgumentError(
            f"a symbol is a name, a SymbolKey, a Symbol or a RelayedProduct, got {type(item).__name__}"
        )
    wanted = item.strip().lower()
    found = [
        r for r in table if r.symbol.lower() == wanted and (trade_type is None or r.trade_type == trade_type)
    ]
    if not found:
        suffix = f" for tradeType {trade_type}" if trade_type is not None else ""
        raise InvalidArgumentError(
            f"unknown symbol {item!r}{suffix}: the relay carries {_listing(table)}; add it to "
            f"`multimarkets relay` (e.g. --tickers {item.strip()}) or check the name"
        )
    if len(found) > 1:
        types = sorted({r.trade_type for r in found})
        raise InvalidArgumentError(
            f"{item!r} is carried under tradeTypes {types}; pass trade_type= to choose one"
        )
    return found[0]


def market_routes(
    table: Sequence[RelayedProduct],
    names: RelayNames,
    kind: MarketKind,
    symbols: Sequence[FeedSymbol],
    trade_type: int | None,
) -> dict[str, str | None]:
    """Subject -> product name of the ``kind`` events of ``symbols``, in order, without duplicates.

    Raises:
        InvalidArgumentError: as ``find_product``, or a product whose ``kind`` events the relay does not
            publish.
    """
    routes: dict[str, str | None] = {}
    for item in symbols:
        row = find_product(table, item, trade_type)
        if kind not in row.carried:
            carried = ", ".join(sorted(row.carried)) or "nothing"
            raise InvalidArgumentError(
                f"the relay does not publish {kind} events of {row.symbol} (tradeType {row.trade_type}; it "
                f"carries {carried} for it): add `{RELAY_FLAG[kind]} {row.symbol}` to `multimarkets relay`"
            )
        routes[names.market(kind, row.symbol_id, row.trade_type)] = row.symbol or None
    return routes


@dataclass(frozen=True, slots=True)
class KeptSource:
    """Which kept stream a kept-stream subscription reads, and how (``kept_source`` checks them).

    Attributes:
        stream: the JetStream stream.
        subjects: the consumer's filter subjects.
        group: the shared consumer's group (``None``: a consumer of the subscription's own).
        durable: keep a group's consumer, and its position, when its last reader leaves.
        deliver: where a new consumer starts: ``"all"`` kept messages, or ``"new"`` ones only.
        ack_wait: seconds before JetStream redelivers a message nobody acked.
        max_deliver: deliveries at most per message (``None``: no limit).
        accept: the event types to yield (the others are acked and skipped); ``None``: every one.
    """

    stream: str
    subjects: tuple[str, ...]
    group: str | None
    durable: bool
    deliver: Literal["all", "new"]
    ack_wait: float
    max_deliver: int | None
    accept: Collection[str] | None = None


def kept_source(
    stream: str,
    subjects: Sequence[str],
    *,
    group: str | None,
    durable: bool,
    deliver: Literal["all", "new"] | None,
    ack_wait: float,
    max_deliver: int | None,
    accept: Collection[str] | None = None,
) -> KeptSource:
    """The checked consumer settings of a kept-stream subscription (``deliver=None``: ``"all"`` for a
    group, ``"new"`` without one).

    Raises:
        InvalidArgumentError: an empty group, an unknown ``deliver``, a ``ack_wait`` that is not a
            positive number of seconds, or a ``max_deliver`` below 1.
    """
    if group is not None and (not isinstance(group, str) or not group.strip()):
        raise InvalidArgumentError(f"group must be a non-empty name or None, got {group!r}")
    if deliver not in (None, "all", "new"):
        raise InvalidArgumentError(f"deliver must be 'all' or 'new', got {deliver!r}")
    check_seconds("ack_wait", ack_wait)
    if max_deliver is not None and (
        isinstance(max_deliver, bool) or not isinstance(max_deliver, int) or max_deliver < 1
    ):
        raise InvalidArgumentError(f"max_deliver must be a positive int or None, got {max_deliver!r}")
    return KeptSource(
        stream=stream,
        subjects=tuple(subjects),
        group=group,
        durable=bool(durable),
        deliver=deliver if deliver is not None else ("all" if group is not None else "new"),
        ack_wait=float(ack_wait),
        max_deliver=max_deliver,
        accept=accept,
    )


def _listing(table: Sequence[RelayedProduct]) -> str:
    names = sorted({f"{r.symbol} (tradeType {r.trade_type})" for r in table})
    more = f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
    return ", ".join(names[:_LISTED]) + more if names else "no products"
