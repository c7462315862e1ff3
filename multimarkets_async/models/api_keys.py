"""API-key management models: a key record with its permissions (``CustomerApiWebService``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field, SecretStr

from ._base import WireModel
from ._renamed import renamed

__all__ = ["ApiKey", "ApiKeyPermission", "Permission"]


class Permission(StrEnum):
    """API-key permission codes, spelled exactly as the platform does (two are misspelt on purpose)."""

    READ = "ready_only"
    """Read (always on)."""
    SPOT_TRADE = "trade"
    """Spot trading."""
    CONTRACT_TRADE = "contract_trade"
    """Contract trading."""
    WITHDRAW = "captial_out"
    """Withdrawals."""


class ApiKeyPermission(WireModel):
    """One permission of a key and whether it is on."""

    code: str
    """A ``Permission`` code."""
    name: str | None = None
    """Display name."""
    status: int | None = None
    """1 enabled, 2 disabled."""
    can_edit: bool | None = None
    """Whether it may be changed (Read cannot)."""
    paths: list[str] = Field(default_factory=list)
    """The operations it unlocks, as ``bizType_version_group``."""

    @property
    def enabled(self) -> bool:
        """Whether the permission is on."""
        return self.status == 1


class ApiKey(WireModel):
    """An Open API key record. ``private_key`` is only present in the answer to ``apply``."""

    id: int
    """Record id, for edits and deletion."""
    api_key: str
    """The key (32 lowercase hex), sent as header ``apiKey``."""
    private_key: SecretStr | None = None
    """The secret key (base64 PKCS#8). Returned once, by ``apply``; store it. Hidden in reprs."""
    pub_key: str | None = None
    """The matching public key."""
    secret_key_md5: str | None = None
    """MD5 of the private key text, which is all the platform keeps."""
    tag: str | None = None
    """Your label, unique per customer."""
    permission_dto_list: list[ApiKeyPermission] = Field(default_factory=list, alias="permissionDTOList")
    """The key's permissions."""
    ip_limit: bool | None = None
    """Whether the key is bound to IPs."""
    white_ips: str | None = None
    """Bound IPs (comma-separated); binding makes the key long-lived."""
    validity_days: int | None = None
    """Days left (90 for an unbound key), -1 expired, ``None`` permanent."""
    create_time_ms: int | None = Field(default=None, alias="createTime")
    """When the key was created, epoch ms."""
    update_time_ms: int | None = Field(default=None, alias="updateTime")
    """Its last change, epoch ms."""
    expired_time_ms: int | None = Field(default=None, alias="expiredTime")
    """When it expires, epoch ms; ``None`` for a permanent key."""
    withdraw_time_ms: int | None = Field(default=None, alias="withdrawTime")
    """From when it may withdraw, epoch ms."""
    customer_id: int | None = None
    """The owner's internal id."""
    customer_no: str | None = None
    """The owner's public number."""
    company_id: int | None = None
    """White-label company id."""
    customer_group_id: int | None = None
    """The owner's customer group."""
    sources: list[str] = Field(default_factory=list)
    """``get`` only: every operation the key may call, as ``bizType_version_group``."""

    expired_time: ClassVar[Any] = renamed("expired_time", "expired_time_ms")

    def has(self, permission: Permission | str) -> bool:
        """Whether ``permission`` is enabled on this key."""
        return any(p.code == permission and p.enabled for p in self.permission_dto_list)
