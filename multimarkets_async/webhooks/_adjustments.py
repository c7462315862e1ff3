"""The credit-limit adjustment and its cancel, each answered at most once per number.

Adjustments run at most once per ``requestUniqueNo``; cancels at most once per
``reverseRequestUniqueNo``; both through the pluggable replay store (``_idempotency.ReplayGuard``), so
a replay gets the stored answer and never reaches the integrator's callback again. A cancel decides
against the original's record: reversed once when it was applied, refused when it never arrived.

``WebhookHandlers`` inherits these methods; its constructor sets the attributes declared here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

import anyio

from .._logging import WEBHOOKS_LOGGER, webhook_fields
from ._answers import (
    CALLBACK_FAILED,
    CALLBACK_TIMEOUT,
    CANCEL_NOT_PROCESSED,
    CANCEL_NOT_RECEIVED,
    CANCELLED_BEFORE_RECEIPT,
    IN_PROGRESS,
    NOT_CONFIGURED,
    STORE_FAILED,
    SUCCESS,
    WebhookAnswer,
    envelope,
)
from ._idempotency import IdempotencyRecord, RecordState, ReplayGuard
from ._models import AdjustmentRequest, CancelRequest, WebhookContext, WebhookRequest
from ._plumbing import call_safely

__all__ = ["AdjustmentHandlers"]

R = TypeVar("R", bound=WebhookRequest)

logger = logging.getLogger(WEBHOOKS_LOGGER)

_PENDING = IdempotencyRecord(RecordState.PENDING)


def _store_failed(what: str, number: str, trace: str | None, exc: Exception) -> WebhookAnswer:
    logger.error(
        "%s %s: replay store failed (%s); the number stays blocked until resolved trace=%s",
        what,
        number,
        type(exc).__name__,
        trace,
        exc_info=True,
        extra=webhook_fields(what, trace, code=STORE_FAILED),
    )
    return WebhookAnswer(200, envelope(STORE_FAILED, "Internal error", trace=trace))


class AdjustmentHandlers:
    """The adjustment and cancel handlers (see ``WebhookHandlers`` for the configuration)."""

    adjust: Callable[[AdjustmentRequest], Awaitable[None]] | None
    cancel_adjustment: Callable[[CancelRequest, AdjustmentRequest], Awaitable[None]] | None
    replay: ReplayGuard
    adjust_timeout: float | None
    replay_wait: float

    if TYPE_CHECKING:

        def _parse(
            self,
            what: str,
            model: type[R],
            body: bytes,
            *,
            headers: Mapping[str, str],
            secret: str | None,
            client_ip: str | None,
        ) -> tuple[WebhookContext, R] | WebhookAnswer: ...

    # ----------------------------------------------------------------- credit-limit adjustment

    async def adjustment(
        self,
        body: bytes,
        headers: Mapping[str, str],
        *,
        secret: str | None = None,
        client_ip: str | None = None,
    ) -> WebhookAnswer:
        """Answer ``POST /external-system-credit-limit-adjustment``, once per number.

        A replay of the same ``requestUniqueNo`` gets the stored answer and never reaches the callback; a
        duplicate arriving while the first is running waits for its answer (up to ``replay_wait``).
        """
        what = "adjustment"
        parsed = self._parse(
            what, AdjustmentRequest, body, headers=headers, secret=secret, client_ip=client_ip
        )
        if isinstance(parsed, WebhookAnswer):
            return parsed
        context, request = parsed
        callback = self.adjust
        if callback is None:
            return WebhookAnswer(200, envelope(NOT_CONFIGURED, "Not configured", trace=context.trace))
        number = request.request_unique_no
        # JSON-able, for persistent stores, and only the documented fields: unknown extras are the
        # sender's to choose, and the store must not keep them.
        wire = request.model_dump(by_alias=True, mode="json", include=set(AdjustmentRequest.model_fields))
        deadline = self.adjust_timeout if self.adjust_timeout is not None else float("inf")

        async def apply_once() -> IdempotencyRecord:
            started = time.monotonic()
            failure: WebhookAnswer | None = None
            with anyio.move_on_after(deadline) as scope:
                _, failure = await call_safely(what, context, lambda: callback(request))
            elapsed = int((time.monotonic() - started) * 1000)
            if scope.cancelled_caught:
                logger.error(
                    "%s %s: callback exceeded adjust_timeout trace=%s",
                    what,
                    number,
                    context.trace,
                    extra=webhook_fields(what, context.trace, code=CALLBACK_TIMEOUT, elapsed_ms=elapsed),
                )
                answer = envelope(
                    CALLBACK_TIMEOUT, "Adjustment timed out", trace=context.trace, elapsed_ms=elapsed
                )
                return IdempotencyRecord(RecordState.FAILED, answer, wire)
            if failure is None:
                logger.debug(
                    "%s %s applied in %d ms trace=%s",
                    what,
                    number,
                    elapsed,
                    context.trace,
                    extra=webhook_fields(what, context.trace, code=SUCCESS, elapsed_ms=elapsed),
                )
                answer = envelope(SUCCESS, "Success", trace=context.trace, elapsed_ms=elapsed)
                return IdempotencyRecord(RecordState.APPLIED, answer, wire)
            state = RecordState.FAILED if failure.code == CALLBACK_FAILED else RecordState.REFUSED
            return IdempotencyRecord(state, failure.body, wire)

        try:
            ran, record = await self.replay.run_once(
                "adjust:" + number,
                IdempotencyRecord(RecordState.PENDING, request=wire),
                apply_once,
                wait_s=self.replay_wait,
            )
        except Exception as exc:
            return _store_failed(what, number, context.trace, exc)
        if record is None:
            logger.warning(
                "%s %s still in progress elsewhere trace=%s",
                what,
                number,
                context.trace,
                extra=webhook_fields(what, context.trace, code=IN_PROGRESS),
            )
            return WebhookAnswer(200, envelope(IN_PROGRESS, "Request in progress", trace=context.trace))
        if not ran:
            logger.info(
                "%s %s replayed: stored answer code=%s",
                what,
                number,
                record.answer.get("code"),
                extra=webhook_fields(what, context.trace, code=record.answer.get("code")),
            )
        return WebhookAnswer(200, dict(record.answer))

    # -------------------------------------------------------------------------- cancel adjustment

    async def cancel(
        self,
        body: bytes,
        headers: Mapping[str, str],
        *,
        secret: str | None = None,
        client_ip: str | None = None,
    ) -> WebhookAnswer:
        """Answer ``POST /cancel-external-system-credit-limit-adjustment``.

        ``"0"`` when the original was applied and is now reversed (``cancel_adjustment`` ran once);
        ``US_0000001`` when it was received but refused or failed; ``US_0000002`` when it never arrived (a
        late arrival is then refused with ``WH_0000410``). Replays get the stored answer. Non-final
        outcomes (the original still running, the reversal callback refusing or raising) are not stored,
        so the platform's retry tries again.
        """
        what = "cancel"
        parsed = self._parse(what, CancelRequest, body, headers=headers, secret=secret, client_ip=client_ip)
        if isinstance(parsed, WebhookAnswer):
            return parsed
        context, request = parsed
        original_no = request.reverse_request_unique_no
        outcome: list[WebhookAnswer] = []

        async def cancel_once() -> IdempotencyRecord | None:
            answer, final = await self._cancel_original(request)
            outcome.append(answer)
            return IdempotencyRecord(RecordState.ANSWERED, answer.body) if final else None

        try:
            ran, record = await self.replay.run_once(
                "cancel:" + original_no, _PENDING, cancel_once, wait_s=self.replay_wait
            )
        except Exception as exc:
            return _store_failed(what, original_no, context.trace, exc)
        if ran and outcome:
            logger.debug(
                "%s of %s answered code=%s trace=%s",
                what,
                original_no,
                outcome[0].code,
                context.trace,
                extra=webhook_fields(what, context.trace, code=outcome[0].code),
            )
            return outcome[0]
        if record is None:
            return WebhookAnswer(200, envelope(IN_PROGRESS, "Request in progress", trace=context.trace))
        logger.info(
            "%s of %s replayed: stored answer code=%s",
            what,
            original_no,
            record.answer.get("code"),
            extra=webhook_fields(what, context.trace, code=record.answer.get("code")),
        )
        return WebhookAnswer(200, dict(record.answer))

    async def _cancel_original(self, request: CancelRequest) -> tuple[WebhookAnswer, bool]:
        """Decide a cancel against the original's record; ``(answer, final)``."""
        trace = request.context.trace
        key = "adjust:" + request.reverse_request_unique_no
        late = envelope(CANCELLED_BEFORE_RECEIPT, "Adjustment was cancelled before it arrived")
        original = await self.replay.store.claim(key, IdempotencyRecord(RecordState.REFUSED, late))
        if original is None:
            return WebhookAnswer(
                200, envelope(CANCEL_NOT_RECEIVED, "Adjustment not received", trace=trace)
            ), True
        if not original.is_final:
            original = await self.replay.wait_final(key, self.replay_wait)
            if original is None or not original.is_final:
                return WebhookAnswer(200, envelope(IN_PROGRESS, "Adjustment in progress", trace=trace)), False
        if original.state is RecordState.REVERSED:
            return WebhookAnswer(200, envelope(SUCCESS, "Success", trace=trace)), True
        if original.state is not RecordState.APPLIED:
            return WebhookAnswer(
                200, envelope(CANCEL_NOT_PROCESSED, "Adjustment not processed", trace=trace)
            ), True
        callback = self.cancel_adjustment
        if callback is None:
            return WebhookAnswer(200, envelope(NOT_CONFIGURED, "Not configured", trace=trace)), False
        adjustment = AdjustmentRequest.model_validate(original.request)
        adjustment.with_context(request.context)
        _, failure = await call_safely("cancel", request.context, lambda: callback(request, adjustment))
        if failure is not None:
            return failure, False
        await self.replay.store.put(
            key, IdempotencyRecord(RecordState.REVERSED, original.answer, original.request)
        )
        return WebhookAnswer(200, envelope(SUCCESS, "Success", trace=trace)), True
