"""Logs a production bot can ship: one logger per layer, structured fields on every record, and an
INFO level that stays quiet in steady state (a line per connect, reconnect or give-up; none per
message or per successful request).

The integration tests drive real clients through the simulator (requests, a stream with many ticks,
a reconnect, a give-up, HTTP retries through its fault controls) and assert on the records. The last
test runs the JSON formatter that ``docs/logging.md`` shows.
"""

from __future__ import annotations

import importlib
import json
import logging
import pkgutil
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette

import multimarkets_async as mm
from multimarkets_async import webhooks
from multimarkets_async._logging import (
    CLIENT_LOGGER,
    HTTP_FIELDS,
    HTTP_LOGGER,
    LOGGER_NAMES,
    SIMULATOR_LOGGER,
    SOCKET_FIELDS,
    STREAMS_LOGGER,
    WEBHOOK_FIELDS,
    WEBHOOKS_LOGGER,
    WIRE_LOGGER,
    WS_LOGGER,
)
from multimarkets_async.testing import Simulator
from multimarkets_async.testing._keys import MESSAGE_API_EXAMPLE, SIGN_DEMO
from tests._support import EURUSD, next_item, sim_client

ROOT = "multimarkets_async"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "logging.md"
FINDINFO = "customer.app.CustomerWebApiService.findCustomerInfo"
# Attributes every LogRecord has: anything else on a record came from ``extra``.
STANDARD = set(vars(logging.LogRecord("n", logging.INFO, "p", 1, "m", None, None))) | {"message", "asctime"}


pytestmark = pytest.mark.anyio


class Records(logging.Handler):
    """Keeps every record of the SDK's loggers."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def at_info(self) -> list[logging.LogRecord]:
        """Records at INFO and above, the socket libraries' own (wire) records left out."""
        return [r for r in self.records if r.levelno >= logging.INFO and not r.name.startswith(WIRE_LOGGER)]

    def matching(self, pattern: str, *, level: int | None = None) -> list[logging.LogRecord]:
        return [
            r
            for r in self.records
            if re.search(pattern, r.getMessage()) and (level is None or r.levelno == level)
        ]


def extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in STANDARD}


@contextmanager
def sdk_records(level: int = logging.DEBUG) -> Iterator[Records]:
    """Every record of the ``multimarkets_async`` loggers at ``level`` and above."""
    handler = Records()
    logger = logging.getLogger(ROOT)
    saved = logger.level
    logger.setLevel(level)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved)


# -- names -------------------------------------------------------------------------------------------


def _modules() -> list[str]:
    package = importlib.import_module(ROOT)
    return [ROOT] + [
        info.name
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{ROOT}.")
        if ".cli" not in info.name
    ]


def _module_loggers(module: ModuleType) -> list[logging.Logger]:
    return [value for value in vars(module).values() if isinstance(value, logging.Logger)]


@pytest.mark.parametrize("name", _modules())
def test_every_module_logs_to_a_documented_layer_logger(name: str) -> None:
    try:
        module = importlib.import_module(name)
    except ImportError as exc:  # an optional extra that is not installed
        pytest.skip(str(exc))
    for logger in _module_loggers(module):
        layer = logger.name if logger.name in LOGGER_NAMES else logger.name.rsplit(".", 1)[0]
        assert layer in LOGGER_NAMES, f"{name} logs to {logger.name!r}, not a layer's logger (or its child)"


def test_the_layers_have_their_loggers() -> None:
    from multimarkets_async import _client
    from multimarkets_async._http import _session
    from multimarkets_async._streams import quote_feed
    from multimarkets_async._ws import _connection
    from multimarkets_async.testing._server import uvicorn
    from multimarkets_async.webhooks import _channels

    layers = {_session: HTTP_LOGGER, _connection: WS_LOGGER, quote_feed: STREAMS_LOGGER}
    layers |= {_channels: WEBHOOKS_LOGGER, uvicorn: SIMULATOR_LOGGER, _client: CLIENT_LOGGER}
    for module, name in layers.items():
        assert [lg.name for lg in _module_loggers(module)] == [name]
    assert all(n.startswith(f"{ROOT}.") for n in LOGGER_NAMES)
    assert logging.getLogger(ROOT).handlers  # the NullHandler: no "no handler" warning, no output


