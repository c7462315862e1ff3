"""Typed requests and answers of the platform's calls to the integrator: the Webhook API (balance
query, credit-limit adjustment, cancel) and the Message API.

Attributes are snake_case with the documented camelCase names as aliases; money is ``Decimal``; times
are epoch milliseconds in fields named ``..._ms``. A field the platform adds later never breaks a
handler and never becomes an attribute: it stays in the request's ``.raw`` mapping. Every request
carries a ``context`` (the headers the platform sent), set by the handlers and never part of the wire
body.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Final, Literal

from pydantic import AfterValidator, Field, PrivateAttr

from ..models._base import WireModel
from ..models._renamed import renamed

__all__ = [
    "AdjustmentRequest",
    "BalanceAnswer",
    "BalanceRequest",
    "CancelRequest",
    "MessageRequest",
    "OperationType",
    "WebhookContext",
    "WebhookRequest",
]


@dataclass(frozen=True, slots=True)
class WebhookContext:
    """What travelled next to the body: the platform's headers of one call.

    The Webhook API sends ``trace``, ``companyId`` and ``timestamp``; the Bridge
    callback adds ``apiKey``, ``recvWindow``, ``signature``, ``lang`` and ``version``; the Message API sends
    none that are documented.
    """

    trace: str | None = None
    """The ``trace`` header (echoed in the answer)."""
    company_id: int | None = None
    """The ``companyId`` header, when it is an integer."""
    timestamp_ms: int | None = None
    """The ``timestamp`` header, when it is an integer."""
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Every header, names lowercased (may include a ``signature``; never logged)."""
    client_ip: str | None = None
    """The caller's address as the server saw it (a proxy's, behind one)."""


_MONEY_EXPONENT: Final = 30
_NUMBER_MAX: Final = 128  # characters of a request number: it is a store key (the docs say at most 48)


def _sane_money(value: Decimal) -> Decimal:
    # 1e400 or 1e-400 is a number, but no amount: refuse it rather than move it into a wallet.
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -_MONEY_EXPONENT or value.adjusted() > _MONEY_EXPONENT:
        raise ValueError("amount out of range")
    return value


_Money = Annotated[Decimal, AfterValidator(_sane_money)]
_Number = Annotated[str, Field(min_length=1, max_length=_NUMBER_MAX)]


class WebhookRequest(WireModel):
    """Base of the request models: a wire model that also carries the call's ``context``."""

    _context: WebhookContext = PrivateAttr(default_factory=WebhookContext)

    @property
    def context(self) -> WebhookContext:
        """The headers of the call this request came with."""
        return self._context

    def with_context(self, context: WebhookContext) -> None:
        """Attach the call's headers (done by the handlers before the callback sees the request)."""
        self._context = context


class OperationType(StrEnum):
    """Why the platform adjusts the wallet (``operationType``)."""

    OPEN_POSITION = "OPEN_POSITION"
    """Margin and costs leave the wallet: debit ``amount`` (Assumption ``webhook_money_direction``)."""
    NORMAL_CLOSE = "NORMAL_CLOSE"
    """Funds return: credit ``amount``."""
    ABNORMAL_OVERTRADING = "ABNORMAL_OVERTRADING"
    """Losses beyond what was reserved: ``amount`` is negative, an extra debit of its absolute value."""


class BalanceRequest(WebhookRequest):
    """``POST /get-user-amount``: the platform asks for a user's wallet balance."""

    third_server_code: str
    """Our own customer id (set when the customer was registered)."""
    user_name: str
    """The MultiMarkets customer number."""
    currency: str
    """ISO-4217-style currency code."""


class BalanceAnswer(WireModel):
    """The ``data`` we answer to a balance query."""

    user_name: str
    """Echo of the request's ``userName``."""
    currency: str
    """Echo of the request's ``currency``."""
    amount: Decimal
    """The balance."""
    amount_digits: int | None = None
    """Decimals of ``amount``; derived from ``amount`` when not given (extra decimals are truncated)."""

    def to_data(self, keys: Literal["camel", "snake"] = "camel") -> dict[str, object]:
        """The ``data`` object: amount as a decimal string with ``amountDigits`` decimals.

        Args:
            keys: ``"camel"`` as the schema says (``userName``, ``amountDigits``), or ``"snake"`` as the
                vendor's example reply (``user_name``, ``amount_digits``); Assumption
                ``webhook_balance_keys``.
        """
        digits = self.amount_digits
        if digits is None:
            exponent = self.amount.as_tuple().exponent
            digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        # Truncate rather than round: a balance must never be overstated.
        amount = format(self.amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN), "f")
        if keys == "snake":
            return {
                "user_name": self.user_name,
                "currency": self.currency,
                "amount": amount,
                "amount_digits": digits,
            }
        return {
            "userName": self.user_name,
            "currency": self.currency,
            "amount": amount,
            "amountDigits": digits,
        }


