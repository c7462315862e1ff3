"""Shared plumbing of the webhook handlers: reading the headers and the body, the access checks, and
running an integrator callback so that nothing it raises becomes a 500.

Framework-neutral: bytes and header mappings in, ``WebhookAnswer`` values out; no web framework import.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TypeVar

import pydantic

from .. import errors
from .._logging import WEBHOOKS_LOGGER, webhook_fields
from ._answers import CALLBACK_FAILED, FORBIDDEN, MALFORMED_REQUEST, Refused, WebhookAnswer, envelope
from ._body import decode_json_object
from ._models import WebhookContext, WebhookRequest

__all__ = [
    "AccessPolicy",
    "call_safely",
    "forbidden",
    "malformed",
    "parse_context",
    "parse_json_object",
    "too_large",
    "validate",
]

logger = logging.getLogger(WEBHOOKS_LOGGER)

_M = TypeVar("_M", bound=WebhookRequest)
_T = TypeVar("_T")


def _int_or_none(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def parse_context(headers: Mapping[str, str], client_ip: str | None = None) -> WebhookContext:
    """Build the call's ``WebhookContext`` from its headers (names compared case-insensitively)."""
    lowered = {str(name).lower(): str(value) for name, value in headers.items()}
    return WebhookContext(
        trace=lowered.get("trace"),
        company_id=_int_or_none(lowered.get("companyid")),
        timestamp_ms=_int_or_none(lowered.get("timestamp")),
        headers=lowered,
        client_ip=client_ip,
    )


def parse_json_object(body: bytes) -> dict[str, object] | None:
    """Parse the body as a JSON object under ``_body``'s bounds (floats as ``Decimal``); None when it is
    not one (invalid UTF-8 or JSON, too deep, a number out of range, not an object)."""
    try:
        return decode_json_object(body, what="webhook body")
    except errors.ProtocolError:
        return None


def validate(model: type[_M], data: Mapping[str, object], context: WebhookContext) -> _M | str:
    """Validate ``data`` into ``model`` and attach ``context``; on failure, a short reason naming the
    offending fields (never their values, which may be personal data)."""
    try:
        request = model.model_validate(data)
    except pydantic.ValidationError as exc:
        fields = sorted({".".join(str(part) for part in error["loc"]) or "body" for error in exc.errors()})
        return "invalid or missing fields: " + ", ".join(fields)
    request.with_context(context)
    return request


class AccessPolicy:
    """The optional checks before any body is read: shared secret, caller IP and ``companyId``.

    No signature protects the Webhook API, so these are its protection, with TLS
    and an unguessable URL.

    Args:
        shared_secret: the secret the URL must carry (the router puts it in the path); None disables.
        allowed_ips: addresses or networks (``"18.163.151.26"``, ``"10.0.0.0/8"``) allowed to call;
            None allows any.
        company_id: the only ``companyId`` header accepted on the Webhook API and Bridge calls; None
            accepts any.
    """

    __slots__ = ("_company_id", "_networks", "_secret")

    def __init__(
        self,
        *,
        shared_secret: str | None = None,
        allowed_ips: Iterable[str] | None = None,
        company_id: int | None = None,
    ) -> None:
        if shared_secret is not None and len(shared_secret) < 16:
            raise ValueError("shared_secret must be at least 16 characters (it is the endpoints' only guard)")
        self._secret = shared_secret.encode() if shared_secret is not None else None
        self._networks = (
            None
            if allowed_ips is None
            else tuple(ipaddress.ip_network(ip, strict=False) for ip in allowed_ips)
        )
        self._company_id = company_id

    def __repr__(self) -> str:
        secret = "set" if self._secret is not None else None
        networks = None if self._networks is None else [str(network) for network in self._networks]
        return f"AccessPolicy(shared_secret={secret}, allowed_ips={networks}, company_id={self._company_id})"

    @property
    def uses_secret(self) -> bool:
        """Whether a shared secret is configured."""
        return self._secret is not None

    def refusal(self, context: WebhookContext, secret: str | None, *, check_company: bool) -> str | None:
        """Return why the call is refused (a log-safe reason), or None when it may proceed."""
        if self._secret is not None and (
            secret is None or not hmac.compare_digest(secret.encode(), self._secret)
        ):
            return "wrong or missing shared secret"
        if self._networks is not None:
            try:
                address = ipaddress.ip_address(context.client_ip or "")
            except ValueError:
                return "caller address unknown"
            if not any(address in network for network in self._networks):
                return f"caller {address} not in the allow-list"
        if check_company and self._company_id is not None and context.company_id != self._company_id:
            return f"companyId {context.company_id} is not the configured one"
        return None


async def call_safely(
    what: str, context: WebhookContext, call: Callable[[], Awaitable[_T]]
) -> tuple[_T | None, WebhookAnswer | None]:
    """Run an integrator callback; turn ``Refused`` and unexpected exceptions into envelope answers.

    Returns:
        ``(result, None)`` on success, ``(None, answer)`` when the callback refused or raised.
    """
    try:
        return await call(), None
    except Refused as refused:
        logger.info(
            "%s refused by the callback: code=%s trace=%s",
            what,
            refused.code,
            context.trace,
            extra=webhook_fields(what, context.trace, code=refused.code),
        )
        return None, WebhookAnswer(200, envelope(refused.code, refused.msg, trace=context.trace))
    except Exception as exc:
        # The traceback goes to our log only; the platform gets a code, never the exception text.
        logger.error(
            "%s callback raised %s trace=%s",
            what,
            type(exc).__name__,
            context.trace,
            exc_info=True,
            extra=webhook_fields(what, context.trace, code=CALLBACK_FAILED),
        )
        answer = envelope(CALLBACK_FAILED, "Callback failed", trace=context.trace)
        return None, WebhookAnswer(200, answer)


def malformed(context: WebhookContext, what: str, reason: str) -> WebhookAnswer:
    """The answer to a body that is not what the documentation describes (logged at warning)."""
    logger.warning(
        "%s: malformed request (%s) trace=%s",
        what,
        reason,
        context.trace,
        extra=webhook_fields(what, context.trace, code=MALFORMED_REQUEST),
    )
    return WebhookAnswer(
        200, envelope(MALFORMED_REQUEST, f"Malformed request: {reason}", trace=context.trace)
    )


def too_large(context: WebhookContext, what: str, limit: int) -> WebhookAnswer:
    """The answer to a body over the size limit: ``WH_0000400`` with HTTP 413 (logged at warning)."""
    logger.warning(
        "%s: body larger than %d bytes, not read further trace=%s",
        what,
        limit,
        context.trace,
        extra=webhook_fields(what, context.trace, code=MALFORMED_REQUEST),
    )
    message = f"Malformed request: body larger than {limit} bytes"
    return WebhookAnswer(413, envelope(MALFORMED_REQUEST, message, trace=context.trace))


def forbidden(context: WebhookContext, what: str, reason: str) -> WebhookAnswer:
    """The answer to a call that failed an access check (the reason is logged, not sent)."""
    logger.warning(
        "%s: refused (%s) trace=%s",
        what,
        reason,
        context.trace,
        extra=webhook_fields(what, context.trace, code=FORBIDDEN),
    )
    return WebhookAnswer(200, envelope(FORBIDDEN, "Forbidden", trace=context.trace))
