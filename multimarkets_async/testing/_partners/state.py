"""The back office's state: Manager credentials and company tokens (``ManagerStore``), and the Bridge
API's exchange accounts, direct orders, balances and callbacks (``BridgeState``, ``sim.bridge``).

Company tokens look like the platform's (``<uuid>admin``); their lifetime is not
documented, so they live until ``ManagerStore.expire_all`` (``Simulator.expire_manager_tokens``).

Callbacks: after ``CompanyApiKeyDubboService.subscribe`` every
order status change (a fill, a cancellation) is POSTed to ``{webhookUrl}/notification`` with
``{"msgType":"trade","content":"<JSON text>"}``; ``content`` carries ``reportType`` (Assumption
``bridge_report_discriminator``). Headers: ``apiKey`` (the subscribed key), ``recvWindow`` (5000),
``timestamp`` (scheme A needs it although the callback page does not list it), ``signature`` (scheme A
over the body, signed with the published ``SIGN_DEMO`` TEST key: Assumption
``bridge_callback_verify``; verify with ``SIGN_DEMO.public_key``), ``companyId``, ``trace``, ``lang``
and ``version``. Each callback is sent from the simulator's task group, retried after each delay of
``SimulatorConfig.bridge_callback_retry_delays_s`` (anyio sleeps) while the answer is not HTTP 200,
and recorded in ``callbacks``.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

import anyio
import httpx

from ...protocol import crypto
from .._keys import POSTMAN_ROBOT, SIGN_DEMO
from .platform import Attempt, Target, post_json

__all__ = ["BridgeState", "CallbackRecord", "ManagerStore", "SimBridgeAccount", "SimBridgeOrder"]


@dataclass(slots=True)
class SimBridgeAccount:
    """An exchange account registered with "add account" (``CustomerDirectAccAdminApiService.add``)."""

    id: str
    customer_no: str
    exchange_code: str
    account_type: str
    account_name: str
    api_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    passphrase: str = field(default="", repr=False)
    is_test: int = 0
    balances: dict[str, Decimal] = field(default_factory=dict)
    locked: dict[str, Decimal] = field(default_factory=dict)

    def view(self) -> dict[str, Any]:
        """The record as the list call answers it (the secret key never leaves the simulator)."""
        return {
            "id": self.id,
            "customerNo": self.customer_no,
            "exchangeCode": self.exchange_code,
            "accountType": self.account_type,
            "accountName": self.account_name,
            "accountApiKey": self.api_key,
            "isTest": self.is_test,
        }


@dataclass(slots=True)
class SimBridgeOrder:
    """A direct order sent through the Bridge (``addDirectOrder``). ``status`` is the report's string."""

    order_id: str
    client_order_id: str
    exchange_id: str
    account_name: str
    customer_no: str
    customer_id: int
    symbol_id: int
    biz_type: int
    direction: int
    num: Decimal
    price: Decimal | None
    time_in_force: str
    request_time: int
    status: str = "1"
    execute_price: Decimal | None = None
    trade_id: str = ""
    execute_time: int = 0
    commission: Decimal = Decimal(0)

    def view(self) -> dict[str, Any]:
        """The order as the query call answers it (Assumption ``bridge_reply_shapes``)."""
        return {
            "exchangeId": self.exchange_id,
            "orderId": self.order_id,
            "clientOrderId": self.client_order_id,
            "status": self.status,
            "timeInForce": self.time_in_force,
            "symbolId": self.symbol_id,
            "bizType": self.biz_type,
            "direction": self.direction,
            "num": format(self.num, "f"),
            "price": format(self.price, "f") if self.price is not None else "",
            "executePrice": format(self.execute_price, "f") if self.execute_price is not None else "",
            "executeNum": format(self.num, "f") if self.status == "2" else "0",
            "accountName": self.account_name,
            "customerNo": self.customer_no,
            "requestTime": self.request_time,
        }


@dataclass(slots=True)
class CallbackRecord:
    """One Bridge callback: what was sent, every attempt and the outcome.

    Attributes:
        url: ``{webhookUrl}/notification``.
        body: ``{"msgType":"trade","content":...}``.
        content: ``content`` parsed back into a dict (for assertions).
        attempts: each try, in order.
        status: ``"pending"``, ``"delivered"`` (HTTP 200) or ``"failed"`` (retries exhausted).
    """

    url: str
    body: dict[str, Any]
    content: dict[str, Any]
    attempts: list[Attempt] = field(default_factory=list)
    status: str = "pending"

    @property
    def answer(self) -> Any:
        """The last answer received (parsed JSON), or ``None``."""
        return self.attempts[-1].answer if self.attempts else None


