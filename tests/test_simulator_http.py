"""The simulator's HTTP side, driven with raw httpx: the wire protocol a correct SDK must speak."""

# The plugin's `simulator` fixture is imported below; test parameters of that name shadow it on purpose.
# ruff: noqa: F811

from __future__ import annotations

import base64
import time
import uuid
from decimal import Decimal
from typing import Any

import anyio
import httpx
import pytest

from multimarkets_async.protocol import crypto
from multimarkets_async.testing import Simulator, SimulatorConfig, pytest_plugin
from multimarkets_async.testing.pytest_plugin import simulator  # noqa: F401  (the plugin's fixture)
from tests._support import FakeClock, new_trace, signed_headers, wire_headers, wire_order

pytestmark = pytest.mark.anyio

LOGIN = "customer.app.CustomerWebApiService.login"
ORDER = "tradeapi.app.OrderApiService.addMarketOrder"
ORDER_MM = "tradeapi.app.CfdMMOrderApiService.addMarketOrder"
INFO = "customer.app.CustomerWebApiService.findCustomerInfo"
POSITIONS = "tradeapi.app.PositionApiService.queryPositionPage"
ORDERS = "tradeapi.app.OrderApiService.queryOrderPage"
SYMBOLS = "config.app.AppSymbolDubboService.getSymbolBaseList"
DETAIL = "config.app.AppSymbolDubboService.getSymbolDetail"
ACCOUNT = "customer.app.CustomerWebApiService.queryAccountById"


async def login(http: httpx.AsyncClient, sim: Simulator) -> str:
    body = {"type": 1, "loginName": sim.login_name, "loginPwd": crypto.md5_password(sim.password),
            "device": 1, "isThird": False}  # fmt: skip
    r = await http.post(f"/api/login/{LOGIN}", headers=wire_headers(sim, version="0.0.1"), json=body)
    env = r.json()
    assert env["code"] == "0", env
    return str(env["data"]["token"])


async def open_call(
    http: httpx.AsyncClient, sim: Simulator, biz_type: str, body: dict[str, Any], **extra: str
) -> httpx.Response:
    headers = signed_headers(sim, body)
    headers.update(extra)
    return await http.post(f"/openapi-c/global/{biz_type}", headers=headers, json=body)


def assert_error(r: httpx.Response, code: str, biz_code: str) -> dict[str, Any]:
    assert r.status_code == 200
    env = r.json()
    assert (env["code"], env["bizCode"], env["ok"], env["fail"]) == (code, biz_code, False, True), env
    return dict(env)


# ---------------------------------------------------------------------------- Client API sessions


async def test_login_token_use_expiry_and_logout(simulator: Simulator, http: httpx.AsyncClient) -> None:
    sim = simulator
    body = {"type": 1, "loginName": sim.login_name, "loginPwd": crypto.md5_password(sim.password),
            "device": 1, "isThird": False}  # fmt: skip
    headers = wire_headers(sim)
    r = await http.post(f"/api/login/{LOGIN}", headers=headers, json=body)
    env = r.json()
    assert env["code"] == "0"
    assert env["ok"] is True
    assert env["trace"] == headers["trace"]
    data = env["data"]
    assert data["token"].endswith("app")
    assert len(data["token"]) == 39
    assert len(data["rToken"]) == 64
    assert int(data["rToken"], 16) >= 0
    assert data["customerNo"] == sim.customer_no
    assert data["customerGroupId"] == sim.customer_group_id
    assert {a["accountId"]: a["tradeType"] for a in data["accountList"]} == {
        1031001: 1,
        1031002: 2,
        1031005: 5,
    }
    token = data["token"]

    r = await http.post(f"/api/global/{INFO}", headers=wire_headers(sim, token), json={})
    assert r.json()["code"] == "0"
    assert "token" not in r.json()["data"]

    sim.expire_tokens()
    assert_error(
        await http.post(f"/api/global/{INFO}", headers=wire_headers(sim, token), json={}),
        "GATEWAY_CODE_005",
        "G",
    )

    token = await login(http, sim)
    r = await http.post("/api/logout", headers=wire_headers(sim, token), json={})
    assert r.json()["code"] == "0"
    assert_error(
        await http.post(f"/api/global/{INFO}", headers=wire_headers(sim, token), json={}),
        "GATEWAY_CODE_005",
        "G",
    )


