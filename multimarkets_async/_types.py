"""Small shared typing helpers: the "not given" sentinel and JSON type aliases."""

from __future__ import annotations

from enum import Enum
from typing import Final, Literal, TypeAlias, TypeVar

__all__ = ["NOT_GIVEN", "JSONObject", "JSONValue", "NotGiven", "NotGivenOr"]

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"
JSONObject: TypeAlias = "dict[str, JSONValue]"


class NotGiven(Enum):
    """Marks an argument the caller did not pass, so that ``None`` can keep its own meaning.

    Modelled on httpx's ``UseClientDefault``: ``timeout=None`` means "no timeout", while
    leaving ``timeout`` out means "use the client's default".
    """

    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> Literal[False]:
        return False


NOT_GIVEN: Final = NotGiven.NOT_GIVEN
"""The one instance of ``NotGiven``."""

_T = TypeVar("_T")
NotGivenOr: TypeAlias = _T | NotGiven
"""Either a value of the parameter's type or ``NOT_GIVEN``."""
