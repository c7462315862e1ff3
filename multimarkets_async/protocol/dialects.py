"""Socket dialects as the connection manager sees them: heartbeat frames, correlation and events.

Each dialect wraps one sans-I/O codec (``quote``, ``messages``, the header/body frames of
``envelope``) behind the same small interface, so one connection manager serves them all:
``encode_ping(seq)`` returns the heartbeat frame and its correlation id, and ``decode(frame)``
returns an ``Inbound`` saying which typed events the frame carried, which request it answers,
whether it is a pong, and whether the server ended the session. Time and ids are injected.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Final, NamedTuple, Protocol

from ..errors import MultiMarketsError, ProtocolError, SessionEndedError
from ..models.push import (
    DisconnectEvent,
    ForcedLogoutEvent,
    NoticeEvent,
    PongEvent,
    SubscribeAck,
    SubscribeFailed,
)
from . import datapush, messages, quote
from ._quote_push import ProductNames, parse_ticks
from .envelope import Envelope, decode_socket_frame, encode_socket_ping, envelope_error

__all__ = ["DataPushDialect", "Dialect", "Inbound", "MessageDialect", "QuoteDialect", "RpcDialect"]


class Inbound(NamedTuple):
    """What one received frame means to the connection manager (a named tuple: built per frame)."""

    events: tuple[object, ...] = ()
    """Typed events for subscribers (pushes, and the snapshots inside subscribe replies)."""
    correlation: Hashable | None = None
    """The id of the request this frame answers, if any."""
    reply: object = None
    """The reply value handed to the waiting request."""
    error: MultiMarketsError | None = None
    """The error handed to the waiting request instead of ``reply``."""
    pong: bool = False
    """Whether the frame answers a heartbeat."""
    pong_id: Hashable | None = None
    """Which heartbeat it answers, where the dialect says."""
    session_error: MultiMarketsError | None = None
    """Set when the server ended the session: the connection is over; the reconnect loop retries it
    unless the error is fatal (``SessionEndedError`` is; a lost quote session, ``ret`` 203, is not)."""


_NOTHING: Final = Inbound()
_KLINE_REPLIES: Final = frozenset({quote.QuoteCmd.KLINE_REPLY, quote.QuoteCmd.BATCH_KLINE_REPLY})


def _excess_bars(events: tuple[object, ...], bars: int, products: int) -> ProtocolError | None:
    """A ``ProtocolError`` when a K-line reply holds more products, or bars per product, than asked."""
    counts: dict[object, int] = {}
    for event in events:
        key = getattr(event, "key", None)
        counts[key] = counts.get(key, 0) + 1
    most = max(counts.values(), default=0)
    if len(counts) > products or most > bars:
        return ProtocolError(
            f"K-line reply has {len(counts)} products and up to {most} bars each; "
            f"{products} products of {bars} bars were requested"
        )
    return None


class Dialect(Protocol):
    """The per-dialect part of a managed connection."""

    ping_interval: float
    """Seconds between heartbeats."""
    dead_after: float
    """Seconds of silence after which the connection is dead."""

    def encode_ping(self, seq: int) -> tuple[str, Hashable | None]:
        """The heartbeat frame for sequence number ``seq`` and the id its pong will carry."""
        ...

    def decode(self, frame: str | bytes) -> Inbound | tuple[object, ...]:
        """Classify and parse a received frame; raise only ``ProtocolError``.

        A frame that only carries events may come back as the bare tuple of those events (the
        market-data hot path: no ``Inbound`` is built per push); anything else is an ``Inbound``.
        """
        ...


class QuoteDialect:
    """The market-data socket: ``cmd_id`` requests correlated on ``seq_id``, text pushes, 14008 heartbeat."""

    __slots__ = (
        "_time_unit",
        "_to_ms",
        "dead_after",
        "klines",
        "names",
        "new_ext",
        "ping_interval",
        "unsolicited",
    )

    def __init__(
        self,
        *,
        new_ext: Callable[[], str],
        ping_interval: float = quote.QUOTE_HEARTBEAT_INTERVAL,
        dead_after: float = quote.QUOTE_IDLE_TIMEOUT,
        quote_time_unit: quote.QuoteTimeUnit = quote.QUOTE_TIME_UNIT,
    ) -> None:
        self.new_ext = new_ext
        self.ping_interval = ping_interval
        self.dead_after = dead_after
        self._time_unit = quote_time_unit
        self._to_ms = quote.time_converter(quote_time_unit)
        self.klines: dict[Hashable, tuple[int, int]] = {}
        """The K-line requests waiting for a reply: ``seq_id`` -> (bars per product, products). The
        feed fills it; K-line replies to anything else are dropped, binary frames without inflating."""
        self.unsolicited = 0
        """K-line replies (binary frames) dropped because no request of theirs was waiting."""
        self.names = ProductNames()
        """The product names put in this connection's events (the feed fills it at subscribe time)."""

    def encode_ping(self, seq: int) -> tuple[str, Hashable | None]:
        return quote.encode_heartbeat(seq, self.new_ext()), seq

    def decode(self, frame: str | bytes) -> Inbound | tuple[object, ...]:
        # Ticker pushes are most of the traffic: parse them without the general classification, and
        # hand back the bare events (see ``Dialect.decode``).
        if type(frame) is str and frame[:2] == "p(":
            try:
                return parse_ticks(frame, self._to_ms, self.names)
            except Exception:  # the one error seam parses it again and says what is wrong
                return quote.decode_ticker_push(frame, self._to_ms, self.names)
        pending = self.klines
        if type(frame) is str:
            parsed = quote.decode_frame(frame, quote_time_unit=self._time_unit, names=self.names)
            if parsed.reply is None:  # a pt( pd( pr( push, or an ignored frame
                return parsed.events
        elif not pending:
            self.unsolicited += 1  # only K-line replies are binary, and none is awaited
            return _NOTHING
        else:
            # Bound the work by what was asked: the inflated size and the bars per product.
            budget = sum(bars * products for bars, products in pending.values())
            try:
                parsed = quote.decode_frame(
                    frame,
                    quote_time_unit=self._time_unit,
                    max_inflated_size=min(
                        quote.MAX_INFLATED_SIZE, (budget + 32) * quote.INFLATED_BYTES_PER_BAR
                    ),
                    max_kline_bars=max(bars for bars, _ in pending.values()),
                    names=self.names,
                )
            except ProtocolError as exc:
                if len(pending) != 1:
                    raise  # which request it answers is unknown: skipped, and the requests time out
                return Inbound(correlation=next(iter(pending)), error=exc)
        reply = parsed.reply
        if reply is None:
            return Inbound(events=parsed.events) if parsed.events else _NOTHING
        if reply.ret == quote.RET_SESSION_LOST:
            # ret 203: the server lost this connection's session; whatever the command (heartbeat
            # included), end the connection so the reconnect loop resubscribes on a fresh one.
            return Inbound(correlation=reply.seq_id, error=reply.error, session_error=reply.error)
        if reply.cmd_id in _KLINE_REPLIES:
            asked = pending.get(reply.seq_id)
            if asked is None:
                self.unsolicited += 1
                return _NOTHING
            # The bars reach the caller through ``reply``; no subscriber wants them as events.
            error = reply.error or _excess_bars(parsed.events, *asked)
            return Inbound(correlation=reply.seq_id, reply=parsed, error=error)
        if reply.cmd_id == quote.QuoteCmd.HEARTBEAT_REPLY:
            return Inbound(pong=True, pong_id=reply.seq_id)
        return Inbound(events=parsed.events, correlation=reply.seq_id, reply=parsed, error=reply.error)


