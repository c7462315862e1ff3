"""Old attribute names of renamed model fields, kept working for one release with a warning.

A field renamed to say its unit (``create_time`` -> ``create_time_ms``) keeps its old name as a
read-only property that emits ``DeprecationWarning`` and returns the new field's value::

    class LedgerEntry(WireModel):
        create_time_ms: int | None = Field(default=None, alias="createTime")
        create_time: ClassVar[Any] = renamed("create_time", "create_time_ms")

Annotate the old name ``ClassVar[Any]``: pydantic's mypy plugin refuses an unannotated assignment in
a model ("Untyped fields disallowed"), and ``ClassVar`` keeps it out of the model's fields.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["renamed"]


def renamed(old: str, new: str) -> Any:
    """A property named ``old`` that warns and returns the attribute ``new``.

    Typed ``Any`` so that pydantic leaves it alone (it is not a field) and type checkers see the old
    name's value as before.
    """

    def getter(self: object) -> object:
        warnings.warn(
            f"{type(self).__name__}.{old} is deprecated, use {new}; the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(self, new)

    getter.__name__ = old
    getter.__doc__ = f"Deprecated: use ``{new}``."
    return property(getter)