@pytest.mark.parametrize("password", ["a1234567", "a123456"])  # wrong password; right one not hashed
async def test_login_with_a_wrong_password_fails(
    simulator: Simulator, http: httpx.AsyncClient, password: str
) -> None:
    pwd = crypto.md5_password(password) if password != simulator.password else password
    body = {"type": 1, "loginName": simulator.login_name, "loginPwd": pwd, "device": 1, "isThird": False}
    r = await http.post(f"/api/login/{LOGIN}", headers=wire_headers(simulator), json=body)
    env = assert_error(r, "CUSTOMER_API_0000102", "US")
    assert env["msg"] == "Account number or password wrong"
    assert env["data"] == LOGIN


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("no token", "GATEWAY_CODE_001"),
        ("unknown bizType", "GATEWAY_CODE_002"),
        ("no companyId", "GATEWAY_CODE_003"),
        ("no trace", "GATEWAY_CODE_004"),
        ("unknown token", "GATEWAY_CODE_005"),
        ("empty body", "GATEWAY_CODE_006"),
        ("stale timestamp", "GATEWAY_CODE_014"),
        ("other company", "GATEWAY_CODE_015"),
    ],
)
async def test_client_gateway_codes(
    simulator: Simulator, http: httpx.AsyncClient, case: str, code: str
) -> None:
    token = await login(http, simulator)
    headers = wire_headers(simulator, token)
    path, content = f"/api/global/{INFO}", b"{}"
    if case == "no token":
        del headers["token"]
    elif case == "unknown bizType":
        path = "/api/global/customer.app.CustomerWebApiService.noSuchThing"
    elif case == "no companyId":
        del headers["companyId"]
    elif case == "no trace":
        del headers["trace"]
    elif case == "unknown token":
        headers["token"] = str(uuid.uuid4()) + "app"
    elif case == "empty body":
        content = b""
    elif case == "stale timestamp":
        headers["timestamp"] = str(simulator.now_ms() - 61_000)
    elif case == "other company":
        headers["companyId"] = "1"
    r = await http.post(path, headers=headers, content=content)
    env = assert_error(r, code, "G")
    assert env["data"] == path.rsplit("/", 1)[1]
    assert env["trace"] == headers.get("trace", "")


async def test_headers_are_case_insensitive_and_body_is_json_whatever_the_type(
    simulator: Simulator,
    http: httpx.AsyncClient,
) -> None:
    token = await login(http, simulator)
    headers = {"CompanyId": "439", "TRACE": new_trace(), "Token": token,
               "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"}  # fmt: skip
    r = await http.post(
        f"/api/global/{ACCOUNT}", headers=headers, content=b'{"tradeType":1,"accountId":1031001}'
    )
    env = r.json()
    assert env["code"] == "0"
    assert env["data"]["balance"] == "10000.0000"
    assert env["data"]["digits"] == 4


async def test_guest_operations_and_server_time(simulator: Simulator, http: httpx.AsyncClient) -> None:
    r = await http.post(
        f"/api/global/{SYMBOLS}", headers=wire_headers(simulator), json={"customerGroupId": 1}
    )
    rows = r.json()["data"]
    digits = {(row["symbolCode"], row["tradeType"]): (row["symbolDigits"], row["dealMode"]) for row in rows}
    assert digits[("EURUSD", 2)] == (5, 1)
    assert digits[("XAUUSD", 1)] == (2, 1)
    assert digits[("BTCUSDT", 2)] == (2, 2)
    assert digits[("ETHUSDT", 2)] == (2, 4)
    assert {row["tradeType"] for row in rows} == {1, 2, 5}

    r = await http.post(
        f"/api/global/{DETAIL}", headers=wire_headers(simulator), json={"tradeType": 2, "symbolId": 1001}
    )
    detail = r.json()["data"]
    assert (detail["symbolDigits"], detail["minVolume"], detail["volumeStep"]) == (5, 0.01, 0.01)
    assert_error(
        await http.post(
            f"/api/global/{DETAIL}",
            headers=wire_headers(simulator),
            json={"tradeType": 1, "symbolId": 1004},
        ),
        "E000013",
        "CFD",
    )

    simulator.server_clock_offset_ms = 123_456
    before = simulator.now_ms()
    r = await http.post("/api/thirdExt/now", headers=wire_headers(simulator))
    assert before <= r.json()["data"] <= simulator.now_ms()
    assert r.json()["data"] - int(time.time() * 1000) > 100_000