class MessageDialect:
    """The message-push socket: ``head``/``msgType`` frames, ``msgCode`` events and ``f(``/``g(`` pushes."""

    __slots__ = ("dead_after", "new_trace", "now_ms", "ping_interval", "session")

    def __init__(
        self,
        *,
        new_trace: Callable[[], str],
        now_ms: Callable[[], int],
        ping_interval: float = messages.MSG_WS_PING_INTERVAL,
        dead_after: float = messages.MSG_WS_IDLE_TIMEOUT,
    ) -> None:
        self.new_trace = new_trace
        self.now_ms = now_ms
        self.ping_interval = ping_interval
        self.dead_after = dead_after
        self.session: messages.MsgSession | None = None
        """Token, language and device repeated in every frame; set at login."""

    def _session(self) -> messages.MsgSession:
        if self.session is None:
            raise RuntimeError("the message socket sends frames only after login")
        return self.session

    def encode_login(self, seq: int) -> str:
        """The ``login`` frame."""
        return messages.encode_login(self._session(), seq, self.new_trace(), self.now_ms())

    def encode_subscribe(self, seq: int, trade_types: list[int]) -> str:
        """The ``subscribe_asset`` frame for ``trade_types``."""
        return messages.encode_subscribe_asset(
            self._session(), seq, self.new_trace(), self.now_ms(), trade_types=trade_types
        )

    def encode_cancel(self, seq: int, trade_types: list[int]) -> str:
        """The ``cancel_subscribe_asset`` frame for ``trade_types``."""
        return messages.encode_cancel_subscribe_asset(
            self._session(), seq, self.new_trace(), self.now_ms(), trade_types=trade_types
        )

    def encode_logout(self, seq: int) -> str:
        """The ``logout`` frame."""
        return messages.encode_logout(self._session(), seq, self.new_trace(), self.now_ms())

    def encode_ping(self, seq: int) -> tuple[str, Hashable | None]:
        return messages.encode_ping(self._session(), seq, self.new_trace(), self.now_ms()), seq

    def decode(self, frame: str | bytes) -> Inbound:
        event = messages.decode_message(frame)
        if event is None:
            return _NOTHING
        if isinstance(event, PongEvent):
            return Inbound(pong=True, pong_id=event.seq_id)
        if isinstance(event, SubscribeAck):
            return Inbound(correlation=event.seq_id, reply=event) if event.seq_id is not None else _NOTHING
        if isinstance(event, SubscribeFailed | ForcedLogoutEvent | DisconnectEvent | NoticeEvent):
            if isinstance(event, NoticeEvent):
                if not messages.ends_session(event):
                    return Inbound(events=(event,))
                reason = "the server logged this session out (notice updateType 4: kicked)"
            else:
                reason = {
                    SubscribeFailed: "the server refused the push token (subscribe_fail)",
                    ForcedLogoutEvent: "the server forced a logout (UserForceLogoutRet)",
                    DisconnectEvent: "the session was taken over by a login elsewhere (disconnect)",
                }[type(event)]
            # The error says it all; the event is not also delivered as data.
            error = SessionEndedError(f"message socket: {reason}", trace=event.trace)
            # A notice's seqId numbers the server's pushes, not one of our requests.
            correlation = None if isinstance(event, NoticeEvent) else event.seq_id
            return Inbound(correlation=correlation, error=error, session_error=error)
        return Inbound(events=(event,))


