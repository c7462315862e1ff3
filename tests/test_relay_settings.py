"""The relay's names on NATS (``RelayNames``, ``subject_token``) and its settings (``Retention``,
``LeaseSettings``): what each name is, and the errors bad values get."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from multimarkets_async.errors import ConfigurationError, InvalidArgumentError
from multimarkets_async.relay import (
    DEFAULT_NATS_URL,
    DEFAULT_PREFIX,
    MARKET_KINDS,
    LeaseSettings,
    RelayNames,
    Retention,
    subject_token,
)

TOKEN = re.compile(r"[A-Za-z0-9_-]+")

# -- names ----------------------------------------------------------------------------------------------


def test_the_default_names_of_a_company() -> None:
    names = RelayNames(439)
    assert (names.prefix, DEFAULT_PREFIX, names.root) == ("multimarkets", "multimarkets", "multimarkets.439")
    assert [names.market(kind, 1001, 2) for kind in MARKET_KINDS] == [
        "multimarkets.439.tick.1001.2",
        "multimarkets.439.book.1001.2",
        "multimarkets.439.trade.1001.2",
        "multimarkets.439.rolling.1001.2",
    ]
    assert names.market_subjects() == [f"multimarkets.439.{kind}.>" for kind in MARKET_KINDS]
    assert (names.account(2), names.account(None)) == (
        "multimarkets.439.account.2",
        "multimarkets.439.account.none",
    )
    assert names.datapush("position_update") == "multimarkets.439.datapush.position_update"
    assert (names.market_stream, names.account_stream, names.datapush_stream) == (
        "MULTIMARKETS_439_MARKET",
        "MULTIMARKETS_439_ACCOUNT",
        "MULTIMARKETS_439_DATAPUSH",
    )
    assert (names.symbols_bucket, names.lease_bucket) == (
        "MULTIMARKETS_439_SYMBOLS",
        "MULTIMARKETS_439_RELAY",
    )
    assert DEFAULT_NATS_URL == "nats://127.0.0.1:4222"


def test_a_prefix_of_several_tokens_and_company_zero() -> None:
    names = RelayNames(0, "acme.prod-1")
    assert names.root == "acme.prod-1.0"
    assert names.account(1) == "acme.prod-1.0.account.1"
    # Stream and bucket names cannot hold '.', so the prefix becomes one token there.
    assert names.market_stream == "ACME_PROD-1_0_MARKET"
    assert names.lease_bucket == "ACME_PROD-1_0_RELAY"


def test_two_companies_or_prefixes_never_share_a_name() -> None:
    a, b, c = RelayNames(439), RelayNames(4390), RelayNames(439, "other")
    for one, other in [(a, b), (a, c), (b, c)]:
        assert one.root != other.root
        assert one.market_stream != other.market_stream
        assert one.symbols_bucket != other.symbols_bucket


def test_filters() -> None:
    names = RelayNames(7)
    assert names.account_filter(None) == ["multimarkets.7.account.*"]
    assert names.account_filter([2, 1, 2]) == [
        "multimarkets.7.account.none",  # pushes without a trade type always come along
        "multimarkets.7.account.1",
        "multimarkets.7.account.2",
    ]
    assert names.account_filter([]) == ["multimarkets.7.account.none"]
    assert names.datapush_filter(None) == ["multimarkets.7.datapush.*"]
    assert names.datapush_filter(["kyc", "a.b", "kyc"]) == [
        "multimarkets.7.datapush.a_b",
        "multimarkets.7.datapush.kyc",
    ]


@pytest.mark.parametrize(
    ("company_id", "prefix", "match"),
    [
        (-1, "multimarkets", "company_id must be a non-negative int"),
        (True, "multimarkets", "company_id must be a non-negative int"),
        ("439", "multimarkets", "company_id must be a non-negative int"),
        (1.0, "multimarkets", "company_id must be a non-negative int"),
        (1, "", "prefix must be subject tokens"),
        (1, "a..b", "prefix must be subject tokens"),
        (1, ".a", "prefix must be subject tokens"),
        (1, "a.", "prefix must be subject tokens"),
        (1, "a b", "prefix must be subject tokens"),
        (1, "a.*", "prefix must be subject tokens"),
        (1, "a.>", "prefix must be subject tokens"),
        (1, "café", "prefix must be subject tokens"),
        (1, "a\nb", "prefix must be subject tokens"),
    ],
)
def test_bad_names_are_invalid_arguments(company_id: Any, prefix: str, match: str) -> None:
    with pytest.raises(InvalidArgumentError, match=match):
        RelayNames(company_id, prefix)


def test_names_are_frozen_values() -> None:
    names = RelayNames(1)
    assert names == RelayNames(1, "multimarkets")
    assert hash(names) == hash(RelayNames(1))
    with pytest.raises(AttributeError):
        names.prefix = "x"  # type: ignore[misc]


# -- subject tokens ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("position_update", "position_update"),
        ("a-b_C9", "a-b_C9"),
        ("a.b", "a_b"),
        ("*", "_"),
        (">", "_"),
        ("a b\tc", "a_b_c"),
        ("仓位", "__"),  # every non-ASCII character, one "_" each
        ("é", "_"),
        ("", "_"),  # never an empty token (an empty token is not a subject)
    ],
)
def test_subject_token(text: str, token: str) -> None:
    assert subject_token(text) == token


@given(st.text(max_size=40))
def test_any_text_becomes_one_safe_token(text: str) -> None:
    token = subject_token(text)
    assert TOKEN.fullmatch(token)
    assert len(token) == max(len(text), 1)
    assert RelayNames(1).datapush(text).count(".") == 3


# -- retention ----------------------------------------------------------------------------------------


def test_retention_defaults() -> None:
    retention = Retention()
    assert (retention.market_max_age_s, retention.market_storage, retention.market_duplicate_window_s) == (
        3600.0,
        "memory",
        5.0,
    )
    assert (retention.kept_max_age_s, retention.kept_max_bytes, retention.kept_duplicate_window_s) == (
        7 * 86_400.0,
        None,
        600.0,
    )
    assert retention.replicas == 1
    assert Retention(market_storage="file", kept_max_bytes=1 << 30, replicas=3).replicas == 3


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"market_max_age_s": 0}, r"Retention.market_max_age_s must be positive, got 0"),
        ({"market_max_age_s": -1.0}, "market_max_age_s must be positive"),
        ({"market_max_age_s": float("nan")}, "market_max_age_s must be positive"),
        ({"market_duplicate_window_s": 0}, "market_duplicate_window_s must be positive"),
        ({"kept_max_age_s": 0}, "kept_max_age_s must be positive"),
        ({"kept_duplicate_window_s": -5}, "kept_duplicate_window_s must be positive"),
        ({"market_max_age_s": 4, "market_duplicate_window_s": 5}, "cannot exceed market_max_age_s"),
        ({"kept_max_age_s": 60, "kept_duplicate_window_s": 61}, "cannot exceed kept_max_age_s"),
        ({"market_storage": "disk"}, "market_storage must be 'memory' or 'file', got 'disk'"),
        ({"kept_max_bytes": 0}, "kept_max_bytes must be positive or None, got 0"),
        ({"kept_max_bytes": -1}, "kept_max_bytes must be positive or None"),
        ({"replicas": 0}, "replicas must be 1 to 5, got 0"),
        ({"replicas": 6}, "replicas must be 1 to 5"),
    ],
)
def test_bad_retention_is_a_configuration_error(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        Retention(**kwargs)


# -- the lease ----------------------------------------------------------------------------------------


def test_lease_interval() -> None:
    assert LeaseSettings().ttl_s == 5.0
    assert LeaseSettings().interval_s == pytest.approx(5.0 / 3)
    assert LeaseSettings(ttl_s=9).interval_s == 3
    assert LeaseSettings(ttl_s=10, renew_every_s=5).interval_s == 5  # at most half: allowed
    assert LeaseSettings(ttl_s=0.5).interval_s == pytest.approx(0.5 / 3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ttl_s": 0.49}, r"ttl_s must be at least 0.5 s, got 0.49"),
        ({"ttl_s": 0}, "ttl_s must be at least 0.5 s"),
        ({"ttl_s": float("nan")}, "ttl_s must be at least 0.5 s"),
        ({"ttl_s": 10, "renew_every_s": 0}, "renew_every_s must be positive and at most half of ttl_s"),
        ({"ttl_s": 10, "renew_every_s": -1}, "renew_every_s must be positive"),
        ({"ttl_s": 10, "renew_every_s": 5.01}, r"got 5.01 with ttl_s=10"),
        ({"ttl_s": 10, "renew_every_s": float("nan")}, "renew_every_s must be positive"),
    ],
)
def test_bad_lease_settings_are_configuration_errors(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        LeaseSettings(**kwargs)


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Retention().replicas = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        LeaseSettings().ttl_s = 1  # type: ignore[misc]


def test_without_nats_py_the_package_and_the_command_line_still_work() -> None:
    # The relay extra is optional: the demo, the other commands, the names and the payload codec work
    # without nats-py; the relay and the feeds say which extra to install.
    import subprocess
    import sys

    script = """
import sys
sys.modules["nats"] = None  # as if nats-py were not installed
import multimarkets_async as mm
from multimarkets_async.cli import main
assert mm.relay.RelayNames(439).root == "multimarkets.439"
assert mm.relay.decode_product(mm.relay.encode_product(mm.relay.RelayedProduct(
    symbol="EURUSD", symbol_id=1001, trade_type=2, trade_mode=0, price_digits=5, carried={"tick"}
))).symbol == "EURUSD"
for name in ("connect", "Relay"):
    try:
        getattr(mm.relay, name)
    except ImportError as exc:
        assert "multimarkets-async[relay]" in str(exc), exc
    else:
        raise AssertionError(name + " imported without nats-py")
assert main(["--help"]) == 0
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")
    assert "Traceback" not in done.stderr


def test_every_public_name_is_on_the_reference_page() -> None:
    # What `mm.relay.__all__` exports is what a user may import: each has an entry on the API page.
    import multimarkets_async as mm

    page = (Path(__file__).parent.parent / "docs" / "reference" / "relay.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^::: multimarkets_async\.relay\.(\w+)$", page, flags=re.MULTILINE))
    assert sorted(set(mm.relay.__all__) - documented) == []
    assert sorted(documented - set(mm.relay.__all__)) == []