async def test_client_responses_carry_ratelimit_headers(
    simulator: Simulator, http: httpx.AsyncClient
) -> None:
    r1 = await http.post("/api/thirdExt/now", headers=wire_headers(simulator))
    r2 = await http.post("/api/thirdExt/now", headers=wire_headers(simulator))
    assert r1.headers["x-ratelimit-limit"] == "300"
    assert r1.headers["x-ratelimit-reset"] == "60"
    assert r1.headers["x-ratelimit-remairing"] == r1.headers["x-ratelimit-remaining"] == "299"
    assert r2.headers["x-ratelimit-remairing"] == "298"


async def test_client_rate_limit_answers_429_without_envelope() -> None:
    async with Simulator(client_rate_limit=2) as sim, httpx.AsyncClient(base_url=sim.base_url) as http:
        for _ in range(2):
            assert (await http.post("/api/thirdExt/now", headers=wire_headers(sim))).status_code == 200
        r = await http.post("/api/thirdExt/now", headers=wire_headers(sim))
        assert r.status_code == 429
        assert r.content == b""
        assert r.headers["x-ratelimit-remaining"] == "0"
        assert int(r.headers["retry-after"]) > 0


async def test_captcha_and_strict_version_group() -> None:
    async with (
        Simulator(captcha_token="good", strict_version_group=True) as sim,
        httpx.AsyncClient(base_url=sim.base_url) as http,
    ):
        body = {"type": 1, "loginName": sim.login_name, "loginPwd": crypto.md5_password(sim.password),
                "device": 1, "isThird": False}  # fmt: skip
        url = f"/api/login/{LOGIN}"
        assert_error(
            await http.post(url, headers=wire_headers(sim, version="0.0.1"), json=body), "F999999", "G"
        )
        r = await http.post(url, headers=wire_headers(sim, version="0.0.1", captcha="good"), json=body)
        token = r.json()["data"]["token"]
        assert_error(
            await http.post(f"/api/global/{INFO}", headers=wire_headers(sim, token), json={}),
            "GATEWAY_CODE_010",
            "G",
        )
        r = await http.post(f"/api/global/{INFO}", headers=wire_headers(sim, token, version="0.0.1"), json={})
        assert r.json()["code"] == "0"


# ---------------------------------------------------------------------------- Open API


async def test_open_api_order_ignores_token_and_checks_signature(
    simulator: Simulator, http: httpx.AsyncClient
) -> None:
    body = wire_order()
    r = await open_call(http, simulator, ORDER, body, token="junk-token", version="0.0.1", group="tradeApi")
    env = r.json()
    assert env["code"] == "0", env
    data = env["data"]
    assert data["openOrClose"] == 1
    assert data["digits"] == 5
    assert data["tradeVolume"] == "0.1"
    assert Decimal(data["executePrice"]) == simulator.exchange.market.get(1001).ask  # type: ignore[union-attr]
    assert r.headers["x-ratelimit-limit"] == "100"

    headers = signed_headers(simulator, body)
    tampered = {**body, "requestNum": "0.20"}
    env = assert_error(
        await http.post(f"/openapi-c/global/{ORDER}", headers=headers, json=tampered), "00012001", ""
    )
    assert env["data"] == ORDER
    headers["signature"] = base64.b64encode(b"\0" * 128).decode()
    assert_error(await http.post(f"/openapi-c/global/{ORDER}", headers=headers, json=body), "00012001", "")
    assert len(simulator.exchange.positions) == 1