class AdjustmentRequest(WebhookRequest):
    """``POST /external-system-credit-limit-adjustment``: debit or credit the wallet (answer within 3 s).

    Apply it at most once per ``request_unique_no``; the handlers enforce that with the replay store.
    """

    third_server_code: str
    """Our own customer id."""
    user_name: str = Field(max_length=48)
    """The MultiMarkets customer number."""
    currency: str = Field(max_length=16)
    """Currency of ``amount``."""
    biz_type: int
    """1 market open, 2 market close, 10 limit pending order, 11 stop pending order, 12 limit open."""
    operation_type: OperationType | str = Field(union_mode="left_to_right")
    """``OPEN_POSITION``, ``NORMAL_CLOSE`` or ``ABNORMAL_OVERTRADING`` (an unknown value stays a string)."""
    amount: _Money
    """Positive for open/close, negative for ``ABNORMAL_OVERTRADING`` (at most 30 digits either side of
    the point)."""
    amount_digits: int
    """Decimals of ``amount``."""
    order_id: int
    """The platform's order id."""
    request_unique_no: _Number
    """Unique id of this request: the idempotency key (at most 128 characters)."""
    request_time_ms: int = Field(alias="requestTime")
    """When the platform sent it (epoch ms)."""
    ip: str
    """The end user's IP."""
    metadata: str | None = None
    """JSON text with extra notes (at most 200 characters)."""

    request_time: ClassVar[Any] = renamed("request_time", "request_time_ms")

    @property
    def wallet_delta(self) -> Decimal:
        """The signed change to the wallet under Assumption ``webhook_money_direction``: open and
        overtrading debit, close credits. Unknown operation types give ``-amount`` (a debit), the
        cautious reading."""
        if self.operation_type == OperationType.NORMAL_CLOSE:
            return self.amount
        return -abs(self.amount)


class CancelRequest(WebhookRequest):
    """``POST /cancel-external-system-credit-limit-adjustment``: undo an adjustment the platform sent
    (after the adjustment timed out or was refused)."""

    third_server_code: str
    """Our own customer id."""
    user_name: str
    """The MultiMarkets customer number."""
    currency: str
    """Currency of ``amount``."""
    amount: _Money
    """Always positive."""
    request_unique_no: _Number
    """Id of this cancel request."""
    reverse_request_unique_no: _Number
    """The ``requestUniqueNo`` of the adjustment to undo (at most 128 characters)."""
    cancel_remark: str | None = None
    """The platform's reason (documented as required; a missing one is tolerated)."""
    biz_type: int | None = None
    """As in the adjustment."""
    amount_digits: int | None = None
    """Decimals of ``amount``."""
    order_id: int | None = None
    """The platform's order id (optional here)."""
    request_time_ms: int | None = Field(default=None, alias="requestTime")
    """When the platform sent it (epoch ms)."""
    ip: str | None = None
    """The end user's IP."""
    metadata: str | None = None
    """JSON text with extra notes."""

    request_time: ClassVar[Any] = renamed("request_time", "request_time_ms")


class MessageRequest(WebhookRequest):
    """A Message API call: send this SMS or e-mail. ``sign`` is already checked."""

    to_user: str
    """Recipient: e-mail address or phone number."""
    trace: str
    """Unique id of the message."""
    content: str
    """Message text."""
    timestamp_ms: int = Field(alias="timestamp")
    """When the platform sent it (epoch ms)."""
    sign: str = Field(repr=False)
    """The RSA ``sign`` (already verified; never logged)."""
    title: str | None = None
    """Subject (e-mail only)."""
    push_type: str | None = None
    """Channel type (the example says ``whatapp``)."""
    push_id: str | None = None
    """Channel account id."""

    timestamp: ClassVar[Any] = renamed("timestamp", "timestamp_ms")

    @property
    def is_email(self) -> bool:
        """Whether this is an e-mail (it has a title or the recipient holds an ``@``)."""
        return self.title is not None or "@" in self.to_user
