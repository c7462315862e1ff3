"""Replaying a recorded market: ``Simulator(replay=DIR)`` plays a directory of ``multimarkets record``
into the simulator's quote socket and prices.

**The recording.** ``load_recording(DIR)`` reads every finished ``ticks-*``, ``depth-*`` and
``trades-*`` Parquet file of the directory (the format is ``multimarkets_async.data._record_schema``;
files still ending in ``.part`` and the ``messages`` files, the recorder's own account, are left out)
into ``ReplayEvent``s sorted by receive time; events received in the same millisecond keep the order
they were recorded in (ticks, then books, then trades). It needs pyarrow (the ``data`` extra).

**The replay.** Each event is applied in that order: a tick puts its product at the recorded bid, ask
and last price (``Market.set_quote``; market orders then fill there, stops and pending orders fire on
it) and is pushed as ``p(``; a book becomes the product's book and is pushed as ``pd(`` (and sets the
price when the recording has no ticks of that product); a trade joins the tape and is pushed as
``pt(`` (``_sockets.quote_replay``). Products the simulator does not list, matched by name and then
by id, are skipped and counted.

**The pace** (``SimulatorConfig.replay_speed``): a positive factor replays at the recorded pace
divided by it (1.0 is real time, 10 ten times faster); ``None`` or 0 replays as fast as the
subscribers read: the next event goes out once every subscribed quote connection has handed the
previous frames to the network, so a client that stops reading holds the replay up. The clock starts
when the first client subscribes to tickers or a book. ``pause()``, ``step()`` and ``resume()`` drive
it by hand in tests.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import anyio
import anyio.lowlevel

from .._logging import SIMULATOR_LOGGER
from ._sockets.message import publish_pnl
from ._sockets.quote_replay import (
    push_replayed_depth,
    push_replayed_tick,
    push_replayed_trade,
    quote_backlog,
)
from ._thread import LoopBinding, on_loop, on_loop_async

if TYPE_CHECKING:
    from .._tasks import TaskHost
    from ._config import SimulatorConfig
    from ._exchange.market import SimSymbol
    from ._sockets.state_view import SocketState

__all__ = ["Replay", "ReplayEvent", "ReplayHost", "ReplayKind", "load_recording", "open_replay"]

logger = logging.getLogger(SIMULATOR_LOGGER)

ReplayKind = Literal["ticks", "depth", "trades"]
_KINDS: Final[tuple[ReplayKind, ...]] = ("ticks", "depth", "trades")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MS: Final = timedelta(milliseconds=1)


@dataclass(frozen=True, slots=True)
class ReplayEvent:
    """One recorded market event.

    Attributes:
        kind: ``"ticks"``, ``"depth"`` or ``"trades"``: the file it came from.
        received_ms: when the recorder received it (epoch ms); the replay's clock.
        symbol: the product's name when it was recorded, else ``None``.
        symbol_id: the product id it was recorded under.
        row: the whole row, as the recorder wrote it (decimal strings for prices).
    """

    kind: ReplayKind
    received_ms: int
    symbol: str | None
    symbol_id: int
    row: Mapping[str, Any]


def load_recording(directory: str | os.PathLike[str]) -> list[ReplayEvent]:
    """Every recorded market event of ``directory``, oldest first.

    Raises:
        ValueError: the directory does not exist or holds no finished ticks/depth/trades file.
        ImportError: pyarrow is not installed.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ValueError(f"replay directory {folder} does not exist: record one with 'multimarkets record'")
    files = [(kind, path) for kind in _KINDS for path in sorted(folder.glob(f"{kind}-*.parquet"))]
    if not files:
        raise ValueError(
            f"replay directory {folder} holds no ticks-*.parquet, depth-*.parquet or trades-*.parquet "
            "file: record one with 'multimarkets record SYMBOL -o DIR'"
        )
    import pyarrow.parquet as pq

    events: list[tuple[int, int, int, ReplayEvent]] = []
    for kind, path in files:
        for row in pq.read_table(path).to_pylist():
            received_ms = (row["received_at"] - _EPOCH) // _MS
            event = ReplayEvent(kind, received_ms, row.get("symbol"), int(row["symbol_id"]), row)
            events.append((received_ms, _KINDS.index(kind), len(events), event))
    events.sort(key=lambda item: item[:3])
    return [item[3] for item in events]


