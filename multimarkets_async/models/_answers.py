"""Reading an answer's ``data`` into a model: a malformed answer is a ``ProtocolError``.

Resources call :func:`parse_answer` rather than ``Model.model_validate`` so that a server answer that
does not fit the documented shape surfaces as the SDK's own typed error, never as a bare pydantic
``ValidationError``. The message names the fields and what was wrong with them, never their values
(the models also set ``hide_input_in_errors``, so the chained pydantic error shows none either). What a
model's own conversions may raise on absurd input (nesting deeper than the interpreter recurses, a
``Decimal`` or ``int()`` conversion out of range) is a ``ProtocolError`` too, named by its type only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import pydantic

from ..errors import ProtocolError

__all__ = ["parse_answer", "parse_rows"]

M = TypeVar("M", bound=pydantic.BaseModel)

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