async def test_open_api_unknown_key(simulator: Simulator, http: httpx.AsyncClient) -> None:
    headers = signed_headers(simulator, {}, apiKey="0" * 32)
    assert_error(await http.post(f"/openapi-c/global/{INFO}", headers=headers, json={}), "00012003", "")


async def test_open_api_time_window(simulator: Simulator, http: httpx.AsyncClient) -> None:
    ts = simulator.now_ms()
    simulator.server_clock_offset_ms = 5_500  # the request is 5.5 s old for the server
    url = f"/openapi-c/global/{INFO}"
    assert_error(await http.post(url, headers=signed_headers(simulator, {}, ts=ts), json={}), "00012002", "")
    wide = signed_headers(simulator, {}, ts=ts, recvWindow="10000")
    assert (await http.post(url, headers=wide, json={})).json()["code"] == "0"
    simulator.server_clock_offset_ms = -1_500  # the request runs 1.5 s ahead of the server
    assert_error(await http.post(url, headers=signed_headers(simulator, {}, ts=ts), json={}), "00012002", "")


async def test_open_api_429_then_418_lockout_that_ends_and_grows() -> None:
    clock = FakeClock()
    config = SimulatorConfig(open_api_rate_per_min=3, clock_ms=clock.ms)
    async with Simulator(config) as sim, httpx.AsyncClient(base_url=sim.base_url) as http:

        async def call() -> httpx.Response:
            return await open_call(http, sim, INFO, {})

        for remaining in ("2", "1", "0"):
            r = await call()
            assert r.status_code == 200
            assert r.headers["x-ratelimit-remaining"] == remaining
        r = await call()
        assert r.status_code == 429
        assert r.content == b""
        assert r.headers["x-ratelimit-reset"] == "60"
        r = await call()
        assert r.status_code == 418
        assert r.headers["retry-after"] == "300"
        assert r.content == b""
        clock.now += 100
        r = await call()
        assert r.status_code == 418
        assert r.headers["retry-after"] == "200"
        clock.now += 200  # the lockout is over
        assert (await call()).status_code == 200
        for _ in range(2):
            assert (await call()).status_code == 200
        assert (await call()).status_code == 429
        r = await call()
        assert r.status_code == 418
        assert r.headers["retry-after"] == "600"  # second lockout: 10 min


async def test_get_msg_push_token(simulator: Simulator, http: httpx.AsyncClient) -> None:
    r = await open_call(http, simulator, "getMsgPushToken", {})
    token = r.json()["data"]
    assert token.endswith("push")
    assert simulator.push_tokens[token] == simulator.customer_id


# ---------------------------------------------------------------------------- encrypted bodies


async def test_encrypted_body_accepted_and_corruption_rejected(
    simulator: Simulator, http: httpx.AsyncClient
) -> None:
    token = await login(http, simulator)
    encryptor = crypto.BodyEncryptor(simulator.company_public_key)
    body = {"tradeType": 2, "accountId": 1031002}
    ts = simulator.now_ms()
    headers = wire_headers(simulator, token, trace="x-" + new_trace(), timestamp=str(ts))
    r = await http.post(f"/api/global/{ACCOUNT}", headers=headers, json=encryptor.encrypt(body, ts))
    assert r.json()["code"] == "0"
    assert r.json()["data"]["accountId"] == 1031002
    assert simulator.requests[-1].decrypted_body == body
    assert set(simulator.requests[-1].body) == {"data"}

    wrapped = encryptor.encrypt(body, ts)
    pieces = wrapped["data"].split(",")
    pieces[0] = pieces[0][:10] + ("A" if pieces[0][10] != "A" else "B") + pieces[0][11:]
    corrupted = {"data": ",".join(pieces)}
    assert_error(
        await http.post(f"/api/global/{ACCOUNT}", headers=headers, json=corrupted), "GATEWAY_CODE_015", "G"
    )

    other_ts = {**headers, "timestamp": str(ts + 1)}  # the body's timestamp must equal the header's
    assert_error(
        await http.post(f"/api/global/{ACCOUNT}", headers=other_ts, json=wrapped), "GATEWAY_CODE_015", "G"
    )
    plain_with_x = {**headers, "trace": "x-" + new_trace()}
    assert_error(
        await http.post(f"/api/global/{ACCOUNT}", headers=plain_with_x, json=body), "GATEWAY_CODE_015", "G"
    )


