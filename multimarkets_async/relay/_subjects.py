"""The relay's names on NATS: subjects, JetStream streams and key-value buckets of one company.

Sans-I/O: strings in, strings out. Every name starts from a prefix (``multimarkets`` by default) and
the company id, so several companies (and a test's own prefix) share one NATS account safely::

    multimarkets.<company_id>.tick.<symbol_id>.<trade_type>      Tick          (stream ..._MARKET)
    multimarkets.<company_id>.book.<symbol_id>.<trade_type>      DepthBook     (stream ..._MARKET)
    multimarkets.<company_id>.trade.<symbol_id>.<trade_type>     Trade         (stream ..._MARKET)
    multimarkets.<company_id>.rolling.<symbol_id>.<trade_type>   Rolling24h    (stream ..._MARKET)
    multimarkets.<company_id>.account.<trade_type>               account push  (stream ..._ACCOUNT)
    multimarkets.<company_id>.datapush.<event_type>              data-push     (stream ..._DATAPUSH)

An account push without a trade type travels on ``account.none``. A data-push ``eventType`` is one
subject token: characters other than letters, digits, ``_`` and ``-`` become ``_`` (the payload keeps
the exact type).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final, Literal

from ..errors import InvalidArgumentError

__all__ = ["DEFAULT_PREFIX", "MARKET_KINDS", "MarketKind", "RelayNames", "subject_token"]

DEFAULT_PREFIX: Final = "multimarkets"
"""The first subject token of every relay subject."""

MarketKind = Literal["tick", "book", "trade", "rolling"]
"""The market-data subjects: ``Tick``, ``DepthBook``, ``Trade`` and ``Rolling24h`` events."""

MARKET_KINDS: Final[tuple[MarketKind, ...]] = ("tick", "book", "trade", "rolling")
"""Every ``MarketKind``, in the order of ``RelayNames.market_subjects()``."""

NO_TRADE_TYPE: Final = "none"
"""The ``account`` subject token of a push that names no trade type."""

_TOKEN_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_PREFIX = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")


def subject_token(text: str) -> str:
    """``text`` as one NATS subject token: anything but letters, digits, ``_`` and ``-`` becomes ``_``."""
    return _TOKEN_UNSAFE.sub("_", text) or "_"


@dataclass(frozen=True, slots=True)
class RelayNames:
    """Every NATS name of one company's relay.

    Args:
        company_id: the platform's company id (the second subject token).
        prefix: the first subject token(s); letters, digits, ``_``, ``-`` and dots between tokens.

    Raises:
        InvalidArgumentError: a negative company id or a prefix that is not a subject.
    """

    company_id: int
    prefix: str = DEFAULT_PREFIX

    def __post_init__(self) -> None:
        if isinstance(self.company_id, bool) or not isinstance(self.company_id, int) or self.company_id < 0:
            raise InvalidArgumentError(f"company_id must be a non-negative int, got {self.company_id!r}")
        if not _PREFIX.fullmatch(self.prefix):
            raise InvalidArgumentError(
                "prefix must be subject tokens (letters, digits, '_', '-', joined by '.'), "
                f"got {self.prefix!r}"
            )

    @property
    def root(self) -> str:
        """``multimarkets.<company_id>``: every subject of this company starts with it."""
        return f"{self.prefix}.{self.company_id}"

    # ---------------------------------------------------------------- subjects

    def market(self, kind: MarketKind, symbol_id: int, trade_type: int) -> str:
        """The subject of one product's ``kind`` events."""
        return f"{self.root}.{kind}.{symbol_id}.{trade_type}"

    def market_subjects(self) -> list[str]:
        """The market stream's subjects (one wildcard per kind)."""
        return [f"{self.root}.{kind}.>" for kind in MARKET_KINDS]

    def account(self, trade_type: int | None) -> str:
        """The subject of an account push of ``trade_type`` (``account.none`` without one)."""
        return f"{self.root}.account.{NO_TRADE_TYPE if trade_type is None else trade_type}"

    def account_filter(self, trade_types: Collection[int] | None) -> list[str]:
        """Consumer filter subjects for the pushes of ``trade_types`` (every push when ``None``; pushes
        that name no trade type are always included)."""
        if trade_types is None:
            return [f"{self.root}.account.*"]
        return [self.account(None), *(self.account(t) for t in sorted(set(trade_types)))]

    def datapush(self, event_type: str) -> str:
        """The subject of a data-push event of ``event_type``."""
        return f"{self.root}.datapush.{subject_token(event_type)}"

    def datapush_filter(self, event_types: Collection[str] | None) -> list[str]:
        """Consumer filter subjects for ``event_types`` (every event when ``None``)."""
        if event_types is None:
            return [f"{self.root}.datapush.*"]
        return sorted({self.datapush(t) for t in event_types})

    # ---------------------------------------------------------------- streams and buckets

    @property
    def _stream_base(self) -> str:
        return f"{subject_token(self.prefix).upper()}_{self.company_id}"

    @property
    def market_stream(self) -> str:
        """The JetStream stream of market data (latest message per subject)."""
        return f"{self._stream_base}_MARKET"

    @property
    def account_stream(self) -> str:
        """The JetStream stream of the account's pushes (kept; durable consumers)."""
        return f"{self._stream_base}_ACCOUNT"

    @property
    def datapush_stream(self) -> str:
        """The JetStream stream of the Manager data-push events (kept; durable consumers)."""
        return f"{self._stream_base}_DATAPUSH"

    @property
    def symbols_bucket(self) -> str:
        """The key-value bucket of the products the relay carries (``<symbol_id>.<trade_type>`` keys)."""
        return f"{self._stream_base}_SYMBOLS"

    @property
    def lease_bucket(self) -> str:
        """The key-value bucket holding the active relay's lease (one key, ``active``, with a TTL)."""
        return f"{self._stream_base}_RELAY"
