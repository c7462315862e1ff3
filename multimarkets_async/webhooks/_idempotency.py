"""The replay store: what each adjustment and cancel was answered, so a replay gets the same answer.

``IdempotencyStore`` is the pluggable protocol (async ``get``/``claim``/``put``/``discard``);
``MemoryIdempotencyStore`` the bounded in-process default with a TTL. The in-memory store forgets on
restart and is not shared between worker processes, so production needs a persistent store (a table in
the integrator's wallet database, written in the same transaction as the balance change where possible).
Records are plain JSON-able values (``IdempotencyRecord.to_dict``/``from_dict``) for such stores.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

import anyio

__all__ = ["IdempotencyRecord", "IdempotencyStore", "MemoryIdempotencyStore", "RecordState", "ReplayGuard"]


class RecordState(StrEnum):
    """Where one request stands."""

    PENDING = "pending"
    """Claimed; the callback is running. Duplicates wait for the final state."""
    APPLIED = "applied"
    """The adjustment was applied (answered ``"0"``)."""
    REFUSED = "refused"
    """The adjustment was refused by the callback (answered its code); nothing changed."""
    FAILED = "failed"
    """The callback raised or timed out; nothing is known to have changed."""
    REVERSED = "reversed"
    """The adjustment had been applied and a cancel call reversed it."""
    ANSWERED = "answered"
    """A cancel call's final answer is stored (its own record)."""


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """One stored outcome. Keys are ``adjust:<requestUniqueNo>`` and ``cancel:<reverseRequestUniqueNo>``."""

    state: RecordState
    """Where the request stands."""
    answer: Mapping[str, object] = field(default_factory=dict)
    """The JSON answer given (replays get exactly this); empty while pending."""
    request: Mapping[str, object] = field(default_factory=dict)
    """The adjustment's wire body, handed to the cancel callback as the original."""

    @property
    def is_final(self) -> bool:
        """Whether the outcome is settled (not ``PENDING``)."""
        return self.state is not RecordState.PENDING

    def to_dict(self) -> dict[str, object]:
        """A JSON-able form for persistent stores."""
        return {"state": self.state.value, "answer": dict(self.answer), "request": dict(self.request)}

    @classmethod
    def from_dict(cls, value: Mapping[str, object]) -> IdempotencyRecord:
        """Rebuild a record from ``to_dict``'s output."""
        answer, request = value.get("answer") or {}, value.get("request") or {}
        if not isinstance(answer, Mapping) or not isinstance(request, Mapping):
            raise ValueError("answer and request must be JSON objects")
        return cls(state=RecordState(str(value["state"])), answer=dict(answer), request=dict(request))


@runtime_checkable
class IdempotencyStore(Protocol):
    """Where the handlers keep the outcome of every adjustment and cancel.

    ``claim`` must be atomic across every process answering the platform (e.g. an ``INSERT`` on a unique
    key): exactly one concurrent caller wins a key, and that caller alone runs the callback.
    """

    async def get(self, key: str) -> IdempotencyRecord | None:
        """Return the record under ``key``, or None."""
        ...

    async def claim(self, key: str, record: IdempotencyRecord) -> IdempotencyRecord | None:
        """Store ``record`` under ``key`` only if the key is free.

        Returns:
            None when this caller won the key; otherwise the record already there (unchanged).
        """
        ...

    async def put(self, key: str, record: IdempotencyRecord) -> None:
        """Store ``record`` under ``key``, replacing what is there."""
        ...

    async def discard(self, key: str) -> None:
        """Forget ``key`` (used to release a claim whose outcome must not be replayed)."""
        ...


