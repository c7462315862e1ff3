"""Strict parsing of request body fields, as the simulator's trading module checks them.

Types follow the platform's conventions: ids and enums are JSON integers, quantities decimal strings,
order prices scaled integer strings (JSON integers are accepted too, Assumption ``scaled_price_as_string``),
paging numbers integers or digit strings (Assumption ``paging_as_int``). A wrong type or format raises
``SimError`` with ``E000006`` ("Incorrect format"), a missing field ``E000005``, under the bizCode
the caller passes.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .error_codes import SimError

__all__ = [
    "decimal_field",
    "int_field",
    "lenient_int",
    "optional_decimal",
    "optional_scaled",
    "page",
    "paging",
    "scaled_field",
    "sort_records",
    "tag_field",
]

_SCALED = re.compile(r"\d+")
_DECIMAL = re.compile(r"\d+(\.\d+)?")
_TAG = re.compile(r"[A-Za-z0-9_]{0,255}")


def _missing(value: object) -> bool:
    return value is None or value == ""


def lenient_int(value: object) -> int | None:
    """An int, or a string of digits as an int; ``None`` for anything else (booleans included)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    return None


def int_field(body: dict[str, Any], name: str, biz_code: str, *, required: bool = True) -> int | None:
    """A JSON integer field (not a boolean, not a string).

    Raises:
        SimError: ``E000005`` when required and missing, ``E000006`` when not an integer.
    """
    value = body.get(name)
    if _missing(value):
        if required:
            raise SimError("E000005", biz_code)
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise SimError("E000006", biz_code)
    return value


def scaled_field(body: dict[str, Any], name: str, biz_code: str, *, required: bool) -> int:
    """A scaled price: an integer string such as ``"167655"``, or a JSON integer.

    A decimal point (``"1.67655"``), a float, a sign or any other text is an incorrect format.
    Returns 0 ("not set") for an absent optional field.
    """
    value = body.get(name)
    if _missing(value):
        if required:
            raise SimError("E000005", biz_code)
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and _SCALED.fullmatch(value):
        return int(value)
    raise SimError("E000006", biz_code)


def decimal_field(body: dict[str, Any], name: str, biz_code: str) -> Decimal:
    """A required positive decimal string such as ``"0.100000"`` (a JSON number is refused)."""
    value = body.get(name)
    if _missing(value):
        raise SimError("E000005", biz_code)
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
        raise SimError("E000006", biz_code)
    return Decimal(value)


def optional_scaled(body: dict[str, Any], name: str, biz_code: str) -> int | None:
    """A scaled price that may be left out (``None``): an integer string or a JSON integer.

    Raises:
        SimError: ``E000006`` for any other value.
    """
    if _missing(body.get(name)):
        return None
    return scaled_field(body, name, biz_code, required=True)


def optional_decimal(body: dict[str, Any], name: str, biz_code: str) -> Decimal | None:
    """A positive quantity that may be left out (``None``): a decimal string or a JSON number
    (``updatePboOrder`` types it "num/str").

    Raises:
        SimError: ``E000006`` for anything else.
    """
    value = body.get(name)
    if _missing(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return Decimal(repr(value))
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return Decimal(value)
    raise SimError("E000006", biz_code)


def tag_field(body: dict[str, Any], name: str, biz_code: str) -> str:
    """An optional tag of at most 255 ``[A-Za-z0-9_]`` characters (``source``, ``thirdPartyOrder``)."""
    value = body.get(name)
    if _missing(value):
        return ""
    if not isinstance(value, str) or not _TAG.fullmatch(value):
        raise SimError("E000006", biz_code)
    return value


def paging(body: dict[str, Any], biz_code: str) -> tuple[int, int]:
    """``current`` (default 1) and ``size`` (default 20), as integers or digit strings."""
    out = []
    for name, default in (("current", 1), ("size", 20)):
        value = body.get(name, default)
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SimError("E000006", biz_code)
        out.append(value)
    return out[0], out[1]


def page(rows: list[dict[str, Any]], current: int, size: int) -> dict[str, Any]:
    """The page object of every paged answer: ``records``, ``total``, ``size``, ``current``."""
    start = (current - 1) * size
    return {
        "records": rows[start : start + size],
        "total": len(rows),
        "size": size,
        "current": current,
        "pages": (len(rows) + size - 1) // size,
    }


def sort_records(
    rows: list[dict[str, Any]], body: dict[str, Any], keys: dict[str, str], *, default: str, biz_code: str
) -> list[dict[str, Any]]:
    """Sort rows by ``sortFieldName`` (one of ``keys``) and ``sortType`` (``desc`` by default).

    Raises:
        SimError: ``E000014`` for a sort type other than asc/desc, ``E000015`` for an unknown field.
    """
    field_name = body.get("sortFieldName") or default
    sort_type = body.get("sortType") or "desc"
    if sort_type not in ("asc", "desc"):
        raise SimError("E000014", biz_code)
    if field_name not in keys:
        raise SimError("E000015", biz_code)
    column = keys[field_name]

    def key(row: dict[str, Any]) -> Any:
        value = row[column]
        if isinstance(value, str):
            try:
                return Decimal(value)
            except InvalidOperation:
                return value  # a text column (symbolCode)
        return value

    return sorted(rows, key=key, reverse=sort_type == "desc")
