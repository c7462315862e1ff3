"""The base of the Manager data-push events: the fields every event may carry, and price scaling.

Every frame is ``{"data": {...}, "eventType": "..."}``; ``data`` becomes a model whose snake_case
attributes have the platform's camelCase names as aliases (``WireModel``). A field the SDK does not
declare is never an attribute: it stays in ``event.raw``, the ``data`` object as received.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from pydantic import Field

from ._base import WireModel
from ._renamed import renamed

__all__ = ["DataPushEvent", "scaled"]


def scaled(value: Decimal | int | str | None, digits: int | None) -> Decimal | None:
    """``value`` (an integer scaled by ``10**digits``) as a decimal; ``None`` when either is missing."""
    if value is None or digits is None:
        return None
    return Decimal(str(value)).scaleb(-digits)


class DataPushEvent(WireModel):
    """One data-push event. Subclasses type the documented event kinds; unknown event types arrive as
    this class itself, with every field in ``raw``.

    ``create_time`` and ``update_time`` were renamed ``create_time_ms`` and ``update_time_ms``; the old
    names still read, with a ``DeprecationWarning``, until the next release.
    """

    EVENT_TYPES: ClassVar[tuple[str, ...]] = ()

    event_type: str = Field(alias="eventType")
    """The frame's ``eventType``."""
    id: str | None = None
    """The record id (a string in every event: customer, account, position, deal, entry ...)."""
    company_id: int | None = None
    """Company."""
    customer_id: int | None = None
    """Customer id, where the event has one."""
    customer_no: str | None = None
    """Customer number, where the event has one."""
    customer_group_id: int | None = None
    """Customer group, where the event has one."""
    create_by: str | None = None
    """Who created the record (a name, or a customer id as text)."""
    create_time_ms: int | None = Field(default=None, alias="createTime")
    """Creation time, milliseconds since the epoch."""
    update_by: str | None = None
    """Who last changed the record."""
    update_time_ms: int | None = Field(default=None, alias="updateTime")
    """Last change, milliseconds since the epoch."""
    revision: int | None = None
    """Version counter of the record, where the event has one."""
    version: int | None = None
    """Version of balance and ledger records (``subject_*``)."""

    create_time: ClassVar[Any] = renamed("create_time", "create_time_ms")
    update_time: ClassVar[Any] = renamed("update_time", "update_time_ms")
