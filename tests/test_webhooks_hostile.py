"""The webhook server side under hostile input: nested, huge, mis-encoded and oversized bodies on all five
endpoints get the documented refusal and store nothing; Bridge reports get a freshness window and a
replay guard."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from multimarkets_async.protocol.crypto import OpenApiSigner
from multimarkets_async.testing._keys import SIGN_DEMO
from multimarkets_async.webhooks import (
    BridgeNotification,
    MemoryIdempotencyStore,
    UnknownReport,
    WebhookHandlers,
    webhook_routes,
)
from tests.test_webhooks import HEADERS, SMS, Wallet, adjustment, bridge_body, cancel, make_handlers

pytestmark = pytest.mark.anyio

NOW_MS = 1651118320014 + 60_000  # make_handlers' clock
ENDPOINTS: dict[str, tuple[str, dict[str, object]]] = {
    "balance": ("/get-user-amount", {"thirdServerCode": "our-42", "userName": "86000001", "currency": "USD"}),
    "adjustment": ("/external-system-credit-limit-adjustment", adjustment()),
    "cancel": ("/cancel-external-system-credit-limit-adjustment", cancel()),
    "notification": ("/notification", bridge_body()),
    "message": ("/message", SMS),
}


def with_raw_member(body: dict[str, object], raw: bytes) -> bytes:
    """The JSON of ``body`` with one more member ``"x": <raw>`` spliced in verbatim."""
    return json.dumps(body).encode()[:-1] + b', "x": ' + raw + b"}"


HOSTILE: dict[str, Any] = {
    "nested_arrays": lambda body: b"[" * 5000 + b"]" * 5000,
    "nested_objects": lambda body: b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "nested_member": lambda body: with_raw_member(body, b"[" * 900 + b"]" * 900),
    "huge_number": lambda body: with_raw_member(body, b"1e400"),
    "huge_negative_number": lambda body: with_raw_member(body, b"-1e400"),
    "nan_literal": lambda body: with_raw_member(body, b"NaN"),
    "lone_surrogate": lambda body: with_raw_member(body, b'"\\ud800"'),
    "utf16_body": lambda body: json.dumps(body).encode("utf-16"),  # not UTF-8; json.loads guesses it
    "utf32_body": lambda body: json.dumps(body).encode("utf-32"),
}


def refusal_code(endpoint: str) -> str:
    return "400" if endpoint == "message" else "WH_0000400"


class Setup:
    """Handlers with every callback on a fresh wallet and an explicit store, and an in-process client."""

    def __init__(self, **options: object) -> None:
        self.wallet = Wallet()
        self.store = MemoryIdempotencyStore()
        self.handlers = make_handlers(self.wallet, store=self.store, **options)

    def client(self, **route_options: Any) -> httpx.AsyncClient:
        app = Starlette(routes=webhook_routes(self.handlers, **route_options))
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://wallet")

    def assert_nothing_kept(self) -> None:
        wallet = self.wallet
        assert (wallet.applied, wallet.reversed, wallet.messages, wallet.notifications) == ([], [], [], [])
        assert len(self.store) == 0
        assert len(self.handlers.message_window.seen) == 0
        assert len(self.handlers.bridge_window.seen) == 0


@pytest.mark.parametrize("case", sorted(HOSTILE))
@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
async def test_hostile_bodies_get_the_documented_refusal_and_store_nothing(endpoint: str, case: str) -> None:
    setup = Setup()
    path, body = ENDPOINTS[endpoint]
    async with setup.client() as client:
        response = await client.post(path, content=HOSTILE[case](body), headers=HEADERS)
    assert response.status_code == 200
    assert response.json()["code"] == refusal_code(endpoint)
    setup.assert_nothing_kept()


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"1e400", b"null", b"\xff\xfe\xfd", b""])
async def test_bodies_that_are_not_objects_or_not_utf8_are_refused(endpoint: str, raw: bytes) -> None:
    # A guard (these were answered correctly before): the stricter decoder must keep refusing them.
    setup = Setup()
    async with setup.client() as client:
        response = await client.post(ENDPOINTS[endpoint][0], content=raw, headers=HEADERS)
    assert (response.status_code, response.json()["code"]) == (200, refusal_code(endpoint))
    setup.assert_nothing_kept()


async def test_an_amount_of_1e400_in_a_string_is_refused_not_applied() -> None:
    setup = Setup()
    for amount in ("1e400", "-1e400", "1e-400"):
        body = json.dumps(adjustment(amount=amount)).encode()
        assert (await setup.handlers.adjustment(body, HEADERS)).code == "WH_0000400"
    body = json.dumps({**cancel(), "amount": "1e400"}).encode()
    assert (await setup.handlers.cancel(body, HEADERS)).code == "WH_0000400"
    setup.assert_nothing_kept()


# ------------------------------------------------------------------------------------------ body size


class CountingBody:
    """A streamed request body (no Content-Length) that counts the bytes the server pulled."""

    def __init__(self, body: dict[str, object], total: int, chunk: int = 64 * 1024) -> None:
        # A valid JSON object padded by a huge unknown member: accepted whole, before the fix.
        head = json.dumps(body).encode()[:-1] + b', "padding": "'
        self.chunks = [head, *[b"a" * chunk] * ((total - len(head)) // chunk), b'"}']
        self.total = sum(len(part) for part in self.chunks)
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.chunks:
            self.pulled += len(part)
            yield part


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
async def test_an_oversized_streamed_body_is_refused_without_reading_it(endpoint: str) -> None:
    setup = Setup()
    path, body = ENDPOINTS[endpoint]
    stream = CountingBody(body, total=16 * 1024 * 1024)
    async with setup.client() as client:
        response = await client.post(path, content=stream, headers=HEADERS)
    assert response.status_code == 413
    assert response.json()["code"] == refusal_code(endpoint)
    assert stream.pulled <= (1 << 20) + 64 * 1024  # stopped at the 1 MiB default, not 16 MiB
    setup.assert_nothing_kept()


async def test_the_limit_is_configurable_on_the_router_and_a_declared_length_is_refused_unread() -> None:
    setup = Setup()
    path, body = ENDPOINTS["adjustment"]
    async with setup.client(max_body_bytes=4096) as client:
        stream = CountingBody(body, total=256 * 1024, chunk=1024)
        response = await client.post(path, content=stream, headers=HEADERS)
        assert (response.status_code, response.json()["code"]) == (413, "WH_0000400")
        assert stream.pulled <= 4096 + 1024
        declared = CountingBody(body, total=256 * 1024, chunk=1024)
        headers = {**HEADERS, "content-length": str(declared.total)}
        response = await client.post(path, content=declared, headers=headers)
        assert (response.status_code, response.json()["code"]) == (413, "WH_0000400")
        assert declared.pulled == 0  # refused on the header alone
        small = await client.post(path, json=adjustment("req-small"), headers=HEADERS)
        assert small.json()["code"] == "0"
    assert setup.wallet.applied == ["req-small"]


async def test_the_framework_neutral_handlers_enforce_their_own_limit() -> None:
    setup = Setup(max_body_bytes=2048)
    big = json.dumps(adjustment(padding="a" * 4096)).encode()
    handlers = setup.handlers
    for method in (handlers.balance, handlers.adjustment, handlers.cancel, handlers.notification):
        answer = await method(big, HEADERS)
        assert (answer.status, answer.code) == (413, "WH_0000400")
    answer = await handlers.message(json.dumps({**SMS, "padding": "a" * 4096}).encode(), {})
    assert (answer.status, answer.code) == (413, "400")
    setup.assert_nothing_kept()
    with pytest.raises(ValueError, match="max_body_bytes"):
        WebhookHandlers(max_body_bytes=0)


async def test_the_replay_store_keeps_only_the_documented_fields() -> None:
    setup = Setup()
    body = adjustment("req-extra", padding="a" * 100_000, nested={"deep": ["x"] * 100})
    assert (await setup.handlers.adjustment(json.dumps(body).encode(), HEADERS)).code == "0"
    record = await setup.store.get("adjust:req-extra")
    assert record is not None
    assert set(record.request) <= set(adjustment()) | {"metadata"}
    assert record.request["requestUniqueNo"] == "req-extra"
    too_long = adjustment("n" * 129)
    assert (await setup.handlers.adjustment(json.dumps(too_long).encode(), HEADERS)).code == "WH_0000400"


# ------------------------------------------------------------------------- Bridge freshness and replay


def signed_call(timestamp_ms: int, trace: str = "trace-b1") -> tuple[bytes, dict[str, str]]:
    body = bridge_body()
    signature = OpenApiSigner(SIGN_DEMO.private_key).sign(body, timestamp_ms)
    headers = {**HEADERS, "timestamp": str(timestamp_ms), "signature": signature, "trace": trace}
    return json.dumps(body).encode(), headers


async def test_a_replayed_bridge_report_is_acknowledged_but_not_delivered_twice() -> None:
    setup = Setup(bridge_public_key=SIGN_DEMO.public_key, bridge_max_skew=300)
    body, headers = signed_call(NOW_MS - 1000)
    assert (await setup.handlers.notification(body, headers)).code == "0"
    # The same signed report again, re-serialised and with another (unsigned) trace: a replay.
    reserialised = json.dumps(json.loads(body), indent=2).encode()
    answer = await setup.handlers.notification(reserialised, {**headers, "trace": "trace-b2"})
    assert (answer.status, answer.code) == (200, "0")
    assert len(setup.wallet.notifications) == 1
    # A new report (another timestamp, so another signature) is delivered.
    assert (await setup.handlers.notification(*signed_call(NOW_MS))).code == "0"
    assert len(setup.wallet.notifications) == 2


async def test_a_bridge_report_whose_callback_failed_is_delivered_again() -> None:
    setup = Setup(bridge_max_skew=300)
    calls: list[BridgeNotification] = []

    async def flaky(notification: BridgeNotification) -> None:
        calls.append(notification)
        if len(calls) == 1:
            raise RuntimeError("database down")

    setup.handlers.on_bridge_notification = flaky
    body, headers = signed_call(NOW_MS)
    assert (await setup.handlers.notification(body, headers)).status == 500
    assert (await setup.handlers.notification(body, headers)).code == "0"
    assert (await setup.handlers.notification(body, headers)).code == "0"
    assert len(calls) == 2  # the redelivery after the failure, then nothing more


@pytest.mark.parametrize("offset_ms", [-301_000, 301_000, -10 * 24 * 3600 * 1000])
async def test_a_bridge_report_outside_the_freshness_window_is_refused(offset_ms: int) -> None:
    setup = Setup(bridge_public_key=SIGN_DEMO.public_key, bridge_max_skew=300)
    answer = await setup.handlers.notification(*signed_call(NOW_MS + offset_ms))
    assert (answer.status, answer.code) == (200, "WH_0000403")
    setup.assert_nothing_kept()
    relaxed = Setup(bridge_public_key=SIGN_DEMO.public_key, bridge_max_skew=0)  # 0 disables the window
    assert (await relaxed.handlers.notification(*signed_call(NOW_MS + offset_ms))).code == "0"


async def test_the_bridge_window_is_on_by_default() -> None:
    handlers = WebhookHandlers(on_bridge_notification=Wallet().on_notification, now_ms=lambda: NOW_MS)
    assert (await handlers.notification(*signed_call(NOW_MS - 400_000))).code == "WH_0000403"
    assert (await handlers.notification(*signed_call(NOW_MS - 200_000))).code == "0"


async def test_bridge_content_nested_or_huge_is_an_unknown_report_not_a_500() -> None:
    setup = Setup()
    for content in ("[" * 5000 + "]" * 5000, '{"tradeId": "t", "executeNum": 1e400}'):
        body = json.dumps({"msgType": "trade", "content": content}).encode()
        answer = await setup.handlers.notification(body, HEADERS)
        assert (answer.status, answer.code) == (200, "0")
        assert isinstance(setup.wallet.notifications[-1].report, UnknownReport)
        assert setup.wallet.notifications[-1].content == content  # the raw string is kept
