"""The relay's payload codec, sans-I/O: an event -> its subject, JSON payload and ``Nats-Msg-Id``
(:func:`encode`), a payload -> the very same event (``decode_*``), and the rows of the symbol table.

Every payload is one compact UTF-8 JSON object: ``"v": 1``, ``"type"`` (the SDK class name), then
the event's fields under their SDK snake_case names: decimals as plain decimal strings, times as
``int`` epoch milliseconds, enums by name, ``None`` as ``null``. Market events are written by
``_payloads_market`` (hand-built, the hot path), account pushes and data-push events by
``_payloads_push``. Decoding reads JSON only through ``protocol._json`` and lets nothing but
``ProtocolError`` escape; its messages never show the payload.

Message ids (``Nats-Msg-Id``, so JetStream drops what a relay publishes twice) of events that carry
their identity depend only on the event, so every process computes the same id for it, in any run:

* ``t:{symbol_id}:{trade_type}:{seq}:{time_ms}`` a tick, ``b:...`` a book (same fields);
* ``d:{event_type}:{id}:{update_time_ms}:{revision}:{version}`` a data-push event with an id and at
  least one of the three stamps (all three, because one record changes several times within a
  millisecond: two balance updates share ``update_time_ms`` and differ in ``version``), unless a ``:``
  in the type or id would make it ambiguous or it is not a short printable ASCII header value;
* ``h:`` and the first 32 hex digits of the payload's SHA-256 for a message push with a
  ``timestamp_ms`` and a data-push event without an id or stamp. ``None`` is written ``-``. A message
  push is hashed rather than named by its ``trace``: a trace is a request's, not an event's, id.

Events that carry no identity at all (``Trade``, ``Rolling24h``, ``AccountUpdate`` and a message push
without ``timestamp_ms``) get ``u:{run}:{n}``, an id of their own: ``run`` is random per process,
``n`` counts. Naming them by their content would make JetStream drop a state that comes back within
the duplicate window (P&L at A, then B, then A again: the second A is "a duplicate" and readers stay
at B), and two fills of one size at one price in one millisecond are two trades. A retried publish
reuses its envelope, so it is still stored once. This is the codec's one piece of state.

Credentials never leave: a value under a credential's name (``token``, ``password``, ``sign``, ...,
``_logging.SECRET_NAMES``, any case) anywhere in a push's ``content``, ``raw`` or ``param_map`` or a
data-push event's ``raw`` is written ``"***"``. The message socket's frames may echo the session
token, and the relay keeps what it publishes for days where every reader of the stream sees it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeAlias

from ..errors import InvalidArgumentError, ProtocolError
from ..models.datapush import DataPushEvent
from ..models.market import DepthBook, Rolling24h, Tick, Trade
from ..models.push import AccountUpdate, MessageEvent
from ..protocol._json import DECODE_ERRORS, Malformed, cause_of, decode_error, loads_object
from ._payloads_market import MARKET_DECODERS, MarketEncoder, MarketEvent, int64, opt_int
from ._payloads_push import (
    ACCOUNT_TYPES,
    DATAPUSH_TYPES,
    AccountPush,
    account_fields,
    datapush_fields,
    decode_account_object,
    decode_datapush_object,
    json_default,
)
from ._subjects import MARKET_KINDS, MarketKind, RelayNames

__all__ = [
    "PAYLOAD_VERSION",
    "Encoder",
    "Envelope",
    "RelayEvent",
    "RelayedProduct",
    "decode_account",
    "decode_datapush",
    "decode_market",
    "decode_product",
    "encode",
    "encode_product",
]

PAYLOAD_VERSION: Final = 1
"""The ``v`` of every payload this codec writes and the only one it reads."""

RelayEvent: TypeAlias = Tick | DepthBook | Trade | Rolling24h | MessageEvent | AccountUpdate | DataPushEvent
"""Every event the relay publishes."""

_WHAT: Final = "relay payload"
_KINDS: Final[dict[str, MarketKind]] = {kind: kind for kind in MARKET_KINDS}
_SAFE_ID: Final = re.compile(r"[!-~]{1,200}")  # printable ASCII, no space: safe in a NATS header
_RUN: Final = secrets.token_hex(4)  # tells this process's occurrence ids from another's
_OCCURRENCES: Final = itertools.count(1)  # next() is atomic under the GIL: safe from any thread


@dataclass(frozen=True, slots=True)
class Envelope:
    """One event ready to publish.

    Attributes:
        subject: where it goes (from ``RelayNames``).
        payload: the JSON object, UTF-8.
        msg_id: the ``Nats-Msg-Id`` header: the same for the same event in every process.
        kept: ``True`` for account pushes and data-push events (JetStream publish, ack awaited);
            ``False`` for market data (core publish, latest message per subject kept).
    """

    subject: str
    payload: bytes
    msg_id: str
    kept: bool


_MARKET_TYPES: Final = (Tick, DepthBook, Trade, Rolling24h)


class Encoder:
    """:func:`encode` bound to one company's names, keeping per product what never changes (its
    subject, its payload's head, its message id's head): what the relay's pumps call once per event.

    Args:
        names: the relay's names (company and prefix).
    """

    __slots__ = ("_market", "_names")

    def __init__(self, names: RelayNames) -> None:
        self._names = names
        self._market = MarketEncoder(names)

    def __call__(self, event: RelayEvent) -> Envelope:
        """The envelope of ``event``, the same as ``encode(event, names)`` gives (raises the same)."""
        if isinstance(event, _MARKET_TYPES):
            subject, payload, msg_id = self._market.encode(event)
            return Envelope(subject, payload, _occurrence() if msg_id is None else msg_id, False)
        return encode(event, self._names)


def _hashed(payload: bytes) -> str:
    return "h:" + hashlib.sha256(payload).hexdigest()[:32]


def _occurrence() -> str:
    """A new id for an event that carries no identity (see the module docstring)."""
    return f"u:{_RUN}:{next(_OCCURRENCES)}"


def _dash(value: object) -> object:
    return "-" if value is None else value


def _dumps(obj: dict[str, object], what: str) -> bytes:
    try:
        text = json.dumps(obj, separators=(",", ":"), allow_nan=False, default=json_default)
    except (ValueError, TypeError, RecursionError) as exc:
        raise InvalidArgumentError(
            f"a {what} holds a value JSON cannot carry ({type(exc).__name__})"
        ) from None
    return text.encode()


def encode(event: RelayEvent, names: RelayNames) -> Envelope:
    """The subject, payload and message id of ``event``.

    Args:
        event: a market event, an account push or a data-push event, as the SDK delivers them.
        names: the relay's names (company and prefix).

    Returns:
        The envelope to publish.

    Raises:
        TypeError: ``event`` is none of the events the relay carries.
        InvalidArgumentError: ``event`` holds a value JSON cannot carry (a non-finite decimal in a
            push, a data-push event of the wrong class for its ``event_type``).
    """
    if isinstance(event, _MARKET_TYPES):
        return Encoder(names)(event)
    if isinstance(event, MessageEvent | AccountUpdate):
        try:
            fields = account_fields(event)
        except ValueError as exc:
            raise InvalidArgumentError(f"a message push cannot be encoded ({exc})") from None
        payload = _dumps({"v": PAYLOAD_VERSION, **fields}, "message push")
        trade_type = getattr(event, "trade_type", None)
        stamped = isinstance(event, MessageEvent) and event.timestamp_ms is not None
        return Envelope(
            names.account(trade_type), payload, _hashed(payload) if stamped else _occurrence(), True
        )
    if isinstance(event, DataPushEvent):
        try:
            fields = datapush_fields(event)
        except ValueError as exc:
            raise InvalidArgumentError(str(exc)) from None
        payload = _dumps({"v": PAYLOAD_VERSION, **fields}, "data-push event")
        msg_id = _hashed(payload)
        stamps = (event.update_time_ms, event.revision, event.version)
        if event.id is not None and stamps != (None, None, None) and ":" not in event.event_type + event.id:
            candidate = f"d:{event.event_type}:{event.id}:" + ":".join(str(_dash(s)) for s in stamps)
            msg_id = candidate if _SAFE_ID.fullmatch(candidate) else msg_id
        return Envelope(names.datapush(event.event_type), payload, msg_id, True)
    raise TypeError(
        "the relay carries Tick, DepthBook, Trade, Rolling24h, message-push and data-push events, "
        f"not {type(event).__name__}"
    )


# ---------------------------------------------------------------- decoding


def _decode(payload: bytes, decode: Callable[[str, dict[str, object]], object]) -> object:
    """Parse ``payload``, check its version and hand the object to ``decode`` (``type`` -> builder),
    mapping every failure to ``ProtocolError``."""
    obj = loads_object(payload, what=_WHAT)
    try:
        if obj.get("v") != PAYLOAD_VERSION or type(obj.get("v")) is not int:
            raise Malformed(f"not a version {PAYLOAD_VERSION} payload")
        kind = obj.get("type")
        if type(kind) is not str:
            raise Malformed("no type")
        return decode(kind, obj)
    except KeyError as exc:
        # The key is one of our own field names, never payload text.
        raise ProtocolError(f"malformed {_WHAT} (no {exc.args[0]!r} field)") from None
    except DECODE_ERRORS as exc:
        raise decode_error(_WHAT, exc) from cause_of(exc)


def _unknown(kind: str, kinds: str) -> Malformed:
    shown = repr(kind) if re.fullmatch(r"[A-Za-z0-9_]{1,40}", kind) else "an unknown type"
    return Malformed(f"{shown} is not {kinds}")


def _market(kind: str, obj: dict[str, object]) -> MarketEvent:
    builder = MARKET_DECODERS.get(kind)
    if builder is None:
        raise _unknown(kind, "a market event")
    return builder(obj)


def _account(kind: str, obj: dict[str, object]) -> AccountPush:
    cls = ACCOUNT_TYPES.get(kind)
    if cls is None:
        raise _unknown(kind, "an account push")
    return decode_account_object(cls, obj)


def _datapush(kind: str, obj: dict[str, object]) -> DataPushEvent:
    if kind not in DATAPUSH_TYPES:
        raise _unknown(kind, "a data-push event")
    return decode_datapush_object(obj)


def decode_market(payload: bytes) -> Tick | DepthBook | Trade | Rolling24h:
    """The market event of a payload of the market stream.

    Raises:
        ProtocolError: not a version 1 payload of a ``Tick``, ``DepthBook``, ``Trade`` or
            ``Rolling24h``, or a field is missing or of the wrong kind. The message never holds it.
    """
    event = _decode(payload, _market)
    assert isinstance(event, Tick | DepthBook | Trade | Rolling24h)
    return event


def decode_account(payload: bytes) -> MessageEvent | AccountUpdate:
    """The account push of a payload of the account stream.

    Raises:
        ProtocolError: not a version 1 payload of a message push or ``AccountUpdate``, or a field is
            missing or of the wrong kind. The message never holds it.
    """
    event = _decode(payload, _account)
    assert isinstance(event, MessageEvent | AccountUpdate)
    return event


def decode_datapush(payload: bytes) -> DataPushEvent:
    """The data-push event of a payload of the data-push stream, rebuilt from its ``raw`` object.

    Raises:
        ProtocolError: not a version 1 payload of a data-push event, or its ``raw`` object does not
            fit the event's model. The message never holds it.
    """
    event = _decode(payload, _datapush)
    assert isinstance(event, DataPushEvent)
    return event


# ---------------------------------------------------------------- the symbol table


@dataclass(frozen=True, slots=True)
class RelayedProduct:
    """One row of the symbol table the relay publishes: a product and the market kinds it carries.

    Attributes:
        symbol: the product's name (``symbolCode``, e.g. ``"EURUSD"``).
        symbol_id: the product id.
        trade_type: the account family.
        trade_mode: the dealing mode.
        price_digits: decimal places of the price, when known.
        carried: the market kinds the relay publishes for it (any iterable is kept as a frozenset).

    Raises:
        InvalidArgumentError: a field of the wrong kind or an unknown market kind.
    """

    symbol: str
    symbol_id: int
    trade_type: int
    trade_mode: int
    price_digits: int | None
    carried: frozenset[MarketKind]

    def __post_init__(self) -> None:
        carried = frozenset(self.carried)
        if not carried <= set(MARKET_KINDS):
            raise InvalidArgumentError(
                f"carried must hold market kinds {MARKET_KINDS}, got {sorted(map(repr, carried))}"
            )
        object.__setattr__(self, "carried", carried)
        if not isinstance(self.symbol, str):
            raise InvalidArgumentError(f"symbol must be a str, got {type(self.symbol).__name__}")
        for name in ("symbol_id", "trade_type", "trade_mode", "price_digits"):
            value = getattr(self, name)
            if (value is not None or name != "price_digits") and type(value) is not int:
                raise InvalidArgumentError(f"{name} must be an int, got {type(value).__name__}")

    @property
    def key(self) -> str:
        """``"<symbol_id>.<trade_type>"``: the row's key in the symbols bucket."""
        return f"{self.symbol_id}.{self.trade_type}"