async def test_require_encryption_rejects_plain_bodies() -> None:
    async with Simulator(require_encryption=True) as sim, httpx.AsyncClient(base_url=sim.base_url) as http:
        r = await http.post(f"/api/global/{SYMBOLS}", headers=wire_headers(sim), json={"customerGroupId": 1})
        assert_error(r, "GATEWAY_CODE_015", "G")
        ts = sim.now_ms()
        wrapped = crypto.BodyEncryptor(sim.company_public_key).encrypt({"customerGroupId": 1}, ts)
        headers = wire_headers(sim, trace="x-" + new_trace(), timestamp=str(ts))
        r = await http.post(f"/api/global/{SYMBOLS}", headers=headers, json=wrapped)
        assert r.json()["code"] == "0"
        assert len(r.json()["data"]) == 8


# ---------------------------------------------------------------------------- trading


@pytest.mark.parametrize(
    ("overrides", "code", "biz_code"),
    [
        ({"requestPrice": "1.08500"}, "E000006", "CFDWBW"),
        ({"requestPrice": "1.08500", "tradeType": 1, "accountId": 1031001}, "E000006", "CFD"),
        ({"stopLoss": "1.0"}, "E000006", "CFDWBW"),
        ({"requestNum": 0.1}, "E000006", "CFDWBW"),
        ({"requestPrice": None}, "E000005", "CFDWBW"),
        ({"entryType": None}, "E000005", "CFDWBW"),
        ({"symbolId": 9999}, "E000013", "CFDWBW"),
        ({"requestNum": "0.015"}, "E000026", "CFDWBW"),
        ({"requestNum": "50", "symbolId": 1002}, "E000031", "CFDWBW"),
        ({"accountDigits": 2}, "E000007", "CFDWBW"),
        ({"bizType": 2}, "E000005", "CFDWBW"),
        ({"stopLoss": "999999"}, "E000009", "CFDWBW"),
    ],
)
async def test_order_validation(
    simulator: Simulator,
    http: httpx.AsyncClient,
    overrides: dict[str, Any],
    code: str,
    biz_code: str,
) -> None:
    body = {k: v for k, v in wire_order(**overrides).items() if v is not None}
    env = assert_error(await open_call(http, simulator, ORDER, body), code, biz_code)
    if code == "E000026":
        assert env["msgParams"] == "0.01,100,0.01"
        assert env["msg"].count("%s") == 3
    assert simulator.exchange.positions == {}


async def test_open_partial_close_and_full_close(simulator: Simulator, http: httpx.AsyncClient) -> None:
    sim = simulator
    token = await login(http, sim)
    body = wire_order(tradeType=1, accountId=1031001, requestNum="0.30", symbolId=1002, requestPrice="235000")
    del body["entryType"]
    r = await http.post(f"/api/global/{ORDER_MM}", headers=wire_headers(sim, token), json=body)
    opened = r.json()["data"]
    position_id = opened["positionId"]
    assert opened["digits"] == 2
    assert opened["openDirection"] == 1

    close = {**body, "bizType": 2, "direction": 2, "positionId": position_id, "requestNum": "0.10"}
    wrong_way = {**close, "direction": 1}
    assert_error(
        await http.post(f"/api/global/{ORDER_MM}", headers=wire_headers(sim, token), json=wrong_way),
        "E000007",
        "CFD",
    )
    r = await http.post(f"/api/global/{ORDER_MM}", headers=wire_headers(sim, token), json=close)
    assert r.json()["data"]["openOrClose"] == 2
    assert sim.exchange.positions[position_id].status == "3"

    r = await http.post(f"/api/global/{POSITIONS}", headers=wire_headers(sim, token), json={"tradeType": 1})
    page = r.json()["data"]
    assert page["total"] == 1
    assert page["records"][0]["volume"] == 0.2
    assert page["records"][0]["status"] == "3"
    r = await http.post(
        f"/api/global/{ORDER_MM}", headers=wire_headers(sim, token), json={**close, "requestNum": "0.20"}
    )
    assert r.json()["code"] == "0"
    r = await http.post(f"/api/global/{POSITIONS}", headers=wire_headers(sim, token), json={"tradeType": 1})
    assert r.json()["data"]["total"] == 0
    assert_error(
        await http.post(f"/api/global/{ORDER_MM}", headers=wire_headers(sim, token), json=close),
        "E000008",
        "CFD",
    )

    r = await http.post(
        f"/api/global/{ORDERS}",
        headers=wire_headers(sim, token),
        json={"tradeType": 1, "size": 2, "current": "1"},
    )
    orders = r.json()["data"]
    assert (orders["total"], orders["size"], orders["current"], len(orders["records"])) == (3, 2, 1, 2)
    account = sim.exchange.accounts[1031001]
    assert account.balance != Decimal("10000")
    assert sim.exchange.account_totals(account)["margin"] == 0


