"""Typed events of the Manager data-push socket (the 18 documented ``eventType`` values).

Every frame is ``{"data": {...}, "eventType": "..."}``. Each documented ``eventType`` has a model
(defined in ``_datapush_customer`` and ``_datapush_trading``, re-exported here), with snake_case
attributes and the platform's camelCase names as aliases; unknown event types arrive as
:class:`DataPushEvent` itself (Assumption ``push_unknown_events``), never dropped. A field no model
declares stays in the event's ``raw`` mapping, never an attribute. Prices in position and deal
events are integers scaled by the event's digits; the ``*_decimal`` properties scale them.
"""

from __future__ import annotations

from ._datapush_base import DataPushEvent
from ._datapush_customer import (
    AccountEvent,
    CustomerInfoEvent,
    CustomerUpdateEvent,
    KycEvent,
    RegisterEvent,
    SubjectEvent,
)
from ._datapush_trading import (
    AccountAdjustEvent,
    DepositEvent,
    PositionEvent,
    SubjectWaterEvent,
    TradeDealEvent,
    WithdrawEvent,
)

__all__ = [
    "EVENT_MODELS",
    "AccountAdjustEvent",
    "AccountEvent",
    "CustomerInfoEvent",
    "CustomerUpdateEvent",
    "DataPushEvent",
    "DepositEvent",
    "KycEvent",
    "PositionEvent",
    "RegisterEvent",
    "SubjectEvent",
    "SubjectWaterEvent",
    "TradeDealEvent",
    "WithdrawEvent",
    "event_model",
]

EVENT_MODELS: tuple[type[DataPushEvent], ...] = (
    RegisterEvent,
    CustomerUpdateEvent,
    CustomerInfoEvent,
    KycEvent,
    AccountEvent,
    SubjectEvent,
    SubjectWaterEvent,
    PositionEvent,
    TradeDealEvent,
    DepositEvent,
    AccountAdjustEvent,
    WithdrawEvent,
)
"""The model of every documented event type (each lists its ``eventType`` values in ``EVENT_TYPES``)."""

_MODELS: dict[str, type[DataPushEvent]] = {
    event_type: cls for cls in EVENT_MODELS for event_type in cls.EVENT_TYPES
}


def event_model(event_type: str) -> type[DataPushEvent]:
    """The model of ``event_type``; :class:`DataPushEvent` for types the SDK does not know."""
    return _MODELS.get(event_type, DataPushEvent)