class BridgeState:
    """Everything the Bridge family keeps (``sim.bridge``).

    Args:
        company_id: the ``companyId`` header of callbacks.
        retry_delays_s: pause before each callback retry.
        timeout_s: per-attempt timeout of a callback.

    Attributes:
        accounts: exchange accounts by record id.
        orders: direct orders by order id.
        webhooks: subscribed ``apiKey`` -> ``webhookUrl``.
        callbacks: every callback, in sending order.
        transport: an httpx transport for callbacks (e.g. ``httpx.ASGITransport(app=...)``);
            ``None`` uses the network.
    """

    def __init__(self, company_id: int, retry_delays_s: tuple[float, ...], timeout_s: float) -> None:
        self.company_id = company_id
        self.retry_delays_s = retry_delays_s
        self.timeout_s = timeout_s
        self.accounts: dict[str, SimBridgeAccount] = {}
        self.orders: dict[str, SimBridgeOrder] = {}
        self.webhooks: dict[str, str] = {}
        self.callbacks: list[CallbackRecord] = []
        self.transport: httpx.AsyncBaseTransport | None = None
        self.spawn: Callable[[Callable[[], Coroutine[Any, Any, None]]], None] | None = None
        self._next_account = 5001
        self._next_order = 7_000_000_001
        self._changed: anyio.Event | None = None

    def __repr__(self) -> str:
        counts = f"accounts={len(self.accounts)}, orders={len(self.orders)}, callbacks={len(self.callbacks)}"
        return f"BridgeState({counts})"

    def new_account_id(self) -> str:
        """The next account record id."""
        self._next_account += 1
        return str(self._next_account)

    def new_order_id(self) -> str:
        """The next exchange order id."""
        self._next_order += 1
        return str(self._next_order)

    async def wait_callbacks(self, count: int = 1, *, timeout: float = 5.0) -> list[CallbackRecord]:
        """Wait until ``count`` callbacks are finished (delivered or failed); return them all.

        Raises:
            TimeoutError: fewer finished within ``timeout`` seconds.
        """
        with anyio.fail_after(timeout):
            while sum(c.status != "pending" for c in self.callbacks) < count:
                if self._changed is None:
                    self._changed = anyio.Event()
                await self._changed.wait()
        return self.callbacks

    def report(self, content: dict[str, Any], now_ms: int) -> None:
        """Send ``content`` (with its ``reportType``) to every subscribed webhook URL."""
        for api_key, url in self.webhooks.items():
            text = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
            body = {"msgType": "trade", "content": text}
            record = CallbackRecord(url.rstrip("/") + "/notification", body, content)
            self.callbacks.append(record)
            headers = {
                "apiKey": api_key,
                "recvWindow": "5000",
                "timestamp": str(now_ms),
                "signature": crypto.OpenApiSigner(SIGN_DEMO.private_key).sign(body, now_ms),
                "companyId": str(self.company_id),
                "trace": uuid.uuid4().hex,
                "lang": "en-US",
                "version": "0.0.1",
            }
            if self.spawn is not None:
                self.spawn(partial(self._deliver, record, headers))

    async def _deliver(self, record: CallbackRecord, headers: dict[str, str]) -> None:
        target = Target(record.url, self.transport)
        try:
            for delay in (0.0, *self.retry_delays_s):
                if delay:
                    await anyio.sleep(delay)
                attempt = await post_json(target, "", headers, record.body, timeout_s=self.timeout_s)
                record.attempts.append(attempt)
                if attempt.status == 200:
                    record.status = "delivered"
                    return
            record.status = "failed"
        finally:
            if record.status == "pending":
                record.status = "failed"
            event, self._changed = self._changed, None
            if event is not None:
                event.set()


@dataclass(slots=True)
class ManagerStore:
    """Company credentials and tokens of the Manager API, and the seeded Bridge API key.

    Args:
        rng: the seeded random source the credentials and tokens are drawn from.

    Attributes:
        app_id: the seeded Manager ``appId`` (32 hex).
        app_secret: the seeded ``appSecret`` (32 hex; left out of the repr).
        bridge_api_key: the seeded Bridge ``apiKey`` (32 hex).
        bridge_secret_key: its private key (base64 PKCS#8; the ``POSTMAN_ROBOT`` TEST pair).
        tokens: issued company tokens -> expired flag.
    """

    rng: random.Random = field(repr=False)
    app_id: str = ""
    app_secret: str = field(default="", repr=False)
    bridge_api_key: str = ""
    bridge_secret_key: str = field(default=POSTMAN_ROBOT.private_key, repr=False)
    bridge_public_key: str = POSTMAN_ROBOT.public_key
    tokens: dict[str, bool] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.app_id = f"{self.rng.getrandbits(128):032x}"
        self.app_secret = f"{self.rng.getrandbits(128):032x}"
        self.bridge_api_key = f"{self.rng.getrandbits(128):032x}"

    def issue(self) -> str:
        """Issue a company token (``<uuid>admin``)."""
        token = str(uuid.UUID(int=self.rng.getrandbits(128), version=4)) + "admin"
        self.tokens[token] = False
        return token

    def valid(self, token: object) -> bool:
        """Whether ``token`` is an issued, unexpired company token."""
        return isinstance(token, str) and self.tokens.get(token) is False

    def expire_all(self) -> None:
        """Expire every issued company token (their next use answers ``GATEWAY_CODE_005``)."""
        for token in self.tokens:
            self.tokens[token] = True