class MemoryIdempotencyStore:
    """The default store: an in-process dict, bounded and with a TTL. Not for production use.

    It forgets everything on restart and is not shared between processes: with several workers, or after
    a restart, a replayed adjustment could be applied twice. Give ``WebhookHandlers`` a persistent store.

    Args:
        max_entries: records kept at most; the oldest final records go first when full.
        ttl_s: seconds a record lives after it was last written.
        clock: monotonic seconds (for tests).
    """

    def __init__(
        self,
        *,
        max_entries: int = 100_000,
        ttl_s: float = 7 * 24 * 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1 or ttl_s <= 0:
            raise ValueError("max_entries must be >= 1 and ttl_s > 0")
        self._max = max_entries
        self._ttl = ttl_s
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, IdempotencyRecord]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"MemoryIdempotencyStore(entries={len(self._items)}, max_entries={self._max})"

    def _live(self, key: str) -> IdempotencyRecord | None:
        item = self._items.get(key)
        if item is None:
            return None
        expires, record = item
        if expires <= self._clock():
            del self._items[key]
            return None
        return record

    def _store(self, key: str, record: IdempotencyRecord) -> None:
        self._items[key] = (self._clock() + self._ttl, record)
        self._items.move_to_end(key)
        if len(self._items) > self._max:
            self._evict()

    def _evict(self) -> None:
        now = self._clock()
        for key in [key for key, (expires, _) in self._items.items() if expires <= now]:
            del self._items[key]
        # Pending records are never evicted: their owner is about to write the outcome.
        for key in list(self._items):
            if len(self._items) <= self._max:
                break
            if self._items[key][1].is_final:
                del self._items[key]

    async def get(self, key: str) -> IdempotencyRecord | None:
        """Return the live record under ``key``, or None."""
        return self._live(key)

    async def claim(self, key: str, record: IdempotencyRecord) -> IdempotencyRecord | None:
        """Store ``record`` if ``key`` is free; atomic because nothing here awaits."""
        existing = self._live(key)
        if existing is not None:
            return existing
        self._store(key, record)
        return None

    async def put(self, key: str, record: IdempotencyRecord) -> None:
        """Store ``record`` under ``key``."""
        self._store(key, record)

    async def discard(self, key: str) -> None:
        """Forget ``key``."""
        self._items.pop(key, None)


class ReplayGuard:
    """Runs each keyed piece of work at most once and lets duplicates wait for its outcome.

    The claim in the store decides who works; duplicates in this process wake on an event, duplicates
    elsewhere poll the store. The work is shielded from the caller's cancellation (a client hanging up
    must not leave a half-known outcome), so its record is always written.

    Args:
        store: where outcomes live.
        poll_interval_s: how often a duplicate re-reads the store when the work runs elsewhere.
    """

    def __init__(self, store: IdempotencyStore, *, poll_interval_s: float = 0.05) -> None:
        self.store = store
        self._poll = poll_interval_s
        self._inflight: dict[str, anyio.Event] = {}

    def __repr__(self) -> str:
        return f"ReplayGuard(store={self.store!r}, inflight={len(self._inflight)})"

    async def wait_final(self, key: str, timeout_s: float) -> IdempotencyRecord | None:
        """Wait up to ``timeout_s`` for the record under ``key`` to become final; return what is there."""
        with anyio.move_on_after(timeout_s):
            while True:
                record = await self.store.get(key)
                if record is None or record.is_final:
                    return record
                event = self._inflight.get(key)
                with anyio.move_on_after(self._poll):
                    if event is not None:
                        await event.wait()
                    else:
                        await anyio.sleep(self._poll)
        return await self.store.get(key)

    async def run_once(
        self,
        key: str,
        pending: IdempotencyRecord,
        work: Callable[[], Awaitable[IdempotencyRecord | None]],
        *,
        wait_s: float,
    ) -> tuple[bool, IdempotencyRecord | None]:
        """Claim ``key`` and run ``work`` once, or wait for whoever holds the claim.

        Args:
            key: the idempotency key.
            pending: the record to claim the key with.
            work: returns the final record to store, or None to release the key (a non-final outcome
                the caller wants retried).
            wait_s: how long a duplicate waits for the holder's outcome.

        Returns:
            ``(ran, record)``: whether this call ran ``work``, and the final record (None when ``work``
            released the key, or when a duplicate's wait ended with the key still pending or released).

        Raises:
            Exception: whatever the store or ``work`` raised; the key is then left pending until its TTL
                (or until an operator resolves it), so duplicates are answered "in progress".
        """
        existing = await self.store.claim(key, pending)
        if existing is not None:
            record = existing if existing.is_final else await self.wait_final(key, wait_s)
            return False, record if record is not None and record.is_final else None
        event = self._inflight[key] = anyio.Event()
        try:
            # If ``work`` or the store raises, the key stays claimed (pending): its outcome may be half
            # written, and releasing it could let a retry apply or reverse money a second time.
            with anyio.CancelScope(shield=True):
                final = await work()
                if final is None:
                    await self.store.discard(key)
                else:
                    await self.store.put(key, final)
        finally:
            self._inflight.pop(key, None)
            event.set()
        return True, final
