"""``manager.data_push``: the company's business events as an async iterator (the Manager data-push socket).

One connection per consumer ``group`` (the platform kicks out an older connection of the same group),
shared by every subscription of that group. Two consumers of one group would kick each other out
forever: after ``StreamSettings.datapush_max_kicks`` kick-outs within ``datapush_kick_window`` seconds
the group's subscriptions fail with ``SessionEndedError`` naming that rule. The handshake carries the
company token (fetched by the Manager client's authorize) and the group; each reconnect asks for the
token again. Events are never dropped: a consumer that falls ``maxsize`` events behind fails loudly
with ``SlowConsumerError``. While a group is offline the platform keeps its events for 7 days and
delivers them on reconnect; repeats are removed by a de-duplication window. The connections are run
by ``_streams.datapush_feed``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal, overload

from .._streams.datapush_feed import DataPushFeed
from .._streams.subscription import Subscription
from .._ws import ConnectionInfo
from ..models.datapush import DataPushEvent
from ..models.stream import ConnectionEvent
from ._core import ClientCore

__all__ = ["DataPush"]


class DataPush:
    """The Manager data-push socket."""

    def __init__(self, core: ClientCore) -> None:
        self._core = core
        self._feed = DataPushFeed(core)

    def connection(self, group: str | None = None) -> ConnectionInfo | None:
        """The connection of ``group`` (state, counters), once it has been opened."""
        return self._feed.connection(group)

    @overload
    def events(
        self,
        *,
        group: str | None = None,
        event_types: Collection[str] | None = None,
        connection_events: Literal[False] = False,
        maxsize: int | None = None,
    ) -> Subscription[DataPushEvent]: ...
    @overload
    def events(
        self,
        *,
        group: str | None = None,
        event_types: Collection[str] | None = None,
        connection_events: bool,
        maxsize: int | None = None,
    ) -> Subscription[DataPushEvent | ConnectionEvent]: ...
    def events(
        self,
        *,
        group: str | None = None,
        event_types: Collection[str] | None = None,
        connection_events: bool = False,
        maxsize: int | None = None,
    ) -> Subscription[DataPushEvent] | Subscription[DataPushEvent | ConnectionEvent]:
        """Follow the company's events, typed by ``eventType`` (``PositionEvent``, ``TradeDealEvent`` ...).

        Args:
            group: the consumer group. Keep it stable across restarts: the platform replays a group's
                missed events (up to 7 days) when it reconnects. Two connections with the same group
                cannot coexist, so give each consumer process its own.
            event_types: only these ``eventType`` values (all by default).
            connection_events: also yield ``ConnectionEvent`` on drops and recoveries (the
                subscription is then typed ``Subscription[DataPushEvent | ConnectionEvent]``).
            maxsize: events held for a slow consumer before the subscription fails.
        """
        wanted = frozenset(event_types) if event_types is not None else None

        async def enter(subscription: Subscription[object]) -> None:
            await self._feed.subscribe(subscription, group, wanted, connection_events=connection_events)

        async def leave(subscription: Subscription[object]) -> None:
            self._feed.unsubscribe(subscription, group)

        return self._core.private_subscription("data-push", maxsize, enter, leave)  # type: ignore[return-value]

    def close(self) -> None:
        """End every data-push subscription (the client is closing)."""
        self._feed.close()
