"""The HTTP session: the only module that imports httpx.

One pooled ``httpx.AsyncClient`` per client. Signing and body encryption are ``httpx.Auth``
flows; the retry loop, client-side rate limiting, the pause after a 429 and the 418 lockout guard,
clock resynchronisation and re-authentication live in ``HTTPSession.request``. An order or money
operation that may have run surfaces as ``OutcomeUnknownError`` whatever failed after that. httpx's
exceptions are translated here, once, into the SDK's ``errors`` (always ``raise ... from exc``).
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Collection, Generator, Mapping
from dataclasses import dataclass
from typing import NoReturn

import anyio
import httpx

from ._config import Environment, ProtocolSettings, RateLimitPolicy, RetryPolicy, Timeouts
from ._types import NOT_GIVEN, NotGivenOr
from ._version import __version__
from .errors import (
    ConnectError,
    LockedOutError,
    MultiMarketsError,
    OrderStateUnknownError,
    OutcomeUnknownError,
    ProtocolError,
    RateLimitedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    SessionExpiredError,
    TimeWindowError,
    TransportError,
    UnknownOperationError,
    http_status_error,
)
from .protocol.backoff import Failure, backoff_delay, parse_retry_after, retry_decision
from .protocol.envelope import decode_envelope, encode_body, envelope_error, make_trace, request_headers
from .protocol.operations import Family, Operation, fallback_biz_type, may_repeat, operation_for
from .protocol.signing import BodyEncryptor, OpenApiSigner
from .protocol.throttle import (
    KEY_SCOPE,
    ClockOffset,
    EndpointBudgets,
    RateLimitPause,
    SlidingWindowLimiter,
    read_ratelimit_headers,
)

__all__ = ["EncryptedBodyAuth", "HTTPSession", "OpenApiAuth", "map_httpx_exception"]

logger = logging.getLogger("multimarkets_async.http")

# The first 418 locks the key out for 5 minutes, each further one 5 more (Assumption ``lockout_schedule``).
_LOCKOUT_STEP_S = 300.0

# httpx exception -> (how the attempt failed, the SDK class). Looked up along the MRO, most specific first.
_HTTPX_ERRORS: tuple[tuple[type[httpx.HTTPError], Failure, type[TransportError]], ...] = (
    (httpx.ConnectTimeout, Failure.NOT_SENT, ConnectError),
    (httpx.ConnectError, Failure.NOT_SENT, ConnectError),
    (httpx.PoolTimeout, Failure.NOT_SENT, RequestTimeoutError),
    (httpx.UnsupportedProtocol, Failure.FATAL, TransportError),
    (httpx.LocalProtocolError, Failure.FATAL, TransportError),
    (httpx.ProxyError, Failure.FATAL, TransportError),
    (httpx.DecodingError, Failure.FATAL, TransportError),
    (httpx.TooManyRedirects, Failure.FATAL, TransportError),
    (httpx.TimeoutException, Failure.NO_ANSWER, RequestTimeoutError),
    (httpx.RemoteProtocolError, Failure.NO_ANSWER, TransportError),
    (httpx.NetworkError, Failure.NO_ANSWER, TransportError),
    (httpx.HTTPError, Failure.NO_ANSWER, TransportError),
)


def map_httpx_exception(exc: httpx.HTTPError) -> tuple[Failure, TransportError]:
    """Translate an httpx exception into how the attempt failed and the SDK error to raise."""
    for cls, failure, sdk_cls in _HTTPX_ERRORS:
        if isinstance(exc, cls):
            # httpx messages name the URL at most; never the headers.
            return failure, sdk_cls(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    raise AssertionError("unreachable: httpx.HTTPError is the last row")  # pragma: no cover


class OpenApiAuth(httpx.Auth):
    """Scheme A: ``signature`` = SHA1withRSA over the canonical body plus the ``timestamp`` header."""

    def __init__(self, signer: OpenApiSigner) -> None:
        self._signer = signer

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        body = json.loads(request.content) if request.content else {}
        request.headers["signature"] = self._signer.sign(body, int(request.headers["timestamp"]))
        yield request


class EncryptedBodyAuth(httpx.Auth):
    """Scheme B: the body becomes ``{"data": "<RSA pieces>"}`` with the MD5 signature inside."""

    def __init__(self, encryptor: BodyEncryptor) -> None:
        self._encryptor = encryptor

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        body = json.loads(request.content) if request.content else {}
        sealed = self._encryptor.encrypt(body, int(request.headers["timestamp"]))
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        yield httpx.Request(request.method, request.url, headers=headers, content=encode_body(sealed))


@dataclass(slots=True)
class _Call:
    """The state of one logical call across its attempts."""

    operation: Operation
    family: Family
    body: bytes
    idempotency_key: str | None
    version: str | None
    group: str | None
    token: str | None
    timeout: httpx.Timeout | None
    captcha: str | None = None
    extra_headers: Mapping[str, str] | None = None
    omit_headers: Collection[str] = ()
    reauthenticate: Callable[[], Awaitable[None]] | None = None
    maybe_delivered: bool = False
    """An attempt may have reached the server (no answer, or an unreadable one): the operation may have
    run even if later attempts fail."""
    sending: bool = False
    """An attempt has started sending: a cancellation from now on leaves the outcome unknown."""
    resynced: bool = False
    reauthenticated: bool = False
    fell_back: bool = False


def _anywhere() -> None:
    """The loop check of a session that no client owns: every loop is fine."""


class HTTPSession:
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
        self._api_key = api_key
        self._open_auth = OpenApiAuth(signer) if signer is not None else None
        self._encrypt_auth = EncryptedBodyAuth(encryptor) if encryptor is not None else None
        self._clock = clock
        self._rand = rand
        self._new_id = new_id
        self._sleep = sleep
        self._pauses = RateLimitPause()
        self._limiter = (
            SlidingWindowLimiter(rate_limit.open_api_per_minute)
            if signer is not None and rate_limit.open_api_per_minute
            else None
        )
        self._budgets = EndpointBudgets() if rate_limit.respect_ratelimit_headers else None
        self._owns_client = http_client is None
        self._client = http_client or httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(
                connect=timeouts.connect, read=timeouts.read, write=timeouts.write, pool=timeouts.pool
            ),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=32),
            headers={"User-Agent": f"multimarkets-async/{__version__}", "Accept": "application/json"},
        )
        self._closed = False

    @property
    def signs_requests(self) -> bool:
        """Whether ``/global`` operations go to the Open API with an apiKey signature."""
        return self._open_auth is not None

    def now_ms(self) -> int:
        """The current time on the server's clock, in ms, as far as it has been measured."""
        return self.clock_offset.server_ms(int(self._clock() * 1000))

    async def aclose(self) -> None:
        """Close the pooled connections (only when the session created the httpx client)."""
        self._closed = True
        if self._owns_client:
            await self._client.aclose()

    async def sync_clock(self) -> int:
        """Measure the server clock with ``/thirdExt/now`` and return the new offset in ms."""
        sent = int(self._clock() * 1000)
        data = await self.request("thirdExt/now", None, family=Family.CLIENT, _sync=False)
        received = int(self._clock() * 1000)
        if not isinstance(data, int) or isinstance(data, bool):
            raise MultiMarketsError(f"server time is not an integer: {data!r}")
        offset = self.clock_offset.update(sent, received, data)
        logger.debug("clock offset %d ms (round trip %s ms)", offset, self.clock_offset.round_trip_ms)
        return offset

    def _family_for(self, operation: Operation) -> Family:
        if self._open_auth is not None and operation.path.startswith("/global/"):
            return Family.OPEN
        return Family.CLIENT

    def _url(self, family: Family, path: str) -> str:
        base = {
            Family.CLIENT: self.environment.client_url,
            Family.OPEN: self.environment.open_api_url,
            Family.MANAGER: self.environment.manager_url,
            Family.BRIDGE: self.environment.bridge_url,
            Family.AUTH2: self.environment.auth2_url,
        }[family]
        return base + path

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
        chosen = family or self._family_for(operation)
        if idempotency_key is NOT_GIVEN:
            idempotency_key = (
                self._new_id() if operation.changes_orders and self.settings.send_idempotency_key else None
            )
        call = _Call(
            operation=operation,
            family=chosen,
            body=encode_body(body),
            idempotency_key=idempotency_key,
            version=operation.version if version is NOT_GIVEN else version,
            group=operation.group if group is NOT_GIVEN else group,
            token=(self.token if token is NOT_GIVEN else token) if chosen is not Family.OPEN else None,
            timeout=None if timeout is NOT_GIVEN else httpx.Timeout(timeout),
            captcha=captcha,
            extra_headers=extra_headers,
            omit_headers=omit_headers,
            reauthenticate=self.reauthenticate if reauthenticate is NOT_GIVEN else reauthenticate,
        )
        return await self._run(call, allow_resync=_sync)

    async def _run(self, call: _Call, *, allow_resync: bool) -> object:
        try:
            return await self._retry_loop(call, allow_resync=allow_resync)
        except anyio.get_cancelled_exc_class():
            if call.sending and _outcome_matters(call.operation):
                # The caller's cancellation must propagate unchanged; say what may have run.
                logger.warning(
                    "%s cancelled after it was sent: its outcome is unknown; send it again with "
                    "idempotency-key %s to learn it",
                    call.operation.biz_type,
                    call.idempotency_key,
                )
            raise
        except OutcomeUnknownError:
            raise
        except MultiMarketsError as exc:
            # Whatever failed after an attempt that may have run (an unreadable answer, a lockout met
            # before a retry, a failed re-login), the caller must not read it as "not applied".
            if call.maybe_delivered and _outcome_matters(call.operation):
                raise self._outcome_unknown(call, exc, trace=exc.trace) from exc
            raise

    async def _retry_loop(self, call: _Call, *, allow_resync: bool) -> object:
        attempt = 0
        while True:
            try:
                return await self._attempt(call)
            except _AttemptFailed as failed:
                error = failed.error
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
                    backoff=backoff_delay(
                        attempt,
                        initial=self.retry.initial_delay,
                        maximum=self.retry.max_delay,
                        multiplier=self.retry.multiplier,
                        rand=self._rand(),
                    ),
                    retry_after=failed.retry_after,
                    max_retry_after=self.retry.max_retry_after,
                    maybe_delivered=call.maybe_delivered,
                )
                if not decision.retry:
                    final = self._final_error(call, failed)
                    # A transport failure chains the httpx exception; an unknown outcome hiding an SDK
                    # error (a 503, an unreadable answer) chains that error.
                    wrapped = final is not failed.error and not isinstance(failed.error, TransportError)
                    raise final from (failed.error if wrapped else failed.error.__cause__)
                logger.info(
                    "retrying %s in %.2f s (%s, attempt %d)",
                    call.operation.biz_type,
                    decision.delay,
                    decision.reason,
                    attempt + 1,
                )
                attempt += 1
                await self._sleep(decision.delay)

    def _final_error(self, call: _Call, failed: _AttemptFailed) -> MultiMarketsError:
        if call.maybe_delivered and _outcome_matters(call.operation):
            return self._outcome_unknown(call, failed.error, trace=failed.trace, failure=failed.failure)
        return failed.error

    def _outcome_unknown(
        self, call: _Call, error: MultiMarketsError, *, trace: str | None, failure: Failure | None = None
    ) -> OutcomeUnknownError:
        # Once any attempt may have run, a different failure of a later retry (a 503, a refused
        # connection, an HTML page) does not tell the caller it did not.
        reason = error.message.rstrip(".")
        biz_type = call.operation.biz_type
        if failure is Failure.NO_ANSWER:
            message = f"no answer to {biz_type}: {reason}"
        elif isinstance(error, ProtocolError):
            message = f"the answer to {biz_type} could not be read ({reason})"
        else:
            message = f"an attempt of {biz_type} got no answer and the retry failed ({reason})"
        cls = OrderStateUnknownError if call.operation.changes_orders else OutcomeUnknownError
        return cls(
            message,
            biz_type=biz_type,
            body=json.loads(call.body),
            idempotency_key=call.idempotency_key,
            trace=trace,
        )

    def _pause_scope(self, family: Family, endpoint: str) -> str:
        # Open API and Bridge calls spend one budget per API key; Client and Manager ones, per endpoint.
        return KEY_SCOPE if family in (Family.OPEN, Family.BRIDGE) else f"{family}:{endpoint}"

    async def _throttle(self, call: _Call, endpoint: str) -> None:
        limited = call.family in (Family.OPEN, Family.BRIDGE)
        scope = self._pause_scope(call.family, endpoint)
        reserved = False
        while True:
            now = self._clock()
            # Checked again after every wait: a 418 or a 429 may have arrived for another call meanwhile.
            if limited:
                self._refuse_while_locked_out(now)
            wait = self._pauses.wait_for(scope, now)
            if wait > self.retry.max_retry_after:
                raise RateLimitedError(
                    f"calls are held back after HTTP 429 for another {wait:.0f} s; not sending",
                    status_code=429,
                    retry_after=wait,
                )
            if wait > 0:
                logger.info("HTTP 429 pause: waiting %.2f s before %s", wait, endpoint)
            elif not reserved:
                reserved = True
                if self._limiter is not None and limited:
                    wait = self._limiter.reserve(now)
                if self._budgets is not None:
                    wait = max(wait, self._budgets.wait_for(endpoint, now))
                if wait > 0:
                    logger.debug("client-side rate limit: waiting %.2f s before %s", wait, endpoint)
            if wait <= 0:
                return
            await self._sleep(wait)

    def _refuse_while_locked_out(self, now: float) -> None:
        if self.locked_until is None:
            return
        if now < self.locked_until:
            left = self.locked_until - now
            raise LockedOutError(
                f"the API key is locked out after HTTP 418 for another {left:.0f} s; not sending",
                status_code=418,
                retry_after=left,
                locked_until=self.locked_until,
            )
        self.locked_until = None

    async def _attempt(self, call: _Call) -> object:
        path = call.operation.path
        await self._throttle(call, path)
        # The encrypted-body MD5 covers the timestamp, so calls sent without one (server time) go plain.
        encrypt_auth = self._encrypt_auth
        if call.family is Family.MANAGER:
            encryptor = self.manager_encryptor
            encrypt_auth = EncryptedBodyAuth(encryptor) if encryptor is not None else None
        encrypted = (
            encrypt_auth is not None
            and call.family in (Family.CLIENT, Family.MANAGER)
            and call.operation.timestamp
        )
        now_ms = self.now_ms()
        trace = make_trace(self._new_id(), now_ms, encrypted=encrypted)
        signed = call.family in (Family.OPEN, Family.BRIDGE)
        headers = request_headers(
            company_id=self.company_id,
            trace=trace,
            timestamp_ms=now_ms if call.operation.timestamp or signed else None,
            lang=self.settings.default_lang,
            version=call.version,
            group=call.group,
            token=call.token,
            api_key=self._api_key if signed else None,
            recv_window_ms=self.settings.recv_window_ms if signed else None,
            idempotency_key=call.idempotency_key,
            captcha=call.captcha,
        )
        if call.family is Family.AUTH2:
            # Auth2 names the company "company" and sends neither companyId, timestamp nor lang.
            headers = {k: v for k, v in headers.items() if k not in ("companyId", "timestamp", "lang")}
            headers["company"] = str(self.company_id)
        if call.extra_headers:
            headers.update(call.extra_headers)
        for name in call.omit_headers:
            headers.pop(name, None)
        auth: httpx.Auth | None = self._open_auth if signed else (encrypt_auth if encrypted else None)
        url = self._url(call.family, path)
        logger.debug("POST %s trace=%s", url, trace)
        call.sending = True
        try:
            response = await self._client.post(
                url,
                content=call.body,
                headers=headers,
                auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                timeout=call.timeout if call.timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as exc:
            failure, error = map_httpx_exception(exc)
            error.__cause__ = exc
            error.trace = trace
            raise _AttemptFailed(failure, error, trace=trace) from exc
        try:
            return self._read(call, response, trace)
        except ProtocolError:
            call.maybe_delivered = True  # an answer came but could not be read: the call may have run
            raise

    def _read(self, call: _Call, response: httpx.Response, trace: str) -> object:
        now = self._clock()
        status = response.status_code
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
            return envelope.data
        error = envelope_error(envelope, status_code=status)
        if isinstance(error, RateLimitError):
            raise _AttemptFailed(Failure.RATE_LIMITED, error, trace=trace)
        if isinstance(error, ServerError):
            raise _AttemptFailed(Failure.SERVER, error, trace=trace)
        raise _AttemptFailed(Failure.FATAL, error, trace=trace)

    def _raise_for_status(self, response: httpx.Response, trace: str, now: float, scope: str) -> NoReturn:
        status = response.status_code
        # No body format is documented for 403/418/429: never parse them as an envelope.
        body = response.text[:200]
        retry_after = parse_retry_after(response.headers.get("retry-after"), now_epoch=now)
        if status == 418:
            self._lockouts += 1
            wait = retry_after if retry_after is not None else _LOCKOUT_STEP_S * self._lockouts
            self.locked_until = now + wait
            error = http_status_error(418, body, retry_after=wait, locked_until=self.locked_until)
            error.trace = trace
            raise _AttemptFailed(Failure.FATAL, error, trace=trace)
        if status == 429:
            if retry_after is None:
                _limit, _remaining, reset = read_ratelimit_headers(response.headers, ())
                retry_after = reset if reset is not None else self.retry.default_rate_limit_wait
            # Every call sharing this budget waits too: one more call now would lock the key out (418).
            self._pauses.pause(scope, now + retry_after)
            error = http_status_error(429, body, retry_after=retry_after)
            error.trace = trace
            raise _AttemptFailed(Failure.RATE_LIMITED, error, trace=trace, retry_after=retry_after)
        error = http_status_error(status, body, retry_after=retry_after)
        error.trace = trace
        failure = Failure.SERVER if status >= 500 else Failure.FATAL
        raise _AttemptFailed(failure, error, trace=trace, retry_after=retry_after if status >= 500 else None)


def _outcome_matters(operation: Operation) -> bool:
    """Whether running ``operation`` twice, or not knowing if it ran, can cost the caller money."""
    return operation.changes_orders or operation.moves_money


class _AttemptFailed(Exception):
    """Internal: one attempt failed; carries how, and the SDK error to raise if it is final."""

    def __init__(
        self, failure: Failure, error: MultiMarketsError, *, trace: str, retry_after: float | None = None
    ) -> None:
        super().__init__(failure.value)
        self.failure = failure
        self.error = error
        self.trace = trace
        self.retry_after = retry_after