_SIDES = {"UNKNOWN": 0, "BUY": 1, "SELL": 2}


class Replay:
    """The replay of a recorded directory (``sim.replay``): its position and its controls.

    Args:
        events: the recording (``load_recording``).
        state: the simulator's state.
        binding: the simulator's loop, for controls called from another thread.
        speed: the pace factor; ``None`` or 0 for as fast as the subscribers read.
        after_prices: called after each price move, once stops and pending orders fired and the P&L
            went out (the simulator's partner-side fills).
    """

    def __init__(
        self,
        events: list[ReplayEvent],
        state: SocketState,
        binding: LoopBinding,
        *,
        speed: float | None,
        after_prices: Callable[[], None],
    ) -> None:
        self._events = events
        self._state = state
        self._binding_ = binding
        self._speed = speed or None
        self._after_prices = after_prices
        self._position = 0
        self._paused = False
        self._changed: anyio.Event | None = None
        self._symbols = [self._resolve(event) for event in events]
        self._ticked = {
            s.symbol_id for s, e in zip(self._symbols, events, strict=True) if s and e.kind == "ticks"
        }
        self.skipped = sum(1 for s in self._symbols if s is None)
        """Events of products the simulator does not list (never replayed)."""

    def __repr__(self) -> str:
        return f"Replay({self._position}/{len(self._events)}, speed={self._speed}, paused={self._paused})"

    @property
    def _binding(self) -> LoopBinding:
        return self._binding_

    @property
    def events(self) -> list[ReplayEvent]:
        """The whole recording, in replay order."""
        return list(self._events)

    @property
    def position(self) -> int:
        """How many events were replayed (skipped ones included)."""
        return self._position

    @property
    def done(self) -> bool:
        """Whether every event was replayed."""
        return self._position >= len(self._events)

    @property
    def paused(self) -> bool:
        """Whether the replay is held by ``pause()``."""
        return self._paused

    @on_loop
    def pause(self) -> None:
        """Hold the replay after the current event (also before it started); the recorded clock stops."""
        self._paused = True
        self._notify()

    @on_loop
    def resume(self) -> None:
        """Go on at the configured pace from where the replay stands."""
        self._paused = False
        self._notify()

    @on_loop
    def step(self, count: int = 1) -> list[ReplayEvent]:
        """Replay the next ``count`` events now, whatever the pace; returns them.

        Raises:
            RuntimeError: the replay is not paused (``pause()`` it first, so the two do not race).
        """
        if not self._paused:
            raise RuntimeError("pause() the replay before stepping it by hand")
        stepped = []
        for _ in range(count):
            if self.done:
                break
            stepped.append(self._apply_next())
        self._notify()
        return stepped

    @on_loop_async
    async def wait_done(self) -> None:
        """Wait until every event was replayed."""
        while not self.done:
            await self._wait_change()

    async def run(self) -> None:
        """The replay task (the simulator starts it): wait for a subscriber, then replay at the pace."""
        sockets = self._state.sockets
        await sockets.wait_for(lambda: any(s.tickers or s.market for s in sockets.quote), timeout=math.inf)
        origin_clock = anyio.current_time()
        origin_ms = self._events[0].received_ms if self._events else 0
        while not self.done:
            if self._paused:
                held = anyio.current_time()
                while self._paused:
                    await self._wait_change()
                origin_clock += anyio.current_time() - held
                continue
            event = self._events[self._position]
            if self._speed is not None:
                delay = (
                    origin_clock + (event.received_ms - origin_ms) / 1000 / self._speed - anyio.current_time()
                )
                if delay > 0:
                    with anyio.move_on_after(delay):
                        await self._wait_change()
                    continue
            else:
                await anyio.lowlevel.checkpoint()  # one per event, whatever the subscribers do
                if quote_backlog(self._state):
                    await sockets.wait_for(
                        lambda: self._paused or not quote_backlog(self._state), timeout=math.inf
                    )
                    continue
            self._apply_next()
            self._notify()
        logger.info("replay finished: %d events, %d skipped", len(self._events), self.skipped)

    # ------------------------------------------------------------------ private

    def _notify(self) -> None:
        event, self._changed = self._changed, None
        if event is not None:
            event.set()

    async def _wait_change(self) -> None:
        if self._changed is None:
            self._changed = anyio.Event()
        await self._changed.wait()

    def _resolve(self, event: ReplayEvent) -> SimSymbol | None:
        market = self._state.exchange.market
        if event.symbol:
            for symbol in market.symbols:
                if event.symbol in (symbol.code, symbol.name):
                    return symbol
        return market.get(event.symbol_id)

    def _apply_next(self) -> ReplayEvent:
        index = self._position
        event, symbol = self._events[index], self._symbols[index]
        self._position += 1
        if symbol is not None:
            self._apply(event, symbol)
        return event

    def _apply(self, event: ReplayEvent, symbol: SimSymbol) -> None:
        state, row = self._state, event.row
        market, feed = state.exchange.market, state.quote_feed
        if event.kind == "ticks":
            bid, ask = Decimal(row["bid"]), Decimal(row["ask"])
            market.set_quote(
                symbol.symbol_id,
                bid,
                ask,
                price=Decimal(row["price"]),
                seq=row["seq"],
                time_ms=row["time_ms"],
            )
            if not feed.has_recorded_book(symbol.symbol_id):
                feed.set_book(
                    symbol.symbol_id, [(bid, Decimal(row["bid_volume"]))], [(ask, Decimal(row["ask_volume"]))]
                )
            push_replayed_tick(state, symbol, row)
            self._moved()
        elif event.kind == "depth":
            bids = [(Decimal(level["price"]), Decimal(level["volume"])) for level in row["bids"] or []]
            asks = [(Decimal(level["price"]), Decimal(level["volume"])) for level in row["asks"] or []]
            feed.set_book(symbol.symbol_id, bids, asks, recorded=True)
            moves_price = symbol.symbol_id not in self._ticked and bids and asks
            if moves_price:
                best_bid, best_ask = bids[0][0], asks[0][0]
                mid = (best_bid + best_ask) / 2
                market.set_quote(
                    symbol.symbol_id, best_bid, best_ask, price=mid, seq=row["seq"], time_ms=row["time_ms"]
                )
            push_replayed_depth(state, symbol, row)
            if moves_price:
                self._moved()
        else:
            side = _SIDES.get(str(row["direction"]), 0)
            feed.record_trade(symbol, Decimal(row["price"]), Decimal(row["volume"]), side, row["time_ms"])
            push_replayed_trade(state, symbol, row)

    def _moved(self) -> None:
        self._state.exchange.after_prices(self._state.now_ms())
        publish_pnl(self._state)
        self._after_prices()


def open_replay(
    config: SimulatorConfig, state: SocketState, after_prices: Callable[[], None]
) -> Replay | None:
    """The replay ``config.replay`` asks for (read now, so a bad directory fails at construction), or
    ``None``."""
    if config.replay is None:
        return None
    events = load_recording(config.replay)
    return Replay(events, state, state.sockets._binding, speed=config.replay_speed, after_prices=after_prices)


class ReplayHost:
    """The ``replay`` property and the replay task of a ``Simulator(replay=DIR)``."""

    _replay: Replay | None = None

    @property
    def replay(self) -> Replay:
        """The replay of ``Simulator(replay=DIR)``: ``position``, ``done``, ``pause()``, ``step()``,
        ``resume()``, ``await wait_done()``.

        Raises:
            RuntimeError: this simulator replays nothing.
        """
        if self._replay is None:
            raise RuntimeError("this simulator replays nothing: create it with Simulator(replay=DIRECTORY)")
        return self._replay

    def _start_replay(self, tasks: TaskHost) -> None:
        if self._replay is not None:
            tasks.start_soon(self._replay.run)
