"""What every resource shares: the client's settings, its HTTP session, its background-task host, and
``ClientCore.call``, the one request-and-parse step every typed resource method ends in (after
openai-python's ``self._post(path, body, cast_to=Model)``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypedDict, TypeVar, Unpack, overload

import pydantic

from .._config import Environment, ProtocolSettings, ReconnectPolicy, StreamSettings
from .._http import HTTPSession
from .._streams.subscription import OverflowPolicy, Subscription
from .._tasks import TaskHost
from .._types import NOT_GIVEN, NotGivenOr
from .._ws import SocketBackend
from ..models._answers import AnswerShape, read_answer
from ..protocol.operations import Family

__all__ = ["CallOptions", "Caller", "ClientCore", "KeyedCallOptions", "RequestOptions", "fetch", "put_given"]

M = TypeVar("M", bound=pydantic.BaseModel)
T = TypeVar("T")


class CallOptions(TypedDict, total=False):
    """The overrides every raw ``call`` takes; a key left out (or ``NOT_GIVEN``) keeps the derived value."""

    version: NotGivenOr[str | None]
    """The ``version`` header (``None`` sends none)."""
    group: NotGivenOr[str | None]
    """The ``group`` header (``None`` sends none)."""
    timeout: NotGivenOr[float | None]
    """The read timeout in seconds (``None`` waits forever)."""


class KeyedCallOptions(CallOptions, total=False):
    """``CallOptions`` and the ``idempotency-key`` (Client, Open and Manager APIs; the Bridge has none)."""

    idempotency_key: NotGivenOr[str | None]
    """The key to send (``None``: none); a fresh one for order changes by default."""


class RequestOptions(KeyedCallOptions, total=False):
    """``KeyedCallOptions`` and what a typed resource method may choose instead of the session."""

    family: Family | None
    """The API family, when not the session's choice."""
    token: NotGivenOr[str | None]
    """The token to send instead of the session's (``None``: none)."""
    captcha: str | None
    """A reCAPTCHA token, where the company requires one."""


def put_given(body: dict[str, object], fields: Mapping[str, object]) -> None:
    """Add to ``body`` the ``fields`` whose value is not ``None`` (the optional fields of a wire body)."""
    body.update((key, value) for key, value in fields.items() if value is not None)


class Caller(Protocol):
    """A session that sends one operation and returns the envelope's ``data`` (Manager, Bridge)."""

    async def call(
        self,
        biz_type: str,
        body: Mapping[str, object] | None = None,
        /,
        *,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> object:
        """Send ``biz_type`` with ``body`` (``timeout``: the read timeout, the client's by default)."""
        ...


@overload
async def fetch(
    session: Caller,
    biz_type: str,
    body: Mapping[str, object] | None,
    model: type[M],
    *,
    timeout: NotGivenOr[float | None] = NOT_GIVEN,
) -> M: ...


@overload
async def fetch(
    session: Caller,
    biz_type: str,
    body: Mapping[str, object] | None,
    model: AnswerShape[T],
    *,
    timeout: NotGivenOr[float | None] = NOT_GIVEN,
) -> T: ...


async def fetch(
    session: Caller,
    biz_type: str,
    body: Mapping[str, object] | None,
    model: type[M] | AnswerShape[T],
    *,
    timeout: NotGivenOr[float | None] = NOT_GIVEN,
) -> M | T:
    """``session.call``, with the answer read as ``model`` (a model class, ``Rows`` or ``Paged``).

    ``timeout`` is the read timeout of the request in seconds (``None`` waits forever; the client's
    by default).

    Raises:
        ProtocolError: the answer does not fit ``model``.
    """
    data = await session.call(biz_type, body, timeout=timeout)
    return read_answer(model, data, biz_type.rsplit(".", 1)[-1])


@dataclass(slots=True)
class ClientCore:
    """The parts of a client that resources use."""

    environment: Environment
    company_id: int
    settings: ProtocolSettings
    streams: StreamSettings
    reconnect: ReconnectPolicy
    http: HTTPSession = field(repr=False)
    tasks: TaskHost = field(repr=False)
    """The client's background-task host: every socket task runs in it (``await core.tasks.start(...)``)."""
    api_key: str | None = field(default=None, repr=False)
    backend: SocketBackend | None = None
    customer_group_id: int | None = None
    """The customer's group, once known (login, or customer info)."""
    token_provider: Callable[[], Awaitable[str]] | None = field(default=None, repr=False)
    """Returns a valid token for sockets that carry one in the handshake (the Manager company token,
    authorizing first when needed); ``None`` uses the HTTP session's current token."""
    token_refresher: Callable[[], Awaitable[str]] | None = field(default=None, repr=False)
    """Gets a new token even if the current one looks valid (after a socket refused it)."""

    @overload
    async def call(
        self,
        biz_type: str,
        body: Mapping[str, object] | None,
        model: type[M],
        **options: Unpack[RequestOptions],
    ) -> M: ...

    @overload
    async def call(
        self,
        biz_type: str,
        body: Mapping[str, object] | None,
        model: AnswerShape[T],
        **options: Unpack[RequestOptions],
    ) -> T: ...

    async def call(
        self,
        biz_type: str,
        body: Mapping[str, object] | None,
        model: type[M] | AnswerShape[T],
        **options: Unpack[RequestOptions],
    ) -> M | T:
        """Send one operation through the HTTP session and read its ``data`` as ``model``.

        Args:
            biz_type: the operation.
            body: its body.
            model: a model class (the answer is one object), or a shape (``Rows``, ``Paged``).
            **options: what to send instead of the session's choice (``RequestOptions``).

        Raises:
            ProtocolError: the answer does not fit ``model``.
            MultiMarketsError: a typed error for every failure of the call.
        """
        data = await self.http.request(biz_type, body, **options)
        return read_answer(model, data, biz_type.rsplit(".", 1)[-1])

    def private_subscription(
        self,
        name: str,
        maxsize: int | None,
        on_enter: Callable[[Subscription[object]], Awaitable[None]],
        on_exit: Callable[[Subscription[object]], Awaitable[None]],
    ) -> Subscription[object]:
        """A subscription that never drops an event (account messages, company events): a consumer that
        falls ``maxsize`` events behind (``streams.private_buffer`` by default) fails loudly instead."""
        return Subscription(
            name=name,
            policy=OverflowPolicy.FAIL,
            maxsize=maxsize or self.streams.private_buffer,
            key=lambda event: None,
            on_enter=on_enter,
            on_exit=on_exit,
        )
