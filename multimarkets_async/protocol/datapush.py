"""The Manager data-push socket dialect, sans-I/O.

The client sends only the text frame ``ping`` (every 10 s); the server answers with a WebSocket PONG
control frame and sends events as ``{"data": {...}, "eventType": "..."}`` text frames. Delivery is at
least once, so events are de-duplicated on ``(eventType, data.id, updateTime, revision, version)``
over a bounded window (Assumption ``push_dedupe_key``: the reference keys on whichever stamp exists;
every stamp is used, so two changes of one record in the same millisecond both arrive).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Final

from pydantic import ValidationError as PydanticValidationError

from ..errors import ProtocolError
from ..models.datapush import DataPushEvent, event_model
from ._json import DECODE_ERRORS, cause_of, decode_error, loads

__all__ = [
    "DATAPUSH_DEAD_AFTER",
    "DATAPUSH_PING",
    "DATAPUSH_PING_INTERVAL",
    "DedupeWindow",
    "decode_event",
    "dedupe_key",
]

DATAPUSH_PING: Final = "ping"
"""The heartbeat frame: four bytes of text, no JSON."""
DATAPUSH_PING_INTERVAL: Final = 10.0
"""Seconds between pings (the documented 10 s)."""
DATAPUSH_DEAD_AFTER: Final = 30.0
"""Seconds without any frame (data or pong) after which the connection is dead (Assumption)."""
_WHAT: Final = "data-push frame"


def decode_event(frame: str | bytes) -> DataPushEvent | None:
    """Parse one frame into its typed event; ``None`` for frames that are not events (a text pong).

    Raises:
        ProtocolError: the frame is not strict JSON, not an object, lacks ``eventType``, or its fields
            do not fit. The message never holds the frame.
    """
    text = frame.decode("utf-8", "replace") if isinstance(frame, bytes) else frame
    if text.strip() in ("pong", "ping", ""):
        return None
    obj = loads(text, what=_WHAT)
    if not isinstance(obj, Mapping) or not isinstance(obj.get("eventType"), str):
        raise ProtocolError(f"malformed {_WHAT} (no eventType)")
    event_type = obj["eventType"]
    try:
        data = obj.get("data")
        fields = dict(data) if isinstance(data, Mapping) else {}
        if type(fields.get("id")) is int:  # ids are strings, some sent as numbers; anything else
            fields["id"] = str(fields["id"])  # is left for the model to refuse
        fields["eventType"] = event_type
        return event_model(event_type).model_validate(fields)
    except PydanticValidationError as exc:
        raise ProtocolError(
            f"data-push {event_type[:40]!r} event does not fit its model ({exc.error_count()} errors)"
        ) from exc
    except DECODE_ERRORS as exc:  # a model's own conversions: nesting, huge numbers
        raise decode_error(_WHAT, exc) from cause_of(exc)


def dedupe_key(event: DataPushEvent) -> Hashable | None:
    """The identity of an event for de-duplication; ``None`` when the event has no id."""
    if event.id is None:
        return None
    # Every stamp, not the first one present: two bookings on one balance within the same
    # millisecond differ only in ``version``, and keying on ``updateTime`` alone dropped the second.
    return (event.event_type, event.id, event.update_time_ms, event.revision, event.version)


class DedupeWindow:
    """Remembers the last ``size`` event keys; :meth:`seen` says whether an event is a repeat."""

    __slots__ = ("_keys", "size")

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._keys: OrderedDict[Hashable, None] = OrderedDict()

    def seen(self, event: DataPushEvent) -> bool:
        """Record ``event``; return ``True`` when it was already delivered."""
        key = dedupe_key(event)
        if key is None:
            return False
        if key in self._keys:
            self._keys.move_to_end(key)
            return True
        self._keys[key] = None
        if len(self._keys) > self.size:
            self._keys.popitem(last=False)
        return False