# -- a client in steady state ------------------------------------------------------------------------


async def test_info_is_one_line_per_connect_and_reconnect_and_none_per_request_or_tick() -> None:
    async with Simulator() as sim:
        with sdk_records() as log:
            async with sim_client(sim, signed=False) as client:
                await client.login(login_name=sim.login_name, password=sim.password)
                for _ in range(10):
                    await client.call(FINDINFO)
                async with client.quotes.tickers([EURUSD]) as ticks:
                    for _ in range(100):
                        await next_item(ticks, sim)
                    sim.socket_faults.drop_all("quote")
                    await sim.sockets.wait_for(
                        lambda: [s for s in sim.sockets.quote if not s.closed and s.tickers]
                    )
                    (connection,) = client.quotes.connections
                    with anyio.fail_after(5):
                        while connection.stats.reconnects < 1 or not connection.is_open:
                            await next_item(ticks, sim)
                    for _ in range(100):
                        await next_item(ticks, sim)
                token = client._session.token
    info = [(r.name, r.getMessage()) for r in log.at_info()]
    expected = [
        (CLIENT_LOGGER, r"logged in as customer \d+"),
        (WS_LOGGER, r"quote#\d+: open"),
        (WS_LOGGER, r"quote#\d+: reconnecting in [\d.]+ s \(.+\)"),
        (WS_LOGGER, r"quote#\d+: open again"),
    ]
    assert len(info) == len(expected), info
    for (name, text), (want_name, pattern) in zip(info, expected, strict=True):
        assert name == want_name
        assert re.fullmatch(pattern, text), text

    opened, reconnecting, again = log.at_info()[1:]
    assert {k: extras(opened)[k] for k in SOCKET_FIELDS} | {"latency_ms": None} == {
        "connection": extras(opened)["connection"], "state": "open", "reconnects": 0, "latency_ms": None,
    }  # fmt: skip
    assert extras(opened)["connection"].startswith("quote#")
    assert extras(reconnecting)["state"] == "reconnecting"
    assert extras(reconnecting)["error"] == "TransportError"
    assert extras(reconnecting)["delay_s"] >= 0
    assert (extras(again)["state"], extras(again)["reconnects"]) == ("open", 1)

    # Each request at DEBUG: sent, then answered with its status and time.
    answered = [
        r for r in log.matching(r": HTTP 200 ", level=logging.DEBUG) if extras(r)["biz_type"] == FINDINFO
    ]
    assert len(answered) == 10
    for record in answered:
        fields = extras(record)
        assert set(HTTP_FIELDS) <= set(fields)
        assert fields["attempt"] == 1
        assert fields["status"] == 200
        assert isinstance(fields["elapsed_ms"], float)
        assert fields["elapsed_ms"] >= 0
        assert re.fullmatch(r"[0-9a-f-]{8,}", fields["trace"])
    assert len({extras(r)["trace"] for r in answered}) == 10

    # No credential in any field of any record (the message texts are checked by test_log_secrets).
    secrets = {token, sim.password, sim.secret_key, sim.api_key} - {None}
    for record in log.records:
        for value in extras(record).values():
            assert not any(secret in str(value) for secret in secrets if secret), record.getMessage()


async def test_a_socket_that_gives_up_says_so_once_with_why() -> None:
    async with Simulator() as sim:
        with sdk_records(logging.INFO) as log:
            async with sim_client(sim) as client, client.quotes.tickers([EURUSD]) as ticks:
                await next_item(ticks, sim)
                sim.socket_faults.refuse_handshakes(5, status=401, kind="quote")
                sim.socket_faults.drop_all("quote")
                with anyio.fail_after(5), pytest.raises(mm.HandshakeError):
                    async for _ in ticks:
                        pass
    (gave_up,) = log.matching(r"^quote#\d+: giving up")
    assert gave_up.levelno == logging.WARNING
    fields = extras(gave_up)
    assert (fields["state"], fields["error"]) == ("closed", "HandshakeError")
    assert fields["connection"].startswith("quote#")
    assert fields["reconnects"] == 0
    assert len(log.matching(r"^quote#\d+: reconnecting")) == 1  # the drop; the refused handshake is fatal


