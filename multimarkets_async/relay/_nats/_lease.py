"""``Lease``: which relay of several holds the platform connections, as one key-value entry with a TTL.

The bucket ``<PREFIX>_<company>_RELAY`` keeps its messages ``ttl_s`` seconds (JetStream's ``max_age``),
so a lease that is not renewed disappears on its own. Every write is conditional on the revision the
writer last saw (JetStream's expected-last-subject-sequence), which makes taking, renewing and
releasing safe against a second relay doing the same at the same moment:

    try_acquire   create "active" if absent (or deleted)          -> held
    renew         update "active" expecting our last revision     -> held, or lost
    release       delete "active" expecting our last revision     -> a standby takes it at once
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Final

import nats.js.errors

from ...errors import InvalidArgumentError, MultiMarketsError
from ._errors import translating
from ._setup import ensure_kv

if TYPE_CHECKING:
    from nats.js.kv import KeyValue

    from .._settings import LeaseSettings
    from .._subjects import RelayNames
    from ._link import NatsLink

__all__ = ["LEASE_KEY", "Lease"]

logger = logging.getLogger("multimarkets_async.relay")

LEASE_KEY: Final = "active"
_WRONG_LAST_SEQUENCE: Final = (10071, 10164)  # JSStreamWrongLastSequence(Constant)Err


class Lease:
    """The lease of one relay (``owner``) on one company's relay bucket.

    The key holds ``owner#<token>``, the token random per ``Lease``: two relays given the same name
    (one deployment with two replicas) are still two holders, never one that both believe is theirs
    and take back from each other at every renewal. So a relay that restarts waits, like any
    standby, until its old lease was released or expired.
    """

    def __init__(self, kv: KeyValue, bucket: str, owner: str, settings: LeaseSettings) -> None:
        self._kv = kv
        self._bucket = bucket
        self._owner = owner
        self._value = f"{owner}#{secrets.token_hex(4)}".encode()
        self._settings = settings
        self._revision: int | None = None

    @classmethod
    async def open(cls, link: NatsLink, names: RelayNames, *, owner: str, settings: LeaseSettings) -> Lease:
        """Create the lease bucket, or update its TTL to ``settings.ttl_s``; nothing is taken yet.

        Raises:
            InvalidArgumentError: an empty owner.
            TransportError: NATS or JetStream did not answer.
        """
        if not isinstance(owner, str) or not owner.strip():
            raise InvalidArgumentError(f"owner must be a non-empty string, got {owner!r}")
        kv = await ensure_kv(link, names.lease_bucket, ttl_s=settings.ttl_s)
        return cls(kv, names.lease_bucket, owner, settings)

    @property
    def owner(self) -> str:
        """This relay's name on the lease."""
        return self._owner

    @property
    def held(self) -> bool:
        """Whether this relay held the lease at its last successful acquire or renewal."""
        return self._revision is not None

    async def _create(self) -> bool:
        try:
            self._revision = await self._kv.create(LEASE_KEY, self._value)
        except nats.js.errors.KeyWrongLastSequenceError:
            return False
        return True

    async def try_acquire(self) -> bool:
        """Take the lease if nobody holds it (or renew it if this ``Lease`` holds it already).

        Returns:
            Whether this relay holds the lease now.

        Raises:
            TransportError: NATS or JetStream did not answer.
        """
        if self._revision is not None:
            return await self.renew()
        with translating(f"take the lease in {self._bucket}"):
            if await self._create():
                return True
            try:
                entry = await self._kv.get(LEASE_KEY)
            except nats.js.errors.KeyNotFoundError:  # expired or released since: one more try
                return await self._create()
            if entry.value != self._value or entry.revision is None:
                return False
            # Our own value: a create whose answer was lost (NATS reconnecting), or a lease this
            # relay gave up too early. The token is this Lease's alone, so taking it back is safe.
            try:
                self._revision = await self._kv.update(LEASE_KEY, self._value, last=entry.revision)
            except nats.js.errors.KeyWrongLastSequenceError:
                return False
            return True

    async def renew(self) -> bool:
        """Extend the lease by another ``ttl_s``.

        Returns:
            ``True`` while the lease is ours; ``False`` when it is lost (another relay took it, or it
            was never ours). A lease that expired and that nobody took is taken again.

        Raises:
            TransportError: NATS or JetStream did not answer (the lease may still be ours; it expires
                ``ttl_s`` after the last successful renewal).
        """
        if self._revision is None:
            return False
        with translating(f"renew the lease in {self._bucket}"):
            try:
                self._revision = await self._kv.update(LEASE_KEY, self._value, last=self._revision)
            except nats.js.errors.KeyWrongLastSequenceError:
                self._revision = None
                if await self._still_ours():  # our last renewal was stored, its answer lost
                    return True
                if await self._create():
                    logger.info(
                        "relay lease in %s expired and was taken again by %s", self._bucket, self._owner
                    )
                    return True
                logger.warning("relay lease in %s lost by %s", self._bucket, self._owner)
                return False
            return True

    async def _still_ours(self) -> bool:
        """Whether the key holds this ``Lease``'s own value (then its revision is taken up again)."""
        try:
            entry = await self._kv.get(LEASE_KEY)
        except nats.js.errors.KeyNotFoundError:
            return False
        if entry.value != self._value or entry.revision is None:
            return False
        self._revision = entry.revision
        return True

    async def release(self) -> None:
        """Give the lease up so that a standby takes it at once; nothing happens if it is not ours.

        Never raises for NATS trouble: the lease then ends on its own within ``ttl_s`` (logged).
        """
        revision, self._revision = self._revision, None
        if revision is None:
            return
        try:
            with translating(f"release the lease in {self._bucket}"):
                try:
                    await self._kv.delete(LEASE_KEY, last=revision)
                except nats.js.errors.APIError as exc:
                    if exc.err_code not in _WRONG_LAST_SEQUENCE:
                        raise
                    logger.debug("relay lease in %s was no longer %s's", self._bucket, self._owner)
        except MultiMarketsError as exc:
            logger.warning("could not release the relay lease (it ends within its ttl): %s", exc.message)

    async def holder(self) -> str | None:
        """The owner holding the lease now, ``None`` when nobody does.

        Raises:
            TransportError: NATS or JetStream did not answer.
        """
        with translating(f"read the lease in {self._bucket}"):
            try:
                entry = await self._kv.get(LEASE_KEY)
            except nats.js.errors.KeyNotFoundError:
                return None
        holder = (entry.value or b"").decode("utf-8", "replace")
        return holder.rpartition("#")[0] or holder or None

    def __repr__(self) -> str:
        return f"<Lease {self._bucket} owner={self._owner!r} held={self.held}>"
