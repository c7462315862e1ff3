"""The one base of the pydantic wire models: how every REST payload maps onto Python attributes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

__all__ = ["WireModel"]


class WireModel(BaseModel):
    """Base of every REST model: snake_case attributes with the wire's camelCase as aliases.

    Unknown server fields are kept (``extra="allow"``) so a new field never breaks a client.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        frozen=True,
        coerce_numbers_to_str=True,
        hide_input_in_errors=True,  # a bad answer's error never echoes its values (tokens, keys)
    )
