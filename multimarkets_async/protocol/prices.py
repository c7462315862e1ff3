"""Prices and sizes: human decimals to the platform's integer-scaled prices and decimal strings, and back.

Order prices (``requestPrice``, ``stopLoss``, ``takeProfit``) travel as integer strings scaled by
10^symbolDigits: 1.67655 with 5 digits is ``"167655"``. A price with more decimals than
the product has is refused, never rounded silently. Quantities travel as decimal strings. Pure
functions on ``decimal.Decimal``; floats are refused because they cannot say what the user meant.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..errors import InvalidArgumentError

__all__ = ["decimal_text", "scale_price", "to_decimal", "unscale_price"]

Number = Decimal | str | int


def to_decimal(value: Number, what: str) -> Decimal:
    """``value`` as a finite ``Decimal``.

    Raises:
        InvalidArgumentError: a float (ambiguous), a bool, text that is not a number, NaN or infinity.
    """
    if isinstance(value, bool | float):
        raise InvalidArgumentError(
            f"{what} must be a Decimal, a string or an int, not {type(value).__name__} ({value!r})"
        )
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidArgumentError(f"{what} is not a number: {value!r}") from None
    if not number.is_finite():
        raise InvalidArgumentError(f"{what} must be finite, got {value!r}")
    return number


def scale_price(value: Number, digits: int, *, what: str = "price") -> str:
    """The integer string of ``value`` scaled by 10**``digits``.

    Raises:
        InvalidArgumentError: ``value`` is negative, not a number, or has more decimals than ``digits``.
    """
    price = to_decimal(value, what)
    if price < 0:
        raise InvalidArgumentError(f"{what} must not be negative, got {value!r}")
    scaled = price.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise InvalidArgumentError(
            f"{what} {value} has more decimals than the product's {digits}; round it to a multiple of "
            f"{Decimal(1).scaleb(-digits)} first"
        )
    return str(int(scaled))


def unscale_price(value: Number, digits: int) -> Decimal:
    """The human price of an integer-scaled one (``"167655"`` with 5 digits is ``Decimal("1.67655")``)."""
    return to_decimal(value, "scaled price").scaleb(-digits)


def decimal_text(value: Number, *, what: str = "volume", positive: bool = True) -> str:
    """A quantity as the plain decimal string the platform expects (no exponent).

    Raises:
        InvalidArgumentError: not a number, or not positive when ``positive``.
    """
    number = to_decimal(value, what)
    if positive and number <= 0:
        raise InvalidArgumentError(f"{what} must be positive, got {value!r}")
    return format(number, "f")