class RpcDialect:
    """The Client RPC socket: ``{header, body}`` requests correlated on ``trace``, ``bizType`` ping/pong."""

    __slots__ = ("dead_after", "lang", "new_trace", "now_ms", "ping_interval", "token")

    def __init__(
        self,
        *,
        new_trace: Callable[[], str],
        now_ms: Callable[[], int],
        lang: str = "en-US",
        token: str | None = None,
        ping_interval: float = 10.0,
        dead_after: float = 30.0,
    ) -> None:
        self.new_trace = new_trace
        self.now_ms = now_ms
        self.lang = lang
        self.token = token
        self.ping_interval = ping_interval
        self.dead_after = dead_after

    def encode_ping(self, seq: int) -> tuple[str, Hashable | None]:
        trace = self.new_trace()
        return encode_socket_ping(
            trace=trace, timestamp_ms=self.now_ms(), lang=self.lang, token=self.token
        ), trace

    def decode(self, frame: str | bytes) -> Inbound:
        reply = decode_socket_frame(frame)
        if not isinstance(reply, Envelope):
            return Inbound(pong=True, pong_id=reply.trace)
        if reply.is_success():
            return Inbound(correlation=reply.trace, reply=reply.data)
        return Inbound(correlation=reply.trace, error=envelope_error(reply))


class DataPushDialect:
    """The Manager data-push socket: one-way JSON events, text ``ping``, answered by a PONG control frame.

    ``control_ping`` asks the connection manager to also send a WebSocket ping and count its pong as
    traffic, because the server's answer to the text ``ping`` is a control frame that socket libraries
    do not surface. Repeated events (at-least-once delivery) are dropped by a de-duplication window
    that survives reconnects.
    """

    __slots__ = ("dead_after", "dedupe", "duplicates", "ping_interval")

    control_ping = True

    def __init__(
        self,
        *,
        ping_interval: float = datapush.DATAPUSH_PING_INTERVAL,
        dead_after: float = datapush.DATAPUSH_DEAD_AFTER,
        dedupe: datapush.DedupeWindow | None = None,
    ) -> None:
        self.ping_interval = ping_interval
        self.dead_after = dead_after
        self.dedupe = dedupe if dedupe is not None else datapush.DedupeWindow()
        """Keys of the events already delivered; pass one window per consumer group to keep it
        across connections."""
        self.duplicates = 0
        """Repeated events dropped so far."""

    def encode_ping(self, seq: int) -> tuple[str, Hashable | None]:
        return datapush.DATAPUSH_PING, None

    def decode(self, frame: str | bytes) -> Inbound:
        event = datapush.decode_event(frame)
        if event is None:
            return Inbound(pong=True)
        if self.dedupe.seen(event):
            self.duplicates += 1
            return _NOTHING
        return Inbound(events=(event,))
