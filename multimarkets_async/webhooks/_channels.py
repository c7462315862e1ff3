"""The two notification channels of the webhook handlers: the Bridge ``/notification`` callback and
the Message API, plus the freshness window and replay guard they share (``ReplayWindow``).

``WebhookHandlers`` inherits these methods; its constructor sets the attributes declared here.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from .._logging import WEBHOOKS_LOGGER, webhook_fields
from ..protocol.crypto import (
    canonical_body,
    open_api_string_to_sign,
    verify_message_api_sign,
    verify_open_api_signature,
)
from ._answers import (
    CALLBACK_FAILED,
    MESSAGE_BAD_REQUEST,
    MESSAGE_BAD_SIGN,
    MESSAGE_FAILED,
    NOT_CONFIGURED,
    SUCCESS,
    WebhookAnswer,
    envelope,
    message_answer,
)
from ._bridge import BridgeNotification, parse_bridge_report
from ._models import MessageRequest, WebhookContext
from ._plumbing import (
    AccessPolicy,
    call_safely,
    forbidden,
    malformed,
    parse_context,
    parse_json_object,
    too_large,
    validate,
)

__all__ = ["ChannelHandlers", "ReplayWindow", "SeenTraces"]

logger = logging.getLogger(WEBHOOKS_LOGGER)


class SeenTraces:
    """A bounded set of keys already delivered: Message API traces (no replay
    protection beyond ``trace``) or Bridge report digests. ``size`` 0 turns it off."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, trace: object) -> bool:
        return trace in self._items

    def __len__(self) -> int:
        return len(self._items)

    def add(self, trace: str) -> None:
        """Remember ``trace``, forgetting the oldest beyond ``size``."""
        if self._size <= 0:
            return
        self._items[trace] = None
        self._items.move_to_end(trace)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def discard(self, trace: str) -> None:
        """Forget ``trace`` (a delivery that failed may be retried)."""
        self._items.pop(trace, None)


class ReplayWindow:
    """The freshness window and replay guard of one notification channel (Message API, Bridge callback).

    A call is stale when its timestamp is more than ``max_skew_ms`` from our clock (0 disables the
    check); a replay when its key was already delivered (the last ``cache_size`` keys; 0 disables).

    Args:
        max_skew_ms: the accepted distance between the call's timestamp and ``now_ms()``.
        cache_size: how many delivered keys to remember.
        now_ms: our wall clock in ms.
    """

    def __init__(self, *, max_skew_ms: int, cache_size: int, now_ms: Callable[[], int]) -> None:
        self.max_skew_ms = max_skew_ms
        self.seen = SeenTraces(cache_size)
        self._now_ms = now_ms

    def __repr__(self) -> str:
        return f"ReplayWindow(max_skew_ms={self.max_skew_ms}, seen={len(self.seen)})"

    def is_stale(self, timestamp_ms: int | None) -> bool:
        """Whether ``timestamp_ms`` is outside the window (None, no timestamp, is never stale)."""
        if timestamp_ms is None or self.max_skew_ms <= 0:
            return False
        return abs(self._now_ms() - timestamp_ms) > self.max_skew_ms

    def admit(self, key: str) -> bool:
        """Remember ``key`` and return True, or return False when it was delivered already.

        Call it right before awaiting the callback: a concurrent duplicate is then dropped too.
        """
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def forget(self, key: str) -> None:
        """Forget ``key`` after a failed delivery, so that the sender's retry is delivered."""
        self.seen.discard(key)


def _bridge_replay_key(data: dict[str, object], timestamp_ms: int | None) -> str:
    # What a signature covers (the canonical body and the timestamp header), hashed: a replay cannot
    # dodge the guard by re-serialising the body or changing the unsigned ``trace`` header, and the
    # cache holds 64 characters per call whatever the body's size.
    signed = canonical_body(data) if timestamp_ms is None else open_api_string_to_sign(data, timestamp_ms)
    return hashlib.sha256(signed.encode("utf-8")).hexdigest()


