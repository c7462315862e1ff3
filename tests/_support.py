"""Helpers the test modules share: clients wired to a simulator, scripted HTTP answers in the envelope,
raw wire headers and bodies for driving the simulator without the SDK, a fake clock whose ``sleep``
moves it, and a quote client on the in-memory socket backend.

Test modules import them as ``from tests._support import ...`` (the tests folder is not a package;
pytest's default ``prepend`` import mode puts the repository root on ``sys.path``, as for
``tests.memory_socket``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import strategies as st

import multimarkets_async as mm
from multimarkets_async.errors import ProtocolError
from multimarkets_async.protocol import crypto
from multimarkets_async.testing import Simulator
from multimarkets_async.testing._keys import SIGN_DEMO
from tests.fake_quote_server import FakeQuoteServer
from tests.memory_socket import MemoryBackend

__all__ = [
    "APP_ID",
    "APP_SECRET",
    "EURUSD",
    "FAST_RECONNECT",
    "GARBAGE_BODY",
    "MANAGER_AUTH_PATH",
    "XAUUSD",
    "Answer",
    "FakeClock",
    "Script",
    "apply_edits",
    "decode_or_refuse",
    "frame_edits",
    "frame_id",
    "mock_client",
    "mock_manager",
    "new_trace",
    "next_item",
    "ok",
    "quote_client",
    "quote_push",
    "refusal",
    "signed_headers",
    "sim_bridge",
    "sim_client",
    "sim_manager",
    "sim_order",
    "wire_headers",
    "wire_order",
]

EURUSD = mm.SymbolKey(1001, 2, 1)
XAUUSD = mm.SymbolKey(1002, 2, 1)
FAST_RECONNECT = mm.ReconnectPolicy(initial_delay=0.01, max_delay=0.05, healthy_after=0)
"""Reconnect at once and reset the backoff at once: faults recover within a test's patience."""

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]
"""A scripted answer: a response, an exception to raise, or a function of the request."""


# -- clients of a simulator ---------------------------------------------------------------------------


def sim_client(sim: Simulator, *, signed: bool = True, **options: Any) -> mm.MultiMarkets:
    """A client of ``sim`` (not entered): signed with its API key unless ``signed=False``, reconnecting
    with ``FAST_RECONNECT``; ``options`` are further client options and override these."""
    defaults: dict[str, Any] = {"reconnect": FAST_RECONNECT}
    if signed:
        defaults |= {"api_key": sim.api_key, "secret_key": sim.secret_key}
    return mm.MultiMarkets(base_url=sim.base_url, company_id=sim.company_id, **(defaults | options))


def sim_manager(sim: Simulator, **options: Any) -> mm.ManagerClient:
    """A Manager client of ``sim`` (not entered) with its app credentials, reconnecting with
    ``FAST_RECONNECT``; ``options`` are further client options and override these."""
    defaults: dict[str, Any] = {"reconnect": FAST_RECONNECT}
    return mm.ManagerClient(
        base_url=sim.base_url,
        company_id=sim.company_id,
        app_id=sim.manager_app_id,
        app_secret=sim.manager_app_secret,
        **(defaults | options),
    )


def sim_bridge(sim: Simulator, **options: Any) -> mm.BridgeClient:
    """A Bridge client of ``sim`` (not entered) with its Bridge API key; ``options`` are further
    client options."""
    return mm.BridgeClient(
        base_url=sim.base_url,
        company_id=sim.company_id,
        api_key=sim.bridge_api_key,
        secret_key=sim.bridge_secret_key,
        **options,
    )


async def next_item(subscription: mm.Subscription[Any], sim: Simulator, *, kind: type | None = None) -> Any:
    """Move the simulator's prices until ``subscription`` holds an item (the simulator pushes on every
    move) and take it; with ``kind``, items of other types are taken and skipped. Fails after 5 s."""
    with anyio.fail_after(5):
        while True:
            item = subscription.get_nowait()
            if item is None:
                sim.tick()
                await anyio.sleep(0.01)
            elif kind is None or isinstance(item, kind):
                return item


# -- scripted HTTP ------------------------------------------------------------------------------------