async def test_stop_loss_fires_on_a_price_move(simulator: Simulator, http: httpx.AsyncClient) -> None:
    env = (await open_call(http, simulator, ORDER, wire_order(stopLoss="107000"))).json()
    assert env["code"] == "0", env
    _, closed = simulator.set_price(1001, "1.06000")
    assert [o.biz_type for o in closed] == [3]
    assert simulator.exchange.positions[env["data"]["positionId"]].status == "2"


# ---------------------------------------------------------------------------- idempotency


async def test_idempotent_replay_returns_the_cached_answer(
    simulator: Simulator, http: httpx.AsyncClient
) -> None:
    key = str(uuid.uuid4())
    first = await open_call(http, simulator, ORDER, wire_order(), **{"idempotency-key": key})
    second = await open_call(http, simulator, ORDER, wire_order(), **{"idempotency-key": key})
    assert first.json()["code"] == "0"
    assert second.content == first.content
    assert len(simulator.exchange.positions) == 1
    assert len(simulator.exchange.orders) == 1
    third = await open_call(http, simulator, ORDER, wire_order(), **{"idempotency-key": str(uuid.uuid4())})
    assert third.json()["data"]["orderId"] != first.json()["data"]["orderId"]


async def test_idempotent_replay_after_a_lost_answer(simulator: Simulator, http: httpx.AsyncClient) -> None:
    handle = simulator.faults.drop_next(after_processing=True, biz_type="addMarketOrder")
    key = str(uuid.uuid4())
    with pytest.raises(httpx.RemoteProtocolError):
        await open_call(http, simulator, ORDER, wire_order(), **{"idempotency-key": key})
    assert handle.hits == 1
    assert len(simulator.exchange.positions) == 1  # the order was placed; only the answer was lost
    (order_id,) = simulator.exchange.orders
    replay = await open_call(http, simulator, ORDER, wire_order(), **{"idempotency-key": key})
    assert replay.json()["data"]["orderId"] == order_id
    assert len(simulator.exchange.positions) == 1


async def test_concurrent_request_with_the_same_key_gets_018(
    simulator: Simulator, http: httpx.AsyncClient
) -> None:
    hold = simulator.faults.delay_next(30, biz_type="addMarketOrder")
    key = str(uuid.uuid4())
    answers: list[httpx.Response] = []

    async def first() -> None:
        answers.append(await open_call(http, simulator, ORDER, wire_order(), **{"idempotency-key": key}))

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(first)
            await hold.wait_hit()  # the first request is now in flight
            second = await open_call(http, simulator, ORDER, wire_order(), **{"idempotency-key": key})
            assert_error(second, "GATEWAY_CODE_018", "G")
            hold.release()
    assert answers[0].json()["code"] == "0"
    assert len(simulator.exchange.positions) == 1


# ---------------------------------------------------------------------------- fault controls


