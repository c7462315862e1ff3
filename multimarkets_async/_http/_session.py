"""The HTTP session: throttle, send, retry: one pooled ``httpx.AsyncClient`` per client.

``HTTPSession.request`` runs one logical call: its retry loop (clock resynchronisation,
re-authentication, the bizType fallback, backoff), and for each attempt the client-side rate limit,
the pause after a 429 and the 418 lockout guard, then :func:`._request.build_request`, the send, and
reading the answer. An order or money operation that may have run surfaces as
``OutcomeUnknownError`` whatever failed after that (:mod:`._failures`).
"""

from __future__ import annotations

import functools
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping

import anyio
import httpx

from .._config import Environment, ProtocolSettings, RateLimitPolicy, RetryPolicy, Timeouts
from .._logging import http_fields
from .._types import NOT_GIVEN, NotGivenOr
from ..errors import (
    MultiMarketsError,
    OutcomeUnknownError,
    ProtocolError,
    SessionExpiredError,
    TimeWindowError,
    TransportError,
    UnknownOperationError,
)
from ..protocol.backoff import Failure, policy_delay, retry_decision
from ..protocol.crypto import BodyEncryptor, OpenApiSigner
from ..protocol.envelope import decode_envelope, encode_body, envelope_error
from ..protocol.hints import add_hint, company_id_hint
from ..protocol.operations import Family, Operation, fallback_biz_type, may_repeat, operation_for
from ..protocol.throttle import (
    ClockOffset,
    EndpointBudgets,
    RateLimitPause,
    SlidingWindowLimiter,
    read_ratelimit_headers,
)
from ._auth import EncryptedBodyAuth, OpenApiAuth
from ._failures import (
    AttemptFailed,
    envelope_failure,
    final_error,
    map_httpx_exception,
    outcome_matters,
    outcome_unknown,
    wrong_base,
)
from ._gate import RateLimitGate
from ._log import log_answer, log_cancelled, log_gave_up, log_other_base, log_retry, log_sending, logger
from ._pool import DEFAULT_LIMITS, SDKHttpClient, default_headers, http_timeout
from ._request import AuthScheme, Call, OutgoingRequest, build_request, family_for, first_base, other_base

__all__ = ["HTTPSession"]


def _anywhere() -> None:
    """The loop check of a session that no client owns: every loop is fine."""


@functools.lru_cache(maxsize=1024)
def _parsed_url(url: str) -> httpx.URL:
    # httpx parses a str URL on every request, character by character (about a tenth of its own
    # per-request cost here); an operation's URL never changes, so parse it once. URLs are immutable.
    return httpx.URL(url)


