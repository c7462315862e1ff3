"""No secret reaches any log: the SDK's loggers, the socket library's and the HTTP stack's, at DEBUG.

The end-to-end test drives every credential-bearing path against the simulator (password login, the
token-in-URL quote socket, the token-in-every-frame RPC socket, the API key in the message-push URL,
the company token in the data-push handshake, signed calls), collects the secrets that went over the
wire, and searches every record (message, arguments, exception text) for them and for any
8-character piece of them. The unit tests pin the redaction rules and the frame-log switch of
``multimarkets_async._logging``.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import pytest

import multimarkets_async as mm
from multimarkets_async._logging import MASK, WIRE_LOGGER, RedactingLogger, redact
from multimarkets_async._ws._backend import WebsocketsBackend
from multimarkets_async.testing import Simulator
from tests._support import next_item, sim_client, sim_manager

FRAGMENT = 8
EVERYTHING = 1  # below DEBUG too: picows logs its handshake and data dumps at level 9
SECRET_HEADERS = ("token", "signature", "apiKey", "sign", "authorization")


class Capture(logging.Handler):
    """Keeps every record with its text rendered once, as a formatter would."""

    def __init__(self) -> None:
        super().__init__(EVERYTHING)
        self.records: list[logging.LogRecord] = []
        self.texts: list[str] = []
        self._waiters: list[tuple[str, anyio.Event]] = []

    def emit(self, record: logging.LogRecord) -> None:
        parts = [record.name, record.getMessage(), repr(record.args)]
        if record.exc_info and record.exc_info[1] is not None:
            parts.append("".join(traceback.format_exception(record.exc_info[1])))
        if record.exc_text:
            parts.append(record.exc_text)
        if record.stack_info:
            parts.append(record.stack_info)
        self.records.append(record)
        self.texts.append("\n".join(parts))
        for needle, event in self._waiters:
            if record.name.startswith(WIRE_LOGGER) and needle in record.getMessage():
                event.set()

    async def wait_for_text(self, needle: str) -> None:
        """Return once the SDK's wire logger has logged a record holding ``needle`` (at once if it has)."""
        if any(r.name.startswith(WIRE_LOGGER) and needle in r.getMessage() for r in self.records):
            return
        event = anyio.Event()
        self._waiters.append((needle, event))
        with anyio.fail_after(5):
            await event.wait()