async def test_http_retries_and_give_ups_are_info_with_their_attempt_and_status() -> None:
    retry = mm.RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.001)
    async with Simulator() as sim:
        with sdk_records(logging.INFO) as log:
            async with sim_client(sim, retry=retry) as client:
                sim.faults.http_status_next(503, biz_type="findCustomerInfo")
                await client.call(FINDINFO)
                sim.faults.http_status_next(503, times=3, biz_type="findCustomerInfo")
                with pytest.raises(mm.HTTPStatusError):
                    await client.call(FINDINFO)
    texts = [re.sub(r"\d+\.\d+", "N", r.getMessage()) for r in log.at_info()]
    retrying = f"retrying {FINDINFO} in N s (server, attempt %d)"
    assert texts == [
        retrying % 1,
        retrying % 1,
        retrying % 2,
        f"{FINDINFO}: giving up after 3 attempts (ServerUnavailableError)",
    ], texts
    first, _, second, gave_up = (extras(r) for r in log.at_info())
    assert (first["biz_type"], first["attempt"], first["status"]) == (FINDINFO, 1, 503)
    assert first["trace"]
    assert first["delay_s"] >= 0
    assert (second["attempt"], gave_up["attempt"], gave_up["status"]) == (2, 3, 503)


async def test_a_delivered_webhook_call_is_debug_and_a_forged_one_a_warning() -> None:
    async def on_message(message: webhooks.MessageRequest) -> None:
        pass

    handlers = webhooks.WebhookHandlers(
        on_message=on_message, message_private_key=MESSAGE_API_EXAMPLE.private_key
    )
    app = Starlette(routes=webhooks.webhook_routes(handlers, message_path="/message"))
    transport = httpx.ASGITransport(app=app)
    async with Simulator() as sim:
        with sdk_records() as log:
            for key in (MESSAGE_API_EXAMPLE, SIGN_DEMO):  # the second is signed for someone else's key
                await sim.platform.send_message(
                    "http://integrator/message", to_user="18321956010", content="code 847999",
                    public_key=key.public_key, transport=transport,
                )  # fmt: skip
    ours = [r for r in log.records if r.name == WEBHOOKS_LOGGER]
    assert [(r.levelno, re.sub(r"trace=?\s*\S+", "trace", r.getMessage())) for r in ours] == [
        (logging.DEBUG, "message: trace delivered"),
        (logging.WARNING, "message: sign does not verify or timestamp is stale, trace"),
    ]
    for record in ours:
        fields = extras(record)
        assert {k: fields[k] for k in WEBHOOK_FIELDS} == {"callback": "message", "trace": fields["trace"]}
        assert fields["trace"]


# -- the documented JSON formatter -------------------------------------------------------------------


def _docs_formatter() -> type[logging.Formatter]:
    text = DOCS.read_text(encoding="utf-8")
    (block,) = re.findall(r"```python\n(# json_logging\.py.*?)```", text, re.S)
    namespace: dict[str, Any] = {"__name__": "json_logging"}
    exec(compile(block, str(DOCS), "exec"), namespace)
    formatter: type[logging.Formatter] = namespace["JsonFormatter"]
    return formatter


async def test_the_documented_json_formatter_prints_the_fields() -> None:
    formatter = _docs_formatter()()
    async with Simulator() as sim:
        with sdk_records() as log:
            async with sim_client(sim) as client, client.quotes.tickers([EURUSD]) as ticks:
                await next_item(ticks, sim)
                await client.call(FINDINFO)
    lines = [json.loads(formatter.format(r)) for r in log.records if not r.name.startswith(WIRE_LOGGER)]
    (opened,) = [line for line in lines if re.fullmatch(r"quote#\d+: open", line["message"])]
    assert opened["logger"] == WS_LOGGER
    assert opened["level"] == "INFO"
    assert set(SOCKET_FIELDS) <= set(opened)
    answered = [line for line in lines if line.get("biz_type") == FINDINFO and line.get("status") == 200][-1]
    assert set(HTTP_FIELDS) <= set(answered)
    assert answered["attempt"] == 1
    assert answered["time"].endswith("Z")
