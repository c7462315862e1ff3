"""The one JSON decoder for bytes that came from the server: every failure becomes ``ProtocolError``.

Every codec in ``protocol`` (HTTP envelopes, RPC, quote, message-push and data-push frames, K-line
replies) reads server JSON through :func:`loads`, so "a hostile answer ends in the SDK's own error" is
a property of this one function rather than of each decoder:

* syntax errors, truncations, invalid UTF-8, an object nested deeper than the interpreter can
  recurse, an integer longer than ``sys.get_int_max_str_digits()`` -> ``ProtocolError``;
* ``NaN``/``Infinity`` literals and numbers that overflow a float (``1e400``) are refused here, so no
  later ``int()``/``Decimal`` conversion meets an infinity;
* the error message names what was being decoded and why, never the payload (it may carry tokens).

:func:`decode_error` builds the same kind of error for the checks a decoder makes after parsing, and
``DECODE_ERRORS`` lists what such checks may raise on garbage.
"""

from __future__ import annotations

import json
import math
from typing import Final

import pydantic

from ..errors import ProtocolError

__all__ = ["DECODE_ERRORS", "Malformed", "cause_of", "decode_error", "loads", "loads_object"]

DECODE_ERRORS: Final = (ValueError, ArithmeticError, LookupError, TypeError, RecursionError)
"""What parsing or converting garbage can raise (``UnicodeError``, ``JSONDecodeError`` and pydantic's
``ValidationError`` are ``ValueError``s; ``OverflowError`` and ``decimal.InvalidOperation`` are
``ArithmeticError``s)."""


class Malformed(ValueError):
    """A short reason, safe to show, why server data does not parse; always becomes ``ProtocolError``."""


def _reason(exc: BaseException) -> str:
    # Only texts that cannot hold the payload: our own reasons, positions, counts and type names.
    if isinstance(exc, Malformed):
        return str(exc)
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON: {exc.msg}: char {exc.pos}"
    if isinstance(exc, UnicodeError):
        return "not valid UTF-8"
    if isinstance(exc, pydantic.ValidationError):
        return f"{exc.error_count()} fields do not fit"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, OverflowError):
        return "a number is out of range"
    return type(exc).__name__


def decode_error(what: str, exc: BaseException, *, trace: str | None = None) -> ProtocolError:
    """The ``ProtocolError`` for ``exc``, raised while decoding ``what``; the payload is never shown.

    Raise it ``from`` :func:`cause_of` ``(exc)`` to keep the original error without the payload.
    """
    return ProtocolError(f"malformed {what} ({_reason(exc)})", trace=trace)


def cause_of(exc: BaseException) -> BaseException | None:
    """``exc`` to chain, or ``None`` when it holds the whole payload (``JSONDecodeError.doc``,
    ``UnicodeDecodeError.object``): its reason is in the message already."""
    return None if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError) else exc


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise Malformed("a number is out of range")
    return value


def _no_constant(name: str) -> object:
    raise Malformed(f"{name} is not JSON")


_DECODER: Final = json.JSONDecoder(parse_float=_finite_float, parse_constant=_no_constant)


def loads(data: str | bytes | bytearray | memoryview, *, what: str) -> object:
    """Parse server JSON strictly (no ``NaN``/``Infinity``, no float overflow).

    Args:
        data: The text, or its bytes (UTF-8, UTF-16 or UTF-32, as ``json.loads`` detects them).
        what: What is being decoded (``"HTTP response"``, ``"data-push frame"``), for the message.

    Returns:
        The decoded value: dicts, lists, strings, ints, finite floats, booleans and ``None``.

    Raises:
        ProtocolError: ``data`` is not strict JSON, or not text at all. Its message never holds
            ``data``.
    """
    try:
        if isinstance(data, str):
            text = data
        elif isinstance(data, bytes | bytearray | memoryview):
            raw = bytes(data)
            text = raw.decode(json.detect_encoding(raw), "surrogatepass")
        else:
            raise Malformed(f"{type(data).__name__} is not text")
        return _DECODER.decode(text)
    except DECODE_ERRORS as exc:
        raise decode_error(what, exc) from cause_of(exc)


def loads_object(data: str | bytes | bytearray | memoryview, *, what: str) -> dict[str, object]:
    """:func:`loads`, and the value must be a JSON object.

    Raises:
        ProtocolError: ``data`` is not strict JSON or not an object.
    """
    value = loads(data, what=what)
    if not isinstance(value, dict):
        raise ProtocolError(f"malformed {what} (not a JSON object)")
    return value
