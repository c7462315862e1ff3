"""The relay's account and data-push payloads, sans-I/O: private message pushes (``MessageEvent``
subclasses, ``AccountUpdate``) and Manager data-push events to JSON objects and back.

Message pushes are dataclasses: every field goes under its own name (decimals as strings, ``content``,
``param_map`` and ``raw`` as the JSON objects the platform sent, ``positions`` as a list of objects).
How each field is written and read follows from its annotation, looked up once per class at import
(``_CODECS``), so a model that gains a field of a known kind needs no change here, and one that gains
a field of a new kind fails at import rather than publishing something unreadable.

Data-push events are pydantic models whose ``raw`` mapping is the wire ``data`` object as the SDK
received it. ``raw`` is what decoding reads: validating it with ``event_model(event_type)``, as the
SDK's own decoder does, rebuilds the very same event. ``data`` repeats the typed fields under their
SDK names for readers in other languages (decimals as strings); decoding does not read it. The typed
fields are nested rather than flat because two models have a field named ``type``.

The platform's objects (a push's ``content``, ``raw`` and ``param_map``, a data-push event's ``raw``)
are written with every credential masked (:func:`masked`): the relay keeps them for days where every
reader of the stream sees them, and the message socket's frames may echo the session token.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any, Final, TypeAlias

from pydantic import ValidationError as PydanticValidationError

from .._logging import MASK, SECRET_NAMES
from ..models.datapush import EVENT_MODELS, DataPushEvent, event_model
from ..models.push import (
    AccountUpdate,
    DisconnectEvent,
    ForcedLogoutEvent,
    MessageEvent,
    NoticeEvent,
    PongEvent,
    PositionPnlUpdate,
    SubscribeAck,
    SubscribeFailed,
    TradeEvent,
    UnknownMessageEvent,
)
from ..protocol._json import Malformed
from ._payloads_market import dec, int64, opt_dec, opt_int, opt_str

__all__ = [
    "ACCOUNT_TYPES",
    "DATAPUSH_TYPES",
    "AccountPush",
    "account_fields",
    "datapush_fields",
    "decode_account_object",
    "decode_datapush_object",
    "json_default",
    "masked",
]

AccountPush: TypeAlias = MessageEvent | AccountUpdate
"""The events of the account stream."""

_Encode: TypeAlias = Callable[[Any], object]
_Decode: TypeAlias = Callable[[object, str], object]


def json_default(value: object) -> object:
    """``json.dumps``'s ``default``: decimals as plain strings, mappings as objects, tuples as lists.

    Raises:
        ValueError: a decimal that is not finite.
        TypeError: a value JSON cannot carry.
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("a decimal is not finite")
        return format(value, "f")
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | list | frozenset | set):
        return list(value)
    if isinstance(value, Enum):
        return value.name
    raise TypeError(f"{type(value).__name__} is not JSON")


def _same(value: object) -> object:
    return value


_SECRETS: Final = frozenset(SECRET_NAMES)


