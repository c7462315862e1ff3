"""``from_env()`` on the three clients: every credential set, every half-set pair, the precedence when
several sets are set, keyword overrides, and errors that name a variable but never show a value."""

from __future__ import annotations

import pytest

import multimarkets_async as mm
from multimarkets_async.testing import Simulator

pytestmark = pytest.mark.anyio

BASE = {"MULTIMARKETS_BASE_URL": "http://127.0.0.1:1", "MULTIMARKETS_COMPANY_ID": "439"}
SECRET = "do-not-print-me-0123456789"


def sim_env(sim: Simulator) -> dict[str, str]:
    return sim.environment()


# -- MultiMarkets ---------------------------------------------------------------------------------


def test_base_url_and_company_id_are_required() -> None:
    with pytest.raises(mm.ConfigurationError, match="MULTIMARKETS_BASE_URL is not set"):
        mm.MultiMarkets.from_env({"MULTIMARKETS_COMPANY_ID": "439"})
    with pytest.raises(mm.ConfigurationError, match="MULTIMARKETS_COMPANY_ID is not set"):
        mm.MultiMarkets.from_env({"MULTIMARKETS_BASE_URL": "prd"})


def test_a_malformed_base_url_names_the_variable_it_came_from() -> None:
    with pytest.raises(mm.ConfigurationError, match=r"^MULTIMARKETS_BASE_URL: base_url must look like"):
        mm.MultiMarkets.from_env({**BASE, "MULTIMARKETS_BASE_URL": "not a url"})
    assert mm.MultiMarkets.from_env({**BASE, "MULTIMARKETS_BASE_URL": "pre"}).environment.name == "pre"


def test_company_id_must_be_a_positive_integer_and_the_error_does_not_quote_it() -> None:
    with pytest.raises(mm.ConfigurationError, match="MULTIMARKETS_COMPANY_ID must be a positive") as info:
        mm.MultiMarkets.from_env(BASE | {"MULTIMARKETS_COMPANY_ID": "abc" + SECRET})
    assert SECRET not in str(info.value)


def test_no_credentials_is_a_guest_unless_credentials_are_required() -> None:
    client = mm.MultiMarkets.from_env(BASE | {"MULTIMARKETS_BASE_URL": "pre"})
    assert not client.authenticated
    assert client.environment.name == "pre"
    with pytest.raises(mm.ConfigurationError, match="MULTIMARKETS_API_KEY and MULTIMARKETS_SECRET_KEY"):
        mm.MultiMarkets.from_env(BASE, require_credentials=True)


def test_empty_variables_count_as_unset() -> None:
    client = mm.MultiMarkets.from_env(BASE | {"MULTIMARKETS_TOKEN": "", "MULTIMARKETS_API_KEY": "  "})
    assert not client.authenticated


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ("MULTIMARKETS_API_KEY", "MULTIMARKETS_SECRET_KEY"),
        ("MULTIMARKETS_SECRET_KEY", "MULTIMARKETS_API_KEY"),
        ("MULTIMARKETS_LOGIN_NAME", "MULTIMARKETS_PASSWORD"),
        ("MULTIMARKETS_PASSWORD", "MULTIMARKETS_LOGIN_NAME"),
    ],
)
def test_a_half_set_pair_names_the_missing_variable_never_the_value(given: str, missing: str) -> None:
    with pytest.raises(mm.ConfigurationError) as info:
        mm.MultiMarkets.from_env(BASE | {given: SECRET})
    assert f"{given} is set but {missing} is not" in str(info.value)
    assert SECRET not in str(info.value)


def test_a_half_set_pair_is_refused_even_beside_a_complete_set() -> None:
    with pytest.raises(
        mm.ConfigurationError, match="MULTIMARKETS_PASSWORD is set but MULTIMARKETS_LOGIN_NAME"
    ):
        mm.MultiMarkets.from_env(BASE | {"MULTIMARKETS_TOKEN": "tok", "MULTIMARKETS_PASSWORD": SECRET})


async def test_the_api_key_set_signs_over_the_open_api(simulator: Simulator) -> None:
    env = {k: v for k, v in sim_env(simulator).items() if "LOGIN" not in k and "PASSWORD" not in k}
    async with mm.MultiMarkets.from_env(env) as client:
        assert "open_api" in repr(client)
        assert (await client.account.get(trade_type=2)).account_id == 1031002


async def test_the_token_set(simulator: Simulator) -> None:
    async with mm.MultiMarkets(base_url=simulator.base_url, company_id=simulator.company_id) as guest:
        await guest.login(login_name=simulator.login_name, password=simulator.password)
        token = guest._session.token
        assert token
        env = BASE | {"MULTIMARKETS_BASE_URL": simulator.base_url, "MULTIMARKETS_TOKEN": token}
        async with mm.MultiMarkets.from_env(env) as client:
            assert repr(client).endswith("auth=token>")
            assert (await client.account.profile()).customer_no == simulator.customer_no


