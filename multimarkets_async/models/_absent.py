"""Values that do not exist yet: the platform's ``0`` for "none" read as ``None``.

The trading answers fill a field that has no value yet with zero: ``positionId`` 0 before a pending
order opens a position, ``executePrice`` ``"0"`` before a fill, ``closeTime`` 0 while a position is
open, ``stopLoss`` ``"0"`` when no stop-loss is set. No id, price, time or stop level is ever really
zero, so the annotated types here turn those zeros (and empty strings) into ``None`` before
validation: ``position.close_time_ms is None`` means "not closed", never "closed in 1970".
Quantities keep their zeros (``0`` lots filled is a fact, not an absence).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator

__all__ = ["AbsentIfZero", "OptionalId", "OptionalMs", "OptionalPrice", "OptionalScaled", "none_if_zero"]


def none_if_zero(value: object) -> object:
    """``None`` for a zero (``0``, ``0.0``, ``"0"``, ``"0.00000"``) or an empty string, else ``value``."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return None if value == 0 else value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return None if Decimal(text) == 0 else value
        except (InvalidOperation, ValueError):
            return value  # not a number: let the field's own validation refuse it
    return value


AbsentIfZero = BeforeValidator(none_if_zero)
"""The validator behind the types below, for fields that need it on another type."""

OptionalId = Annotated[int | None, AbsentIfZero]
"""An id the platform sends as ``0`` while it does not exist (``positionId``, ``dealId``)."""
OptionalMs = Annotated[int | None, AbsentIfZero]
"""A time in milliseconds since the epoch, ``0`` on the wire until it happens (``closeTime``)."""
OptionalPrice = Annotated[Decimal | None, AbsentIfZero]
"""A human price, ``"0"`` on the wire until there is one (``executePrice``, ``closePrice``)."""
OptionalScaled = Annotated[str | None, AbsentIfZero]
"""A raw integer-scaled price kept as sent, ``"0"`` on the wire when none (``stopLoss``)."""
