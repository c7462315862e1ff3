"""Streams: the engines between the sockets and the namespaces that hand subscriptions to users.

``subscription.py`` holds the bounded per-subscriber buffers and the registry of desired
subscriptions; ``supervise.py`` runs a connection in the client's task group and relays its life as
in-band events; ``quote_feed.py``, ``message_feed.py`` and ``datapush_feed.py`` keep each socket kind's
merged, desired subscriptions and replay them after every reconnect. They build on ``_ws`` (the
connection manager) and the HTTP session; the namespaces in ``resources/`` build on them.
"""

from __future__ import annotations

from .datapush_feed import DataPushFeed
from .message_feed import MessageFeed
from .quote_feed import MARKET, ROLLING, TICKER, MarketParams, QuoteFeed
from .subscription import OverflowPolicy, Subscription, SubscriptionRegistry, SubscriptionStats
from .supervise import ConnectionEventRelay, FeedHost, as_stream_error, supervise

__all__ = [
    "MARKET",
    "ROLLING",
    "TICKER",
    "ConnectionEventRelay",
    "DataPushFeed",
    "FeedHost",
    "MarketParams",
    "MessageFeed",
    "OverflowPolicy",
    "QuoteFeed",
    "Subscription",
    "SubscriptionRegistry",
    "SubscriptionStats",
    "as_stream_error",
    "supervise",
]
