"""The relay's NATS seam against a real nats-server: the link, publishing and de-duplication, stream
setup, the symbol table, both readers (latest-per-subject and shared with explicit acks), a server
restart, an unreachable server, and the mapping of every nats-py exception to the SDK's errors."""

from __future__ import annotations

import inspect
import logging
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace

import anyio
import nats.errors
import nats.js.errors
import pytest

import multimarkets_async as mm
from multimarkets_async.relay._nats import (
    LatestReader,
    NatsLink,
    SharedReader,
    ensure_streams,
    load_products,
    map_nats_error,
    mask_url,
    put_products,
)
from multimarkets_async.relay._nats._leftovers import client_tasks, subscription_tasks
from multimarkets_async.relay._payloads import RelayedProduct
from multimarkets_async.relay._settings import Retention
from multimarkets_async.relay._subjects import RelayNames
from multimarkets_async.testing import NatsServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def names(relay_prefix: str) -> RelayNames:
    return RelayNames(439, relay_prefix)


@pytest.fixture
async def link(nats_server: NatsServer, names: RelayNames) -> AsyncIterator[NatsLink]:
    async with await NatsLink.open(nats_server.url, name="test") as opened:
        await ensure_streams(opened, names, Retention())
        yield opened


async def eventually(check: Callable[[], bool | Awaitable[bool]], timeout: float = 10.0) -> None:
    """Poll a real condition until it holds (fails the test after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result if isinstance(result, bool) else await result:
            return
        assert time.monotonic() < deadline, "the condition never held"
        await anyio.sleep(0.02)


async def stored(link: NatsLink, stream: str) -> int:
    return int((await link.js.stream_info(stream)).state.messages)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------- the exception seam


def _nats_exception_classes() -> list[type[nats.errors.Error]]:
    found = {
        cls
        for module in (nats.errors, nats.js.errors)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, nats.errors.Error)
    }
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def _instance(cls: type[nats.errors.Error]) -> nats.errors.Error:
    try:
        return cls()
    except TypeError:
        params = inspect.signature(cls).parameters
        return cls(**{name: None for name, p in params.items() if p.default is inspect.Parameter.empty})


@pytest.mark.parametrize("cls", _nats_exception_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_nats_exception_becomes_an_sdk_error(cls: type[nats.errors.Error]) -> None:
    error = map_nats_error(_instance(cls), "publish to x")
    assert isinstance(error, mm.MultiMarketsError)
    assert cls.__name__ in str(error)
    if issubclass(cls, nats.errors.TimeoutError):
        assert isinstance(error, mm.RequestTimeoutError)
    if issubclass(cls, nats.errors.NoServersError | nats.errors.AuthorizationError):
        assert isinstance(error, mm.ConnectError)
    refused = issubclass(cls, nats.js.errors.APIError) and not issubclass(
        cls, nats.js.errors.ServiceUnavailableError
    )
    if refused:
        assert isinstance(error, mm.StreamError | mm.InvalidArgumentError)


def test_socket_errors_and_timeouts_are_transport_errors() -> None:
    assert isinstance(map_nats_error(ConnectionResetError("x"), "flush"), mm.TransportError)
    assert isinstance(map_nats_error(TimeoutError(), "flush"), mm.RequestTimeoutError)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("nats://user:pass@host:4222", "nats://user:***@host:4222"),
        ("nats://s3cr3t-token@host:4222", "nats://***@host:4222"),
        ("tls://a:b@h", "tls://a:***@h"),
        ("nats://host:4222", "nats://host:4222"),
        ("user:pass@host:4222", "user:***@host:4222"),
    ],
)
def test_credentials_in_urls_are_masked(url: str, shown: str) -> None:
    assert mask_url(url) == shown


# ---------------------------------------------------------------- the link


async def test_an_unreachable_server_is_a_connect_error_naming_the_url_without_its_password(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"nats://alice:hunter2@127.0.0.1:{free_port()}"
    with pytest.raises(mm.ConnectError) as info:
        await NatsLink.open([url], connect_timeout=0.5)
    message = str(info.value)
    assert f"nats://alice:***@127.0.0.1:{url.rsplit(':', 1)[1]}" in message
    assert "hunter2" not in message
    assert "hunter2" not in caplog.text
    assert capfd.readouterr().err == ""


async def test_bad_arguments_are_refused_before_connecting() -> None:
    with pytest.raises(mm.InvalidArgumentError):
        await NatsLink.open([])
    with pytest.raises(mm.InvalidArgumentError):
        await NatsLink.open("nats://127.0.0.1:1", connect_timeout=0)


async def test_the_link_reports_its_state_and_closes_idempotently_from_any_task(
    nats_server: NatsServer,
) -> None:
    link = await NatsLink.open(nats_server.url)
    assert link.is_connected
    assert link.connected_url == nats_server.url
    assert "connected" in repr(link)
    async with anyio.create_task_group() as tg:
        tg.start_soon(link.aclose)
        tg.start_soon(link.aclose)
    await link.aclose()
    assert link.is_closed
    assert not link.is_connected
    assert link.connected_url is None
    with pytest.raises(mm.TransportError):
        await link.publish("a.b", b"x", msg_id="1")


async def test_core_publish_is_deduplicated_by_message_id(link: NatsLink, names: RelayNames) -> None:
    subject = names.account(1)
    for _ in range(3):
        await link.publish(subject, b'{"n":1}', msg_id="m:1")
    await link.publish(subject, b'{"n":2}', msg_id="m:2")
    await link.flush()
    await eventually(lambda: _equals(stored(link, names.account_stream), 2))
    assert await stored(link, names.account_stream) == 2


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def test_acked_publish_says_whether_the_stream_stored_it(link: NatsLink, names: RelayNames) -> None:
    subject = names.datapush("ORDER_OPEN")
    assert await link.publish_acked(subject, b"{}", msg_id="d:1") is True
    assert await link.publish_acked(subject, b"{}", msg_id="d:1") is False
    assert await link.publish_acked(subject, b"{}", msg_id="d:2") is True
    assert await stored(link, names.datapush_stream) == 2


async def test_acked_publish_without_a_stream_gives_up_after_its_timeout(link: NatsLink) -> None:
    began = time.monotonic()
    with pytest.raises(mm.TransportError, match=r"nowhere\.at\.all"):
        await link.publish_acked("nowhere.at.all", b"{}", msg_id="1", timeout=0.3)
    assert time.monotonic() - began < 3


# ---------------------------------------------------------------- streams and the symbol table


async def test_ensure_streams_creates_then_updates_the_limits(link: NatsLink, names: RelayNames) -> None:
    market = (await link.js.stream_info(names.market_stream)).config
    assert market.max_msgs_per_subject == 1
    assert market.subjects == names.market_subjects()
    kept = Retention(kept_max_age_s=7200, kept_max_bytes=None, kept_duplicate_window_s=30)
    await ensure_streams(link, names, kept)
    for stream in (names.account_stream, names.datapush_stream):
        config = (await link.js.stream_info(stream)).config
        assert config.max_age == 7200
        assert config.duplicate_window == 30
        assert config.max_bytes == -1
    await ensure_streams(link, names, kept)  # the same again: nothing to change


async def test_a_change_jetstream_cannot_make_is_a_configuration_error(
    link: NatsLink, names: RelayNames
) -> None:
    with pytest.raises(mm.ConfigurationError, match=names.market_stream):
        await ensure_streams(link, names, Retention(market_storage="file"))


async def test_products_are_written_and_read_back(link: NatsLink, names: RelayNames) -> None:
    assert await load_products(link, names) == []
    assert await load_products(link, RelayNames(1, "nobody" + names.prefix)) == []
    products = [
        RelayedProduct("EURUSD", 11, 1, 0, 5, frozenset({"tick", "book"})),
        RelayedProduct("XAUUSD", 12, 2, 1, None, frozenset({"tick"})),
    ]
    await put_products(link, names, products)
    assert await load_products(link, names) == products


# ---------------------------------------------------------------- the latest-per-subject reader


async def test_a_late_reader_gets_the_latest_message_of_each_subject_first(
    link: NatsLink, names: RelayNames
) -> None:
    a, b = names.market("tick", 1, 1), names.market("tick", 2, 1)
    for subject, n in ((a, 1), (a, 2), (b, 1), (a, 3)):
        await link.publish(subject, f"{subject}#{n}".encode(), msg_id=f"{subject}:{n}")
    await link.flush()
    await eventually(lambda: _equals(stored(link, names.market_stream), 2))
    reader = await LatestReader.open(link, stream=names.market_stream, subjects=names.market_subjects())
    got: list[tuple[str, bytes]] = []
    with anyio.fail_after(5):
        while len(got) < 2:
            got += await reader.next_batch()
    assert got == [(b, f"{b}#1".encode()), (a, f"{a}#3".encode())]
    await link.publish(b, b"live", msg_id="live")
    with anyio.fail_after(5):
        assert await reader.next_batch() == [(b, b"live")]
    await reader.aclose()
    await reader.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await reader.next_batch()


async def test_next_batch_coalesces_to_the_latest_per_subject(link: NatsLink, names: RelayNames) -> None:
    a, b = names.market("book", 1, 1), names.market("book", 2, 1)
    reader = await LatestReader.open(link, stream=names.market_stream, subjects=[f"{names.root}.book.>"])
    for n in range(1, 6):
        await link.publish(a, f"a{n}".encode(), msg_id=f"a{n}")
    await link.publish(b, b"b1", msg_id="b1")
    await link.publish(a, b"a6", msg_id="a6")
    await link.flush()
    await eventually(lambda: reader._latest.get(a) == b"a6")  # everything has reached the reader
    with anyio.fail_after(5):
        assert await reader.next_batch() == [(b, b"b1"), (a, b"a6")]
    await reader.aclose()


async def test_next_batch_counts_what_it_coalesced(link: NatsLink, names: RelayNames) -> None:
    subject = names.market("book", 1, 1)
    reader = await LatestReader.open(link, stream=names.market_stream, subjects=[subject])
    for n in range(1, 5):  # each one reaches the reader before the next is published
        await link.publish(subject, f"a{n}".encode(), msg_id=f"a{n}")
        await eventually(lambda n=n: reader._latest.get(subject) == f"a{n}".encode())  # type: ignore[misc]
    assert reader.replaced == 3  # a1..a3 never left the reader: counted, so a feed's stats can say so
    with anyio.fail_after(5):
        assert await reader.next_batch() == [(subject, b"a4")]
    await link.publish(subject, b"a4", msg_id="a4")  # a repeat of the id held is not a replacement
    await link.publish(subject, b"a5", msg_id="a5")
    with anyio.fail_after(5):
        assert await reader.next_batch() == [(subject, b"a5")]
    assert reader.replaced == 3
    await reader.aclose()


async def test_a_reader_of_a_missing_stream_is_a_stream_error(link: NatsLink) -> None:
    with pytest.raises(mm.StreamError):
        await LatestReader.open(link, stream="NO_SUCH_STREAM", subjects=["x.>"])
    with pytest.raises(mm.InvalidArgumentError):
        await LatestReader.open(link, stream="NO_SUCH_STREAM", subjects=[])


async def test_closing_the_link_ends_a_waiting_reader_with_a_transport_error(
    nats_server: NatsServer, names: RelayNames
) -> None:
    link = await NatsLink.open(nats_server.url)
    await ensure_streams(link, names, Retention())
    latest = await LatestReader.open(link, stream=names.market_stream, subjects=names.market_subjects())
    shared = await SharedReader.open(
        link, stream=names.account_stream, subjects=[f"{names.root}.account.*"], group=None,
        durable=False, deliver="all", ack_wait_s=30, max_deliver=None,
    )  # fmt: skip
    errors: list[BaseException] = []

    async def wait(call: Callable[[], Awaitable[object]]) -> None:
        try:
            await call()
        except mm.TransportError as exc:
            errors.append(exc)

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(wait, latest.next_batch)
            tg.start_soon(wait, shared.next)
            await eventually(lambda: bool(shared._waiters))  # waiting: nothing was published
            await link.aclose()
    assert len(errors) == 2


# ---------------------------------------------------------------- the shared reader


async def shared(link: NatsLink, names: RelayNames, **options: object) -> SharedReader:
    settings: dict[str, object] = {
        "group": None, "durable": False, "deliver": "all", "ack_wait_s": 30.0, "max_deliver": None
    }  # fmt: skip
    settings.update(options)
    settings.setdefault("subjects", names.datapush_filter(None))
    return await SharedReader.open(link, stream=names.datapush_stream, **settings)  # type: ignore[arg-type]


async def publish_kept(link: NatsLink, names: RelayNames, count: int) -> list[bytes]:
    payloads = [f"event-{n}".encode() for n in range(count)]
    for payload in payloads:
        await link.publish_acked(names.datapush("EVENT"), payload, msg_id=payload.decode())
    return payloads


async def test_a_group_splits_the_messages_between_its_readers(link: NatsLink, names: RelayNames) -> None:
    sent = await publish_kept(link, names, 6)
    one = await shared(link, names, group="workers")
    two = await shared(link, names, group="workers")
    got: list[bytes] = []
    with anyio.fail_after(10):
        for _ in range(3):
            first, second = await one.next(), await two.next()  # neither acked yet: never the same one
            got += [first.payload, second.payload]
            await first.ack()
            await second.ack()
    assert sorted(got) == sorted(sent)
    assert one.consumer == two.consumer == "workers"
    await one.aclose()
    await two.aclose()


async def test_ack_nak_and_term(link: NatsLink, names: RelayNames) -> None:
    await publish_kept(link, names, 1)
    reader = await shared(link, names)
    with anyio.fail_after(10):
        first = await reader.next()
        assert (first.payload, first.delivered) == (b"event-0", 1)
        await first.nak()
        again = await reader.next()
        assert (again.payload, again.delivered) == (b"event-0", 2)
        await again.term()
        with pytest.raises(RuntimeError, match="already settled"):
            await again.ack()
        await link.publish_acked(names.datapush("EVENT"), b"next", msg_id="next")
        after = await reader.next()
        assert (after.payload, after.delivered) == (b"next", 1)  # the terminated one never came back
        await after.ack()
    consumer = reader.consumer
    await reader.aclose()
    with pytest.raises(nats.js.errors.NotFoundError):  # a reader's own consumer goes with it
        await link.js.consumer_info(names.datapush_stream, consumer)


async def test_an_unacked_message_comes_back_after_ack_wait(link: NatsLink, names: RelayNames) -> None:
    await publish_kept(link, names, 1)
    reader = await shared(link, names, ack_wait_s=0.5)
    with anyio.fail_after(10):
        first = await reader.next()
        again = await reader.next()
    assert (again.payload, again.delivered) == (first.payload, 2)
    await again.ack()
    await reader.aclose()


async def test_a_durable_group_keeps_its_position_across_close_and_reopen(
    link: NatsLink, names: RelayNames
) -> None:
    await publish_kept(link, names, 3)
    reader = await shared(link, names, group="book keepers", durable=True)
    with anyio.fail_after(10):
        for _ in range(2):
            await (await reader.next()).ack()
    await reader.aclose()
    assert (await link.js.consumer_info(names.datapush_stream, "book_keepers")).config.durable_name
    reopened = await shared(link, names, group="book keepers", durable=True)
    with anyio.fail_after(10):
        assert (await reopened.next()).payload == b"event-2"
    await reopened.aclose()


async def test_a_group_is_one_consumer_with_one_filter(link: NatsLink, names: RelayNames) -> None:
    deposits, withdrawals = names.datapush("deposit"), names.datapush("withdrawal")
    one = await shared(link, names, group="pool", subjects=[deposits])
    with pytest.raises(mm.InvalidArgumentError, match=r"group 'pool' .*reads .*datapush\.deposit"):
        await shared(link, names, group="pool", subjects=[withdrawals, deposits])
    same = await shared(link, names, group="pool", subjects=[deposits], ack_wait_s=60)  # the same filter
    await link.publish_acked(withdrawals, b"w", msg_id="w")
    await link.publish_acked(deposits, b"d", msg_id="d")
    with anyio.fail_after(10):
        got = await one.next()  # the refused reader did not widen the group's filter
    assert (got.subject, got.payload) == (deposits, b"d")
    await got.ack()
    await one.aclose()
    await same.aclose()


async def test_bad_reader_arguments_are_refused(link: NatsLink, names: RelayNames) -> None:
    for options in ({"deliver": "some"}, {"ack_wait_s": 0}, {"max_deliver": 0}, {"group": ""}):
        with pytest.raises(mm.InvalidArgumentError):
            await shared(link, names, **options)


# ---------------------------------------------------------------- a server restart


async def test_the_link_and_a_latest_reader_survive_a_server_restart(
    tmp_path: Path, names: RelayNames
) -> None:
    with NatsServer(directory=tmp_path) as server:
        async with await NatsLink.open(server.url) as link:
            await ensure_streams(link, names, Retention())
            reader = await LatestReader.open(
                link, stream=names.market_stream, subjects=names.market_subjects()
            )
            subject = names.market("tick", 1, 1)
            await link.publish(subject, b"before", msg_id="1")
            with anyio.fail_after(5):
                assert await reader.next_batch() == [(subject, b"before")]
            server.restart()
            await eventually(lambda: link.reconnects == 1 and link.is_connected)
            await ensure_streams(link, names, Retention())  # a memory stream does not survive a restart
            assert await link.publish_acked(names.datapush("X"), b"{}", msg_id="after") is True
            await link.publish(subject, b"after", msg_id="2")
            with anyio.fail_after(10):
                assert await reader.next_batch() == [(subject, b"after")]


# ---------------------------------------------------------------- no task of nats-py's left behind

_LEFTOVER_SCRIPT = """
import asyncio, gc, sys
from multimarkets_async.relay._nats import LatestReader, NatsLink, SharedReader, ensure_streams
from multimarkets_async.relay._nats import _link
from multimarkets_async.relay._settings import Retention
from multimarkets_async.relay._subjects import RelayNames