def ok(data: object = None, **headers: str) -> httpx.Response:
    """A 200 answer carrying ``data`` in a success envelope, with these response headers."""
    return httpx.Response(200, json={"code": "0", "msg": "Success", "data": data}, headers=headers)


def mock_client(
    handler: Callable[[httpx.Request], httpx.Response], *, signed: bool = False, **options: Any
) -> mm.MultiMarkets:
    """A client of ``https://api.example.test`` (company 439, not entered) whose requests ``handler``
    answers; signed with a made-up API key and the vendor's published test key when ``signed``;
    ``options`` are further client options."""
    if signed:
        options = {"api_key": "a" * 32, "secret_key": SIGN_DEMO.private_key} | options
    return mm.MultiMarkets(
        base_url="https://api.example.test", company_id=439, transport=httpx.MockTransport(handler), **options
    )


APP_ID = "0123456789abcdef0123456789abcdef"
APP_SECRET = "fedcba9876543210fedcba9876543210"
MANAGER_AUTH_PATH = "/openapi-b/auth/admin.admin.CompanyAuthDubboService.auth"
"""Where a Manager client authorizes with ``APP_ID`` and ``APP_SECRET``."""


def mock_manager(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> mm.ManagerClient:
    """A Manager client of ``https://api.example.test`` (company 439, not entered) with ``APP_ID`` and
    ``APP_SECRET``, whose requests ``handler`` answers; ``options`` are further client options."""
    return mm.ManagerClient(
        base_url="https://api.example.test",
        company_id=439,
        app_id=APP_ID,
        app_secret=APP_SECRET,
        transport=httpx.MockTransport(handler),
        **options,
    )


class Script:
    """An ``httpx.MockTransport`` handler: answers each request with the next scripted answer (the
    last one repeats; an exception is raised, a function is called with the request) and records the
    requests."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)


# -- the raw wire (the simulator driven without the SDK) ----------------------------------------------


def new_trace() -> str:
    """A trace id as the SDK makes one: a UUID and the time in milliseconds."""
    return f"{uuid.uuid4()}-{int(time.time() * 1000)}"


def wire_headers(sim: Simulator, token: str | None = None, **extra: str) -> dict[str, str]:
    """Client API headers for ``sim`` (with ``token`` when given); ``extra`` headers are added last."""
    headers = {"companyId": str(sim.company_id), "trace": new_trace(), "lang": "en-US"}
    if token is not None:
        headers["token"] = token
    return headers | extra


def signed_headers(
    sim: Simulator,
    body: dict[str, Any],
    *,
    ts: int | None = None,
    api_key: str | None = None,
    secret_key: str | None = None,
    **extra: str,
) -> dict[str, str]:
    """Open API headers signing ``body`` at ``ts`` (the simulator's now by default) with ``sim``'s API
    key, or the one given; ``extra`` headers are added last (after signing)."""
    timestamp = sim.now_ms() if ts is None else ts
    signature = crypto.OpenApiSigner(secret_key or sim.secret_key).sign(body, timestamp)
    signing = {"timestamp": str(timestamp), "apiKey": api_key or sim.api_key, "signature": signature}
    return wire_headers(sim, **(signing | {"recvWindow": "5000"} | extra))


def wire_order(**overrides: Any) -> dict[str, Any]:
    """An ``addMarketOrder`` body: buy 0.10 EURUSD on the seeded isolated-margin account; ``overrides``
    replace or add fields."""
    body: dict[str, Any] = {
        "accountCurrency": "USDT",
        "accountDigits": 4,
        "accountId": 1031002,
        "bizType": 1,
        "direction": 1,
        "entryType": 1,
        "requestNum": "0.10",
        "requestPrice": "108500",
        "requestTime": 1_698_299_972_000,
        "symbolId": 1001,
        "tradeType": 2,
    }
    return body | overrides


async def sim_order(client: mm.MultiMarkets, sim: Simulator, **overrides: object) -> dict[str, object]:
    """An ``addMarketOrder`` body for ``client``'s account on ``sim``: buy 0.10 EURUSD at the current
    mid; ``overrides`` replace or add fields."""
    info = mm.CustomerProfile.model_validate(
        await client.call("customer.app.CustomerWebApiService.findCustomerInfo", {})
    )
    account = info.account(trade_type=2)
    quote = sim.exchange.market.get(1001)
    assert quote is not None
    body: dict[str, object] = {
        "tradeType": 2,
        "symbolId": 1001,
        "accountId": account.account_id,
        "accountCurrency": account.currency,
        "accountDigits": account.digits,
        "bizType": 1,
        "direction": 1,
        "entryType": 1,
        "crossLevelNum": 100,
        "requestNum": "0.10",
        "requestPrice": str(int((quote.mid * 10**5).to_integral_value())),
        "requestTime": sim.now_ms(),
    }
    return body | overrides


# -- time ---------------------------------------------------------------------------------------------


class FakeClock:
    """A clock in epoch seconds that the test moves by hand, and whose ``sleep`` moves it instead of
    waiting (recording each wait). Call it for seconds; ``ms`` is the millisecond clock."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def ms(self) -> int:
        return int(self.now * 1000)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


# -- quotes on the in-memory socket -------------------------------------------------------------------


@asynccontextmanager
async def quote_client(**streams: Any) -> AsyncIterator[tuple[mm.MultiMarkets, FakeQuoteServer]]:
    """A guest client whose quote sockets reach a ``FakeQuoteServer`` through a ``MemoryBackend``;
    ``streams`` are ``StreamSettings`` fields. The server stops when the client has closed."""
    backend = MemoryBackend()
    server = FakeQuoteServer(backend)
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve, tg)
        async with mm.MultiMarkets(
            base_url="http://127.0.0.1:9",
            company_id=1,
            socket_backend=backend,
            streams=mm.StreamSettings(**streams),
            reconnect=mm.ReconnectPolicy(initial_delay=0.001, max_delay=0.002, healthy_after=0),
        ) as client:
            yield client, server
        tg.cancel_scope.cancel()
    await backend.aclose()


def quote_push(key: mm.SymbolKey, seq: int, bid: str) -> str:
    """A ``p(`` ticker push for ``key`` with this sequence number and bid (= ask)."""
    return f"p({key.symbol_id},{key.trade_type},{key.trade_mode},{seq},1700000000000,{bid},{bid},1.1,10,20);"


# -- fuzzing a socket dialect's decoder ---------------------------------------------------------------

GARBAGE_BODY = st.text(alphabet="0123456789.,;() -eEnNaIif", max_size=60)
"""Text made of the characters a text push is built from: the body after a push tag."""


def frame_edits(max_position: int) -> st.SearchStrategy[list[tuple[int, int, str]]]:
    """One to four edits ``(position, cut, insert)`` for ``apply_edits``."""
    edit = st.tuples(st.integers(0, max_position), st.integers(0, 3), st.text(max_size=3))
    return st.lists(edit, min_size=1, max_size=4)


def apply_edits(frame: str, edits: list[tuple[int, int, str]]) -> str:
    """``frame`` with each edit applied in turn: cut ``cut`` characters at ``position`` (modulo the length)
    and insert ``insert`` there."""
    for position, cut, insert in edits:
        at = position % (len(frame) + 1)
        frame = frame[:at] + insert + frame[at + cut :]
    return frame


def decode_or_refuse(decode: Callable[[Any], object], frame: str | bytes) -> object | None:
    """``decode(frame)``, or ``None`` when it refuses the frame with a ``ProtocolError`` whose message is
    short (anything else it raises fails the test)."""
    message = ""
    try:
        return decode(frame)
    except ProtocolError as exc:
        message = str(exc)
    assert len(message) < 300
    return None


def frame_id(frame: object) -> str:
    """A parametrized frame's test id: the start of its ``repr``."""
    return repr(frame)[:24]


def refusal(decode: Callable[[Any], object], frame: str | bytes) -> ProtocolError:
    """The ``ProtocolError`` with which ``decode`` refuses ``frame``; its message is short."""
    with pytest.raises(ProtocolError) as info:
        decode(frame)
    assert len(str(info.value)) < 200
    return info.value
