"""Starlette / FastAPI routes for the webhook handlers (needs ``starlette``: the ``[sim]`` extra or FastAPI).

``webhook_routes`` returns plain Starlette ``Route`` objects, which a Starlette app takes as ``routes=`` and
a FastAPI app or ``APIRouter`` takes through ``.routes.extend(...)`` (or ``webhook_api_router``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._answers import WebhookAnswer
from ._body import BodyTooLarge, check_max_body_bytes, read_limited
from ._handlers import WebhookHandlers

if TYPE_CHECKING:
    from fastapi import APIRouter

__all__ = ["DEFAULT_PATHS", "webhook_api_router", "webhook_routes"]

DEFAULT_PATHS: Mapping[str, str] = {
    "balance": "/get-user-amount",
    "adjustment": "/external-system-credit-limit-adjustment",
    "cancel": "/cancel-external-system-credit-limit-adjustment",
    "notification": "/notification",
    "message": "/message",
}
"""Endpoint -> path (below the prefix): the Webhook API paths, the Bridge callback path
(``{webhookUrl}/notification``) and the Message API path (ours to choose)."""

_Handler = Callable[..., Awaitable[WebhookAnswer]]
_SECRET_PARAM = "webhook_secret"  # noqa: S105 - the name of a path parameter, not a secret


def _declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 20 else None


def _endpoint(
    handlers: WebhookHandlers, name: str, handler: _Handler, limit: int
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        secret = request.path_params.get(_SECRET_PARAM)
        client_ip = request.client.host if request.client is not None else None
        declared = _declared_length(request)
        try:
            if declared is not None and declared > limit:
                raise BodyTooLarge  # refused before reading a byte
            # Read in chunks and stop at the limit: a hostile sender cannot make us buffer its body.
            body = await read_limited(request.stream(), limit)
        except BodyTooLarge:
            answer = handlers.oversized(name, request.headers, limit=limit, client_ip=client_ip)
            # The unread rest of the body makes the connection unusable for another request.
            return JSONResponse(answer.body, status_code=answer.status, headers={"connection": "close"})
        answer = await handler(body, request.headers, secret=secret, client_ip=client_ip)
        return JSONResponse(answer.body, status_code=answer.status)

    return endpoint


def webhook_routes(
    handlers: WebhookHandlers,
    *,
    prefix: str = "",
    message_path: str = "/message",
    only_configured: bool = True,
    max_body_bytes: int | None = None,
) -> list[Route]:
    """The ``POST`` routes of every configured callback.

    With a ``shared_secret`` on the handlers, each path gets a secret segment after the prefix:
    ``{prefix}/{secret}/get-user-amount`` (register the URLs with the secret in them); a wrong segment
    is answered ``WH_0000403``.

    Args:
        handlers: the configured handlers.
        prefix: a path prefix, e.g. ``"/hooks"`` (no trailing slash).
        message_path: the Message API path below the prefix (the URL you enter in the back office).
        only_configured: leave out the endpoints whose callback is None.
        max_body_bytes: the largest body read (None: the handlers' ``max_body_bytes``, 1 MiB by
            default). A larger one is refused with HTTP 413 (``WH_0000400``, or the Message API's
            ``"400"``) as soon as its ``Content-Length`` or its bytes so far exceed it.

    Returns:
        Starlette routes, in the order balance, adjustment, cancel, notification, message.
    """
    if prefix.endswith("/"):
        raise ValueError(f"prefix must not end with '/': {prefix!r}")
    limit = handlers.max_body_bytes if max_body_bytes is None else check_max_body_bytes(max_body_bytes)
    paths = {**DEFAULT_PATHS, "message": message_path}
    callbacks = {
        "balance": handlers.get_balance,
        "adjustment": handlers.adjust,
        "cancel": handlers.adjust,  # cancel is only meaningful next to adjust
        "notification": handlers.on_bridge_notification,
        "message": handlers.on_message,
    }
    base = prefix + (f"/{{{_SECRET_PARAM}}}" if handlers.access.uses_secret else "")
    routes = []
    for name, path in paths.items():
        if only_configured and callbacks[name] is None:
            continue
        handler: _Handler = getattr(handlers, name)
        endpoint = _endpoint(handlers, name, handler, limit)
        routes.append(Route(base + path, endpoint, methods=["POST"], name=f"webhook_{name}"))
    return routes


def webhook_api_router(
    handlers: WebhookHandlers,
    *,
    prefix: str = "",
    message_path: str = "/message",
    max_body_bytes: int | None = None,
) -> APIRouter:
    """A FastAPI ``APIRouter`` holding ``webhook_routes`` (for ``app.include_router``).

    The routes are plain Starlette routes: they do not appear in the OpenAPI schema.

    Raises:
        ImportError: FastAPI is not installed.
    """
    from fastapi import APIRouter

    router = APIRouter()
    routes = webhook_routes(handlers, prefix=prefix, message_path=message_path, max_body_bytes=max_body_bytes)
    router.routes.extend(routes)
    return router