async def test_fail_next_is_consumed_once_and_filtered(simulator: Simulator, http: httpx.AsyncClient) -> None:
    handle = simulator.faults.fail_next(
        "E000031", biz_code="CFD", msg="Account balance is 0", biz_type="addMarketOrder"
    )
    r = await http.post("/api/thirdExt/now", headers=wire_headers(simulator))
    assert r.json()["code"] == "0"
    assert handle.hits == 0  # another bizType: not consumed
    env = assert_error(await open_call(http, simulator, ORDER, wire_order()), "E000031", "CFD")
    assert env["msg"] == "Account balance is 0"
    assert env["data"] == ORDER
    assert simulator.exchange.positions == {}
    assert (await open_call(http, simulator, ORDER, wire_order())).json()["code"] == "0"

    simulator.faults.fail_next("GATEWAY_CODE_005", family="client")
    assert (await open_call(http, simulator, INFO, {})).json()["code"] == "0"  # the Open API is not affected
    assert_error(
        await http.post("/api/thirdExt/now", headers=wire_headers(simulator)), "GATEWAY_CODE_005", "G"
    )


async def test_http_status_next(simulator: Simulator, http: httpx.AsyncClient) -> None:
    simulator.faults.http_status_next(503, times=2)
    simulator.faults.http_status_next(429, headers={"Retry-After": "2"}, body="slow down")
    for _ in range(2):
        assert (await http.post("/api/thirdExt/now", headers=wire_headers(simulator))).status_code == 503
    r = await http.post("/api/thirdExt/now", headers=wire_headers(simulator))
    assert (r.status_code, r.headers["retry-after"], r.text) == (429, "2", "slow down")
    assert (await http.post("/api/thirdExt/now", headers=wire_headers(simulator))).status_code == 200
    assert [rec.status for rec in simulator.requests] == [503, 503, 429, 200]


async def test_delay_next_answers_slowly(simulator: Simulator, http: httpx.AsyncClient) -> None:
    hold = simulator.faults.delay_next(30)
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(lambda: http.post("/api/thirdExt/now", headers=wire_headers(simulator)))
            await hold.wait_hit()
            assert simulator.requests[-1].status is None  # still being answered
            hold.release()
    assert simulator.requests[-1].status == 200


async def test_drop_next_before_processing_places_nothing(
    simulator: Simulator, http: httpx.AsyncClient
) -> None:
    simulator.faults.drop_next(biz_type="addMarketOrder")
    with pytest.raises(httpx.RemoteProtocolError):
        await open_call(http, simulator, ORDER, wire_order())
    assert simulator.exchange.orders == {}
    assert (await open_call(http, simulator, ORDER, wire_order())).json()["code"] == "0"


async def test_clear_forgets_queued_faults(simulator: Simulator, http: httpx.AsyncClient) -> None:
    simulator.faults.http_status_next(500)
    simulator.faults.drop_next()
    assert len(simulator.faults.pending) == 2
    simulator.faults.clear()
    assert simulator.faults.pending == []
    assert (await http.post("/api/thirdExt/now", headers=wire_headers(simulator))).status_code == 200


# ---------------------------------------------------------------------------- records and lifecycle


async def test_recorded_requests_mask_secrets_in_repr(simulator: Simulator, http: httpx.AsyncClient) -> None:
    token = await login(http, simulator)
    await http.post(f"/api/global/{INFO}", headers=wire_headers(simulator, token), json={})
    await open_call(http, simulator, INFO, {})
    login_rec, info_rec, open_rec = simulator.requests
    assert info_rec.headers["TOKEN"] == token
    assert info_rec.family == "client"
    assert info_rec.biz_type == INFO
    assert open_rec.family == "open"
    assert open_rec.headers["apikey"] == simulator.api_key
    text = repr(simulator.requests)
    assert token not in text
    assert simulator.api_key not in text
    assert open_rec.headers["signature"] not in text
    assert login_rec.body["loginPwd"] not in text


