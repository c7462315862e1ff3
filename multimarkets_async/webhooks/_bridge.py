"""Bridge callback reports (``POST {webhookUrl}/notification``): typed models
and the parser that picks the report type.

The body is ``{"msgType":"trade","content":"<string>"}``; how the report type travels inside ``content`` is
not documented. Assumption ``bridge_report_discriminator``: ``content`` is a JSON object; its
``reportType``, ``type`` or ``msgType`` names the report when present; otherwise ``tradeId`` means an
execution report, and ``remark`` without ``status`` a cancel report. The raw string is always kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field

from .. import errors
from ._body import decode_json_object
from ._models import WebhookRequest

__all__ = [
    "BridgeNotification",
    "BridgeReport",
    "BridgeReportType",
    "OrderCancelReport",
    "OrderExecReport",
    "OrderExpiredReport",
    "QuoteTagReport",
    "UnknownReport",
    "parse_bridge_report",
]


def _blank_to_none(value: object) -> object:
    # A final "fully filled" change may carry empty execution fields.
    return None if value == "" else value


_OptDecimal = Annotated[Decimal | None, BeforeValidator(_blank_to_none)]
_OptInt = Annotated[int | None, BeforeValidator(_blank_to_none)]


class BridgeReportType(StrEnum):
    """The report types ``content`` carries."""

    ORDER_CANCEL_REPORT = "ORDER_CANCEL_REPORT"
    """A customer cancellation was accepted."""
    ORDER_EXEC_REPORT = "ORDER_EXEC_REPORT"
    """A partial or full execution."""
    ORDER_EXPIRED_REPORT = "ORDER_EXPIRED_REPORT"
    """Cancelled by platform rules after submission."""
    QUOTE_TAG = "QUOTE_TAG"
    """Quote/inquiry notifications (fields not documented)."""
    UNKNOWN = "UNKNOWN"
    """``content`` was not a JSON object or named no type we know."""


class BridgeReport(WebhookRequest):
    """Fields every order report starts with. Unknown fields are kept as extras."""

    report_type: str = BridgeReportType.UNKNOWN
    """The report type (a ``BridgeReportType`` value, or the unknown name as sent)."""
    exchange_id: str | None = None
    """``binance``, ``okx`` or ``cumberland``."""
    trade_type: _OptInt = None
    """Always 10 (trading bridge)."""
    company_id: _OptInt = None
    """White-label company id."""
    customer_id: _OptInt = None
    """Internal customer id."""
    customer_no: str | None = None
    """Customer number."""
    account_name: str | None = None
    """Our alias of the exchange account."""
    order_id: str | None = None
    """Order id."""
    client_order_id: str | None = None
    """Client order id."""
    remark: str | None = None
    """Free text."""


class OrderCancelReport(BridgeReport):
    """``ORDER_CANCEL_REPORT``: a customer cancellation was accepted."""


class OrderExpiredReport(BridgeReport):
    """``ORDER_EXPIRED_REPORT``: cancelled by platform rules (the rest of its fields is not documented)."""


class QuoteTagReport(BridgeReport):
    """``QUOTE_TAG``: quote notifications; every field arrives as an extra."""


class UnknownReport(BridgeReport):
    """A report we cannot type; read ``BridgeNotification.content`` for the raw text."""


class OrderExecReport(BridgeReport):
    """``ORDER_EXEC_REPORT``: a partial or full execution (only status changes are pushed)."""

    trade_id: str | None = None
    """Execution id."""
    execute_num: _OptDecimal = None
    """Executed quantity (may be empty when ``status`` is 2)."""
    execute_price: _OptDecimal = None
    """Execution price (may be empty when ``status`` is 2)."""
    execute_time: _OptInt = None
    """Execution time, ms (may be empty when ``status`` is 2)."""
    symbol_id: _OptInt = None
    """Product id."""
    commission: _OptDecimal = None
    """Negative = charged, positive = rebate."""
    commission_currency: str | None = None
    """Currency of ``commission``."""
    status: str | None = None
    """1 submitted, 2 fully filled, 3 partly filled, 4 cancelled by customer, 5 cancelled by platform,
    6 rejected by platform, 7 expired."""


_CLASSES: dict[str, type[BridgeReport]] = {
    BridgeReportType.ORDER_CANCEL_REPORT: OrderCancelReport,
    BridgeReportType.ORDER_EXEC_REPORT: OrderExecReport,
    BridgeReportType.ORDER_EXPIRED_REPORT: OrderExpiredReport,
    BridgeReportType.QUOTE_TAG: QuoteTagReport,
}


def _report_type(fields: Mapping[str, object]) -> str:
    for key in ("reportType", "type", "msgType"):
        value = fields.get(key)
        if isinstance(value, str) and value:
            return value
    if fields.get("tradeId") not in (None, ""):
        return BridgeReportType.ORDER_EXEC_REPORT
    if "remark" in fields and fields.get("status") in (None, ""):
        return BridgeReportType.ORDER_CANCEL_REPORT
    return BridgeReportType.UNKNOWN


def parse_bridge_report(content: str) -> BridgeReport:
    """Type the ``content`` string of a Bridge callback (Assumption ``bridge_report_discriminator``).

    Args:
        content: the body's ``content`` member as sent.

    Returns:
        The typed report; ``UnknownReport`` when ``content`` is not a JSON object (within the body
        bounds of ``_body``), names an unknown
        type, or does not fit the model of its type (the fields are then kept as extras).
    """
    try:
        # The same bounds as a body: content nested thousands deep or holding 1e400 is not a report.
        fields = decode_json_object(content, what="bridge report content")
    except errors.ProtocolError:
        return UnknownReport()
    kind = _report_type(fields)
    values = {key: value for key, value in fields.items() if key not in ("reportType", "report_type")}
    cls = _CLASSES.get(kind, UnknownReport)
    try:
        return cls.model_validate({**values, "reportType": kind})
    except ValueError:
        return UnknownReport.model_validate({"reportType": kind})


class BridgeNotification(WebhookRequest):
    """One Bridge callback: the raw body members, the typed report and (through ``context``) the headers."""

    msg_type: str | None = None
    """``trade`` for trade messages."""
    content: str
    """The raw ``content`` string, always kept."""
    report: BridgeReport = Field(default_factory=UnknownReport, exclude=True)
    """The typed report parsed from ``content``."""
    signature_verified: bool = Field(default=False, exclude=True)
    """True when a configured platform public key verified the ``signature`` header."""