def _masked(value: object) -> object:
    if isinstance(value, Mapping):
        return {
            key: MASK if isinstance(key, str) and key.lower() in _SECRETS else _masked(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    return value


def masked(value: object) -> object:
    """``value`` (a JSON-like object) copied with the value under every credential's name
    (``_logging.SECRET_NAMES``: ``token``, ``password``, ``sign`` ..., in any case, at any depth)
    replaced by ``"***"``.

    Raises:
        ValueError: ``value`` is nested too deeply to walk.
    """
    try:
        return _masked(value)
    except RecursionError:
        raise ValueError("an object is nested too deeply") from None


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(json_default(value))


def _bool(value: object, name: str) -> bool | None:
    if value is None or type(value) is bool:
        return value
    raise Malformed(f"{name} is not a boolean")


def _str(value: object, name: str) -> str:
    if type(value) is not str:
        raise Malformed(f"{name} is not a string")
    return value


def _object(value: object, name: str) -> dict[str, object]:
    if type(value) is not dict:
        raise Malformed(f"{name} is not an object")
    return value


def _opt_object(value: object, name: str) -> dict[str, object] | None:
    return None if value is None else _object(value, name)


def _positions_json(positions: tuple[PositionPnlUpdate, ...]) -> list[dict[str, object]]:
    return [
        {
            "position_id": p.position_id,
            "profit_loss": _decimal_text(p.profit_loss),
            "preview_stop_price": _decimal_text(p.preview_stop_price),
        }
        for p in positions
    ]


def _positions(value: object, name: str) -> tuple[PositionPnlUpdate, ...]:
    if type(value) is not list:
        raise Malformed(f"{name} is not a list")
    positions = []
    for item in value:
        position = _object(item, name)
        positions.append(
            PositionPnlUpdate(
                int64(position["position_id"], "position_id"),
                dec(position["profit_loss"], "profit_loss"),
                opt_dec(position.get("preview_stop_price"), "preview_stop_price"),
            )
        )
    return tuple(positions)


# annotation (as written in models/push.py) -> (encode, decode)
_CODECS: Final[dict[str, tuple[_Encode, _Decode]]] = {
    "int": (_same, int64),
    "int | None": (_same, opt_int),
    "str": (_same, _str),
    "str | None": (_same, opt_str),
    "bool | None": (_same, _bool),
    "Decimal": (_decimal_text, dec),
    "Decimal | None": (_decimal_text, opt_dec),
    "Mapping[str, object]": (masked, _object),
    "Mapping[str, object] | None": (masked, _opt_object),
    "tuple[PositionPnlUpdate, ...]": (_positions_json, _positions),
}


@dataclasses.dataclass(frozen=True, slots=True)
class _Field:
    name: str
    encode: _Encode
    decode: _Decode
    required: bool


def _spec(cls: type[AccountPush]) -> tuple[_Field, ...]:
    fields = []
    for field in dataclasses.fields(cls):
        if not isinstance(field.type, str) or field.type not in _CODECS:  # pragma: no cover - a model change
            raise RuntimeError(f"{cls.__name__}.{field.name}: no relay codec for {field.type!r}")
        encode, decode = _CODECS[field.type]
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        fields.append(_Field(field.name, encode, decode, required))
    return tuple(fields)


_ACCOUNT_CLASSES: Final[tuple[type[AccountPush], ...]] = (
    MessageEvent,
    TradeEvent,
    NoticeEvent,
    SubscribeAck,
    SubscribeFailed,
    PongEvent,
    DisconnectEvent,
    ForcedLogoutEvent,
    UnknownMessageEvent,
    AccountUpdate,
)
_SPECS: Final[dict[type[AccountPush], tuple[_Field, ...]]] = {cls: _spec(cls) for cls in _ACCOUNT_CLASSES}

ACCOUNT_TYPES: Final[dict[str, type[AccountPush]]] = {cls.__name__: cls for cls in _ACCOUNT_CLASSES}
"""The account payload ``type`` -> its event class."""

DATAPUSH_TYPES: Final[frozenset[str]] = frozenset(
    [DataPushEvent.__name__, *(cls.__name__ for cls in EVENT_MODELS)]
)
"""The data-push payload ``type`` values (the SDK's data-push class names)."""


def account_fields(event: AccountPush) -> dict[str, object]:
    """The payload object of an account push (without ``v``).

    Raises:
        TypeError: a ``MessageEvent`` subclass the relay does not know.
        ValueError: a decimal that is not finite, or an object nested too deeply.
    """
    spec = _SPECS.get(type(event))
    if spec is None:
        raise TypeError(f"the relay does not carry {type(event).__name__} events")
    obj: dict[str, object] = {"type": type(event).__name__}
    for field in spec:
        obj[field.name] = field.encode(getattr(event, field.name))
    return obj


def decode_account_object(cls: type[AccountPush], obj: dict[str, object]) -> AccountPush:
    """Rebuild an account push of class ``cls`` from its decoded payload object.

    Raises:
        Malformed: a field of the wrong kind. KeyError: a required field is missing.
    """
    values: dict[str, Any] = {}  # each checked by its field's decoder
    for field in _SPECS[cls]:
        if field.required or field.name in obj:
            values[field.name] = field.decode(obj[field.name], field.name)
    return cls(**values)


def datapush_fields(event: DataPushEvent) -> dict[str, object]:
    """The payload object of a data-push event (without ``v``).

    Raises:
        ValueError: ``event`` is not of the class the SDK gives its ``event_type``, or its ``raw`` is
            nested too deeply.
    """
    cls = type(event)
    if event_model(event.event_type) is not cls:
        raise ValueError(f"a {cls.__name__} cannot have event_type {event.event_type[:40]!r}")
    data = event.model_dump()
    del data["event_type"]
    raw = masked(dict(event.raw) or event.model_dump(by_alias=True))
    return {"type": cls.__name__, "event_type": event.event_type, "data": data, "raw": raw}


def decode_datapush_object(obj: dict[str, object]) -> DataPushEvent:
    """Rebuild a data-push event from its decoded payload object (from ``raw``, as the SDK would).

    Raises:
        Malformed: the payload's pieces are missing or of the wrong kind, or ``raw`` does not fit the
            model. KeyError: ``event_type`` or ``raw`` is missing.
    """
    event_type = _str(obj["event_type"], "event_type")
    raw = _object(obj["raw"], "raw")
    try:
        event = event_model(event_type).model_validate(raw)
    except PydanticValidationError as exc:
        raise Malformed(f"raw does not fit the event model ({exc.error_count()} errors)") from None
    if event.event_type != event_type:
        raise Malformed("event_type and raw disagree")
    return event