async def test_the_login_set_logs_in_when_the_client_is_entered(simulator: Simulator) -> None:
    env = BASE | {
        "MULTIMARKETS_BASE_URL": simulator.base_url,
        "MULTIMARKETS_LOGIN_NAME": simulator.login_name,
        "MULTIMARKETS_PASSWORD": simulator.password,
    }
    client = mm.MultiMarkets.from_env(env)
    assert not client.authenticated
    assert simulator.password not in repr(client)
    async with client:
        assert client.authenticated
        assert (await client.account.profile()).customer_no == simulator.customer_no


async def test_a_wrong_password_fails_the_enter_and_closes_the_client(simulator: Simulator) -> None:
    env = simulator.environment() | {"MULTIMARKETS_API_KEY": "", "MULTIMARKETS_SECRET_KEY": ""}
    client = mm.MultiMarkets.from_env(env | {"MULTIMARKETS_PASSWORD": "wrong"})
    with pytest.raises(mm.MultiMarketsError):
        await client.__aenter__()
    assert client.closed


def test_with_every_set_the_open_api_key_wins() -> None:
    env = BASE | {
        "MULTIMARKETS_API_KEY": "0c5c7fd0a6a3a4506513270e269e0d37",
        "MULTIMARKETS_SECRET_KEY": Simulator().secret_key,
        "MULTIMARKETS_TOKEN": "tok",
        "MULTIMARKETS_LOGIN_NAME": "a@b.c",
        "MULTIMARKETS_PASSWORD": "pw",
    }
    client = mm.MultiMarkets.from_env(env)
    assert "open_api" in repr(client)
    assert client._login_on_enter is None
    without_keys = mm.MultiMarkets.from_env(env | {"MULTIMARKETS_API_KEY": "", "MULTIMARKETS_SECRET_KEY": ""})
    assert repr(without_keys).endswith("auth=token>")  # then the token, then the password login


def test_keyword_overrides_win_over_the_environment() -> None:
    client = mm.MultiMarkets.from_env(
        BASE | {"MULTIMARKETS_TOKEN": "from-env"}, base_url="pre", company_id=7, token="from-flag", timeouts=3
    )
    assert (client.environment.name, client.company_id, client._session.token) == ("pre", 7, "from-flag")


def test_a_credential_override_replaces_the_environment_sets() -> None:
    env = BASE | {"MULTIMARKETS_API_KEY": "k" * 32, "MULTIMARKETS_SECRET_KEY": "nonsense"}
    client = mm.MultiMarkets.from_env(env, token="tok")  # the env's key pair is not even read
    assert repr(client).endswith("auth=token>")
    with pytest.raises(mm.ConfigurationError, match="login_name and password go together"):
        mm.MultiMarkets.from_env(BASE, login_name="a@b.c")


def test_public_key_turns_on_the_encrypted_body_mode() -> None:
    sim = Simulator()
    client = mm.MultiMarkets.from_env(BASE | {"MULTIMARKETS_PUBLIC_KEY": sim.company_public_key})
    assert client._session._encrypt_auth is not None


# -- ManagerClient and BridgeClient ---------------------------------------------------------------


async def test_manager_from_env(simulator: Simulator) -> None:
    async with mm.ManagerClient.from_env(simulator.environment()) as manager:
        assert (await manager.authorize()).token


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "MULTIMARKETS_APP_ID and MULTIMARKETS_APP_SECRET are not set"),
        ({"MULTIMARKETS_APP_ID": SECRET}, "MULTIMARKETS_APP_ID is set but MULTIMARKETS_APP_SECRET is not"),
        (
            {"MULTIMARKETS_APP_SECRET": SECRET},
            "MULTIMARKETS_APP_SECRET is set but MULTIMARKETS_APP_ID is not",
        ),
    ],
)
def test_manager_missing_or_half_set(env: dict[str, str], message: str) -> None:
    with pytest.raises(mm.ConfigurationError, match=message) as info:
        mm.ManagerClient.from_env(BASE | env)
    assert SECRET not in str(info.value)


def test_manager_overrides_win() -> None:
    manager = mm.ManagerClient.from_env(BASE, app_id="a" * 32, app_secret="s" * 32, company_id=9)
    assert manager.company_id == 9


async def test_bridge_from_env(simulator: Simulator) -> None:
    async with mm.BridgeClient.from_env(simulator.environment()) as bridge:
        assert simulator.bridge_secret_key not in repr(bridge)
        assert await bridge.products.list()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "MULTIMARKETS_BRIDGE_API_KEY and MULTIMARKETS_BRIDGE_SECRET_KEY are not set"),
        ({"MULTIMARKETS_BRIDGE_API_KEY": SECRET}, "MULTIMARKETS_BRIDGE_SECRET_KEY is not"),
        ({"MULTIMARKETS_BRIDGE_SECRET_KEY": SECRET}, "MULTIMARKETS_BRIDGE_API_KEY is not"),
    ],
)
def test_bridge_missing_or_half_set(env: dict[str, str], message: str) -> None:
    with pytest.raises(mm.ConfigurationError, match=message) as info:
        mm.BridgeClient.from_env(BASE | env)
    assert SECRET not in str(info.value)


def test_from_env_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MULTIMARKETS_BASE_URL", "prd")
    monkeypatch.setenv("MULTIMARKETS_COMPANY_ID", "12")
    assert mm.MultiMarkets.from_env().company_id == 12