url, prefix = sys.argv[1:]

async def nothing(*args):
    pass

async def main(company):
    names = RelayNames(company, prefix)
    link = await NatsLink.open(url)
    await ensure_streams(link, names, Retention())
    latest = await LatestReader.open(link, stream=names.market_stream, subjects=names.market_subjects())
    await SharedReader.open(
        link, stream=names.account_stream, subjects=names.account_filter(None), group=None,
        durable=False, deliver="all", ack_wait_s=30, max_deliver=None,
    )
    await link.publish(names.market("tick", 1, 1), b"x", msg_id="1")
    await latest.next_batch()
    await link.aclose()

for company, mode in enumerate(["as is", "readers not detached", "no cleanup"]):
    if mode == "readers not detached":  # they leave their subscriptions to the link's close
        LatestReader._detach = SharedReader._detach = nothing
    if mode == "no cleanup":  # and the link finds nothing, as if nats-py renamed its attributes
        _link.client_tasks = lambda nc: []
    print(f"== {mode}", file=sys.stderr, flush=True)
    loop = asyncio.new_event_loop()  # closed at once, leftovers not cancelled (as an application may)
    loop.run_until_complete(main(company))
    loop.close()
    gc.collect()
"""


def test_closing_leaves_no_pending_task_of_nats_py(
    nats_server: NatsServer, relay_prefix: str, tmp_path: Path
) -> None:
    # nats-py 2.16's close() never cancels a JetStream subscription's heartbeat and flow-control
    # tasks; a loop closed right after would report them ("Task was destroyed but it is pending").
    script = tmp_path / "leftovers.py"
    script.write_text(_LEFTOVER_SCRIPT)
    command = [sys.executable, "-X", "dev", "-W", "error", str(script), nats_server.url, relay_prefix]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    reports = dict(part.partition("\n")[::2] for part in done.stderr.split("== ")[1:])
    assert list(reports) == ["as is", "readers not detached", "no cleanup"], done.stderr
    for mode, text in reports.items():
        leaked = "Task was destroyed but it is pending" in text
        assert leaked is (mode == "no cleanup"), done.stderr  # the check does catch a leak


def test_task_lookup_degrades_to_no_cleanup_when_nats_py_renames_its_attributes() -> None:
    renamed = SimpleNamespace(_subs=[SimpleNamespace(_sub=None)], _reading_task="a task, renamed")
    assert client_tasks(renamed) == []
    assert client_tasks(object()) == []
    assert subscription_tasks(SimpleNamespace(_sub=SimpleNamespace(_jsi=SimpleNamespace(_hbtask=1)))) == []
    assert subscription_tasks(None) == []


def test_no_room_for_a_stream_names_the_byte_limit_to_lower() -> None:
    refused = nats.js.errors.ServerError(
        code=500, err_code=10047, description="insufficient storage resources available"
    )
    error = map_nats_error(refused, "create stream X")
    assert isinstance(error, mm.StreamError)
    assert error.hint is not None
    assert "kept_max_bytes" in error.hint
    assert "--kept-max-bytes" in str(error)
