"""Client API sessions: login tokens (``<uuid>app``), their refresh tokens, and message-push tokens.

The gateway looks a login token up here; the message and quote sockets ask whose token they were sent.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

__all__ = ["Session", "Sessions"]


@dataclass(slots=True)
class Session:
    """One Client API login: its token, refresh token and owner."""

    customer_id: int
    r_token: str
    expired: bool = False


class Sessions:
    """Client login tokens (``<uuid>app``) and message-push tokens (``<uuid>push``).

    Args:
        rng: the seeded random source tokens are drawn from.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._sessions: dict[str, Session] = {}
        self.push_tokens: dict[str, int] = {}
        """Issued message-push tokens -> customer id (for the message socket)."""

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def login(self, customer_id: int) -> tuple[str, str]:
        """Open a session; return its ``(token, rToken)``."""
        token = self._uuid() + "app"
        r_token = f"{self._rng.getrandbits(256):064x}"
        self._sessions[token] = Session(customer_id, r_token)
        return token, r_token

    def lookup(self, token: str) -> Session | None:
        """Return the session of ``token`` (possibly expired), or ``None`` when unknown."""
        return self._sessions.get(token)

    def customer_of(self, token: object) -> int | None:
        """The customer of a live login token or an issued push token; ``None`` for anything else."""
        if not isinstance(token, str) or not token:
            return None
        if token in self.push_tokens:
            return self.push_tokens[token]
        session = self._sessions.get(token)
        return session.customer_id if session is not None and not session.expired else None

    def logout(self, token: str) -> None:
        """End the session of ``token``."""
        self._sessions.pop(token, None)

    def consume(self, token: str) -> None:
        """Use up a one-time login token (``thirdExt/randomKey``): its next use answers expired."""
        session = self._sessions.get(token)
        if session is not None:
            session.expired = True

    def expire_all(self) -> None:
        """Mark every issued login token expired."""
        for session in self._sessions.values():
            session.expired = True

    def issue_push_token(self, customer_id: int) -> str:
        """Issue a message-push token for ``customer_id``."""
        token = self._uuid() + "push"
        self.push_tokens[token] = customer_id
        return token
