"""The connection manager against an in-memory backend: correlation, reconnect, heartbeat, fatal errors."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import pytest
import websockets

from multimarkets_async import errors
from multimarkets_async._config import ReconnectPolicy
from multimarkets_async._ws import ConnectionManager, ConnectionState, is_fatal, map_websockets_exception
from tests.memory_socket import JsonDialect, MemoryBackend, MemorySocket

pytestmark = pytest.mark.anyio

FAST = ReconnectPolicy(initial_delay=0.001, max_delay=0.002, healthy_after=0)


class Harness:
    def __init__(self, dialect: JsonDialect | None = None, policy: ReconnectPolicy = FAST) -> None:
        self.backend = MemoryBackend()
        self.events: list[object] = []
        self.opens: list[bool] = []
        self.states: list[tuple[ConnectionState, BaseException | None]] = []
        self.manager = ConnectionManager(
            name="test",
            dialect=dialect or JsonDialect(),
            target=self.target,
            on_open=self.on_open,
            on_events=self.events.extend,
            on_state=lambda state, error: self.states.append((state, error)),
            policy=policy,
            backend=self.backend,
        )

    async def target(self) -> tuple[str, dict[str, str]]:
        return "memory://x", {"token": "t"}

    async def on_open(self, manager: ConnectionManager, reconnect: bool) -> None:
        self.opens.append(reconnect)
        await manager.send(json.dumps({"hello": len(self.opens)}))

    async def __aenter__(self) -> Harness:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.backend.aclose()

    async def server(self) -> MemorySocket:
        with anyio.fail_after(5):
            return await self.backend.accepted.receive()


async def recv_json(socket: MemorySocket, *, pings: bool = False) -> dict[str, object]:
    """The next frame the client sent, skipping heartbeats unless ``pings``."""
    with anyio.fail_after(5):
        while True:
            frame: dict[str, object] = json.loads(await socket.recv())
            if pings or "ping" not in frame:
                return frame


async def until(predicate: object, timeout: float = 5) -> None:
    """Wait for a condition the manager reaches by itself (polled: it has no event to wait on)."""
    with anyio.fail_after(timeout):
        while not predicate():  # type: ignore[operator]  # noqa: ASYNC110
            await anyio.sleep(0.001)


@asynccontextmanager
async def running() -> AsyncIterator[Harness]:
    """A harness whose manager runs for the duration of the block."""
    async with Harness() as h, anyio.create_task_group() as tg:
        await tg.start(h.manager.run)
        yield h
        tg.cancel_scope.cancel()
    assert h.manager.state is ConnectionState.CLOSED


async def test_open_sends_on_open_frames_and_correlates_replies() -> None:
    async with running() as harness:
        server = await harness.server()
        assert server.headers == {"token": "t"}
        assert await recv_json(server) == {"hello": 1}
        assert harness.manager.is_open

        async def answer() -> None:
            request = await recv_json(server)
            await server.send(json.dumps({"event": "noise"}))
            await server.send(json.dumps({"id": request["id"], "reply": "pong!"}))

        async with anyio.create_task_group() as tg:
            tg.start_soon(answer)
            reply = await harness.manager.request(lambda seq: (json.dumps({"id": seq}), seq), timeout=5)
        assert reply == "pong!"
        assert harness.events == ["noise"]


async def test_dropped_connection_reconnects_and_replays() -> None:
    async with running() as harness:
        first = await harness.server()
        await recv_json(first)
        await first.close()
        second = await harness.server()
        assert await recv_json(second) == {"hello": 2}
        await until(lambda: harness.manager.is_open)
        assert harness.opens == [False, True]
        assert harness.manager.stats.reconnects == 1
        assert [s for s, _ in harness.states] == [
            ConnectionState.OPEN,
            ConnectionState.RECONNECTING,
            ConnectionState.OPEN,
        ]


async def test_malformed_frames_are_skipped_and_the_reader_goes_on() -> None:
    async with running() as harness:
        server = await harness.server()
        await recv_json(server)
        await server.send("garbage{")
        await server.send(json.dumps({"event": 1}))
        await until(lambda: harness.events == [1])
        assert harness.manager.stats.malformed == 1
        assert harness.manager.stats.reconnects == 0


async def test_pending_request_fails_with_transport_error_when_the_connection_drops() -> None:
    async with running() as harness:
        server = await harness.server()
        await recv_json(server)

        async def drop_after_request() -> None:
            await recv_json(server)
            await server.close()

        async with anyio.create_task_group() as tg:
            tg.start_soon(drop_after_request)
            with pytest.raises(errors.TransportError):
                await harness.manager.request(lambda seq: (json.dumps({"id": seq}), seq), timeout=5)


async def test_request_timeout_is_typed() -> None:
    async with running() as harness:
        server = await harness.server()
        await recv_json(server)
        with pytest.raises(errors.RequestTimeoutError):
            await harness.manager.request(lambda seq: (json.dumps({"id": seq}), seq), timeout=0.05)


async def test_silent_peer_is_detected_within_interval_plus_timeout() -> None:
    async with Harness(JsonDialect(ping_interval=0.05, dead_after=0.2)) as h, anyio.create_task_group() as tg:
        await tg.start(h.manager.run)
        first = await h.server()
        await recv_json(first)
        opened = anyio.current_time()
        # The server keeps the socket open but answers nothing: the heartbeat must give up on it.
        second = await h.server()
        elapsed = anyio.current_time() - opened
        assert await recv_json(second) == {"hello": 2}
        tg.cancel_scope.cancel()
    # Not before dead_after; the upper bound only says it did not wait for something else (a loaded
    # machine stretches the ping period and the reconnect delay, so it is generous).
    assert 0.2 <= elapsed < 0.2 + 0.05 + 5.0


async def test_pongs_keep_the_connection_alive_and_measure_latency() -> None:
    async with Harness(JsonDialect(ping_interval=0.02, dead_after=0.2)) as h, anyio.create_task_group() as tg:
        await tg.start(h.manager.run)
        server = await h.server()
        await recv_json(server)
        for _ in range(15):  # 15 pings answered: longer than dead_after
            ping = await recv_json(server, pings=True)
            if "ping" not in ping:
                continue
            await server.send(json.dumps({"pong": ping["ping"]}))
        assert h.manager.stats.reconnects == 0
        assert h.manager.stats.latency is not None
        tg.cancel_scope.cancel()


async def test_fatal_handshake_on_first_connect_raises_to_the_starter() -> None:
    async with Harness() as h, anyio.create_task_group() as tg:
        h.backend.refuse.append(errors.HandshakeError("no", status_code=401))
        with pytest.raises(errors.HandshakeError):
            await tg.start(h.manager.run)


async def test_retryable_connect_failures_back_off_then_connect() -> None:
    async with Harness() as h, anyio.create_task_group() as tg:
        h.backend.refuse.extend(
            [errors.ConnectError("refused"), errors.HandshakeError("busy", status_code=503)]
        )
        await tg.start(h.manager.run)
        assert h.backend.connects == 3
        tg.cancel_scope.cancel()


async def test_max_attempts_gives_up_with_the_last_error() -> None:
    policy = ReconnectPolicy(initial_delay=0.001, max_delay=0.001, max_attempts=2)
    async with Harness(policy=policy) as h, anyio.create_task_group() as tg:
        h.backend.refuse.extend([errors.ConnectError("refused")] * 3)
        with pytest.raises(errors.ConnectError):
            await tg.start(h.manager.run)


async def test_session_end_closes_for_good() -> None:
    async with running() as harness:
        server = await harness.server()
        await recv_json(server)
        await server.send(json.dumps({"end": True}))
        await until(lambda: harness.manager.state is ConnectionState.CLOSED)
        _, error = harness.states[-1]
        assert isinstance(error, errors.SessionEndedError)
        assert harness.backend.connects == 1


def test_fatal_classifier() -> None:
    assert is_fatal(errors.SessionEndedError("x"))
    assert is_fatal(errors.ConfigurationError("x"))
    assert is_fatal(errors.HandshakeError("x", status_code=403))
    assert not is_fatal(errors.HandshakeError("x", status_code=502))
    assert not is_fatal(errors.TransportError("x"))
    assert not is_fatal(errors.ProtocolError("x"))


def _websockets_exceptions() -> list[type[BaseException]]:
    # Every current (non-deprecated) exception class websockets exports.
    names = websockets.exceptions.__all__
    classes = [getattr(websockets.exceptions, name) for name in names]
    return [cls for cls in classes if inspect.isclass(cls) and issubclass(cls, BaseException)]


@pytest.mark.parametrize("cls", _websockets_exceptions(), ids=lambda c: c.__name__)
def test_every_websockets_exception_maps_into_the_sdk_tree(cls: type[BaseException]) -> None:
    try:
        exc = cls.__new__(cls)
        Exception.__init__(exc, "boom")
    except TypeError:  # pragma: no cover
        pytest.skip("cannot build")
    if isinstance(exc, websockets.exceptions.InvalidStatus):
        exc.response = type("R", (), {"status_code": 401})()  # type: ignore[attr-defined]
    mapped = map_websockets_exception(exc)
    assert isinstance(mapped, errors.MultiMarketsError)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [(OSError(111, "Connection refused"), errors.ConnectError), (TimeoutError(), errors.RequestTimeoutError)],
)
def test_socket_level_errors_map(exc: BaseException, expected: type[errors.MultiMarketsError]) -> None:
    assert isinstance(map_websockets_exception(exc), expected)


@pytest.mark.parametrize("method", ["send", "recv"])
async def test_a_socket_error_while_open_is_translated(method: str) -> None:
    from multimarkets_async._ws._backend import _WebsocketsConnection

    class Broken:
        async def send(self, text: str) -> None:
            raise ConnectionResetError(104, "Connection reset by peer")

        async def recv(self) -> str:
            raise ConnectionResetError(104, "Connection reset by peer")

    connection = _WebsocketsConnection(Broken())  # type: ignore[arg-type]
    with pytest.raises(errors.TransportError):
        await (connection.send("x") if method == "send" else connection.recv())


async def test_an_invalid_url_error_never_shows_the_url_or_its_token() -> None:
    from multimarkets_async._ws import WebsocketsBackend

    with pytest.raises(errors.ConfigurationError, match="invalid WebSocket URL") as info:
        await WebsocketsBackend().connect("ftp://host/ws?token=SECRET-TOKEN", headers={}, open_timeout=1)
    assert "SECRET-TOKEN" not in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__