def new_client(timeouts: Timeouts, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    """A session's own client: the SDK's defaults over ``transport`` (httpx's own when ``None``).

    An httpx-aiohttp transport is wrapped so that aiohttp's exceptions are mapped as the SDK needs
    (its own mapping reports a connection lost after the request was written as a connect timeout).
    """
    if type(transport).__module__.startswith("httpx_aiohttp"):
        from ._aiohttp import MappedAiohttpTransport  # only with the optional extra

        transport = MappedAiohttpTransport(transport)  # type: ignore[arg-type]
    return httpx.AsyncClient(
        transport=transport, timeout=http_timeout(timeouts), limits=DEFAULT_LIMITS, headers=default_headers()
    )


class HTTPSession(RateLimitGate):
    """Sends operations to one environment with the configured credentials and policies."""

    def __init__(
        self,
        *,
        environment: Environment,
        company_id: int,
        settings: ProtocolSettings,
        timeouts: Timeouts,
        retry: RetryPolicy,
        rate_limit: RateLimitPolicy,
        api_key: str | None = None,
        signer: OpenApiSigner | None = None,
        encryptor: BodyEncryptor | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.environment = environment
        self.company_id = company_id
        self.settings = settings
        self.retry = retry
        self.token: str | None = None
        """The login (or company) token sent on Client calls; set by login."""
        self.reauthenticate: Callable[[], Awaitable[None]] | None = None
        """Called once when the server says the session expired, before the call is retried."""
        self.manager_encryptor: BodyEncryptor | None = None
        """Scheme B key for Manager calls (set from the authorize answer); ``None`` sends them plain."""
        self.clock_offset = ClockOffset()
        self.check_loop: Callable[[], None] = _anywhere
        """Raises ``RuntimeError`` when called on another event loop than the client's (set by it)."""
        self.locked_until: float | None = None
        """Epoch seconds until which the key is locked out after a 418."""
        self._lockouts = 0
        self._signed_base: dict[str, Family] = {}  # bizType -> the base its signed calls last worked at
        self._succeeded = False  # a call that reads companyId has succeeded: the server knows it
        self._api_key = api_key
        self._open_auth = OpenApiAuth(signer) if signer is not None else None
        self._encrypt_auth = EncryptedBodyAuth(encryptor) if encryptor is not None else None
        self._clock = clock
        self._rand = rand
        self._new_id = new_id
        self._sleep = sleep
        self._pauses = RateLimitPause()
        self._limiter = (
            SlidingWindowLimiter(rate_limit.open_api_per_minute, 60.0 + rate_limit.window_margin)
            if signer is not None and rate_limit.open_api_per_minute
            else None
        )
        self._budgets = EndpointBudgets() if rate_limit.respect_ratelimit_headers else None
        # A caller's own http_client keeps its timeouts and is never closed here; the SDK's own clients
        # (built here, or an SDKHttpClient such as AiohttpClient) send with this session's timeouts.
        self._client = http_client or new_client(timeouts, transport)
        self._owns_client = http_client is None
        self._timeout: httpx.Timeout | httpx._client.UseClientDefault = httpx.USE_CLIENT_DEFAULT
        if isinstance(http_client, SDKHttpClient):
            http_client._adopt()
            self._timeout = http_timeout(timeouts)
        self._closed = False

    @property
    def signs_requests(self) -> bool:
        """Whether ``/global`` operations go to the Open API with an apiKey signature."""
        return self._open_auth is not None

    def now_ms(self) -> int:
        """The current time on the server's clock, in ms, as far as it has been measured."""
        return self.clock_offset.server_ms(int(self._clock() * 1000))

    async def aclose(self) -> None:
        """Close the pooled connections: of the session's own client, or of an ``SDKHttpClient`` when
        this was the last session using it; never those of a caller's own ``http_client``."""
        if self._closed:
            return
        self._closed = True
        if self._owns_client:
            await self._client.aclose()
        elif isinstance(self._client, SDKHttpClient):
            await self._client._release()

    async def sync_clock(self) -> int:
        """Measure the server clock with ``/thirdExt/now`` and return the new offset in ms."""
        sent = int(self._clock() * 1000)
        data = await self.request("thirdExt/now", None, family=Family.CLIENT, _sync=False)
        received = int(self._clock() * 1000)
        if not isinstance(data, int) or isinstance(data, bool):
            raise MultiMarketsError(f"server time is not an integer: {data!r}")
        offset = self.clock_offset.update(sent, received, data)
        logger.debug(
            "clock offset %d ms (round trip %s ms)",
            offset,
            self.clock_offset.round_trip_ms,
            extra=http_fields("thirdExt/now", elapsed_ms=self.clock_offset.round_trip_ms),
        )
        return offset

    async def request(
        self,
        biz_type: str,
        body: Mapping[str, object] | None,
        *,
        family: Family | None = None,
        idempotency_key: NotGivenOr[str | None] = NOT_GIVEN,
        version: NotGivenOr[str | None] = NOT_GIVEN,
        group: NotGivenOr[str | None] = NOT_GIVEN,
        timeout: NotGivenOr[float | None] = NOT_GIVEN,
        token: NotGivenOr[str | None] = NOT_GIVEN,
        captcha: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        operation: Operation | None = None,
        omit_headers: Collection[str] = (),
        reauthenticate: NotGivenOr[Callable[[], Awaitable[None]] | None] = NOT_GIVEN,
        _sync: bool = True,
    ) -> object:
        """Send one operation and return the envelope's ``data``.

        ``operation`` replaces the metadata looked up from ``biz_type`` (the Manager and Bridge
        families build their own); ``omit_headers`` names headers not to send; ``reauthenticate``
        replaces the session's hook for this call (``None``: do not re-authenticate).

        Raises:
            RuntimeError: if the session is closed.
            MultiMarketsError: a typed error for every failure (see ``errors``).
        """
        if self._closed:
            raise RuntimeError("this client is closed; create a new one (or use 'async with')")
        self.check_loop()
        operation = operation or operation_for(biz_type)
        chosen = family or family_for(operation, signs_requests=self.signs_requests)
        if idempotency_key is NOT_GIVEN:
            idempotency_key = (
                self._new_id() if operation.changes_orders and self.settings.send_idempotency_key else None
            )
        call = Call(
            operation=operation,
            family=chosen,
            body=encode_body(body),
            idempotency_key=idempotency_key,
            version=operation.version if version is NOT_GIVEN else version,
            group=operation.group if group is NOT_GIVEN else group,
            token=(self.token if token is NOT_GIVEN else token) if chosen is not Family.OPEN else None,
            timeout=timeout,
            captcha=captcha,
            extra_headers=extra_headers,
            omit_headers=omit_headers,
            reauthenticate=self.reauthenticate if reauthenticate is NOT_GIVEN else reauthenticate,
        )
        call.base = first_base(operation, chosen, self._signed_base)
        return await self._run(call, allow_resync=_sync)

    async def _run(self, call: Call, *, allow_resync: bool) -> object:
        try:
            return await self._retry_loop(call, allow_resync=allow_resync)
        except anyio.get_cancelled_exc_class():
            if call.sending and outcome_matters(call.operation):
                # The caller's cancellation must propagate unchanged; say what may have run.
                log_cancelled(call)
            raise
        except OutcomeUnknownError:
            raise
        except MultiMarketsError as exc:
            # Whatever failed after an attempt that may have run (an unreadable answer, a lockout met
            # before a retry, a failed re-login), the caller must not read it as "not applied".
            if call.maybe_delivered and outcome_matters(call.operation):
                raise outcome_unknown(call, exc, trace=exc.trace) from exc
            raise

    async def _retry_loop(self, call: Call, *, allow_resync: bool) -> object:
        attempt = 0
        while True:
            try:
                data = await self._attempt(call)
                if call.base is not None:
                    self._signed_base[call.operation.biz_type] = call.base  # tried first from now on
                return data
            except AttemptFailed as failed:
                error = failed.error
                if wrong_base(error) and (other := other_base(call)) is not None:
                    # Once, and before any re-login: a signed call sends no token to refresh.
                    call.base, call.rebased = other, True
                    log_other_base(call, failed, other)
                    continue
                if isinstance(error, TimeWindowError) and allow_resync and not call.resynced:
                    call.resynced = True
                    await self.sync_clock()
                    continue
                if (
                    isinstance(error, SessionExpiredError)
                    and call.reauthenticate
                    and not call.reauthenticated
                ):
                    call.reauthenticated = True
                    if call.family is Family.MANAGER or self.token == call.token:
                        await call.reauthenticate()
                    # else: another call already logged in again while this one was in flight
                    call.token = self.token
                    continue
                if isinstance(error, UnknownOperationError) and not call.fell_back:
                    alias = fallback_biz_type(call.operation.biz_type)
                    if alias and self.settings.biz_type_fallback:
                        call.fell_back = True
                        call.operation = operation_for(alias)
                        continue
                if failed.failure is Failure.NO_ANSWER or isinstance(error, ProtocolError):
                    call.maybe_delivered = True
                decision = retry_decision(
                    failed.failure,
                    attempt=attempt,
                    max_retries=self.retry.max_retries,
                    repeatable=may_repeat(call.operation, call.family, call.idempotency_key),
                    backoff=policy_delay(attempt, self.retry, self._rand()),
                    retry_after=failed.retry_after,
                    max_retry_after=self.retry.max_retry_after,
                    maybe_delivered=call.maybe_delivered,
                )
                if not decision.retry:
                    if attempt:
                        log_gave_up(call, failed)
                    final = final_error(call, failed)
                    # A transport failure chains the httpx exception; an unknown outcome hiding an SDK
                    # error (a 503, an unreadable answer) chains that error.
                    wrapped = final is not failed.error and not isinstance(failed.error, TransportError)
                    raise final from (failed.error if wrapped else failed.error.__cause__)
                log_retry(call, failed, decision.delay, decision.reason, attempt + 1)
                attempt += 1
                await self._sleep(decision.delay)

    async def _attempt(self, call: Call) -> object:
        await self._throttle(call, call.operation.path)
        encrypt_auth = self._encrypt_auth
        if call.family is Family.MANAGER:
            # Authorize (the one Manager call without a token) always goes plain: the server reads it
            # before it has a key to decrypt with.
            encryptor = self.manager_encryptor if call.token is not None else None
            encrypt_auth = EncryptedBodyAuth(encryptor) if encryptor is not None else None
        now_ms = self.now_ms()
        request = build_request(
            call,
            environment=self.environment,
            company_id=self.company_id,
            settings=self.settings,
            api_key=self._api_key,
            can_encrypt=encrypt_auth is not None,
            now_ms=now_ms,
            request_id=self._new_id(),
        )
        scheme = request.scheme
        auth = (
            self._open_auth
            if scheme is AuthScheme.SIGNED
            else encrypt_auth
            if scheme is AuthScheme.ENCRYPTED
            else None
        )
        return await self._send(call, request, auth)

    async def _send(self, call: Call, request: OutgoingRequest, auth: httpx.Auth | None) -> object:
        trace = request.trace
        log_sending(call, request.url, trace)
        timeout = self._timeout if call.timeout is NOT_GIVEN else httpx.Timeout(call.timeout)
        call.sending = True
        call.attempts += 1
        try:
            response = await self._client.post(
                _parsed_url(request.url),
                content=request.body,
                headers=request.headers,
                auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                timeout=timeout,
            )
        except httpx.HTTPError as exc:
            failure, error = map_httpx_exception(exc, url=request.url)
            error.__cause__ = exc
            error.trace = None if failure is Failure.NOT_SENT else trace  # one that never left has none
            raise AttemptFailed(failure, error, trace=error.trace) from exc
        try:
            return self._read(call, response, trace)
        except ProtocolError:
            call.maybe_delivered = True  # an answer came but could not be read: the call may have run
            raise

    def _read(self, call: Call, response: httpx.Response, trace: str) -> object:
        now = self._clock()
        status = response.status_code
        log_answer(call, response, trace)
        if self._budgets is not None and call.family in (Family.CLIENT, Family.MANAGER):
            _limit, remaining, reset = read_ratelimit_headers(
                response.headers, self.settings.ratelimit_remaining_headers
            )
            self._budgets.observe(call.operation.path, remaining, reset, now)
        if status != 200:
            self._raise_for_status(response, trace, now, self._pause_scope(call.family, call.operation.path))
        try:
            envelope = decode_envelope(response.content, message_keys=self.settings.envelope_message_keys)
        except ProtocolError as exc:
            exc.trace = trace  # the one handle support has on an answer that could not be read
            raise
        if envelope.is_success(self.settings.success_codes):
            # Manager authorize (its one call without a token) is documented to read no companyId.
            self._succeeded = self._succeeded or call.family is not Family.MANAGER or call.token is not None
            return envelope.data
        error = envelope_error(envelope, status_code=status)
        if error.code == "GATEWAY_CODE_015" and not self._succeeded:
            add_hint(error, company_id_hint(self.company_id))
        raise AttemptFailed(envelope_failure(error), error, trace=trace)
