"""The server side of the calls the platform makes to the integrator: the Webhook API (balance query,
credit-limit adjustment, cancel), the Bridge ``/notification`` callback and the Message API.

``WebhookHandlers`` is framework-neutral (bytes and headers in, ``WebhookAnswer`` out);
``webhook_routes`` / ``webhook_api_router`` mount it in Starlette or FastAPI. They need ``starlette``
(the ``[sim]`` extra, or FastAPI) and are imported on first use, so this package imports without it.

Example::

    handlers = WebhookHandlers(get_balance=..., adjust=..., cancel_adjustment=..., company_id=439)
    app = Starlette(routes=webhook_routes(handlers))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._answers import (
    CALLBACK_FAILED,
    CALLBACK_TIMEOUT,
    CANCEL_NOT_PROCESSED,
    CANCEL_NOT_RECEIVED,
    CANCELLED_BEFORE_RECEIPT,
    FORBIDDEN,
    IN_PROGRESS,
    MALFORMED_REQUEST,
    NOT_CONFIGURED,
    STORE_FAILED,
    Refused,
    WebhookAnswer,
)
from ._bridge import (
    BridgeNotification,
    BridgeReport,
    BridgeReportType,
    OrderCancelReport,
    OrderExecReport,
    OrderExpiredReport,
    QuoteTagReport,
    UnknownReport,
    parse_bridge_report,
)
from ._handlers import WebhookHandlers
from ._idempotency import IdempotencyRecord, IdempotencyStore, MemoryIdempotencyStore, RecordState
from ._models import (
    AdjustmentRequest,
    BalanceAnswer,
    BalanceRequest,
    CancelRequest,
    MessageRequest,
    OperationType,
    WebhookContext,
)

if TYPE_CHECKING:
    from ._starlette import webhook_api_router, webhook_routes

__all__ = [
    "CALLBACK_FAILED",
    "CALLBACK_TIMEOUT",
    "CANCELLED_BEFORE_RECEIPT",
    "CANCEL_NOT_PROCESSED",
    "CANCEL_NOT_RECEIVED",
    "FORBIDDEN",
    "IN_PROGRESS",
    "MALFORMED_REQUEST",
    "NOT_CONFIGURED",
    "STORE_FAILED",
    "AdjustmentRequest",
    "BalanceAnswer",
    "BalanceRequest",
    "BridgeNotification",
    "BridgeReport",
    "BridgeReportType",
    "CancelRequest",
    "IdempotencyRecord",
    "IdempotencyStore",
    "MemoryIdempotencyStore",
    "MessageRequest",
    "OperationType",
    "OrderCancelReport",
    "OrderExecReport",
    "OrderExpiredReport",
    "QuoteTagReport",
    "RecordState",
    "Refused",
    "UnknownReport",
    "WebhookAnswer",
    "WebhookContext",
    "WebhookHandlers",
    "parse_bridge_report",
    "webhook_api_router",
    "webhook_routes",
]

_LAZY = {"webhook_routes", "webhook_api_router"}


def __getattr__(name: str) -> object:
    # starlette is optional: import the router module only when it is asked for.
    if name in _LAZY:
        from . import _starlette

        return getattr(_starlette, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
