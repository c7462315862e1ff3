"""The relay onto NATS JetStream: one process holds the platform's connections, many read its events.

Install the ``relay`` extra (``pip install "multimarkets-async[relay]"``: nats-py). Two halves:

* ``Relay`` (and the ``multimarkets relay`` command): subscribes on the platform once — tickers,
  books and trades, 24 h statistics, the account's pushes, the Manager's data-push events — and
  publishes each event to JetStream as JSON (``docs/relay-schema.md``). Of several relays for one
  company, the one holding a lease (a key-value entry with a TTL) is active; the others stand by and
  take over when it stops or dies.
* ``connect()`` -> ``RelayFeed``: the same typed events, read back in any process on any machine
  with the SDK's ``async with`` / ``async for`` shape (``feed.tickers([...])``, ``feed.book``,
  ``feed.messages()``, ``feed.data_push(group=...)``). Market data starts with each product's latest
  event; account pushes and data-push events are kept, shared by the workers of a ``group`` and
  acknowledged once the worker asks for the next one.

Names on NATS (``RelayNames``), retention (``Retention``) and the lease (``LeaseSettings``) are
settings; ``Envelope``/``encode``/``decode_*`` are the payload codec for readers in other languages'
footsteps (tests, tools).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._payloads import (
    PAYLOAD_VERSION,
    Envelope,
    RelayedProduct,
    RelayEvent,
    decode_account,
    decode_datapush,
    decode_market,
    decode_product,
    encode,
    encode_product,
)
from ._settings import DEFAULT_NATS_URL, LeaseSettings, Retention
from ._subjects import DEFAULT_PREFIX, MARKET_KINDS, MarketKind, RelayNames, subject_token

if TYPE_CHECKING:  # imported on first use below: they need nats-py (the relay extra)
    from ._feed import FeedStats, FeedSubscription, FeedSymbol, RelayFeed, connect
    from ._relay import Relay, RelayRole, RelayStats

_NEEDS_NATS = {
    "FeedStats": "._feed",
    "FeedSubscription": "._feed",
    "FeedSymbol": "._feed",
    "RelayFeed": "._feed",
    "connect": "._feed",
    "Relay": "._relay",
    "RelayRole": "._relay",
    "RelayStats": "._relay",
}


def __getattr__(name: str) -> object:
    # The names, settings and payload codec import without nats-py; the relay and the feeds need it
    # (an ImportError naming the extra when it is missing).
    module = _NEEDS_NATS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module, __name__), name)


__all__ = [
    "DEFAULT_NATS_URL",
    "DEFAULT_PREFIX",
    "MARKET_KINDS",
    "PAYLOAD_VERSION",
    "Envelope",
    "FeedStats",
    "FeedSubscription",
    "FeedSymbol",
    "LeaseSettings",
    "MarketKind",
    "Relay",
    "RelayEvent",
    "RelayFeed",
    "RelayNames",
    "RelayRole",
    "RelayStats",
    "RelayedProduct",
    "Retention",
    "connect",
    "decode_account",
    "decode_datapush",
    "decode_market",
    "decode_product",
    "encode",
    "encode_product",
    "subject_token",
]
