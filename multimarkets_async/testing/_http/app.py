"""The simulator's ASGI app: Starlette routes for each API family and the request pipeline.

Every request (HTTP, or a Client RPC socket frame) goes through one pipeline: record it, apply arrival
faults, admit it through the family's gateway, honour ``idempotency-key``, apply processing
delays, run the operation, cache the answer, apply after-processing drops, answer. The socket
endpoints are more routes of the same app (``extra_routes``), so they share the server, the port and
the state.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

from ..._logging import SIMULATOR_LOGGER
from .._faults.http import FailFault, StatusFault
from .error_codes import SimError, gateway_error
from .gateway import Admitted, Incoming, admit_auth2, admit_client, admit_open
from .handlers.table import SimCall
from .limits import IN_FLIGHT, CachedAnswer
from .partner_gateway import admit_bridge, admit_manager
from .wire import (
    HTTPReply,
    RecordedHeaders,
    RecordedRequest,
    envelope_bytes,
    error_envelope,
    success_envelope,
)

__all__ = ["Dropper", "Outcome", "Pipeline", "create_app"]

logger = logging.getLogger(SIMULATOR_LOGGER)

Dropper = Callable[[Scope], bool]
"""Closes the TCP connection a request arrived on, without a response; False if it cannot."""

_JSON = "application/json"


if TYPE_CHECKING:
    from .state_view import HttpState

FAMILIES: dict[str, Callable[[HttpState, Incoming], Admitted]] = {
    "client": admit_client,
    "open": admit_open,
    "auth2": admit_auth2,
    "manager": admit_manager,
    "bridge": admit_bridge,
}
"""Family name -> admission function (the Manager and Bridge families are in ``partner_gateway``)."""


class _DropConnection(Response):
    """Send nothing: close the connection and wait until the server notices."""

    def __init__(self, drop: Dropper) -> None:
        super().__init__()
        self._drop = drop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._drop(scope):
            logger.warning("simulator: could not drop the connection; answering 500 instead")
            return
        while (await receive())["type"] != "http.disconnect":
            pass


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the pipeline decided for one request, whatever the transport.

    Attributes:
        status: the HTTP status (200 for every envelope).
        headers: response headers (rate-limit headers, or a status fault's headers).
        body: the response body (an envelope when ``envelope`` is true).
        envelope: whether ``body`` is a JSON envelope.
        drop: close the connection without answering (``drop_next`` faults).
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    envelope: bool = True
    drop: bool = False


class Pipeline:
    """The request pipeline shared by the HTTP routes and the Client RPC socket.

    Args:
        state: the simulator's state.
        drop: closes an HTTP request's connection without a response.
    """

    def __init__(self, state: HttpState, drop: Dropper) -> None:
        self._state = state
        self._drop = drop

    def endpoint(
        self, family: str, route: str, fixed_biz_type: str | None = None
    ) -> Callable[[Request], Awaitable[Response]]:
        """An HTTP endpoint for one path kind of ``family``."""

        async def endpoint(request: Request) -> Response:
            biz_type = fixed_biz_type or str(request.path_params["biz_type"])
            return await self.handle(request, family, route, biz_type)

        return endpoint

    async def handle(self, request: Request, family: str, route: str, biz_type: str) -> Response:
        """Answer one HTTP request."""
        raw = await request.body()
        client = request.client
        outcome = await self.process(
            method=request.method,
            path=request.url.path,
            headers=RecordedHeaders(request.headers.items()),
            raw=raw,
            client_host=client.host if client else "",
            family=family,
            route=route,
            biz_type=biz_type,
        )
        if outcome.drop:
            return _DropConnection(self._drop)
        media_type = _JSON if outcome.envelope else None
        return Response(outcome.body, outcome.status, headers=dict(outcome.headers), media_type=media_type)

    async def process(
        self,
        *,
        method: str,
        path: str,
        headers: RecordedHeaders,
        raw: bytes,
        client_host: str,
        family: str,
        route: str,
        biz_type: str,
    ) -> Outcome:
        """Run one request through the pipeline (see the module docstring) and return the outcome."""
        state = self._state
        started = time.perf_counter()
        record = RecordedRequest(method, path, headers, _json_or_none(raw), biz_type, family, state.now_ms())
        state.requests.append(record)
        inc = Incoming(family, route, biz_type, path, headers, raw, client_host, record)
        trace = headers.get("trace", "")
        lang = headers.get("lang") or state.config.default_lang

        def envelope(env: dict[str, Any]) -> Outcome:
            record.status, record.code = 200, str(env["code"])
            return Outcome(200, tuple(inc.response_headers), envelope_bytes(env))

        def failure(error: SimError) -> dict[str, Any]:
            tm = int((time.perf_counter() - started) * 1000)
            return error_envelope(
                error,
                biz_type=biz_type,
                trace=trace,
                lang=lang,
                tm=tm,
                emit_message_key=state.config.emit_message_key,
            )

        # Faults acting on arrival: nothing executes, nothing is cached.
        taken = state.faults._take(("status", "fail", "drop"), biz_type, family)
        if taken is not None:
            _, payload = taken
            if isinstance(payload, StatusFault):
                record.status = payload.status
                return Outcome(payload.status, payload.headers, payload.body, envelope=False)
            if isinstance(payload, FailFault):
                error = SimError(
                    payload.code, payload.biz_code, msg_params=payload.msg_params, msg=payload.msg
                )
                return envelope(failure(error))
            return Outcome(0, (), b"", envelope=False, drop=True)

        try:
            admitted = FAMILIES[family](state, inc)
        except SimError as error:
            return envelope(failure(error))
        except HTTPReply as reply:
            record.status = reply.status
            return Outcome(reply.status, reply.headers, reply.body, envelope=False)

        idem_key = None
        if idem := headers.get("idempotency-key"):
            # The idempotency cache key: (key, bizType, version, group, companyId).
            version, group = headers.get("version", ""), headers.get("group", "")
            idem_key = (idem, admitted.op.biz_type, version, group, admitted.company_id)
            found = state.idempotency.lookup(idem_key, state.now_ms())
            if found is IN_FLIGHT:
                return envelope(failure(gateway_error("018")))
            if isinstance(found, CachedAnswer):
                record.status, record.code = found.status, _code_of(found.body)
                return Outcome(found.status, tuple(inc.response_headers), found.body)
            state.idempotency.begin(idem_key)

        try:
            body = await self._execute(
                admitted, inc=inc, failure=failure, trace=trace, lang=lang, started=started
            )
            if idem_key is not None:
                state.idempotency.complete(idem_key, 200, (), body, state.now_ms())
        finally:
            if idem_key is not None:
                state.idempotency.abandon(idem_key)  # no-op once completed

        if state.faults._take(("drop_after",), biz_type, family) is not None:
            record.code = _code_of(body)
            return Outcome(0, (), body, drop=True)
        record.status, record.code = 200, _code_of(body)
        return Outcome(200, tuple(inc.response_headers), body)

    async def _execute(
        self,
        admitted: Admitted,
        *,
        inc: Incoming,
        failure: Callable[[SimError], dict[str, Any]],
        trace: str,
        lang: str,
        started: float,
    ) -> bytes:
        state = self._state
        await state.faults._apply_delay(inc.biz_type, inc.family)
        call = SimCall(
            state,
            admitted.body,
            admitted.customer_id,
            inc.family,
            inc.biz_type,
            state.now_ms(),
            admitted.token,
        )
        try:
            data = admitted.op.handler(call)
        except SimError as error:
            return envelope_bytes(failure(error))
        tm = int((time.perf_counter() - started) * 1000)
        env = success_envelope(
            data, trace=trace, lang=lang, tm=tm, emit_message_key=state.config.emit_message_key
        )
        return envelope_bytes(env)


def _code_of(body: bytes) -> str | None:
    parsed = _json_or_none(body)
    return str(parsed.get("code")) if isinstance(parsed, dict) and "code" in parsed else None


def create_app(
    state: HttpState,
    drop: Dropper,
    *,
    extra_routes: Sequence[BaseRoute] = (),
    pipeline: Pipeline | None = None,
) -> Starlette:
    """Build the simulator's Starlette app.

    Args:
        state: the simulator's state, shared by every route.
        drop: closes a request's connection without answering (provided by the server runner).
        extra_routes: more routes on the same server (the socket endpoints), matched first.
        pipeline: the request pipeline, when the caller shares it (the RPC socket does).

    Returns:
        The ASGI app: ``/api/...`` (Client API), ``/openapi-c/global/...`` (Open API),
        ``/cats-gateway-auth2/auth2/...`` (Auth2 API), ``/openapi-b/...`` (Manager API) and
        ``/webhook/global/...`` (Bridge API).
    """
    pipeline = pipeline or Pipeline(state, drop)
    client_routes = [
        Route("/login/{biz_type:path}", pipeline.endpoint("client", "login"), methods=["POST"]),
        Route("/register/{biz_type:path}", pipeline.endpoint("client", "register"), methods=["POST"]),
        Route("/global/{biz_type:path}", pipeline.endpoint("client", "global"), methods=["POST"]),
        Route("/logout", pipeline.endpoint("client", "logout", "logout"), methods=["POST"]),
        Route("/thirdExt/now", pipeline.endpoint("client", "now", "thirdExt/now"), methods=["POST"]),
    ]
    open_routes = [Route("/global/{biz_type:path}", pipeline.endpoint("open", "global"), methods=["POST"])]
    auth2_routes = [
        Route(f"/auth2/{name}", pipeline.endpoint("auth2", "auth2", f"auth2/{name}"), methods=["POST"])
        for name in ("code", "token", "user", "refresh")
    ]
    manager_routes = [
        Route("/auth/{biz_type:path}", pipeline.endpoint("manager", "auth"), methods=["POST"]),
        Route("/global/{biz_type:path}", pipeline.endpoint("manager", "global"), methods=["POST"]),
        Route("/{biz_type:path}", pipeline.endpoint("manager", "bare"), methods=["POST"]),
    ]
    bridge_routes = [
        Route("/global/{biz_type:path}", pipeline.endpoint("bridge", "global"), methods=["POST"])
    ]
    routes: list[BaseRoute] = [
        *extra_routes,
        Mount("/api", routes=client_routes),
        Mount("/openapi-c", routes=open_routes),
        Mount("/cats-gateway-auth2", routes=auth2_routes),
        Mount("/openapi-b", routes=manager_routes),
        Mount("/webhook", routes=bridge_routes),
    ]
    return Starlette(routes=routes)
