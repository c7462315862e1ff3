"""Platform mode (``sim.platform``): the simulator calls an integrator the way the platform would.

The Webhook API and the Message API, as docs/webhooks.md describes them. Each call goes to a base URL
(``http://127.0.0.1:PORT/hooks``) or, for an in-process app, to an ASGI app given in its place (or
any httpx transport with ``transport=``), so a test needs no second server:

* ``query_balance`` POSTs ``{url}/get-user-amount`` and reads ``amount``/``amountDigits`` (camelCase,
  or the vendor example's snake_case: Assumption ``webhook_balance_keys``);
* ``adjust`` POSTs ``{url}/external-system-credit-limit-adjustment`` with a fresh
  ``requestUniqueNo``; no answer within ``webhook_timeout_s`` (3 s), a non-200 status or a code other
  than ``"0"`` refuses it, and the platform then POSTs
  ``{url}/cancel-external-system-credit-limit-adjustment`` (its own ``requestUniqueNo``, the
  original in ``reverseRequestUniqueNo``), retried after each of ``webhook_cancel_retry_delays_s``
  until the answer is ``"0"``, ``US_0000001`` or ``US_0000002`` (Assumption
  ``webhook_cancel_retries``);
* ``send_message`` POSTs the Message API body to ``url`` itself, ``sign`` made with
  ``crypto.message_api_sign``; success is HTTP 200 with ``code`` ``"200"``.

Webhook calls carry the headers ``trace``, ``companyId`` and ``timestamp`` (no signature: the Webhook
API documents none); the Message API call carries none beyond the content type. Every call returns
what happened.
A Webhook call given no ``url`` goes to the full URL registered with the Manager operation
``CompanyWebhookDubboService.subscribe`` (``manager.webhooks.register``).

``Target`` and ``post_json`` are the outbound HTTP used here and by the Bridge callbacks: one POST
with a deadline, reported as an ``Attempt`` instead of raising.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import anyio
import httpx

from ...protocol import crypto

if TYPE_CHECKING:
    from starlette.types import ASGIApp

__all__ = ["AdjustmentResult", "Attempt", "BalanceResult", "MessageResult", "Platform", "Target", "post_json"]


@dataclass(frozen=True, slots=True)
class Target:
    """Where the platform's calls go.

    Attributes:
        url: the base URL (``http://127.0.0.1:8000/hooks``); with ``transport`` any host works,
            e.g. ``http://integrator.test/hooks``.
        transport: an httpx transport to use instead of the network, typically
            ``httpx.ASGITransport(app=my_app)``.
    """

    url: str
    transport: httpx.AsyncBaseTransport | None = field(default=None, repr=False)

    def join(self, path: str) -> str:
        """``url`` + ``/`` + ``path`` (without doubling the slash)."""
        return self.url.rstrip("/") + "/" + path.lstrip("/")


@dataclass(slots=True)
class Attempt:
    """One outbound call and its outcome.

    Attributes:
        url: the URL called.
        headers: the request headers sent.
        body: the JSON body sent.
        status: the HTTP status answered, or ``None`` (timeout or connection error).
        answer: the answer parsed as JSON (``None`` when there was none or it was not JSON).
        text: the raw answer text (``""`` when there was none).
        error: ``"timeout"``, or the connection error's text; ``""`` when an answer came.
    """

    url: str
    headers: dict[str, str] = field(repr=False)  # signatures stay out of reprs
    body: dict[str, Any] = field(repr=False)
    status: int | None = None
    answer: Any = None
    text: str = ""
    error: str = ""

    @property
    def code(self) -> str | None:
        """The answer envelope's ``code`` as a string, or ``None``."""
        if isinstance(self.answer, dict) and "code" in self.answer:
            return str(self.answer["code"])
        return None


async def post_json(
    target: Target, path: str, headers: dict[str, str], body: dict[str, Any], *, timeout_s: float
) -> Attempt:
    """POST ``body`` to ``target``/``path`` with ``headers``; give up after ``timeout_s`` seconds.

    Returns:
        The ``Attempt``; a timeout or a connection failure is recorded in it, never raised.
    """
    url = target.join(path) if path else target.url
    attempt = Attempt(url, dict(headers), body)
    content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    sent = {"content-type": "application/json", **headers}
    started = anyio.current_time()
    try:
        with anyio.fail_after(timeout_s):
            # The deadline is the fail_after above (one budget for connect, send and read).
            async with httpx.AsyncClient(transport=target.transport, timeout=timeout_s + 1) as client:
                response = await client.post(url, content=content, headers=sent)
    except TimeoutError:
        attempt.error = "timeout"
        return attempt
    except httpx.HTTPError as exc:
        attempt.error = f"{type(exc).__name__}: {exc}"
        return attempt
    if anyio.current_time() - started > timeout_s:
        # An in-process app that shields its work answers after the deadline without ever reaching a
        # checkpoint the timeout could cut; the platform would have stopped listening all the same.
        attempt.error = "timeout"
        return attempt
    attempt.status, attempt.text = response.status_code, response.text
    try:
        attempt.answer = response.json()
    except ValueError:
        attempt.answer = None
    return attempt


_CANCEL_FINAL = frozenset({"0", "US_0000001", "US_0000002"})
_IN_PROCESS_BASE = "http://integrator.test"
_ADJUST = "external-system-credit-limit-adjustment"
_CANCEL = "cancel-external-system-credit-limit-adjustment"


@dataclass(slots=True)
class BalanceResult:
    """What ``query_balance`` got.

    Attributes:
        attempt: the call and its answer.
        ok: HTTP 200 with code ``"0"``.
        amount: the balance read from ``data`` (``None`` unless ok and present).
        amount_digits: ``amountDigits`` (or ``amount_digits``) from ``data``.
    """

    attempt: Attempt
    ok: bool = False
    amount: Decimal | None = None
    amount_digits: int | None = None


@dataclass(slots=True)
class AdjustmentResult:
    """What ``adjust`` did.

    Attributes:
        request_unique_no: the adjustment's ``requestUniqueNo``.
        adjustment: the adjustment call and its answer (``error == "timeout"`` when too slow).
        accepted: the integrator accepted it (HTTP 200, code ``"0"``, in time).
        cancel_request_unique_no: the cancel call's own ``requestUniqueNo`` (``None`` when accepted).
        cancels: every cancel attempt, in order (retries included).
        cancel_code: the code of the last cancel answer (``None`` when none came).
    """

    request_unique_no: str
    adjustment: Attempt
    accepted: bool
    cancel_request_unique_no: str | None = None
    cancels: list[Attempt] = field(default_factory=list)
    cancel_code: str | None = None


@dataclass(slots=True)
class MessageResult:
    """What ``send_message`` got: the call, and ``ok`` = HTTP 200 with code ``"200"``."""

    attempt: Attempt
    ok: bool


class Platform:
    """The platform's outbound calls to an integrator (``sim.platform``); see the module docstring.

    Args:
        company_id: the ``companyId`` header.
        now_ms: the server clock.
        timeout_s: the adjustment's answer deadline (``webhook_timeout_s``).
        other_timeout_s: the other calls' timeout (``webhook_other_timeout_s``).
        cancel_retry_delays_s: pauses before each cancel retry.
        registered: the URLs registered with ``CompanyWebhookDubboService.subscribe`` (used when a
            call is given no ``url``).

    Attributes:
        calls: every attempt made, in order (for assertions).
    """

    def __init__(
        self,
        company_id: int,
        now_ms: Callable[[], int],
        *,
        timeout_s: float,
        other_timeout_s: float,
        cancel_retry_delays_s: tuple[float, ...],
        registered: Callable[[], Mapping[str, str]] = dict,
    ) -> None:
        self._company_id = company_id
        self._registered = registered
        self._now_ms = now_ms
        self.timeout_s = timeout_s
        self.other_timeout_s = other_timeout_s
        self.cancel_retry_delays_s = cancel_retry_delays_s
        self.calls: list[Attempt] = []
        self._seq = itertools.count(1)

    def __repr__(self) -> str:
        return f"Platform(calls={len(self.calls)})"

    # ------------------------------------------------------------------ helpers

    def _where(
        self, url: str | ASGIApp | None, transport: httpx.AsyncBaseTransport | None, key: str, path: str
    ) -> tuple[Target, str]:
        """The target and path of one call: ``url`` + ``path``, or the full URL registered under ``key``."""
        if url is None:
            full = self._registered().get(key)
            if not full:
                raise RuntimeError(
                    f"no url given and no {key} registered (CompanyWebhookDubboService.subscribe)"
                )
            return Target(full, transport), ""
        if isinstance(url, str):
            return Target(url, transport), path
        return Target(_IN_PROCESS_BASE, transport or httpx.ASGITransport(app=url)), path

    def _headers(self, now: int) -> dict[str, str]:
        return {"trace": uuid.uuid4().hex, "companyId": str(self._company_id), "timestamp": str(now)}

    def _unique_no(self, now: int) -> str:
        return f"SIM{now}{next(self._seq):06d}"

    async def _post(
        self, target: Target, path: str, body: dict[str, Any], timeout_s: float, now: int
    ) -> Attempt:
        attempt = await post_json(target, path, self._headers(now), body, timeout_s=timeout_s)
        self.calls.append(attempt)
        return attempt

    # ------------------------------------------------------------------ calls

    async def query_balance(
        self,
        url: str | ASGIApp | None = None,
        *,
        third_server_code: str,
        user_name: str,
        currency: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> BalanceResult:
        """POST ``{url}/get-user-amount`` and read the balance.

        Without ``url`` the registered ``queryUserAccountBalanceUrl`` is called.

        Raises:
            RuntimeError: no ``url`` and none registered.
        """
        now = self._now_ms()
        body = {"thirdServerCode": third_server_code, "userName": user_name, "currency": currency}
        target, path = self._where(url, transport, "queryUserAccountBalanceUrl", "get-user-amount")
        attempt = await self._post(target, path, body, self.other_timeout_s, now)
        result = BalanceResult(attempt, ok=attempt.status == 200 and attempt.code == "0")
        data = attempt.answer.get("data") if isinstance(attempt.answer, dict) else None
        if result.ok and isinstance(data, dict):
            if data.get("amount") is not None:
                result.amount = Decimal(str(data["amount"]))
            digits = data.get("amountDigits", data.get("amount_digits"))
            result.amount_digits = int(digits) if digits is not None else None
        return result

    async def adjust(
        self,
        url: str | ASGIApp | None = None,
        *,
        third_server_code: str,
        user_name: str,
        currency: str,
        amount: str,
        amount_digits: int,
        order_id: int,
        biz_type: int = 1,
        operation_type: str = "OPEN_POSITION",
        ip: str = "127.0.0.1",
        metadata: str | None = None,
        cancel_remark: str = "adjustment timed out or refused",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> AdjustmentResult:
        """Ask for a credit-limit adjustment; cancel it when refused or unanswered.

        Without ``url`` the registered ``externalSystemAdjustmentUrl`` and
        ``cancelExternalSystemAdjustmentUrl`` are called.

        Raises:
            RuntimeError: no ``url`` and none registered.
        """
        target, path = self._where(url, transport, "externalSystemAdjustmentUrl", _ADJUST)
        cancel_target, cancel_path = self._where(url, transport, "cancelExternalSystemAdjustmentUrl", _CANCEL)
        now = self._now_ms()
        unique_no = self._unique_no(now)
        body: dict[str, Any] = {
            "thirdServerCode": third_server_code,
            "userName": user_name,
            "currency": currency,
            "bizType": biz_type,
            "operationType": operation_type,
            "amount": amount,
            "amountDigits": amount_digits,
            "orderId": order_id,
            "requestUniqueNo": unique_no,
            "requestTime": now,
            "ip": ip,
        }
        if metadata is not None:
            body["metadata"] = metadata
        attempt = await self._post(target, path, body, self.timeout_s, now)
        accepted = attempt.status == 200 and attempt.code == "0"
        result = AdjustmentResult(unique_no, attempt, accepted)
        if accepted:
            return result
        cancel_no = self._unique_no(self._now_ms())
        result.cancel_request_unique_no = cancel_no
        cancel = {
            **{k: v for k, v in body.items() if k not in ("requestUniqueNo", "amount")},
            "amount": amount.lstrip("-"),
            "requestUniqueNo": cancel_no,
            "reverseRequestUniqueNo": unique_no,
            "cancelRemark": cancel_remark,
        }
        for delay in (0.0, *self.cancel_retry_delays_s):
            if delay:
                await anyio.sleep(delay)
            answer = await self._post(
                cancel_target, cancel_path, cancel, self.other_timeout_s, self._now_ms()
            )
            result.cancels.append(answer)
            result.cancel_code = answer.code
            if answer.status == 200 and answer.code in _CANCEL_FINAL:
                break
        return result

    async def send_message(
        self,
        url: str | ASGIApp,
        *,
        to_user: str,
        content: str,
        public_key: str,
        title: str | None = None,
        push_type: str = "",
        push_id: str = "",
        trace: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> MessageResult:
        """POST a Message API call to ``url``; ``public_key`` is the integrator's."""
        now = self._now_ms()
        trace = trace or uuid.uuid4().hex
        body: dict[str, Any] = {
            "pushType": push_type,
            "pushId": push_id,
            "toUser": to_user,
            "trace": trace,
            "sign": crypto.message_api_sign(public_key, to_user, now, trace),
            "content": content,
            "timestamp": now,
        }
        if title is not None:
            body["title"] = title
        target, _ = self._where(url, transport, "", "")
        attempt = await post_json(target, "", {}, body, timeout_s=self.other_timeout_s)
        self.calls.append(attempt)
        return MessageResult(attempt, ok=attempt.status == 200 and attempt.code == "200")
