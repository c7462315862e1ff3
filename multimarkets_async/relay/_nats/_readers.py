"""The reader of the relay's market stream: ``LatestReader`` (the latest message of each subject,
coalesced); the kept streams' ``SharedReader`` is in ``_shared``.

``LatestReader`` rides an ordered push consumer that starts with the last message of every subject.
Its callback only stores the newest payload per subject (so memory is bounded by the number of
subjects and the reader never falls behind) and drops a repeat of the message id it already holds;
after the link reconnects, the next ``next_batch`` re-subscribes from the last message per subject, so
a server restart loses nothing that is still in the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import anyio
import nats.errors
from nats.js.api import ConsumerConfig, DeliverPolicy

from ...errors import InvalidArgumentError, MultiMarketsError, TransportError
from ._errors import translating
from ._leftovers import settle, subscription_tasks
from ._link import MSG_ID_HEADER

if TYPE_CHECKING:
    from nats.aio.msg import Msg

    from ._link import NatsLink

__all__ = ["DETACH_S", "LatestReader", "check_subjects", "drop"]

logger = logging.getLogger("multimarkets_async.relay")

_HEARTBEAT_S: Final = 2.0  # an ordered consumer that misses two heartbeats is re-created by nats-py
DETACH_S: Final = 2.0
_RETRY_MIN_S: Final = 0.1
_RETRY_MAX_S: Final = 2.0


def check_subjects(subjects: Sequence[str]) -> list[str]:
    """``subjects`` as a list (one subject alone accepted). InvalidArgumentError for none."""
    found = [subjects] if isinstance(subjects, str) else list(subjects)
    if not found or not all(isinstance(s, str) and s for s in found):
        raise InvalidArgumentError(f"subjects must be one or more NATS subjects, got {subjects!r}")
    return found


async def drop(sub: object) -> None:
    """Unsubscribe ``sub`` (best effort) and wait until its nats-py tasks have ended."""
    tasks = subscription_tasks(sub)
    unsubscribe = getattr(sub, "unsubscribe", None)
    if unsubscribe is not None:
        with contextlib.suppress(nats.errors.Error, ValueError, OSError):  # gone with the connection
            await unsubscribe()
    await settle(tasks + subscription_tasks(sub))


class LatestReader:
    """Market data of some subjects of one stream: the latest message of each, then live ones."""

    def __init__(self, link: NatsLink, stream: str, subjects: list[str]) -> None:
        self._link = link
        self._stream = stream
        self._subjects = subjects
        self._latest: dict[str, bytes] = {}
        self._ids: dict[str, str] = {}
        self._wakeup = asyncio.Event()
        self._sub: object | None = None
        self._epoch = link.reconnects
        self._closed = False
        self.replaced = 0
        """Messages replaced by a newer one of the same subject before ``next_batch`` returned them
        (never returned; a repeat of the message id held is not counted)."""

    @classmethod
    async def open(cls, link: NatsLink, *, stream: str, subjects: Sequence[str]) -> LatestReader:
        """Subscribe to ``subjects`` (wildcards allowed) of ``stream``.

        Raises:
            InvalidArgumentError: no subject.
            StreamError: no such stream (has the relay started?).
            TransportError: NATS or JetStream did not answer.
        """
        reader = cls(link, stream, check_subjects(subjects))
        reader._sub = await reader._subscribe()
        link._register(reader)
        return reader

    async def _subscribe(self) -> object:
        with translating(f"subscribe to {self._stream}"):
            return await self._link.js.subscribe(
                "",
                stream=self._stream,
                ordered_consumer=True,
                config=ConsumerConfig(filter_subjects=list(self._subjects)),
                deliver_policy=DeliverPolicy.LAST_PER_SUBJECT,
                idle_heartbeat=_HEARTBEAT_S,
                cb=self._on_msg,
            )

    async def _on_msg(self, msg: Msg) -> None:
        # Runs in nats-py's dispatch task: store only, never wait.
        subject = msg.subject
        msg_id = msg.headers.get(MSG_ID_HEADER) if msg.headers else None
        if msg_id is not None:
            if self._ids.get(subject) == msg_id:
                return  # the same message again (a re-subscription starts from the last one)
            self._ids[subject] = msg_id
        if self._latest.pop(subject, None) is not None:
            self.replaced += 1
        self._latest[subject] = msg.data
        self._wakeup.set()

    def _link_changed(self) -> None:
        self._wakeup.set()

    async def _resubscribe(self) -> bool:
        old = self._sub
        epoch = self._link.reconnects
        try:
            self._sub = await self._subscribe()
        except MultiMarketsError as exc:  # e.g. a memory stream not created again yet after a restart
            logger.debug("re-subscribing to %s after a reconnect failed: %s", self._stream, exc.message)
            return False
        self._epoch = epoch
        if old is not None:
            await drop(old)
        return True

    async def next_batch(self) -> list[tuple[str, bytes]]:
        """Wait for at least one message; return every message pending now as ``(subject, payload)``,
        coalesced to the latest per subject, in the arrival order of those latest ones (the others are
        counted in ``replaced``).

        After the link reconnected, the reader subscribes again from the last message per subject
        (retrying, while the stream is missing, until it is back).

        Raises:
            TransportError: the link is closed for good.
            RuntimeError: the reader was closed (before or during the call).
        """
        pause = _RETRY_MIN_S
        while True:
            if self._closed:
                raise RuntimeError("this LatestReader is closed")
            if self._latest:
                batch = list(self._latest.items())
                self._latest.clear()
                return batch
            if self._link.is_closed:
                raise TransportError(f"the NATS link is closed; no more messages from {self._stream}")
            self._wakeup.clear()
            if self._epoch != self._link.reconnects and not await self._resubscribe():
                with anyio.move_on_after(pause):
                    await self._wakeup.wait()
                pause = min(pause * 2, _RETRY_MAX_S)
                continue
            await self._wakeup.wait()

    async def _detach(self) -> None:
        self._wakeup.set()
        sub, self._sub = self._sub, None
        if sub is not None:
            with anyio.CancelScope(shield=True), anyio.move_on_after(DETACH_S):
                await drop(sub)

    async def aclose(self) -> None:
        """Unsubscribe (the ordered consumer goes away with it). Idempotent."""
        self._closed = True
        self._link._unregister(self)
        await self._detach()
