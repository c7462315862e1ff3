"""The wire-model base: declared fields are attributes, everything else stays in ``raw``, secrets masked."""

from __future__ import annotations

import pickle

import pytest
from pydantic import BaseModel, SecretStr

import multimarkets_async as mm
from multimarkets_async import webhooks
from multimarkets_async.models._base import WireModel, _secret_aliases, undeclared_fields
from multimarkets_async.models.customer import LoginResult

PAYLOAD = {
    "id": 7,
    "customerNo": "10000007",
    "token": "tok-S3CRET-VALUE",
    "brandNewField": {"nested": 1},
    "accountList": [{"accountId": 1, "tradeType": 2, "currency": "USDT", "futureField": "x"}],
}


def test_an_undeclared_field_is_in_raw_not_an_attribute_or_the_repr() -> None:
    login = LoginResult.model_validate(PAYLOAD)
    assert login.raw["brandNewField"] == {"nested": 1}
    assert not hasattr(login, "brandNewField")
    assert "brandNewField" not in repr(login)
    assert "futureField" not in repr(login)
    assert login.account_list[0].raw["futureField"] == "x"
    assert undeclared_fields(login) == {"brandNewField", "account_list.0.futureField"}


def test_raw_masks_secret_fields_and_is_read_only() -> None:
    login = LoginResult.model_validate(PAYLOAD)
    assert login.token.get_secret_value() == "tok-S3CRET-VALUE"
    assert "S3CRET" not in str(dict(login.raw))
    with pytest.raises(TypeError):
        login.raw["token"] = "x"  # type: ignore[index]


def test_raw_survives_pickling_and_copies() -> None:
    login = LoginResult.model_validate(PAYLOAD)
    assert pickle.loads(pickle.dumps(login)).raw == login.raw
    assert login.model_copy(update={"id": 8}).raw == login.raw


def test_a_model_built_in_code_keeps_its_arguments_as_raw() -> None:
    account = mm.Account(account_id=1, trade_type=1, currency="USDT")
    assert dict(account.raw) == {"account_id": 1, "trade_type": 1, "currency": "USDT"}
    assert undeclared_fields(account) == set()


def _exported_models() -> dict[str, type[BaseModel]]:
    """Every pydantic model the package exports, at the top level and from ``webhooks``."""
    found: dict[str, type[BaseModel]] = {}
    for module in (mm, webhooks):
        for name in module.__all__:
            cls = getattr(module, name)
            if isinstance(cls, type) and issubclass(cls, BaseModel):
                found[f"{module.__name__}.{name}"] = cls
    return found


def test_no_exported_model_keeps_extras_as_attributes() -> None:
    """Undeclared fields go to ``raw`` on every model users receive, never into attributes or reprs."""
    leaking = sorted(
        name for name, cls in _exported_models().items() if cls.model_config.get("extra") == "allow"
    )
    assert leaking == []


def test_every_secret_field_is_masked_in_raw() -> None:
    """Each ``SecretStr`` field's wire name is among those ``raw`` masks (LoginResult shows the masking)."""
    unmasked = [
        (name, field_name)
        for name, cls in _exported_models().items()
        if issubclass(cls, WireModel)
        for field_name, field in cls.model_fields.items()
        if (field.annotation is SecretStr or SecretStr in getattr(field.annotation, "__args__", ()))
        and (field.alias or field_name) not in _secret_aliases(cls)
    ]
    assert unmasked == []
