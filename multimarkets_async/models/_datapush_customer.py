"""Data-push events about customers and their accounts: registration, master data, detail record, KYC,
accounts and balance buckets."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from ._datapush_base import DataPushEvent, scaled

__all__ = [
    "AccountEvent",
    "CustomerInfoEvent",
    "CustomerUpdateEvent",
    "KycEvent",
    "RegisterEvent",
    "SubjectEvent",
]


class _CustomerEvent(DataPushEvent):
    """The customer fields ``register`` and ``customer_update`` share."""

    country: str | None = None
    """Country code."""
    email: str | None = None
    """E-mail address."""
    email_area: str | None = None
    """Area code stored with the e-mail."""
    phone: str | None = None
    """Phone number."""
    phone_area: str | None = None
    """Phone area code."""
    language: str | None = None
    """Language, e.g. ``en-US``."""
    optional: int | None = None
    """Watch-list flag, 0 or 1."""
    kyc_audit_status: int | None = None
    """0 not certified, 1 pending, 2 passed, 3 failed."""
    kyc_audit_remark: str | None = None
    """Audit note."""
    status: int | None = None
    """1 normal, 2 disabled, 3 deleted, 4 closed, 5 locked, 6 closing."""


class RegisterEvent(_CustomerEvent):
    """``register``: a customer registered (``id`` is the customer id)."""

    EVENT_TYPES = ("register",)
    ext2: str | None = None
    """The third-party unique code (your ``thirdServerCode``), as stored."""
    ext4: str | None = None
    """The third-party unique code, decrypted."""
    register_source: int | None = None
    """Where the customer signed up, 1-9."""
    register_type: int | None = None
    """1 e-mail, 2 phone, 3 customer account."""


class CustomerUpdateEvent(_CustomerEvent):
    """``customer_update``: customer master data changed."""

    EVENT_TYPES = ("customer_update",)
    birthday: str | None = None
    """Birthday from KYC (text)."""
    first_open_account_time_ms: int | None = Field(default=None, alias="firstOpenAccountTime")
    """When the first account was opened, milliseconds since the epoch."""
    login_ip: str | None = None
    """Last login address."""
    login_time_ms: int | None = Field(default=None, alias="loginTime")
    """Last login, milliseconds since the epoch."""


class CustomerInfoEvent(DataPushEvent):
    """``customer_info_insert`` / ``customer_info_update``: the customer's detail record."""

    EVENT_TYPES = ("customer_info_insert", "customer_info_update")
    customer_info_id: int | None = None
    """Detail record id."""
    unit_id: int | None = None
    """Institution."""
    country: str | None = None
    """Country code."""
    register_ip: str | None = None
    """Sign-up address."""
    register_device: str | None = None
    """Sign-up device."""
    province: str | None = None
    """Province."""
    city: str | None = None
    """City."""
    address: str | None = None
    """Address."""
    remark: str | None = None
    """Note."""
    status: int | None = None
    """1 enabled, 2 disabled, 3 deleted."""
    utm_source: str | None = None
    """Campaign parameter of the sign-up link."""
    utm_medium: str | None = None
    """Campaign parameter of the sign-up link."""
    utm_campaign: str | None = None
    """Campaign parameter of the sign-up link."""
    utm_content: str | None = None
    """Campaign parameter of the sign-up link."""
    utm_term: str | None = None
    """Campaign parameter of the sign-up link."""
    ext1: str | None = None
    """Extension field 1."""
    ext2: str | None = None
    """Extension field 2 (the third-party unique code)."""
    ext3: str | None = None
    """Extension field 3."""
    ext4: str | None = None
    """Extension field 4."""
    ext5: str | None = None
    """Extension field 5."""


class KycEvent(DataPushEvent):
    """``kyc``: a KYC level was approved (or rejected)."""

    EVENT_TYPES = ("kyc",)
    level_code: str | None = None
    """The level, e.g. ``level_2``."""
    status: int | None = None
    """1 pending, 2 approved, 3 rejected."""
    approval: str | None = None
    """Approver."""
    approval_time_ms: int | None = Field(default=None, alias="approvalTime")
    """Approval time, milliseconds since the epoch."""
    business_code: str | None = None
    """``"1"`` from the profile page, else ``open_account``, ``cashin`` or ``withdraw``."""
    path_code: str | None = None
    """KYC path, e.g. ``AF``."""
    pno: str | None = None
    """Proposal number, e.g. ``K556059077701009408``."""
    ext1: str | None = None
    """Origin, e.g. ``KYC_WEB_ADD``."""
    ext2: str | None = None
    """Extension field."""


class AccountEvent(DataPushEvent):
    """``open_account`` / ``account_update``: a trading account opened or changed (``id`` is the account)."""

    EVENT_TYPES = ("open_account", "account_update")
    trade_type: int | None = None
    """Account family."""
    currency: int | None = None
    """Asset id (not the code)."""
    currency_code: str | None = None
    """Currency code, e.g. ``USDT``."""
    digits: int | None = None
    """Money decimals."""
    type: int | None = None
    """1 user, 2 merchant, 3 platform."""
    status: int | None = None
    """1 unavailable, 2 available."""
    activate_status: int | None = None
    """1 unavailable, 2 available."""


class SubjectEvent(DataPushEvent):
    """``subject_insert`` / ``subject_update``: one balance bucket of an account."""

    EVENT_TYPES = ("subject_insert", "subject_update")
    account_id: int | None = None
    """The account."""
    type: int | None = None
    """The bucket (subject type: 1 balance, 2 frozen, 3 available, ...)."""
    amount: Decimal | None = None
    """Amount, scaled by ``digits``."""
    digits: int | None = None
    """Decimals of ``amount``."""

    @property
    def amount_decimal(self) -> Decimal | None:
        """``amount`` as a decimal."""
        return scaled(self.amount, self.digits)
