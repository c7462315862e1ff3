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


def _endpoint(handler: _Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        body = await request.body()
        secret = request.path_params.get(_SECRET_PARAM)
        client_ip = request.client.host if request.client is not None else None
        answer = await handler(body, request.headers, secret=secret, client_ip=client_ip)
        return JSONResponse(answer.body, status_code=answer.status)

    return endpoint


def webhook_routes(
    handlers: WebhookHandlers,
    *,
    prefix: str = "",
    message_path: str = "/message",
    only_configured: bool = True,
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

    Returns:
        Starlette routes, in the order balance, adjustment, cancel, notification, message.
    """
    if prefix.endswith("/"):
        raise ValueError(f"prefix must not end with '/': {prefix!r}")
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
        routes.append(Route(base + path, _endpoint(handler), methods=["POST"], name=f"webhook_{name}"))
    return routes


def webhook_api_router(
    handlers: WebhookHandlers, *, prefix: str = "", message_path: str = "/message"
) -> APIRouter:
    """A FastAPI ``APIRouter`` holding ``webhook_routes`` (for ``app.include_router``).

    The routes are plain Starlette routes: they do not appear in the OpenAPI schema.

    Raises:
        ImportError: FastAPI is not installed.
    """
    from fastapi import APIRouter

    router = APIRouter()
    router.routes.extend(webhook_routes(handlers, prefix=prefix, message_path=message_path))
    return router
