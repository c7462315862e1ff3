"""The kept streams' reader: ``SharedReader``, a JetStream pull consumer with explicit acks, alone or
shared by a group, and ``Delivery``, one message of it to ack, nak or term.

``SharedReader`` fetches one message at a time (a worker pool then shares the work evenly and no
message waits in a buffer while its ack timer runs). A consumer that disappeared (an ephemeral one
after a server restart) is created again.

A group is one consumer with one filter. A reader joining a group whose consumer filters other
subjects is refused (``InvalidArgumentError``) rather than overwriting the filter under the readers
already there: they would be handed messages they did not ask for, or stop getting the ones they did.
The consumer is created with JetStream's "create" action (it fails when the consumer exists with
another configuration), so two readers joining at the same moment cannot both win; a reader that
finds the group's consumer with the same filter updates its other settings (``ack_wait``, ...).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

import anyio
import nats.errors
import nats.js.errors
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from ...errors import InvalidArgumentError, StreamError, TransportError
from ...protocol._json import loads_object
from .._subjects import subject_token
from ._errors import translating
from ._readers import DETACH_S, check_subjects, drop

if TYPE_CHECKING:
    from nats.aio.msg import Msg
    from nats.js.client import JetStreamContext

    from ._link import NatsLink

__all__ = ["Delivery", "SharedReader"]

logger = logging.getLogger("multimarkets_async.relay")

_FETCH_S: Final = 5.0  # one pull request's lifetime
_INACTIVE_S: Final = 60.0  # a non-durable consumer is removed after this long without a reader
_API_S: Final = 5.0  # a JetStream API request's timeout
_CONSUMER_EXISTS: Final = 10148  # JSConsumerAlreadyExistsErr: "create" found one with another config


@dataclass(slots=True)
class Delivery:
    """One message of a kept stream, to be settled once with ``ack``, ``nak`` or ``term``.

    Attributes:
        subject: the message's subject.
        payload: the message's bytes.
        delivered: 1 the first time, 2 and more for a redelivery.
    """

    subject: str
    payload: bytes
    delivered: int
    _msg: Msg = field(repr=False, compare=False)
    _settled: str | None = field(default=None, repr=False, compare=False)

    def _settle(self, how: str) -> None:
        if self._settled is not None:
            raise RuntimeError(f"this delivery was already settled ({self._settled}); it cannot be {how}")
        self._settled = how

    async def ack(self) -> None:
        """Done with it: the consumer never delivers it again."""
        self._settle("acked")
        with translating(f"ack on {self.subject}"):
            await self._msg.ack()

    async def nak(self, delay: float | None = None) -> None:
        """Not done: deliver it again (to any reader of the group), after ``delay`` seconds if given."""
        self._settle("nak'ed")
        with translating(f"nak on {self.subject}"):
            await self._msg.nak(delay)

    async def term(self) -> None:
        """Never deliver it again, although it was not processed (a payload that cannot be read)."""
        self._settle("terminated")
        with translating(f"term on {self.subject}"):
            await self._msg.term()


class SharedReader:
    """A pull consumer with explicit acks on some subjects of a kept stream, alone or shared by a group."""

    def __init__(self, link: NatsLink, stream: str, config: ConsumerConfig, *, group: str | None) -> None:
        self._link = link
        self._stream = stream
        self._config = config
        self._group = group
        self._ephemeral = group is None
        self._sub: JetStreamContext.PullSubscription | None = None
        self._waiters: set[anyio.CancelScope] = set()
        self._closed = False

    @property
    def consumer(self) -> str:
        """The JetStream consumer's name."""
        return str(self._config.name)

    @classmethod
    async def open(
        cls,
        link: NatsLink,
        *,
        stream: str,
        subjects: Sequence[str],
        group: str | None,
        durable: bool,
        deliver: Literal["all", "new"],
        ack_wait_s: float,
        max_deliver: int | None,
    ) -> SharedReader:
        """Create (or join) the consumer and bind to it.

        Args:
            link: the NATS link.
            stream: the kept stream.
            subjects: filter subjects of the consumer.
            group: ``None``: a consumer of this reader's own (removed when it closes); a name: the
                consumer of that name (sanitised to one subject token), shared by every reader that
                passes the same group, so each message goes to one of them. Every reader of a group
                must pass the same ``subjects`` (in any order).
            durable: for a group: keep the consumer (and its position) when no reader is left; else it
                is removed after being idle for a minute.
            deliver: ``"all"``: from the first message kept; ``"new"``: from now (for a new consumer).
            ack_wait_s: an unacknowledged message is delivered again after this many seconds.
            max_deliver: at most this many deliveries of one message (``None``: no limit).

        Raises:
            InvalidArgumentError: a bad argument, or the group's consumer filters other subjects.
            StreamError: no such stream, or the group's consumer exists with settings that cannot be
                changed (durable or not, where it starts).
            TransportError: NATS or JetStream did not answer.
        """
        filters = check_subjects(subjects)
        if deliver not in ("all", "new"):
            raise InvalidArgumentError(f"deliver must be 'all' or 'new', got {deliver!r}")
        if not ack_wait_s > 0:
            raise InvalidArgumentError(f"ack_wait_s must be positive, got {ack_wait_s!r}")
        if max_deliver is not None and max_deliver < 1:
            raise InvalidArgumentError(f"max_deliver must be at least 1 or None, got {max_deliver!r}")
        if group is not None and (not isinstance(group, str) or not group):
            raise InvalidArgumentError(f"group must be a non-empty string or None, got {group!r}")
        name = subject_token(group) if group is not None else f"r{uuid.uuid4().hex[:20]}"
        kept = group is not None and durable
        config = ConsumerConfig(
            name=name,
            durable_name=name if kept else None,
            deliver_policy=DeliverPolicy.ALL if deliver == "all" else DeliverPolicy.NEW,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=ack_wait_s,
            max_deliver=max_deliver,
            filter_subjects=filters,
            inactive_threshold=None if kept else _INACTIVE_S,
        )
        reader = cls(link, stream, config, group=group)
        await _require_stream(link, stream)
        await reader._create()
        with translating(f"bind to consumer {name} of {stream}"):
            reader._sub = await link.js.pull_subscribe_bind(consumer=name, stream=stream)
        link._register(reader)
        return reader

    async def _create(self) -> None:
        name = self._config.name
        with translating(f"create consumer {name} on {self._stream}"):
            if self._group is not None:
                if await self._create_new():
                    return
                await self._check_filter()
            try:  # create, or update the group's consumer (its filter is ours: checked above)
                await self._link.js.add_consumer(self._stream, config=self._config)
            except nats.js.errors.BadRequestError as exc:
                raise StreamError(
                    f"the consumer {name} of {self._stream} exists with other settings ({exc.description}); "
                    "use another group name or delete the consumer"
                ) from exc

    async def _create_new(self) -> bool:
        """Create the consumer unless it exists (JetStream's "create" action; nats-py 2.16 cannot ask
        for it): ``True`` when created or found exactly as configured, ``False`` when it exists with
        other settings."""
        name, stream = self._config.name, self._stream
        request = {"stream_name": stream, "config": self._config.as_dict(), "action": "create"}
        reply = await self._link.client.request(
            f"$JS.API.CONSUMER.CREATE.{stream}.{name}", json.dumps(request).encode(), timeout=_API_S
        )
        error = loads_object(reply.data, what="JetStream answer").get("error")
        if not isinstance(error, dict):
            return True
        if error.get("err_code") == _CONSUMER_EXISTS:
            return False
        nats.js.errors.APIError.from_error(error)  # raises the error's class (mapped by ``translating``)
        raise StreamError(f"JetStream refused to create consumer {name} on {stream}")  # pragma: no cover

    async def _check_filter(self) -> None:
        """Refuse to join a group whose consumer filters other subjects (see the module doc)."""
        existing = (await self._link.js.consumer_info(self._stream, str(self._config.name))).config
        theirs = set(
            existing.filter_subjects or ([existing.filter_subject] if existing.filter_subject else [])
        )
        ours = set(self._config.filter_subjects or ())
        if theirs != ours:
            raise InvalidArgumentError(
                f"the group {self._group!r} of {self._stream} reads {sorted(theirs) or 'everything'} "
                f"already, not {sorted(ours)}: a group is one consumer with one filter, so give every "
                "worker of the group the same trade_types / event_types, or use another group name "
                f"(to change a durable group's filter, delete its consumer {self._config.name} first)"
            )

    async def next(self) -> Delivery:
        """Wait for the next message.

        Raises:
            TransportError: the link is closed for good.
            RuntimeError: the reader was closed (before or during the call).
        """
        pause = 0.1
        while True:
            if self._closed:
                raise RuntimeError("this SharedReader is closed")
            if self._link.is_closed or self._sub is None:
                raise TransportError(f"the NATS link is closed; no more messages from {self._stream}")
            msg: Msg | None = None
            with anyio.CancelScope() as scope:
                self._waiters.add(scope)
                try:
                    msg = await self._fetch(self._sub)
                finally:
                    self._waiters.discard(scope)
            if msg is not None:
                return Delivery(msg.subject, msg.data, int(msg.metadata.num_delivered or 1), msg)
            if not scope.cancel_called:
                await anyio.sleep(pause)  # the consumer was missing or JetStream was busy
                pause = min(pause * 2, 2.0)

    async def _fetch(self, sub: JetStreamContext.PullSubscription) -> Msg | None:
        """One message, or ``None`` after a quiet pull or a consumer that had to be created again."""
        with translating(f"fetch from consumer {self._config.name} of {self._stream}"):
            try:
                return (await sub.fetch(1, timeout=_FETCH_S))[0]
            except nats.errors.TimeoutError:
                return None
            except (nats.js.errors.ServiceUnavailableError, nats.js.errors.NotFoundError):
                pass  # no consumer answered: gone with a server restart, or removed while idle
        logger.info("consumer %s of %s is missing; creating it again", self._config.name, self._stream)
        try:
            await self._create()
        except TransportError as exc:
            logger.debug("re-creating consumer %s failed: %s", self._config.name, exc.message)
        return None

    def _link_changed(self) -> None:
        pass  # a pending fetch ends with the connection (nats-py cancels it) or times out

    async def _detach(self) -> None:
        for scope in list(self._waiters):
            scope.cancel()
        sub, self._sub = self._sub, None
        if sub is None:
            return
        with anyio.CancelScope(shield=True), anyio.move_on_after(DETACH_S):
            await drop(sub)
            if self._ephemeral and self._link.is_connected:
                try:
                    await self._link.js.delete_consumer(self._stream, str(self._config.name))
                except (nats.errors.Error, OSError) as exc:
                    logger.debug("deleting consumer %s failed: %s", self._config.name, type(exc).__name__)

    async def aclose(self) -> None:
        """Stop reading; a durable consumer stays (with its position), an own consumer is deleted.
        Messages delivered and not settled come back after ``ack_wait_s``. Idempotent."""
        self._closed = True
        self._link._unregister(self)
        await self._detach()


async def _require_stream(link: NatsLink, stream: str) -> None:
    """Refuse, naming the fix, to read a stream no relay has created yet."""
    with translating(f"look up stream {stream}"):
        try:
            await link.js.stream_info(stream)
        except nats.js.errors.NotFoundError as exc:
            raise StreamError(
                f"there is no stream {stream} on this NATS server yet: start `multimarkets relay` "
                "(with --messages for account pushes, --data-push GROUP for data-push events) for this "
                "company and prefix first"
            ) from exc
