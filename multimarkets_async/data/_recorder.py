"""The ``Recorder``: market events and account pushes written to rotated Parquet files in a directory.

Each file holds one kind of event (``_record_schema``: ticks, depth, trades, messages) received within
one UTC hour, and at most about ``max_bytes``: a file is finished when an event of the next hour
arrives, or when a row group written to it takes it past ``max_bytes`` (so a file may pass the limit by
one row group). Files are named ``{kind}-{YYYYMMDD}T{HH}Z-{part:03d}.parquet``; a file being written
carries the suffix ``.part`` and is renamed when finished, so a reader never sees half a file.

Rows are buffered and written as one row group at ``flush()`` or every ``batch_rows`` rows of a kind
(a ``flush()`` also finishes the files of an hour the clock has left); ``close()`` writes what is
buffered and finishes every file. Nothing added before ``close()`` is lost,
which is what the ``record`` command relies on when Ctrl-C interrupts it. pyarrow (the ``data`` extra)
is imported when the first row group is written.

``record()`` streams a client's tickers, depth and trades (and account pushes) into a ``Recorder``
until it is cancelled (Ctrl-C in the ``record`` command), every event (a market subscription keeps
only the latest tick or book per product for a slow reader; a recording queues them all); a
cancelled ``record()`` first takes every event the client's subscriptions already hold, so its
caller's ``close()`` puts on disk everything the client received.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Final, TypeVar

import anyio

from ..errors import InvalidArgumentError, MultiMarketsError
from ..models.push import PongEvent, SubscribeAck
from ._record_schema import FILE_KINDS, FileKind, RecordedEvent, event_kind, event_row, schema_of

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .._client import MultiMarkets
    from .._streams.subscription import Subscription
    from ..resources._lookup import SymbolLike

__all__ = ["DEFAULT_MAX_BYTES", "Recorder", "RecorderStats", "record"]

E = TypeVar("E", bound=RecordedEvent)

DEFAULT_MAX_BYTES: Final = 64 * 1024 * 1024
"""A file is finished once it holds 64 MiB (checked after each row group)."""
_HOUR_MS: Final = 3_600_000


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(slots=True)
class RecorderStats:
    """What a ``Recorder`` has taken and written.

    Attributes:
        events: events added, per file kind.
        files: finished files, in the order they were finished.
    """

    events: dict[FileKind, int] = field(default_factory=lambda: dict.fromkeys(FILE_KINDS, 0))
    files: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """``"12 ticks, 12 depth, 11 trades, 0 messages"``."""
        return ", ".join(f"{count} {kind}" for kind, count in self.events.items())


class _OpenFile:
    """One ``.part`` file being written: its writer, the hour it holds and its part number."""

    def __init__(self, directory: Path, kind: FileKind, hour_ms: int, part: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        stamp = datetime.fromtimestamp(hour_ms / 1000, UTC).strftime("%Y%m%dT%HZ")
        self.final = directory / f"{kind}-{stamp}-{part:03d}.parquet"
        self.temporary = self.final.with_name(self.final.name + ".part")
        self.hour_ms = hour_ms
        self._sink = pa.OSFile(str(self.temporary), "wb")
        self._writer: pq.ParquetWriter = pq.ParquetWriter(self._sink, schema_of(kind), compression="zstd")

    def write(self, table: pa.Table) -> int:
        """Write ``table`` as one row group; return the file's size so far."""
        self._writer.write_table(table)
        return int(self._sink.tell())

    def finish(self) -> Path:
        """Write the footer, close the file and give it its final name."""
        self._writer.close()
        self._sink.close()
        os.replace(self.temporary, self.final)
        return self.final