@contextmanager
def everything_at_debug() -> Iterator[Capture]:
    """Root and every logger that exists at DEBUG (and below), captured at the root."""
    capture = Capture()
    root = logging.getLogger()
    loggers = [lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    saved = [(lg, lg.level, lg.disabled) for lg in loggers]
    saved_root = root.level
    root.setLevel(EVERYTHING)
    root.addHandler(capture)
    for lg in loggers:
        lg.setLevel(EVERYTHING)
        lg.disabled = False
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(saved_root)
        for lg, level, disabled in saved:
            lg.setLevel(level)
            lg.disabled = disabled


def fragments(secrets: Iterable[str]) -> dict[str, str]:
    """Every ``FRAGMENT``-character piece of every secret (whole secrets when shorter) -> its secret."""
    pieces: dict[str, str] = {}
    for secret in secrets:
        if len(secret) <= FRAGMENT:
            pieces[secret] = secret
            continue
        for i in range(len(secret) - FRAGMENT + 1):
            pieces[secret[i : i + FRAGMENT]] = secret
    return pieces


def leaks(capture: Capture, secrets: Iterable[str]) -> list[str]:
    pieces = fragments(secrets)
    short = [p for p in pieces if len(p) < FRAGMENT]
    found: list[str] = []
    for text in capture.texts:
        windows = {text[i : i + FRAGMENT] for i in range(len(text) - FRAGMENT + 1)}
        hits = sorted(windows & pieces.keys()) + [p for p in short if p in text]
        if hits:
            found.append(f"{hits[0]!r} (of a {len(pieces[hits[0]])}-char secret) in: {text[:300]!r}")
    return found


def wire_secrets(sim: Simulator) -> set[str]:
    """What the SDK sent that must stay secret: credentials, tokens and signatures."""
    secrets = {
        sim.api_key,
        sim.secret_key,
        sim.password,
        hashlib.md5(sim.password.encode()).hexdigest(),
        sim.manager_app_secret,
        *sim.push_tokens,
    }
    for request in sim.requests:
        for name in SECRET_HEADERS:
            value = request.headers.get(name)
            if value:
                secrets.add(value)
    return {s for s in secrets if s}


def picows_backend() -> mm.SocketBackend:
    pytest.importorskip("picows")
    from multimarkets_async._ws._picows import PicowsBackend

    return PicowsBackend()


BACKENDS = {
    "default": lambda: None,
    "websockets-log-frames": lambda: WebsocketsBackend(log_frames=True),
    "picows": picows_backend,
}


async def drive(sim: Simulator, backend: mm.SocketBackend | None, logged: Capture | None = None) -> set[str]:
    """Every credential-bearing path once; returns the secrets that went over the wire.

    With ``logged`` (frames logged in full), the message socket stays open until the client has
    logged a frame it received, so that the test can look at one.
    """
    async with sim_client(sim, signed=False, socket_backend=backend) as client:
        await client.login(login_name=sim.login_name, password=sim.password)
        await client.call("customer.app.CustomerWebApiService.findCustomerInfo")  # sends the token
        async with client.quotes.tickers([mm.SymbolKey(1001, 2, 1)]) as ticks:
            (session,) = sim.sockets.quote
            assert not session.guest  # the login token went in the URL
            await next_item(ticks, sim)
        async with client.rpc.connect() as rpc:  # the token in every frame's header
            await rpc.call("customer.app.CustomerWebApiService.findCustomerInfo", {})
    async with sim_client(sim, socket_backend=backend) as open_api:
        await open_api.call("customer.app.CustomerWebApiService.findCustomerInfo")  # signed
        async with open_api.messages.subscribe(trade_types=[2]):
            await sim.sockets.wait_for(lambda: any(s.logged_in for s in sim.sockets.messages))
            if logged is not None:
                await logged.wait_for_text('"msgCode"')  # the server's answer, as the client logs it
    async with sim_manager(sim, socket_backend=backend) as manager:
        async with manager.data_push.events(group="logs"):
            await sim.sockets.wait_for(lambda: sim.sockets.datapush)
            await manager.customers.register(
                password="s3cret-Passw0rd", country="GB", customer_group_id=1,
                currencies=[(2, "USDT")], email="logs@example.com",
            )  # fmt: skip
    return wire_secrets(sim) | {"s3cret-Passw0rd"}


@pytest.mark.anyio
@pytest.mark.parametrize("backend", list(BACKENDS))
async def test_no_secret_in_any_log_at_debug(backend: str) -> None:
    socket_backend = BACKENDS[backend]()
    with everything_at_debug() as capture:
        async with Simulator() as sim:
            logged = capture if backend.endswith("log-frames") else None
            secrets = await drive(sim, socket_backend, logged)
    # The drive really was logged at DEBUG, by the socket library and the HTTP stack too.
    names = {record.name for record in capture.records}
    assert any(name.startswith(WIRE_LOGGER) for name in names), sorted(names)
    assert any(name.startswith(("httpx", "httpcore")) for name in names), sorted(names)
    wire = [r.getMessage() for r in capture.records if r.name.startswith(WIRE_LOGGER)]
    assert sum("/openMsg/***" in text for text in wire) >= 1
    assert sum("?token=***" in text for text in wire) >= 1
    if backend.endswith("log-frames"):  # payloads shown, credentials masked
        assert any('"msgCode"' in text for text in wire), wire
        assert any('"token":"***"' in text for text in wire), wire
    else:  # data frames reduced to their size
        assert not any('"msgCode"' in text or '"msgType"' in text for text in wire), wire
    found = leaks(capture, secrets)
    assert not found, "\n".join(found[:10])


# -- the redaction rules and the logger, in isolation ------------------------------------------------

TOKEN = "02d40878-3627-42bd-a61c-657fb4a3be55app"
KEY = "47b471e57c394e8fbc18535805e04016"
LOGIN = f'{{"head":{{"msgType":"login","token":"{TOKEN}","lang":"en-US"}}'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"> GET /apiQuote/quote?token={TOKEN} HTTP/1.1", "> GET /apiQuote/quote?token=*** HTTP/1.1"),
        (f"wss://h/quote_stock?lang=en&token={TOKEN}&x=1", "wss://h/quote_stock?lang=en&token=***&x=1"),
        (f"> GET /openapi-c/openMsg/{KEY} HTTP/1.1", "> GET /openapi-c/openMsg/*** HTTP/1.1"),
        (f"> token: {TOKEN}", "> token: ***"),
        ("> Authorization: Bearer abcdefgh12345678", "> Authorization: ***"),
        ("< Set-Cookie: session=abcdef; Path=/", "< Set-Cookie: ***"),
        (f"GET /q?token={TOKEN} HTTP/1.1\r\nToken: {KEY}\r\n", "GET /q?token=*** HTTP/1.1\r\nToken: ***\r\n"),
        (f"b'GET / HTTP/1.1\\r\\ntoken: {TOKEN}\\r\\n'", "b'GET / HTTP/1.1\\r\\ntoken: ***\\r\\n'"),
        (LOGIN, '{"head":{"msgType":"login","token":"***","lang":"en-US"}'),
        (f'{{"head":{{"token":"{TOKEN[:20]}', '{"head":{"token":"***"'),  # a truncated dump
        ('{"loginPwd": "e10adc3949ba59abbe56e057f20f883e", "type": 1}', '{"loginPwd": "***", "type": 1}'),
        ("{'apiKey': 'k', 'signature': 's=='}", "{'apiKey': '***', 'signature': '***'}"),
        (f"[('token', '{TOKEN}'), ('lang', 'en')]", "[('token', '***'), ('lang', 'en')]"),
        (f"[(b'token', b'{TOKEN}')]", "[(b'token', b'***')]"),
        ('{"sign": 12345678901, "n": 2}', '{"sign": ***, "n": 2}'),
    ],
)  # fmt: skip
def test_redact_masks_credential_values(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "= connection is OPEN",
        "> Sec-WebSocket-Key: PCpJPkdjz8EjS7SoVT9gUw==",
        "market-data: reconnecting in 0.50 s (TransportError: the WebSocket closed)",
        "session expired; logging in again",
        "POST http://127.0.0.1:80/api/global/customer.app.CustomerWebApiService.findCustomerInfo trace=x-1",
        "> GET /apiQuote/quote_guest HTTP/1.1",
        "token expired: logging in again",
    ],
)
def test_redact_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def wire_records() -> Iterator[list[logging.LogRecord]]:
    handler, wire = Records(), logging.getLogger(WIRE_LOGGER)
    level = wire.level
    wire.addHandler(handler)
    wire.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        wire.removeHandler(handler)
        wire.setLevel(level)


