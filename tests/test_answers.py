"""A server answer that does not fit its model is a ProtocolError naming fields, never their values."""

from __future__ import annotations

import httpx
import pydantic
import pytest

import multimarkets_async as mm
from multimarkets_async.models._answers import parse_answer, parse_rows
from tests._support import mock_client


def test_a_fitting_answer_parses() -> None:
    account = parse_answer(mm.Account, {"accountId": 7, "tradeType": 2, "currency": "USDT"})
    assert account.account_id == 7


def test_a_misfit_names_the_field_and_hides_the_value() -> None:
    with pytest.raises(mm.ProtocolError, match=r"does not fit Account: accountId: .*integer") as info:
        parse_answer(mm.Account, {"accountId": "secret-looking-value", "tradeType": 2})
    assert "secret-looking-value" not in str(info.value)
    assert isinstance(info.value.__cause__, pydantic.ValidationError)
    assert "secret-looking-value" not in str(info.value.__cause__)


def test_many_problems_are_summarised() -> None:
    with pytest.raises(mm.ProtocolError, match=r"\(\+\d+ more\)"):
        parse_rows(mm.Account, [{"accountId": "x", "tradeType": "y", "currency": [1], "digits": "z"}])


def test_not_an_object_is_a_root_problem() -> None:
    with pytest.raises(mm.ProtocolError, match=r"\(root\)"):
        parse_answer(mm.Account, ["not", "an", "object"])


@pytest.mark.anyio
async def test_a_resource_raises_protocol_error_for_a_malformed_answer() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": "0", "msg": "Success", "data": [{"symbolId": "abc"}]})

    async with mock_client(answer) as client:
        with pytest.raises(mm.ProtocolError, match="does not fit Symbol: symbolId"):
            await client.symbols.list()