async def test_clean_start_and_stop_twice() -> None:
    ports = []
    for _ in range(2):
        async with Simulator() as sim, httpx.AsyncClient(base_url=sim.base_url) as http:
            ports.append(sim.base_url)
            assert (await http.post("/api/thirdExt/now", headers=wire_headers(sim))).status_code == 200
        with pytest.raises(httpx.ConnectError):
            async with httpx.AsyncClient(base_url=sim.base_url) as http:
                await http.post("/api/thirdExt/now", headers=wire_headers(sim))
    with pytest.raises(RuntimeError, match="only once"):
        async with sim:
            pass


async def test_stopping_ends_delays_in_flight() -> None:
    answers: list[httpx.Response] = []

    async def slow(http: httpx.AsyncClient, sim: Simulator) -> None:
        answers.append(await http.post(f"{sim.base_url}/api/thirdExt/now", headers=wire_headers(sim)))

    with anyio.fail_after(10):
        async with httpx.AsyncClient() as http, anyio.create_task_group() as tg, Simulator() as sim:
            hold = sim.faults.delay_next(3600)
            tg.start_soon(slow, http, sim)
            await hold.wait_hit()
            # Leaving the block stopped the server while the request was held: it was still answered.
    assert answers[0].status_code == 200


async def test_seed_makes_prices_reproducible() -> None:
    async with Simulator(seed=3) as a, Simulator(seed=3) as b:
        assert a.api_key == b.api_key
        quotes_a, quotes_b = a.tick(5)[0], b.tick(5)[0]
        assert [(q.symbol_id, q.bid, q.ask, q.seq) for q in quotes_a] == [
            (q.symbol_id, q.bid, q.ask, q.seq) for q in quotes_b
        ]
        assert quotes_a[0].bid != Decimal("1.08494")  # the walk moved the price
    async with Simulator(seed=4) as c:
        assert c.api_key != a.api_key


async def test_default_language_and_message_key() -> None:
    async with Simulator(emit_message_key=True) as sim, httpx.AsyncClient(base_url=sim.base_url) as http:
        headers = {"companyId": "439", "trace": new_trace()}  # no lang: the server default zh-CN applies
        env = (await http.post("/api/thirdExt/now", headers=headers)).json()
        assert env["msg"] == "成功"
        assert env["message"] == env["msg"]
        env = (await http.post(f"/api/global/{INFO}", headers=headers, json={})).json()
        assert (env["code"], env["msg"], env["message"]) == ("GATEWAY_CODE_001", "TOKEN为空", "TOKEN为空")


async def test_account_lookup_errors(simulator: Simulator, http: httpx.AsyncClient) -> None:
    token = await login(http, simulator)
    headers = wire_headers(simulator, token)
    url = f"/api/global/{ACCOUNT}"
    assert_error(await http.post(url, headers=headers, json={"tradeType": 1}), "CUSTOMER_API_0000501", "US")
    body = {"tradeType": 1, "accountId": 1031002}  # that account is tradeType 2
    assert_error(await http.post(url, headers=headers, json=body), "CUSTOMER_API_0000003", "US")
    env = (await http.post(url, headers=headers, json={"tradeType": 2, "currency": "USDT"})).json()
    assert env["data"]["accountId"] == 1031002


async def test_background_ticker_moves_prices() -> None:
    async with Simulator(tick_interval_s=0.01) as sim:
        symbol = sim.exchange.market.get(1001)
        assert symbol is not None
        first = symbol.seq
        with anyio.fail_after(5):
            for _ in range(3):
                await sim.wait_tick()
        assert symbol.seq >= first + 3


@pytest.fixture
def _rate_limit_two(request: pytest.FixtureRequest) -> None:
    # What the installed plugin does at start-up, then what `@pytest.mark.simulator(...)` does.
    pytest_plugin.pytest_configure(request.config)
    request.node.add_marker(pytest.mark.simulator(client_rate_limit=2))


@pytest.mark.usefixtures("_rate_limit_two")
async def test_plugin_fixture_takes_config_from_the_marker(
    simulator: Simulator, request: pytest.FixtureRequest
) -> None:
    assert simulator.config.client_rate_limit == 2
    assert any(line.startswith("simulator(") for line in request.config.getini("markers"))
