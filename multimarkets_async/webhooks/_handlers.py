"""The framework-neutral webhook handlers: one method per call the platform makes to the integrator.

Each method takes the raw body bytes and the headers and returns a ``WebhookAnswer`` (HTTP status and
JSON body). Malformed input, failed checks and callbacks that raise all become documented answers
(``_answers``), never a 500. The balance query is answered here; the adjustment and its cancel (at most
once per number, through the pluggable replay store) come from ``_adjustments``, the Bridge callback and
the Message API from ``_channels``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Literal, TypeVar

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from .. import errors
from .._logging import WEBHOOKS_LOGGER, webhook_fields
from ..protocol.crypto import load_private_key, load_public_key
from ._adjustments import AdjustmentHandlers
from ._answers import CALLBACK_FAILED, NOT_CONFIGURED, SUCCESS, WebhookAnswer, envelope
from ._body import DEFAULT_MAX_BODY_BYTES, check_max_body_bytes
from ._bridge import BridgeNotification
from ._channels import ChannelHandlers, ReplayWindow
from ._idempotency import IdempotencyStore, MemoryIdempotencyStore, ReplayGuard
from ._models import (
    AdjustmentRequest,
    BalanceAnswer,
    BalanceRequest,
    CancelRequest,
    MessageRequest,
    WebhookContext,
    WebhookRequest,
)
from ._plumbing import AccessPolicy, call_safely, malformed, validate

__all__ = ["WebhookHandlers"]

R = TypeVar("R", bound=WebhookRequest)

logger = logging.getLogger(WEBHOOKS_LOGGER)


class WebhookHandlers(AdjustmentHandlers, ChannelHandlers):
    """The integrator's side of the Webhook API, the Bridge callback and the Message API.

    Args:
        get_balance: answers ``POST /get-user-amount``.
        adjust: applies ``POST /external-system-credit-limit-adjustment``; return to accept, raise
            ``Refused(code, msg)`` to refuse. Called at most once per ``requestUniqueNo``. Must finish
            well within the platform's 3 s.
        cancel_adjustment: reverses an applied adjustment, ``(cancel, original)``; called at most once
            per original, and only when the original was applied.
        on_bridge_notification: receives each Bridge ``/notification`` report.
        on_message: sends one Message API SMS or e-mail (``sign`` already verified).
        company_id: the only ``companyId`` accepted on Webhook and Bridge calls (None accepts any).
        shared_secret: a secret the URL must carry (at least 16 characters; the router adds it as a path
            segment).
        allowed_ips: caller addresses or networks allowed (None allows any).
        store: the replay store; the default in-memory one is for development only.
        adjust_timeout: seconds after which a running ``adjust`` callback is cancelled and the call
            refused with ``WH_0000504`` (the callback must then be cancellation-safe). None (default)
            never cancels it.
        replay_wait: seconds a duplicate (or a cancel of a running adjustment) waits for the outcome
            before answering ``WH_0000409``.
        message_private_key: our Message-API private key; required with ``on_message``.
        message_api_max_skew: seconds a Message API ``timestamp`` may be from our clock (0 disables).
        message_trace_cache: how many delivered Message API traces to remember to drop replays (0 off).
        bridge_public_key: the platform's key to verify Bridge ``signature`` headers (scheme A); None
            (default, Assumption ``bridge_callback_verify``) does not verify.
        bridge_max_skew: seconds a Bridge ``timestamp`` header may be from our clock (0 disables).
        bridge_replay_cache: how many delivered Bridge reports to remember to drop replays (0 off).
        max_body_bytes: the largest body accepted (1 MiB); a larger one is answered HTTP 413.
        balance_keys: ``"camel"`` (schema) or ``"snake"`` (vendor example) keys in the balance answer.
        now_ms: wall clock in ms (for tests).

    Raises:
        errors.ConfigurationError: a key cannot be loaded, or ``on_message`` lacks its private key.
    """

    def __init__(
        self,
        *,
        get_balance: Callable[[BalanceRequest], Awaitable[BalanceAnswer]] | None = None,
        adjust: Callable[[AdjustmentRequest], Awaitable[None]] | None = None,
        cancel_adjustment: Callable[[CancelRequest, AdjustmentRequest], Awaitable[None]] | None = None,
        on_bridge_notification: Callable[[BridgeNotification], Awaitable[None]] | None = None,
        on_message: Callable[[MessageRequest], Awaitable[None]] | None = None,
        company_id: int | None = None,
        shared_secret: str | None = None,
        allowed_ips: Iterable[str] | None = None,
        store: IdempotencyStore | None = None,
        adjust_timeout: float | None = None,
        replay_wait: float = 5.0,
        message_private_key: str | bytes | RSAPrivateKey | None = None,
        message_api_max_skew: float = 300.0,
        message_trace_cache: int = 10_000,
        bridge_public_key: str | bytes | RSAPublicKey | None = None,
        bridge_max_skew: float = 300.0,
        bridge_replay_cache: int = 10_000,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        balance_keys: Literal["camel", "snake"] = "camel",
        now_ms: Callable[[], int] | None = None,
    ) -> None:
        if on_message is not None and message_private_key is None:
            raise errors.ConfigurationError("on_message needs message_private_key to verify the sign")
        self.get_balance = get_balance
        self.adjust = adjust
        self.cancel_adjustment = cancel_adjustment
        self.on_bridge_notification = on_bridge_notification
        self.on_message = on_message
        self.access = AccessPolicy(
            shared_secret=shared_secret, allowed_ips=allowed_ips, company_id=company_id
        )
        self.replay = ReplayGuard(store if store is not None else MemoryIdempotencyStore())
        self.adjust_timeout = adjust_timeout
        self.replay_wait = replay_wait
        self.message_key = None if message_private_key is None else load_private_key(message_private_key)
        self.bridge_key = None if bridge_public_key is None else load_public_key(bridge_public_key)
        self.max_body_bytes = check_max_body_bytes(max_body_bytes)
        self.balance_keys: Literal["camel", "snake"] = balance_keys
        self.now_ms = now_ms or (lambda: int(time.time() * 1000))
        # Both channels share one freshness/replay mechanism, reading ``self.now_ms`` at call time.
        self.message_window = ReplayWindow(
            max_skew_ms=int(message_api_max_skew * 1000), cache_size=message_trace_cache, now_ms=self._clock
        )
        self.bridge_window = ReplayWindow(
            max_skew_ms=int(bridge_max_skew * 1000), cache_size=bridge_replay_cache, now_ms=self._clock
        )

    def _clock(self) -> int:
        return self.now_ms()

    def __repr__(self) -> str:
        configured = [
            name
            for name in ("get_balance", "adjust", "cancel_adjustment", "on_bridge_notification", "on_message")
            if getattr(self, name) is not None
        ]
        return f"WebhookHandlers(callbacks={configured}, access={self.access!r})"

    def _parse(
        self,
        what: str,
        model: type[R],
        body: bytes,
        *,
        headers: Mapping[str, str],
        secret: str | None,
        client_ip: str | None,
    ) -> tuple[WebhookContext, R] | WebhookAnswer:
        """Check access, parse and validate a request; the answer to send instead when it fails."""
        admitted = self._admit(what, body, headers, secret=secret, client_ip=client_ip)
        if isinstance(admitted, WebhookAnswer):
            return admitted
        context, data = admitted
        request = validate(model, data, context)
        if isinstance(request, str):
            return malformed(context, what, request)
        return context, request

    # ------------------------------------------------------------------------------ get-user-amount

    async def balance(
        self,
        body: bytes,
        headers: Mapping[str, str],
        *,
        secret: str | None = None,
        client_ip: str | None = None,
    ) -> WebhookAnswer:
        """Answer ``POST /get-user-amount``.

        Args:
            body: the raw request body.
            headers: the request headers.
            secret: the shared secret the URL carried, if any.
            client_ip: the caller's address, for the allow-list.
        """
        what = "get-user-amount"
        parsed = self._parse(what, BalanceRequest, body, headers=headers, secret=secret, client_ip=client_ip)
        if isinstance(parsed, WebhookAnswer):
            return parsed
        context, request = parsed
        callback = self.get_balance
        if callback is None:
            return WebhookAnswer(200, envelope(NOT_CONFIGURED, "Not configured", trace=context.trace))
        answer, failure = await call_safely(what, context, lambda: callback(request))
        if failure is not None:
            return failure
        if not isinstance(answer, BalanceAnswer):
            logger.error(
                "%s: get_balance returned %s, not a BalanceAnswer",
                what,
                type(answer).__name__,
                extra=webhook_fields(what, context.trace, code=CALLBACK_FAILED),
            )
            return WebhookAnswer(200, envelope(CALLBACK_FAILED, "Callback failed", trace=context.trace))
        logger.debug(
            "%s answered for user %s trace=%s",
            what,
            request.user_name,
            context.trace,
            extra=webhook_fields(what, context.trace),
        )
        data_out = answer.to_data(self.balance_keys)
        return WebhookAnswer(200, envelope(SUCCESS, "Success", trace=context.trace, data=data_out))
