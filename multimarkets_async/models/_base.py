"""The one base of the pydantic wire models: how every REST payload maps onto Python attributes."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    SecretStr,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic.alias_generators import to_camel

__all__ = ["WireModel", "undeclared_fields"]

_MASK = "**********"


class WireModel(BaseModel):
    """Base of every REST model: snake_case attributes with the wire's camelCase as aliases.

    Every field the platform documents is a declared attribute. A field it adds later never breaks a
    client and never becomes an attribute: it stays reachable in `raw`, the payload as received.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        coerce_numbers_to_str=True,
        hide_input_in_errors=True,  # a bad answer's error never echoes its values (tokens, keys)
    )

    _raw: dict[str, object] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_raw(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        model = handler(data)
        if isinstance(data, Mapping) and isinstance(model, WireModel):
            raw = {str(key): value for key, value in data.items()}
            for alias in _secret_aliases(type(model)):
                if alias in raw:
                    raw[alias] = _MASK
            model._raw = raw
        return model

    @property
    def raw(self) -> Mapping[str, object]:
        """The payload as the platform sent it (read-only), including fields this SDK does not declare.

        Secrets (fields typed ``SecretStr``) are masked here as in the repr. Empty for a model built
        in code rather than from a payload.
        """
        return MappingProxyType(self._raw)


@cache
def _secret_aliases(cls: type[WireModel]) -> frozenset[str]:
    """The wire names (alias and attribute name) of ``cls``'s ``SecretStr`` fields."""
    names: set[str] = set()
    for name, field in cls.model_fields.items():
        annotation = field.annotation
        if annotation is SecretStr or SecretStr in getattr(annotation, "__args__", ()):
            names.update({name, field.alias or name})
    return frozenset(names)


def undeclared_fields(model: WireModel) -> set[str]:
    """The wire fields of ``model`` (and of the models nested in it) that it does not declare.

    Dotted paths for nested models (``"accountList.0.newField"``). Meant for tests: an empty set
    means every field the payload carried is a typed attribute.
    """
    declared: set[str] = set()
    for name, field in type(model).model_fields.items():
        declared.update({name, field.alias or name})
    found = {key for key in model.raw if key not in declared}
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, list | tuple) else [value]
        for index, item in enumerate(items):
            if isinstance(item, WireModel):
                where = f"{name}.{index}" if isinstance(value, list | tuple) else name
                found.update(f"{where}.{key}" for key in undeclared_fields(item))
    return found