class Recorder:
    """Writes events to Parquet files in ``directory``, rotated hourly and by size.

    Use it as a context manager (or call ``close()``): files are only complete once closed.

    Args:
        directory: where the files go; created when missing.
        max_bytes: finish a file and start the next part once it holds this many bytes.
        batch_rows: rows of one kind buffered before they are written as a row group.
        clock_ms: the receive-time clock in epoch milliseconds (wall time by default).

    Example:
        >>> with Recorder("market-data") as recorder:
        ...     async for tick in ticks:
        ...         recorder.add(tick)

    Raises:
        InvalidArgumentError: ``directory`` is a file, or ``max_bytes``/``batch_rows`` is not positive.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        batch_rows: int = 1000,
        clock_ms: Callable[[], int] | None = None,
    ) -> None:
        if max_bytes <= 0 or batch_rows <= 0:
            raise InvalidArgumentError(
                f"max_bytes and batch_rows must be positive (got {max_bytes}, {batch_rows})"
            )
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise InvalidArgumentError(
                f"{self.directory} is a file: give the recorder a directory to write into"
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.batch_rows = batch_rows
        self.stats = RecorderStats()
        self._clock = clock_ms or _wall_clock_ms
        self._rows: dict[FileKind, list[dict[str, object]]] = {kind: [] for kind in FILE_KINDS}
        self._hour: dict[FileKind, int] = {}
        self._open: dict[FileKind, _OpenFile] = {}
        self._parts: dict[tuple[FileKind, int], int] = {}
        self._closed = False

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def files(self) -> list[Path]:
        """The finished files, in the order they were finished."""
        return list(self.stats.files)

    def add(self, event: RecordedEvent, *, received_ms: int | None = None) -> None:
        """Buffer one event, stamped with ``received_ms`` (the clock's time when ``None``).

        Raises:
            TypeError: not an event a recorder takes.
            RuntimeError: the recorder is closed.
        """
        if self._closed:
            raise RuntimeError("the Recorder is closed; create a new one to record more")
        kind = event_kind(event)
        stamp = self._clock() if received_ms is None else received_ms
        hour = stamp - stamp % _HOUR_MS
        if self._hour.get(kind, hour) != hour:
            # Another hour: what is buffered belongs to the old hour's file, which is then done.
            self._write(kind)
            self._finish(kind)
        self._hour[kind] = hour
        rows = self._rows[kind]
        rows.append(event_row(event, stamp))
        self.stats.events[kind] += 1
        if len(rows) >= self.batch_rows:
            self._write(kind)

    def flush(self) -> None:
        """Write every buffered row (one row group per kind), and finish the files of an hour the clock
        has left (the others stay ``.part`` until their hour ends, they fill up, or ``close()``)."""
        now = self._clock()
        hour = now - now % _HOUR_MS
        for kind in FILE_KINDS:
            self._write(kind)
            current = self._open.get(kind)
            if current is not None and current.hour_ms < hour:
                self._finish(kind)

    def close(self) -> None:
        """Write what is buffered and finish every file; safe to call twice."""
        if self._closed:
            return
        try:
            self.flush()
        finally:
            self._closed = True
            for kind in list(self._open):
                self._finish(kind)

    # ------------------------------------------------------------------ private

    def _write(self, kind: FileKind) -> None:
        rows = self._rows[kind]
        if not rows:
            return
        import pyarrow as pa

        table = pa.Table.from_pylist(rows, schema=schema_of(kind))
        self._rows[kind] = []
        current = self._open.get(kind)
        if current is None:
            hour = self._hour[kind]
            part = self._parts.get((kind, hour), 0)
            self._parts[(kind, hour)] = part + 1
            current = self._open[kind] = _OpenFile(self.directory, kind, hour, part)
        if current.write(table) >= self.max_bytes:
            self._finish(kind)

    def _finish(self, kind: FileKind) -> None:
        current = self._open.pop(kind, None)
        if current is not None:
            self.stats.files.append(current.finish())


# ---------------------------------------------------------------------------- streaming


async def record(
    client: MultiMarkets,
    symbols: Sequence[SymbolLike],
    recorder: Recorder,
    *,
    depth: bool = True,
    messages: bool = False,
    trade_type: int | None = None,
    depth_level: int = 10,
    message_trade_types: Sequence[int] = (1, 2),
    flush_interval_s: float = 1.0,
    on_flush: Callable[[RecorderStats], None] | None = None,
) -> None:
    """Record ``symbols``' tickers (and, with ``depth``, their order books and trades; with
    ``messages``, the account's pushes) into ``recorder`` until cancelled.

    Args:
        client: an entered client; ``messages`` needs an API key or a login.
        symbols: product names, ``SymbolKey`` values or ``Symbol`` rows.
        recorder: where the events go; the caller closes it (after this returns or is cancelled).
        depth: also subscribe to the order book (14010: ``DepthBook`` and ``Trade`` events).
        messages: also record the account's message pushes (``TradeEvent``, ``NoticeEvent``,
            ``AccountUpdate`` ...; heartbeats and acknowledgements are left out).
        trade_type: chooses among products listed under several tradeTypes, for names.
        depth_level: book levels per side.
        message_trade_types: the account families whose pushes are recorded.
        flush_interval_s: write the buffered rows this often (then ``on_flush`` is called).
        on_flush: called with the recorder's counters after each periodic flush.

    Raises:
        MultiMarketsError: a subscription failed (an unknown symbol, no credentials for ``messages``).
    """
    try:
        async with anyio.create_task_group() as tg:
            tickers = client.quotes.tickers(symbols, trade_type=trade_type, maxsize=_RECORD_BUFFER)
            tg.start_soon(_pump, _every_event(tickers), recorder)
            if depth:
                market = client.quotes.market(
                    symbols, trade_type=trade_type, depth_level=depth_level, maxsize=_RECORD_BUFFER
                )
                tg.start_soon(_pump, _every_event(market), recorder)
            if messages:
                tg.start_soon(_pump, client.messages.subscribe(trade_types=message_trade_types), recorder)
            tg.start_soon(_flush_every, recorder, flush_interval_s, on_flush)
    except BaseExceptionGroup as group:
        # One SDK error for the caller, never a group: the first failure (the others share its cause).
        first = _first_error(group)
        if first is None:
            raise
        raise first from None


_RECORD_BUFFER: Final = 100_000
"""Market events a recording holds for the writer before it drops the oldest (counted)."""


def _every_event(subscription: Subscription[E]) -> Subscription[E]:
    """``subscription`` with every event queued: market subscriptions keep only the latest tick or
    book per product for a slow reader, which would leave events out of a recording (a burst that
    arrives while a row group is written). Dropped only ``_RECORD_BUFFER`` events behind, counted."""
    return subscription.keep_every_event()


def _first_error(group: BaseExceptionGroup[BaseException]) -> Exception | None:
    for exc in group.exceptions:
        found = _first_error(exc) if isinstance(exc, BaseExceptionGroup) else exc
        if isinstance(found, Exception):
            return found
    return None


async def _pump(subscription: AbstractAsyncContextManager[Subscription[E]], recorder: Recorder) -> None:
    async with subscription as events:
        try:
            async for event in events:
                if not isinstance(event, PongEvent | SubscribeAck):
                    recorder.add(event)
        finally:
            # Cancelled (Ctrl-C) or failed: keep what the subscription already received.
            with contextlib.suppress(MultiMarketsError, RuntimeError):
                while (held := events.get_nowait()) is not None:
                    if not isinstance(held, PongEvent | SubscribeAck):
                        recorder.add(held)


async def _flush_every(
    recorder: Recorder, interval_s: float, on_flush: Callable[[RecorderStats], None] | None
) -> None:
    while True:
        await anyio.sleep(interval_s)
        recorder.flush()
        if on_flush is not None:
            on_flush(recorder.stats)
