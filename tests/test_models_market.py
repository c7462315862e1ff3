"""Tests for the market-data event models: identity, immutability, slots and documented fields."""

from __future__ import annotations

import ast
import inspect
import itertools
import pickle
from decimal import Decimal

import pytest

from multimarkets_async.models import market

D = Decimal
TICK = market.Tick(1123, 1, 0, 7, 1_700_000_000_000, D("6.23"), D("6.22"), D("6.24"), D(123), D(234))
MODELS = [
    market.SymbolKey,
    market.Tick,
    market.Trade,
    market.DepthLevel,
    market.DepthBook,
    market.Rolling24h,
    market.Kline,
]


def test_symbol_key_is_a_value_usable_as_a_dict_key() -> None:
    key = market.SymbolKey(112312, 1, 1)
    assert key == market.SymbolKey(symbol_id=112312, trade_type=1, trade_mode=1)
    assert key != market.SymbolKey(112312, 1, 0)
    assert {key: "x"}[market.SymbolKey(112312, 1, 1)] == "x"
    assert len({key, market.SymbolKey(112312, 1, 1)}) == 1


def test_every_event_exposes_its_symbol_key() -> None:
    trade = market.Trade(5, 2, 3, None, 1, D(1), D(1), market.TradeDirection.SELL)
    book = market.DepthBook(6, 5, 4, 1, 1, (), ())
    stats = market.Rolling24h(7, 1, 0, D(1), D(1), D(1), D(1), D(1), D(1))
    bar = market.Kline(8, 1, 0, 1, 1, D(1), D(1), D(1), D(1), D(1), None, None)
    assert TICK.key == market.SymbolKey(1123, 1, 0)
    assert trade.key == market.SymbolKey(5, 2, 3)
    assert book.key == market.SymbolKey(6, 5, 4)
    assert stats.key == market.SymbolKey(7, 1, 0)
    assert bar.key == market.SymbolKey(8, 1, 0)


def test_snapshot_only_tick_fields_default_to_none() -> None:
    assert (TICK.open, TICK.high, TICK.low, TICK.close, TICK.yesterday_close, TICK.price_digits) == (
        None,
    ) * 6


@pytest.mark.parametrize("cls", MODELS)
def test_models_are_typed_named_tuples_without_instance_dicts(cls: type) -> None:
    assert issubclass(cls, tuple)
    assert cls._fields  # type: ignore[attr-defined]
    assert cls.__slots__ == ()  # type: ignore[attr-defined]
    assert "__dict__" not in dir(cls)


def test_instances_cannot_be_changed() -> None:
    with pytest.raises(AttributeError):
        TICK.price = D(1)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        TICK.extra = 1  # type: ignore[attr-defined]


def test_symbol_key_is_interchangeable_with_its_tuple() -> None:
    key = market.SymbolKey(1001, 2, 1)
    assert key == (1001, 2, 1)
    assert {key: "x"}[(1001, 2, 1)] == "x"


def test_events_compare_hash_and_pickle_by_value() -> None:
    same = TICK._replace()
    assert same == TICK
    assert hash(same) == hash(TICK)
    assert pickle.loads(pickle.dumps(TICK)) == TICK
    level = market.DepthLevel(D("6.23"), D(1))
    book = market.DepthBook(1, 1, 0, 1, 1, (level,), ())
    assert pickle.loads(pickle.dumps(book)) == book


def test_closed_vocabularies() -> None:
    assert [k.value for k in market.KlineType] == list(range(1, 11))
    assert int(market.KlineType.DAY_1) == 8
    assert [(d.name, d.value) for d in market.TradeDirection] == [("UNKNOWN", 0), ("BUY", 1), ("SELL", 2)]


@pytest.mark.parametrize("cls", MODELS)
def test_every_field_has_a_docstring(cls: type) -> None:
    (node,) = ast.parse(inspect.getsource(cls)).body
    assert isinstance(node, ast.ClassDef)
    assert ast.get_docstring(node)
    body = node.body
    documented = {
        stmt.target.id
        for stmt, after in itertools.pairwise(body)
        if isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and isinstance(after, ast.Expr)
        and isinstance(after.value, ast.Constant)
        and isinstance(after.value.value, str)
    }
    assert documented == set(cls._fields)  # type: ignore[attr-defined]


def test_public_names() -> None:
    assert sorted(market.__all__) == sorted(
        [
            "DepthBook",
            "DepthLevel",
            "Kline",
            "KlineType",
            "Rolling24h",
            "SymbolKey",
            "Tick",
            "Trade",
            "TradeDirection",
        ]
    )


def test_times_say_their_unit_and_the_old_names_warn() -> None:
    trade = market.Trade(5, 2, 3, None, 1_700_000_000_000, D(1), D(1), market.TradeDirection.SELL)
    book = market.DepthBook(6, 5, 4, 1, 1_700_000_000_001, (), ())
    bar = market.Kline(8, 1, 0, 1, 1_700_000_000_000, D(1), D(1), D(1), D(1), D(1), 1_700_000_059_000, 9)
    assert "time" not in market.Tick._fields
    assert (TICK.time_ms, trade.time_ms, book.time_ms) == (
        1_700_000_000_000,
        1_700_000_000_000,
        1_700_000_000_001,
    )
    assert (bar.time_ms, bar.last_tick_time_ms) == (1_700_000_000_000, 1_700_000_059_000)
    for event, old, new in [
        (TICK, "time", "time_ms"),
        (trade, "time", "time_ms"),
        (book, "time", "time_ms"),
        (bar, "time", "time_ms"),
        (bar, "last_tick_time", "last_tick_time_ms"),
    ]:
        with pytest.warns(
            DeprecationWarning, match=f"{type(event).__name__}.{old} is deprecated, read .*{new}"
        ):
            assert getattr(event, old) == getattr(event, new)


def test_events_carry_the_product_name_last_and_none_by_default() -> None:
    for cls in (market.Tick, market.Trade, market.DepthBook, market.Rolling24h, market.Kline):
        assert cls._fields[-1] == "symbol"
    assert TICK.symbol is None
    assert TICK._replace(symbol="EURUSD").symbol == "EURUSD"
