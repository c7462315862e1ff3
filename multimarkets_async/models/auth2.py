"""Auth2 (account linking) models: the token pair and the linked identity."""

from __future__ import annotations

from pydantic import SecretStr, field_validator

from ._base import WireModel

__all__ = ["Auth2Tokens", "Auth2User"]


class Auth2Tokens(WireModel):
    """An Auth2 token pair. Both are hidden in reprs."""

    access_token: SecretStr
    """Reads the user's identity (``/auth2/user``)."""
    refresh_token: SecretStr
    """Gets a new pair (``/auth2/refresh``)."""


class Auth2User(WireModel):
    """The MultiMarkets identity behind an access token."""

    customer_no: str
    """The customer's public number."""
    account_id: int | None = None
    """Account id; ``None`` when not set (the platform sends 0)."""
    email: str | None = None
    """E-mail, when shared."""
    third_user_id: str | None = None
    """Linked third-party user ids, comma-separated (parallel to ``third_login_source``)."""
    third_login_source: str | None = None
    """Their providers, comma-separated (``telegram``, ``google`` ...)."""

    @field_validator("account_id", mode="before")
    @classmethod
    def _zero_is_none(cls, value: object) -> object:
        return None if value in (0, "0", "") else value
