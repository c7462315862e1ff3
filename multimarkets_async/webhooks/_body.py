"""Reading an untrusted webhook body: the size limit and the strict JSON decoding of the platform's calls.

Everything here takes bytes and returns values; nothing raises past it. A body is accepted only when it is
at most ``max_body_bytes`` long, valid UTF-8, valid JSON without ``NaN``/``Infinity``, an object, at most
``MAX_DEPTH`` levels deep, free of lone surrogates, and its numbers fit: a float literal whose exponent is
beyond a double's (``1e400``) or an integer literal longer than ``MAX_INT_DIGITS`` digits is refused. The
platform's bodies are flat objects of short strings and longs, so these bounds only ever bite hostile
input. Floats are parsed as ``Decimal``: money must not pass through binary floating point.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable
from decimal import Decimal
from typing import Final

from .. import errors
from ..protocol._json import DECODE_ERRORS, Malformed, cause_of, decode_error

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "BodyTooLarge",
    "check_max_body_bytes",
    "decode_json",
    "decode_json_object",
    "read_limited",
]

DEFAULT_MAX_BODY_BYTES: Final = 1 << 20
"""1 MiB: the default body limit, some thousand times a real platform call."""
MAX_DEPTH: Final = 32
"""Nesting levels a body may have (the platform's bodies have one or two)."""
MAX_INT_DIGITS: Final = 40
"""Digits an integer literal may have (a Java long has 19)."""
_MAX_EXPONENT: Final = 308  # the largest decimal exponent of an IEEE double


class BodyTooLarge(Exception):
    """The body is longer than the limit; reading stopped there (internal, never raised to callers)."""


def check_max_body_bytes(value: int) -> int:
    """Validate a ``max_body_bytes`` setting and return it.

    Raises:
        errors.ConfigurationError: ``value`` is not a positive integer.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise errors.ConfigurationError(f"max_body_bytes must be a positive integer, not {value!r}")
    return value


async def read_limited(chunks: AsyncIterable[bytes], limit: int) -> bytes:
    """Collect a streamed body, stopping as soon as it exceeds ``limit`` bytes.

    Raises:
        BodyTooLarge: more than ``limit`` bytes arrived; the rest of the stream was not read.
    """
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            # Stop pulling: the sender's remaining bytes are never read into memory.
            raise BodyTooLarge(f"body larger than {limit} bytes")
        parts.append(chunk)
    return b"".join(parts)


def _parse_float(text: str) -> Decimal:
    value = Decimal(text)
    if not value.is_finite() or abs(value.adjusted()) > _MAX_EXPONENT:
        raise Malformed("a number is out of range")
    return value


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise Malformed("an integer is too long")
    return int(text)


def _refuse_constant(name: str) -> object:
    raise Malformed(f"{name} is not JSON")


# The package's strict decoder (protocol/_json.py) reads floats as float and guesses UTF-16/32; a
# webhook needs Decimal money and UTF-8 only, so it gets its own decoder and shares the error mapping.
_DECODER: Final = json.JSONDecoder(
    parse_float=_parse_float, parse_int=_parse_int, parse_constant=_refuse_constant
)


def _check_tree(value: object) -> None:
    # Iterative: the depth bound must not itself recurse. Encoding a non-ASCII string proves it holds no
    # lone surrogate (a "\ud800" escape), which would break every later UTF-8 encode of it.
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    raise Malformed("a string holds a lone surrogate") from None
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise Malformed(f"nested deeper than {MAX_DEPTH} levels")
            members = item.values() if isinstance(item, dict) else item
            stack.extend((member, depth + 1) for member in members)
            if isinstance(item, dict):
                stack.extend((key, depth + 1) for key in item)


def decode_json(data: bytes | str, *, what: str) -> object:
    """Decode one untrusted JSON document under the bounds of this module.

    Args:
        data: the raw body (UTF-8) or text.
        what: what is decoded, for the error message.

    Returns:
        The value, with floats as ``Decimal``.

    Raises:
        errors.ProtocolError: for every failure (``protocol._json.decode_error``); the message names
            ``what`` and never echoes the data.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = _DECODER.decode(text)
        _check_tree(value)
    except DECODE_ERRORS as exc:
        raise decode_error(what, exc) from cause_of(exc)
    return value


def decode_json_object(data: bytes | str, *, what: str) -> dict[str, object]:
    """``decode_json``, and the value must be an object.

    Raises:
        errors.ProtocolError: not valid JSON under the bounds, or not an object.
    """
    value = decode_json(data, what=what)
    if not isinstance(value, dict):
        raise errors.ProtocolError(f"malformed {what} (not a JSON object)")
    return value
