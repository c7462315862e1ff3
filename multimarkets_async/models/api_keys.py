"""API-key management models (endpoints.md §3)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, SecretStr

from ._base import WireModel

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
    white_ips: str | None = None
    """Bound IPs (comma-separated); binding makes the key long-lived."""
    validity_days: int | None = None
    """Days left (90 for an unbound key), -1 expired, ``None`` permanent."""
    expired_time: int | None = None
    """Expiry, ms."""

    def has(self, permission: Permission | str) -> bool:
        """Whether ``permission`` is enabled on this key."""
        return any(p.code == permission and p.enabled for p in self.permission_dto_list)