def encode_product(product: RelayedProduct) -> bytes:
    """The JSON row of ``product`` (``carried`` in ``MARKET_KINDS`` order)."""
    return _dumps(
        {
            "v": PAYLOAD_VERSION,
            "type": "RelayedProduct",
            "symbol": product.symbol,
            "symbol_id": product.symbol_id,
            "trade_type": product.trade_type,
            "trade_mode": product.trade_mode,
            "price_digits": product.price_digits,
            "carried": [kind for kind in MARKET_KINDS if kind in product.carried],
        },
        "product",
    )


def _carried(value: object) -> frozenset[MarketKind]:
    if type(value) is not list:
        raise Malformed("carried is not a list")
    kinds: list[MarketKind] = []
    for item in value:
        kind = _KINDS.get(item) if type(item) is str else None
        if kind is None:
            raise Malformed("carried holds something that is not a market kind")
        kinds.append(kind)
    return frozenset(kinds)


def _product(kind: str, obj: dict[str, object]) -> RelayedProduct:
    if kind != "RelayedProduct":
        raise _unknown(kind, "a product row")
    symbol = obj["symbol"]
    if type(symbol) is not str:
        raise Malformed("symbol is not a string")
    return RelayedProduct(
        symbol,
        int64(obj["symbol_id"], "symbol_id"),
        int64(obj["trade_type"], "trade_type"),
        int64(obj["trade_mode"], "trade_mode"),
        opt_int(obj.get("price_digits"), "price_digits"),
        _carried(obj["carried"]),
    )


def decode_product(payload: bytes) -> RelayedProduct:
    """The product of a symbol-table row.

    Raises:
        ProtocolError: not a version 1 product row, or a field is missing or of the wrong kind.
    """
    product = _decode(payload, _product)
    assert isinstance(product, RelayedProduct)
    return product