class ChannelHandlers:
    """The Bridge callback and Message API handlers (see ``WebhookHandlers`` for the configuration)."""

    access: AccessPolicy
    on_bridge_notification: Callable[[BridgeNotification], Awaitable[None]] | None
    on_message: Callable[[MessageRequest], Awaitable[None]] | None
    bridge_key: RSAPublicKey | None
    bridge_window: ReplayWindow
    message_key: RSAPrivateKey | None
    message_window: ReplayWindow
    max_body_bytes: int
    now_ms: Callable[[], int]

    def oversized(
        self, endpoint: str, headers: Mapping[str, str], *, limit: int, client_ip: str | None = None
    ) -> WebhookAnswer:
        """The answer (HTTP 413) to a body over ``limit`` bytes on ``endpoint`` (``"message"`` gets the
        Message API's ``"400"``, every other endpoint ``WH_0000400``)."""
        context = parse_context(headers, client_ip)
        if endpoint != "message":
            return too_large(context, endpoint, limit)
        logger.warning(
            "message: body larger than %d bytes, not read further",
            limit,
            extra=webhook_fields("message", context.trace),
        )
        return WebhookAnswer(413, message_answer(MESSAGE_BAD_REQUEST, "request too large"))

    def _admit(
        self, what: str, body: bytes, headers: Mapping[str, str], *, secret: str | None, client_ip: str | None
    ) -> tuple[WebhookContext, dict[str, object]] | WebhookAnswer:
        """Check access (``companyId`` included) and size and read the body's JSON object: the request's
        context and that object, or the answer to send instead (a Webhook API call or a Bridge report)."""
        context = parse_context(headers, client_ip)
        reason = self.access.refusal(context, secret, check_company=True)
        if reason is not None:
            return forbidden(context, what, reason)
        if len(body) > self.max_body_bytes:
            return too_large(context, what, self.max_body_bytes)
        data = parse_json_object(body)
        if data is None:
            return malformed(context, what, "body is not a JSON object")
        return context, data

    async def notification(
        self,
        body: bytes,
        headers: Mapping[str, str],
        *,
        secret: str | None = None,
        client_ip: str | None = None,
    ) -> WebhookAnswer:
        """Answer a Bridge ``POST /notification``: parse the report, optionally verify, call back.

        With ``bridge_public_key`` configured, the ``signature`` header must verify as scheme A over the
        body and the ``timestamp`` header (a missing one fails); otherwise nothing is verified and the raw
        headers are on ``notification.context.headers``. Answers ``{"code":"0","msg":"Success"}``; when
        the callback raises, ``WH_0000500`` with HTTP **500**, so that a sender retrying on non-200
        statuses redelivers the report (make the callback idempotent, e.g. on ``tradeId`` + ``status``).
        A ``timestamp`` header outside ``bridge_max_skew`` answers ``WH_0000403``; a report already
        delivered (same body and ``timestamp``) answers ``"0"`` without calling back again.
        """
        what = "bridge notification"
        admitted = self._admit(what, body, headers, secret=secret, client_ip=client_ip)
        if isinstance(admitted, WebhookAnswer):
            return admitted
        context, data = admitted
        verified = False
        if self.bridge_key is not None:
            signature = context.headers.get("signature")
            if (
                signature is None
                or context.timestamp_ms is None
                or not verify_open_api_signature(self.bridge_key, data, context.timestamp_ms, signature)
            ):
                return forbidden(context, what, "signature does not verify")
            verified = True
        if self.bridge_window.is_stale(context.timestamp_ms):
            return forbidden(context, what, "timestamp outside the freshness window")
        content = data.get("content")
        if isinstance(content, dict):  # tolerate an object where the docs say a string
            content = json.dumps(content, separators=(",", ":"), ensure_ascii=False, default=str)
        if not isinstance(content, str):
            return malformed(context, what, "content must be a string")
        fields = {**data, "content": content}
        fields.pop("report", None)
        fields.pop("signatureVerified", None)
        notification = validate(BridgeNotification, fields, context)
        if isinstance(notification, str):
            return malformed(context, what, notification)
        report = parse_bridge_report(content)
        report.with_context(context)
        notification = notification.model_copy(update={"report": report, "signature_verified": verified})
        notification.with_context(context)
        callback = self.on_bridge_notification
        if callback is None:
            return WebhookAnswer(200, envelope(NOT_CONFIGURED, "Not configured", trace=context.trace))
        key = _bridge_replay_key(data, context.timestamp_ms)
        if not self.bridge_window.admit(key):
            logger.info(
                "%s already delivered; not called back again trace=%s",
                what,
                context.trace,
                extra=webhook_fields(what, context.trace),
            )
            return WebhookAnswer(200, envelope(SUCCESS, "Success", trace=context.trace))
        _, failure = await call_safely(what, context, lambda: callback(notification))
        if failure is not None:
            self.bridge_window.forget(key)
        if failure is not None and failure.code == CALLBACK_FAILED:
            # A lost fill report is worse than a duplicate: a non-200 status invites a redelivery (the
            # simulator retries on it; the real platform's behaviour is not documented).
            return WebhookAnswer(500, failure.body)
        if failure is not None:
            return failure
        logger.debug(
            "%s %s order=%s trace=%s",
            what,
            report.report_type,
            report.order_id,
            context.trace,
            extra=webhook_fields(what, context.trace),
        )
        return WebhookAnswer(200, envelope(SUCCESS, "Success", trace=context.trace))

    async def message(
        self,
        body: bytes,
        headers: Mapping[str, str],
        *,
        secret: str | None = None,
        client_ip: str | None = None,
    ) -> WebhookAnswer:
        """Answer a Message API call: verify ``sign``, drop replays, send through ``on_message``.

        Answers ``{"msg":"success","code":"200"}`` on success (and for a replayed ``trace`` already
        delivered, without sending again); ``"400"`` for a malformed body, ``"401"`` for a ``sign`` that
        does not verify, a stale timestamp or a failed access check (the callback is not called), and
        ``"500"`` when the callback raised; a ``Refused`` raised by the callback answers its own code.
        """
        what = "message"
        context = parse_context(headers, client_ip)
        reason = self.access.refusal(context, secret, check_company=False)
        if reason is not None:
            logger.warning("%s: refused (%s)", what, reason, extra=webhook_fields(what, context.trace))
            return WebhookAnswer(200, message_answer(MESSAGE_BAD_SIGN, "forbidden"))
        if len(body) > self.max_body_bytes:
            return self.oversized("message", headers, limit=self.max_body_bytes, client_ip=client_ip)
        data = parse_json_object(body)
        request = None if data is None else validate(MessageRequest, data, context)
        if data is None or request is None or isinstance(request, str):
            logger.warning(
                "%s: malformed request (%s)",
                what,
                request or "body is not a JSON object",
                extra=webhook_fields(what, context.trace),
            )
            return WebhookAnswer(200, message_answer(MESSAGE_BAD_REQUEST, "malformed request"))
        callback, key = self.on_message, self.message_key
        if callback is None or key is None:
            return WebhookAnswer(200, message_answer(NOT_CONFIGURED, "not configured"))
        window = self.message_window
        if window.is_stale(request.timestamp_ms) or not verify_message_api_sign(key, data, max_skew_ms=0):
            logger.warning(
                "%s: sign does not verify or timestamp is stale, trace=%s",
                what,
                request.trace,
                extra=webhook_fields(what, request.trace),
            )
            return WebhookAnswer(200, message_answer(MESSAGE_BAD_SIGN, "invalid sign"))
        if not window.admit(request.trace):  # before awaiting: a concurrent duplicate is dropped too
            logger.info(
                "%s: trace %s already delivered; not sent again",
                what,
                request.trace,
                extra=webhook_fields(what, request.trace),
            )
            return WebhookAnswer(200, message_answer())
        _, failure = await call_safely(what, context, lambda: callback(request))
        if failure is not None:
            window.forget(request.trace)
            code = failure.code
            return WebhookAnswer(
                200, message_answer(MESSAGE_FAILED if code == CALLBACK_FAILED else code, "failed")
            )
        logger.debug("%s: trace %s delivered", what, request.trace, extra=webhook_fields(what, request.trace))
        return WebhookAnswer(200, message_answer())
