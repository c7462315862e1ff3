"""What every resource shares: the client's settings, its HTTP session, its background-task host, and
``ClientCore.call``, the one request-and-parse step every typed resource method ends in (after
openai-python's ``self._post(path, body, cast_to=Model)``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar, overload

import pydantic

from .._config import Environment, ProtocolSettings, ReconnectPolicy, StreamSettings
from .._http import HTTPSession
from .._tasks import TaskHost
from .._types import NOT_GIVEN, NotGivenOr
from .._ws import SocketBackend
from ..models._answers import AnswerShape, read_answer
from ..protocol.operations import Family

__all__ = ["ClientCore"]

M = TypeVar("M", bound=pydantic.BaseModel)
T = TypeVar("T")


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
        *,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
        family: Family | None = None,
        token: NotGivenOr[str | None] = NOT_GIVEN,
        idempotency_key: NotGivenOr[str | None] = NOT_GIVEN,
        captcha: str | None = None,
    ) -> M: ...

    @overload
    async def call(
        self,
        biz_type: str,
        body: Mapping[str, object] | None,
        model: AnswerShape[T],
        *,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
        family: Family | None = None,
        token: NotGivenOr[str | None] = NOT_GIVEN,
        idempotency_key: NotGivenOr[str | None] = NOT_GIVEN,
        captcha: str | None = None,
    ) -> T: ...

    async def call(
        self,
        biz_type: str,
        body: Mapping[str, object] | None,
        model: type[M] | AnswerShape[T],
        *,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
        family: Family | None = None,
        token: NotGivenOr[str | None] = NOT_GIVEN,
        idempotency_key: NotGivenOr[str | None] = NOT_GIVEN,
        captcha: str | None = None,
    ) -> M | T:
        """Send one operation through the HTTP session and read its ``data`` as ``model``.

        Args:
            biz_type: the operation.
            body: its body.
            model: a model class (the answer is one object), or a shape (``Rows``, ``Paged``).
            timeout: this call's timeout; the session's by default.
            family: the API family, when not the session's choice.
            token: the token to send instead of the session's (``None``: none).
            idempotency_key: the key to send (``None``: none); a fresh one for order changes by default.
            captcha: a reCAPTCHA token, where the company requires one.

        Raises:
            ProtocolError: the answer does not fit ``model``.
            MultiMarketsError: a typed error for every failure of the call.
        """
        data = await self.http.request(
            biz_type,
            body,
            family=family,
            idempotency_key=idempotency_key,
            timeout=timeout,
            token=token,
            captcha=captcha,
        )
        return read_answer(model, data, biz_type.rsplit(".", 1)[-1])
