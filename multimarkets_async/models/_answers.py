"""Reading an answer's ``data`` into a model: a malformed answer is a ``ProtocolError``.

Resources call :func:`parse_answer` rather than ``Model.model_validate`` so that a server answer that
does not fit the documented shape surfaces as the SDK's own typed error, never as a bare pydantic
``ValidationError``. The message names the fields and what was wrong with them, never their values
(the models also set ``hide_input_in_errors``, so the chained pydantic error shows none either). What a
model's own conversions may raise on absurd input (nesting deeper than the interpreter recurses, a
``Decimal`` or ``int()`` conversion out of range) is a ``ProtocolError`` too, named by its type only.

A list answer comes in three shapes (a bare array, a page object's ``records``/``list``, or, where the
docs show an object for a one-row list, that object): ``Rows`` reads all of them, and ``Paged`` reads
a page that a server may also answer as a bare array. ``ClientCore.call`` takes a model class or one
of these shapes, so every typed resource method ends in one call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar, overload

import pydantic

from ..errors import ProtocolError

__all__ = ["AnswerShape", "Paged", "Rows", "parse_answer", "parse_rows", "read_answer"]

M = TypeVar("M", bound=pydantic.BaseModel)
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

_MAX_LISTED = 3


def parse_answer(model: type[M], data: object) -> M:
    """``data`` as a ``model``.

    Raises:
        ProtocolError: ``data`` does not fit ``model``; the message lists up to three fields.
    """
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or '(root)'}: {error['msg']}"
            for error in exc.errors(include_input=False, include_url=False)
        ]
        more = f" (+{len(problems) - _MAX_LISTED} more)" if len(problems) > _MAX_LISTED else ""
        raise ProtocolError(
            f"the answer does not fit {model.__name__}: {'; '.join(problems[:_MAX_LISTED])}{more}"
        ) from exc
    except (ValueError, ArithmeticError, LookupError, TypeError, RecursionError) as exc:
        # Not a pydantic error, so its text may hold the value: name the type only, do not chain.
        raise ProtocolError(f"the answer does not fit {model.__name__} ({type(exc).__name__})") from None


def parse_rows(model: type[M], rows: Iterable[object]) -> list[M]:
    """Each of ``rows`` as a ``model`` (see :func:`parse_answer`)."""
    return [parse_answer(model, row) for row in rows]


class AnswerShape(Protocol[T_co]):
    """How to read an answer's ``data`` that is not one object (``Rows``, ``Paged``)."""

    def parse(self, data: object, what: str) -> T_co:
        """``data`` as the shape's result; ``what`` names the operation in errors."""
        ...


@dataclass(frozen=True, slots=True)
class Rows(Generic[M]):
    """A list answer of ``model`` rows.

    ``null`` is no rows. A page object's rows are under the first of ``keys`` it has (none, or
    ``null``: no rows); with ``single``, an object answer is one row instead (some answers are
    documented as an object and exemplified as an array).
    """

    model: type[M]
    keys: tuple[str, ...] = ("records", "list")
    single: bool = False

    def parse(self, data: object, what: str) -> list[M]:
        """The rows of ``data``.

        Raises:
            ProtocolError: neither an array nor an object holding one, or a row that does not fit.
        """
        if isinstance(data, Mapping):
            data = [data] if self.single else next((data[key] for key in self.keys if key in data), None)
        if data is None:
            return []
        if not isinstance(data, list):
            raise ProtocolError(f"{what} did not answer a list")
        return parse_rows(self.model, data)


@dataclass(frozen=True, slots=True)
class Paged(Generic[M]):
    """A page answer (``Page[X]``); ``null`` is an empty page.

    With ``page`` and ``size`` (the query's), a bare array answer is read as that page of rows.
    """

    model: type[M]
    page: int | None = None
    size: int | None = None

    def parse(self, data: object, what: str) -> M:
        """``data`` as the page model (see :func:`parse_answer`)."""
        if isinstance(data, list) and self.page is not None and self.size is not None:
            data = {"records": data, "total": len(data), "size": self.size, "current": self.page}
        return parse_answer(self.model, data or {})


@overload
def read_answer(model: type[M], data: object, what: str) -> M: ...


@overload
def read_answer(model: AnswerShape[T], data: object, what: str) -> T: ...


def read_answer(model: type[M] | AnswerShape[T], data: object, what: str) -> M | T:
    """``data`` read as ``model``: one object for a model class, else the shape's result.

    ``what`` names the operation in errors (``getSymbolBaseList did not answer a list``).
    """
    if isinstance(model, type):
        return parse_answer(model, data)
    return model.parse(data, what)
