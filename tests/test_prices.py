"""Human prices to integer-scaled ones and back; sizes as decimal strings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from multimarkets_async.errors import InvalidArgumentError
from multimarkets_async.protocol.prices import decimal_text, scale_price, to_decimal, unscale_price


@pytest.mark.parametrize(
    ("price", "digits", "scaled"),
    [
        ("1.67655", 5, "167655"),
        ("1.23", 3, "1230"),
        (Decimal("22.25"), 2, "2225"),
        (7, 2, "700"),
        ("0", 5, "0"),
    ],
)
def test_documented_examples(price: object, digits: int, scaled: str) -> None:
    assert scale_price(price, digits) == scaled  # type: ignore[arg-type]


def test_too_many_decimals_are_refused_not_rounded() -> None:
    with pytest.raises(InvalidArgumentError, match="more decimals than the product's 2"):
        scale_price("1.234", 2)
    assert scale_price("1.2300", 2) == "123"  # trailing zeros are not extra precision


@pytest.mark.parametrize("bad", [1.5, True, "abc", "NaN", "Infinity", "-1"])
def test_bad_prices_are_typed_errors(bad: object) -> None:
    with pytest.raises(InvalidArgumentError):
        scale_price(bad, 5)  # type: ignore[arg-type]


@given(st.decimals(min_value=0, max_value=10**9, places=5, allow_nan=False, allow_infinity=False))
def test_scaling_round_trips(price: Decimal) -> None:
    assert unscale_price(scale_price(price, 5), 5) == price


def test_volumes_are_plain_positive_decimal_text() -> None:
    assert decimal_text(Decimal("1E-2")) == "0.01"
    assert decimal_text("0.100000") == "0.100000"
    with pytest.raises(InvalidArgumentError, match="positive"):
        decimal_text("0")
    assert to_decimal(" 3 ", "x") == Decimal(3)
