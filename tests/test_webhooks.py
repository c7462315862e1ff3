"""The webhook handlers driven through their Starlette routes in-process, as the platform would call them."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from multimarkets_async.protocol.crypto import OpenApiSigner
from multimarkets_async.testing._keys import MESSAGE_API_EXAMPLE, SIGN_DEMO
from multimarkets_async.webhooks import (
    AdjustmentRequest,
    BalanceAnswer,
    BalanceRequest,
    BridgeNotification,
    CancelRequest,
    IdempotencyRecord,
    MemoryIdempotencyStore,
    MessageRequest,
    OperationType,
    OrderCancelReport,
    OrderExecReport,
    RecordState,
    Refused,
    WebhookHandlers,
    parse_bridge_report,
    webhook_api_router,
    webhook_routes,
)

pytestmark = pytest.mark.anyio

HEADERS = {"trace": "trace-0001", "companyId": "439", "timestamp": "1698299972123"}
SECRET = "path-secret-0123456789abcdef"

# signing.md section 6.6: the vendor's SMS example, signed for the K5 key pair.
SIGN = (
    "Zni/VixZVrxAt2GzIgRetSFub4Kk1C7JQsURlbXDJmHllv4Vr1SfJC66dnk0OPdylf4qlT9UQle+pAcbNKEBjMHkgeucaAG82syPNi18"
    "StNTWx+DNPvl1VvUGGJQQw6I7QClaEIefccyXUDqW78+gEIq8i5VNm/eop0bBoPu8Ao="
)
SMS = {
    "pushType": "whatapp",
    "pushId": "whatapp user id",
    "toUser": "18321956010",
    "trace": "aaaaaaaaaabbbbbbbbbb11111",
    "sign": SIGN,
    "content": "【XXXX】Your verification code is 847999。",
    "timestamp": 1651118320014,
}
EMAIL = {**SMS, "toUser": "18321956010@163.com", "title": "Verification Code"}


def adjustment(number: str = "req-1", **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "thirdServerCode": "our-42",
        "userName": "86000001",
        "currency": "USD",
        "bizType": 1,
        "operationType": "OPEN_POSITION",
        "amount": "10.50",
        "amountDigits": 2,
        "orderId": 14460002,
        "requestUniqueNo": number,
        "requestTime": 1698299972000,
        "ip": "203.0.113.7",
    }
    body.update(changes)
    return body


def cancel(original: str = "req-1", number: str = "cancel-1") -> dict[str, object]:
    body = adjustment(original)
    body.update(
        requestUniqueNo=number, reverseRequestUniqueNo=original, cancelRemark="timed out", amount="10.50"
    )
    return body


class Wallet:
    """A toy integrator wallet: the callbacks under test."""

    def __init__(self) -> None:
        self.balance = Decimal("100.00")
        self.applied: list[str] = []
        self.reversed: list[str] = []
        self.refuse: set[str] = set()
        self.explode: set[str] = set()
        self.gate: anyio.Event | None = None
        self.entered = anyio.Event()
        self.messages: list[MessageRequest] = []
        self.notifications: list[BridgeNotification] = []

    async def get_balance(self, request: BalanceRequest) -> BalanceAnswer:
        return BalanceAnswer(user_name=request.user_name, currency=request.currency, amount=self.balance)

    async def adjust(self, request: AdjustmentRequest) -> None:
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if request.request_unique_no in self.explode:
            raise RuntimeError("database password=hunter2 rejected")
        if request.request_unique_no in self.refuse:
            raise Refused("INSUFFICIENT_BALANCE", "Insufficient balance")
        self.balance += request.wallet_delta
        self.applied.append(request.request_unique_no)

    async def cancel(self, request: CancelRequest, original: AdjustmentRequest) -> None:
        self.balance -= original.wallet_delta
        self.reversed.append(original.request_unique_no)

    async def on_message(self, message: MessageRequest) -> None:
        self.messages.append(message)

    async def on_notification(self, notification: BridgeNotification) -> None:
        self.notifications.append(notification)


def make_handlers(wallet: Wallet, **options: object) -> WebhookHandlers:
    # The vendor's vector is from 2022: run the clock one minute after it to pass the skew check.
    options.setdefault("now_ms", lambda: 1651118320014 + 60_000)
    options.setdefault("bridge_max_skew", 0)  # HEADERS' timestamp is from 2023, the clock above from 2022
    return WebhookHandlers(
        get_balance=wallet.get_balance,
        adjust=wallet.adjust,
        cancel_adjustment=wallet.cancel,
        on_bridge_notification=wallet.on_notification,
        on_message=wallet.on_message,
        message_private_key=MESSAGE_API_EXAMPLE.private_key,
        company_id=439,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def wallet() -> Wallet:
    return Wallet()


@pytest.fixture
async def client(wallet: Wallet) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=webhook_routes(make_handlers(wallet)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://wallet") as http:
        yield http


async def overlapping(
    wallet: Wallet, first: Callable[[], Awaitable[None]], second: Callable[[], Awaitable[None]]
) -> None:
    """Run ``first`` until the wallet holds it at its gate, start ``second`` and let it run until it
    blocks, then open the gate; return when both have ended."""
    assert wallet.gate is not None
    async with anyio.create_task_group() as tg:
        tg.start_soon(first)
        await wallet.entered.wait()
        tg.start_soon(second)
        await anyio.wait_all_tasks_blocked()
        wallet.gate.set()


async def post(
    client: httpx.AsyncClient, path: str, body: object, headers: dict[str, str] = HEADERS
) -> dict[str, Any]:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = await client.post(path, content=content, headers=headers)
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


# ------------------------------------------------------------------------------------- balance query


async def test_balance_query_answers_the_documented_data(client: httpx.AsyncClient) -> None:
    body = {"thirdServerCode": "our-42", "userName": "86000001", "currency": "HKD"}
    answer = await post(client, "/get-user-amount", body)
    assert answer["code"] == "0"
    assert answer["ok"] is True
    assert answer["trace"] == "trace-0001"
    assert answer["data"] == {
        "userName": "86000001",
        "currency": "HKD",
        "amount": "100.00",
        "amountDigits": 2,
    }


@pytest.mark.parametrize(
    "body", [b"not json", b"[1, 2]", b'{"userName": "86000001"}', b'{"thirdServerCode": 1, "currency": []}']
)
async def test_malformed_balance_query_is_answered_not_raised(client: httpx.AsyncClient, body: bytes) -> None:
    answer = await post(client, "/get-user-amount", body)
    assert answer["code"] == "WH_0000400"
    assert answer["fail"] is True


async def test_wrong_company_id_is_refused(client: httpx.AsyncClient) -> None:
    body = {"thirdServerCode": "our-42", "userName": "86000001", "currency": "HKD"}
    answer = await post(client, "/get-user-amount", body, {**HEADERS, "companyId": "440"})
    assert answer["code"] == "WH_0000403"


async def test_snake_case_balance_keys_follow_the_vendor_example(wallet: Wallet) -> None:
    handlers = make_handlers(wallet, balance_keys="snake")
    body = json.dumps({"thirdServerCode": "x", "userName": "86000001", "currency": "HKD"}).encode()
    answer = await handlers.balance(body, HEADERS)
    assert answer.body["data"] == {
        "user_name": "86000001",
        "currency": "HKD",
        "amount": "100.00",
        "amount_digits": 2,
    }


# ----------------------------------------------------------------------------------------- adjustment


async def test_adjustment_is_applied_once_and_replays_get_the_same_answer(
    client: httpx.AsyncClient, wallet: Wallet
) -> None:
    first = await post(client, "/external-system-credit-limit-adjustment", adjustment())
    again = await post(
        client, "/external-system-credit-limit-adjustment", adjustment(), {**HEADERS, "trace": "t2"}
    )
    assert first["code"] == "0"
    assert again == first
    assert wallet.applied == ["req-1"]
    assert wallet.balance == Decimal("89.50")
    assert AdjustmentRequest.model_validate(adjustment()).operation_type is OperationType.OPEN_POSITION
    assert AdjustmentRequest.model_validate(adjustment(operationType="NEW")).operation_type == "NEW"


async def test_concurrent_duplicates_apply_once(client: httpx.AsyncClient, wallet: Wallet) -> None:
    wallet.gate = anyio.Event()
    answers: list[dict[str, Any]] = []

    async def send() -> None:
        answers.append(await post(client, "/external-system-credit-limit-adjustment", adjustment()))

    await overlapping(wallet, send, send)
    assert [answer["code"] for answer in answers] == ["0", "0"]
    assert answers[0] == answers[1]
    assert wallet.applied == ["req-1"]


async def test_a_duplicate_that_waits_too_long_is_told_in_progress(wallet: Wallet) -> None:
    wallet.gate = anyio.Event()
    handlers = make_handlers(wallet, replay_wait=0.01)
    codes: list[str] = []

    async def send() -> None:
        codes.append((await handlers.adjustment(json.dumps(adjustment()).encode(), HEADERS)).code)

    async with anyio.create_task_group() as tg:
        tg.start_soon(send)
        await wallet.entered.wait()
        await send()  # the first is still held at the gate
        wallet.gate.set()
    assert codes == ["WH_0000409", "0"]
    assert wallet.applied == ["req-1"]


async def test_refusal_by_the_callback_changes_nothing(client: httpx.AsyncClient, wallet: Wallet) -> None:
    wallet.refuse.add("req-1")
    answer = await post(client, "/external-system-credit-limit-adjustment", adjustment())
    assert answer["code"] == "INSUFFICIENT_BALANCE"
    assert answer["msg"] == "Insufficient balance"
    assert wallet.balance == Decimal("100.00")
    assert await post(client, "/external-system-credit-limit-adjustment", adjustment()) == answer


async def test_callback_exception_becomes_an_error_answer(
    client: httpx.AsyncClient, wallet: Wallet, caplog: pytest.LogCaptureFixture
) -> None:
    wallet.explode.add("req-1")
    with caplog.at_level(logging.INFO, logger="multimarkets_async.webhooks"):
        answer = await post(client, "/external-system-credit-limit-adjustment", adjustment())
    assert answer["code"] == "WH_0000500"
    assert "hunter2" not in json.dumps(answer)
    assert "RuntimeError" in caplog.text
    assert wallet.applied == []


async def test_adjust_timeout_refuses_and_the_cancel_answers_not_processed(wallet: Wallet) -> None:
    wallet.gate = anyio.Event()  # never set: the callback hangs
    handlers = make_handlers(wallet, adjust_timeout=0.05)
    answer = await handlers.adjustment(json.dumps(adjustment()).encode(), HEADERS)
    assert answer.code == "WH_0000504"
    reply = await handlers.cancel(json.dumps(cancel()).encode(), HEADERS)
    assert reply.code == "US_0000001"
    assert wallet.applied == []


async def test_missing_fields_in_an_adjustment_are_named_but_values_not_echoed(
    client: httpx.AsyncClient,
) -> None:
    body = adjustment()
    del body["requestUniqueNo"]
    body["amount"] = "not-a-number"
    answer = await post(client, "/external-system-credit-limit-adjustment", body)
    assert answer["code"] == "WH_0000400"
    assert "requestUniqueNo" in answer["msg"]
    assert "amount" in answer["msg"]
    assert "not-a-number" not in answer["msg"]


# --------------------------------------------------------------------------------------------- cancel


async def test_cancel_after_applied_reverses_once(client: httpx.AsyncClient, wallet: Wallet) -> None:
    await post(client, "/external-system-credit-limit-adjustment", adjustment())
    first = await post(client, "/cancel-external-system-credit-limit-adjustment", cancel())
    replay = await post(client, "/cancel-external-system-credit-limit-adjustment", cancel())
    retry = await post(client, "/cancel-external-system-credit-limit-adjustment", cancel(number="cancel-2"))
    assert first["code"] == replay["code"] == retry["code"] == "0"
    assert wallet.reversed == ["req-1"]
    assert wallet.balance == Decimal("100.00")


async def test_cancel_of_an_unknown_number_and_the_late_adjustment(
    client: httpx.AsyncClient, wallet: Wallet
) -> None:
    answer = await post(client, "/cancel-external-system-credit-limit-adjustment", cancel("never-seen"))
    assert answer["code"] == "US_0000002"
    replay = await post(client, "/cancel-external-system-credit-limit-adjustment", cancel("never-seen"))
    assert replay["code"] == "US_0000002"
    late = await post(client, "/external-system-credit-limit-adjustment", adjustment("never-seen"))
    assert late["code"] == "WH_0000410"
    assert wallet.applied == []


async def test_cancel_of_a_received_but_failed_adjustment(client: httpx.AsyncClient, wallet: Wallet) -> None:
    wallet.explode.add("req-1")
    await post(client, "/external-system-credit-limit-adjustment", adjustment())
    answer = await post(client, "/cancel-external-system-credit-limit-adjustment", cancel())
    assert answer["code"] == "US_0000001"
    assert wallet.reversed == []


async def test_cancel_waits_for_a_running_adjustment(wallet: Wallet) -> None:
    wallet.gate = anyio.Event()
    handlers = make_handlers(wallet)
    answers: dict[str, str] = {}

    async def adjust() -> None:
        answers["adjust"] = (await handlers.adjustment(json.dumps(adjustment()).encode(), HEADERS)).code

    async def cancel_it() -> None:
        answers["cancel"] = (await handlers.cancel(json.dumps(cancel()).encode(), HEADERS)).code

    await overlapping(wallet, adjust, cancel_it)
    assert answers == {"adjust": "0", "cancel": "0"}
    assert wallet.reversed == ["req-1"]


async def test_a_store_forgets_after_its_ttl() -> None:
    now = [0.0]
    store = MemoryIdempotencyStore(max_entries=2, ttl_s=10, clock=lambda: now[0])

    record = IdempotencyRecord(RecordState.APPLIED, {"code": "0"})
    assert await store.claim("a", record) is None
    assert await store.claim("a", record) == record
    await store.put("b", record)
    await store.put("c", record)
    assert len(store) == 2
    now[0] = 11.0
    assert await store.get("c") is None
    assert IdempotencyRecord.from_dict(record.to_dict()) == record


# ---------------------------------------------------------------------------------------- Message API


async def test_message_api_vector_is_accepted(client: httpx.AsyncClient, wallet: Wallet) -> None:
    answer = await post(client, "/message", SMS, headers={})
    assert answer == {"msg": "success", "code": "200"}
    assert [message.to_user for message in wallet.messages] == ["18321956010"]
    assert SIGN not in repr(wallet.messages[0])
    # A replay of the same trace is answered success without sending again.
    assert await post(client, "/message", SMS, headers={}) == {"msg": "success", "code": "200"}
    assert len(wallet.messages) == 1


async def test_message_api_email_example_fails_its_sign(client: httpx.AsyncClient, wallet: Wallet) -> None:
    answer = await post(client, "/message", EMAIL, headers={})
    assert answer["code"] == "401"
    assert wallet.messages == []


async def test_message_api_rejects_a_stale_timestamp(wallet: Wallet) -> None:
    handlers = make_handlers(wallet, now_ms=lambda: 1651118320014 + 301_000)
    answer = await handlers.message(json.dumps(SMS).encode(), {})
    assert answer.body == {"msg": "invalid sign", "code": "401"}
    assert wallet.messages == []


async def test_message_api_malformed_body(client: httpx.AsyncClient) -> None:
    assert (await post(client, "/message", b"{", headers={}))["code"] == "400"
    body = {key: value for key, value in SMS.items() if key != "toUser"}
    assert (await post(client, "/message", body, headers={}))["code"] == "400"


# ------------------------------------------------------------------------------------- Bridge callback


def bridge_body() -> dict[str, object]:
    content = {
        "reportType": "ORDER_EXEC_REPORT",
        "exchangeId": "binance",
        "tradeType": 10,
        "companyId": 439,
        "customerId": 7,
        "customerNo": "86000001",
        "accountName": "main",
        "orderId": "123456",
        "clientOrderId": "abc1",
        "tradeId": "t-9",
        "executeNum": "0.5",
        "executePrice": "64000.1",
        "executeTime": 1698299972000,
        "symbolId": 8390,
        "commission": "-0.02",
        "commissionCurrency": "USDT",
        "status": "3",
    }
    return {"msgType": "trade", "content": json.dumps(content)}


async def test_bridge_notification_is_typed(client: httpx.AsyncClient, wallet: Wallet) -> None:
    headers = {**HEADERS, "apiKey": "k", "signature": "unchecked", "version": "0.0.1"}
    answer = await post(client, "/notification", bridge_body(), headers)
    assert answer["code"] == "0"
    (notification,) = wallet.notifications
    report = notification.report
    assert isinstance(report, OrderExecReport)
    assert report.execute_price == Decimal("64000.1")
    assert report.commission == Decimal("-0.02")
    assert notification.context.headers["apikey"] == "k"
    assert notification.signature_verified is False


async def test_bridge_report_type_is_inferred_without_a_discriminator(wallet: Wallet) -> None:
    handlers = make_handlers(wallet)
    body = {"msgType": "trade", "content": json.dumps({"orderId": "1", "remark": "user cancel"})}
    assert (await handlers.notification(json.dumps(body).encode(), HEADERS)).code == "0"
    assert isinstance(wallet.notifications[0].report, OrderCancelReport)


async def test_bridge_signature_verification_when_configured(wallet: Wallet) -> None:
    handlers = make_handlers(wallet, bridge_public_key=SIGN_DEMO.public_key)
    body = bridge_body()
    timestamp = 1698299972123
    signature = OpenApiSigner(SIGN_DEMO.private_key).sign(body, timestamp)
    headers = {**HEADERS, "timestamp": str(timestamp), "signature": signature}
    assert (await handlers.notification(json.dumps(body).encode(), headers)).code == "0"
    assert wallet.notifications[0].signature_verified is True
    tampered = {**headers, "timestamp": str(timestamp + 1)}
    assert (await handlers.notification(json.dumps(body).encode(), tampered)).code == "WH_0000403"
    assert len(wallet.notifications) == 1


# ---------------------------------------------------------------------------------- secrets and routing


async def test_shared_secret_in_the_path_and_logs_without_secrets(
    wallet: Wallet, caplog: pytest.LogCaptureFixture
) -> None:
    handlers = make_handlers(wallet, shared_secret=SECRET)
    app = Starlette(routes=webhook_routes(handlers, prefix="/hooks"))
    with caplog.at_level(logging.DEBUG):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://w") as http:
            good = await post(http, f"/hooks/{SECRET}/external-system-credit-limit-adjustment", adjustment())
            bad = await post(
                http, "/hooks/wrong-secret-000000000/external-system-credit-limit-adjustment", adjustment("x")
            )
            await post(http, f"/hooks/{SECRET}/message", SMS, headers={})
            await post(http, f"/hooks/{SECRET}/message", EMAIL, headers={})
    assert good["code"] == "0"
    assert bad["code"] == "WH_0000403"
    assert wallet.applied == ["req-1"]
    # Only the SDK's own records: the test client's httpx logger prints the URL, secret segment included.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("multimarkets_async"))
    assert "refused (wrong or missing shared secret)" in ours
    for secret in (SECRET, SIGN, SIGN[:40], "18321956010@163.com", "847999"):
        assert secret not in ours
    assert repr(handlers).count(SECRET) == 0


async def test_routes_are_limited_to_configured_callbacks_and_fit_fastapi(wallet: Wallet) -> None:
    from fastapi import FastAPI

    handlers = WebhookHandlers(get_balance=wallet.get_balance)
    assert [route.path for route in webhook_routes(handlers)] == ["/get-user-amount"]
    app = FastAPI()
    app.include_router(webhook_api_router(make_handlers(wallet), prefix="/wallet", message_path="/sms"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://w") as http:
        assert (await post(http, "/wallet/sms", SMS, headers={}))["code"] == "200"
        body = {"thirdServerCode": "our-42", "userName": "86000001", "currency": "HKD"}
        assert (await post(http, "/wallet/get-user-amount", body))["code"] == "0"


def test_refused_needs_a_failure_code() -> None:
    with pytest.raises(ValueError, match="other than"):
        Refused("0")


def test_on_message_requires_the_private_key(wallet: Wallet) -> None:
    from multimarkets_async.errors import ConfigurationError

    with pytest.raises(ConfigurationError):
        WebhookHandlers(on_message=wallet.on_message)


# ------------------------------------------------------------------------------------------ edge cases


async def test_ip_allow_list(wallet: Wallet) -> None:
    handlers = make_handlers(wallet, allowed_ips=["18.163.151.26", "10.0.0.0/8"])
    body = json.dumps({"thirdServerCode": "x", "userName": "86000001", "currency": "HKD"}).encode()
    assert (await handlers.balance(body, HEADERS, client_ip="10.1.2.3")).code == "0"
    assert (await handlers.balance(body, HEADERS, client_ip="203.0.113.9")).code == "WH_0000403"
    assert (await handlers.balance(body, HEADERS, client_ip=None)).code == "WH_0000403"
    assert (await handlers.message(json.dumps(SMS).encode(), {}, client_ip="203.0.113.9")).code == "401"


async def test_cancel_whose_reversal_fails_is_retried(wallet: Wallet) -> None:
    handlers = make_handlers(wallet)
    calls: list[str] = []

    async def flaky_cancel(request: CancelRequest, original: AdjustmentRequest) -> None:
        calls.append(request.request_unique_no)
        if len(calls) == 1:
            raise ConnectionError("wallet database unavailable")
        await wallet.cancel(request, original)

    handlers.cancel_adjustment = flaky_cancel
    await handlers.adjustment(json.dumps(adjustment()).encode(), HEADERS)
    assert (await handlers.cancel(json.dumps(cancel()).encode(), HEADERS)).code == "WH_0000500"
    assert (await handlers.cancel(json.dumps(cancel()).encode(), HEADERS)).code == "0"
    assert wallet.reversed == ["req-1"]
    assert wallet.balance == Decimal("100.00")


class BrokenStore(MemoryIdempotencyStore):
    async def put(self, key: str, record: IdempotencyRecord) -> None:
        raise OSError("disk full")


async def test_store_failure_answers_and_blocks_the_number(wallet: Wallet) -> None:
    handlers = make_handlers(wallet, store=BrokenStore(), replay_wait=0.01)
    body = json.dumps(adjustment()).encode()
    assert (await handlers.adjustment(body, HEADERS)).code == "WH_0000503"
    assert (await handlers.adjustment(body, HEADERS)).code == "WH_0000409"
    assert wallet.applied == ["req-1"]  # applied once, never twice


async def test_unconfigured_callbacks_are_answered(wallet: Wallet) -> None:
    handlers = WebhookHandlers(bridge_max_skew=0)  # HEADERS' timestamp is from 2023
    body = json.dumps(adjustment()).encode()
    assert (await handlers.adjustment(body, HEADERS)).code == "WH_0000501"
    balance = json.dumps({"thirdServerCode": "x", "userName": "1", "currency": "HKD"}).encode()
    assert (await handlers.balance(balance, HEADERS)).code == "WH_0000501"
    assert (await handlers.notification(json.dumps(bridge_body()).encode(), HEADERS)).code == "WH_0000501"
    assert (await handlers.message(json.dumps(SMS).encode(), {})).code == "WH_0000501"


async def test_failed_message_delivery_can_be_retried(wallet: Wallet) -> None:
    handlers = make_handlers(wallet)
    attempts: list[str] = []

    async def flaky_send(message: MessageRequest) -> None:
        attempts.append(message.trace)
        if len(attempts) == 1:
            raise ConnectionError("smtp down")
        if len(attempts) == 2:
            raise Refused("429", "throttled")

    handlers.on_message = flaky_send
    body = json.dumps(SMS).encode()
    assert (await handlers.message(body, {})).body == {"msg": "failed", "code": "500"}
    assert (await handlers.message(body, {})).code == "429"
    assert (await handlers.message(body, {})).code == "200"
    assert (await handlers.message(body, {})).code == "200"
    assert len(attempts) == 3


async def test_bridge_edge_cases(wallet: Wallet) -> None:
    handlers = make_handlers(wallet)
    as_object = {"msgType": "trade", "content": json.loads(str(bridge_body()["content"]))}
    assert (await handlers.notification(json.dumps(as_object).encode(), HEADERS)).code == "0"
    assert isinstance(wallet.notifications[0].report, OrderExecReport)
    assert (await handlers.notification(b'{"msgType":"trade"}', HEADERS)).code == "WH_0000400"
    assert (await handlers.notification(b"[]", HEADERS)).code == "WH_0000400"

    async def broken(notification: BridgeNotification) -> None:
        raise KeyError("boom")

    handlers.on_bridge_notification = broken
    answer = await handlers.notification(json.dumps(bridge_body()).encode(), HEADERS)
    assert (answer.status, answer.code) == (500, "WH_0000500")  # invites a redelivery

    async def refusing(notification: BridgeNotification) -> None:
        raise Refused("DUPLICATE", "seen")

    handlers.on_bridge_notification = refusing
    answer = await handlers.notification(json.dumps(bridge_body()).encode(), HEADERS)
    assert (answer.status, answer.code) == (200, "DUPLICATE")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("not json", "UNKNOWN"),
        ("[1]", "UNKNOWN"),
        ('{"type": "QUOTE_TAG", "quoteId": "q1"}', "QUOTE_TAG"),
        ('{"reportType": "ORDER_EXPIRED_REPORT", "orderId": "9"}', "ORDER_EXPIRED_REPORT"),
        ('{"reportType": "ORDER_EXEC_REPORT", "executeTime": "soon"}', "ORDER_EXEC_REPORT"),
        ('{"orderId": "9"}', "UNKNOWN"),
    ],
)
def test_bridge_report_discriminator(content: str, expected: str) -> None:
    assert parse_bridge_report(content).report_type == expected


async def test_memory_store_evicts_oldest_final_records_only() -> None:
    store = MemoryIdempotencyStore(max_entries=2)
    pending = IdempotencyRecord(RecordState.PENDING)
    done = IdempotencyRecord(RecordState.APPLIED, {"code": "0"})
    await store.claim("pending", pending)
    await store.put("old", done)
    await store.put("new", done)
    assert await store.get("pending") == pending
    assert await store.get("old") is None
    assert await store.get("new") == done
    with pytest.raises(ValueError, match="JSON objects"):
        IdempotencyRecord.from_dict({"state": "applied", "answer": [1]})
    with pytest.raises(ValueError, match="max_entries"):
        MemoryIdempotencyStore(max_entries=0)
    assert "entries=2" in repr(store)