def login_frame() -> Any:
    from websockets.frames import Frame, Opcode

    payload = LOGIN + f',"device":1,"seqId":1,"trace":"{"t" * 300}"}}'
    return Frame(Opcode.TEXT, payload.encode())


def test_data_frames_are_logged_as_type_and_size_by_default() -> None:
    frame = login_frame()
    with wire_records() as records:
        RedactingLogger().debug("> %s", frame)
    (record,) = records
    assert record.getMessage() == f"> TEXT [{len(frame.data)} bytes]"
    assert record.args == ()


def test_log_frames_shows_the_payload_masked_before_it_is_shortened() -> None:
    with wire_records() as records:
        RedactingLogger(log_frames=True).debug("< %s", login_frame())
    (record,) = records
    text = record.getMessage()
    assert text.startswith("< TEXT '" + '{"head":{"msgType":"login","token":"***"')
    assert "..." in text  # shortened after masking, so no piece of the token survives
    assert len(text) < 260
    assert not any(TOKEN[i : i + FRAGMENT] in text for i in range(len(TOKEN) - FRAGMENT + 1))


def test_control_frames_and_ordinary_records_pass_through() -> None:
    from websockets.frames import Close, Frame, Opcode

    with wire_records() as records:
        adapter = RedactingLogger()
        adapter.debug("> %s", Frame(Opcode.CLOSE, Close(1000, "bye").serialize()))
        adapter.debug("= connection is %s", "OPEN")
        adapter.info("%(what)s done", {"what": "handshake"})
        adapter.debug("> %s: %s", "token", TOKEN)
    assert [r.getMessage() for r in records] == [
        "> CLOSE 1000 (OK) bye [5 bytes]",
        "= connection is OPEN",
        "handshake done",
        f"> token: {MASK}",
    ]
    assert [r.levelno for r in records] == [logging.DEBUG, logging.DEBUG, logging.INFO, logging.DEBUG]


def test_an_exception_is_rendered_into_the_text_and_masked() -> None:
    with wire_records() as records:
        try:
            raise ValueError(f"cannot open wss://h/apiQuote/quote?token={TOKEN}")
        except ValueError:
            RedactingLogger().error("parser failed", exc_info=True)
    (record,) = records
    assert record.exc_info is None
    text = record.getMessage()
    assert text.startswith("parser failed\nTraceback")
    assert "ValueError: cannot open wss://h/apiQuote/quote?token=***" in text
    assert TOKEN not in text


def test_nothing_is_rendered_below_the_logger_level() -> None:
    class Explodes:
        def __str__(self) -> str:
            raise AssertionError("rendered although DEBUG is off")

    wire = logging.getLogger(WIRE_LOGGER)
    level = wire.level
    wire.setLevel(logging.INFO)
    try:
        RedactingLogger().debug("> %s", Explodes())
    finally:
        wire.setLevel(level)


def test_a_malformed_call_still_logs_masked() -> None:
    with wire_records() as records:
        RedactingLogger().debug("token %d", TOKEN)
    (record,) = records
    assert record.getMessage() == "token %d [arguments not shown: str]"


def test_no_repr_of_a_client_or_its_parts_shows_a_key() -> None:
    from multimarkets_async.testing._keys import SIGN_DEMO  # the published vendor TEST key

    test_secret = SIGN_DEMO.private_key
    api_key = "0123456789abcdef0123456789abcdef"
    client = mm.MultiMarkets(
        base_url="https://api.example.com", company_id=1, api_key=api_key, secret_key=test_secret
    )
    core = client._core
    texts = [repr(client), repr(core), repr(core.http), repr(client.quotes), repr(client.orders)]
    for text in texts:
        assert api_key[4:12] not in text, text
        assert test_secret[20:28] not in text, text
