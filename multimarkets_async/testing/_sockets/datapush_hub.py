"""The Manager data-push hub (``sim.datapush``): the event log, per-group replay and the emit controls.

Every event is one text frame ``{"data":{...},"eventType":"..."}``. The hub
turns exchange changes into events as they happen:

* a registration (Client ``register`` or Manager ``addCusAndOpenAccountAndKyc``): ``register``,
  ``customer_info_insert``, then ``open_account`` and ``subject_insert`` per opened account;
* every ledger booking (fees, P&L, deposits, withdrawals, adjustments): ``subject_water_insert``
  then ``subject_update`` (subject type 1, the balance);
* every executed order: ``position_insert`` (an open), ``position_update`` (a partial close) or
  ``position_delete`` (the position is closed), then ``trade_deal``;
* a Manager balance update: ``account_adjust`` before its ledger events; ``deposit()`` and
  ``withdraw()`` here: ``deposit``/``withdraw`` before theirs; ``approve_kyc()``: ``kyc``,
  ``customer_update`` and ``customer_info_update``; ``update_account()``: ``account_update``.

``emit(event_type, data)`` sends any event (unknown types too); ``subject_water_update`` is only
reachable that way. Delivery (Assumption: at least once): the hub keeps every event for 168 hours;
a connection with a ``group`` gets, on connecting, the events raised since that group's last
connection ended (a group seen for the first time starts now); a connection without a ``group``
gets live events only. ``duplicate_next(n)`` delivers the next ``n`` events twice;
``redeliver_on_connect(n)`` makes the next connection of a group get the ``n`` events before its
cursor again (delivery at least once across reconnects: what a consumer that restarts sees).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._exchange.ledger import Kind
from .._exchange.records import SimAccount, SimCustomer, SimLedgerEntry, SimOrder
from .._thread import UNBOUND, LoopBinding, on_loop
from .datapush_events import (
    account_event,
    customer_event,
    customer_info_event,
    deal_event,
    kyc_event,
    ledger_event,
    position_event,
    register_event,
    subject_event,
)

if TYPE_CHECKING:
    from .._exchange.account_book import AccountBook
    from .._exchange.exchange import SimExchange
    from .kinds import DataPushSession
    from .registry import SocketRegistry

__all__ = ["RETENTION_MS", "DataPushHub"]

RETENTION_MS = 168 * 3600 * 1000
"""How long events are kept for replay (168 hours)."""


class DataPushHub:
    """The data-push event source of one simulator (``sim.datapush``).

    Args:
        exchange: the exchange whose changes become events.
        sockets: the socket registry (the live ``datapush`` sessions).
        now_ms: the server clock.

    Attributes:
        events: every event emitted, oldest first, as ``{"data", "eventType"}`` dicts (with the
            server time in ``_time_ms`` left out of the frames).
    """

    _binding: LoopBinding = UNBOUND

    def __init__(self, exchange: SimExchange, sockets: SocketRegistry, now_ms: Callable[[], int]) -> None:
        self._exchange = exchange
        self._sockets = sockets
        self._now_ms = now_ms
        self.events: list[dict[str, Any]] = []
        self._times: list[int] = []
        self._cursors: dict[str, int] = {}
        self._duplicate = 0
        self._redeliver = 0
        self._proposals = 0
        self._revisions: dict[str, int] = {}
        self.pong_sender: Callable[[dict[str, Any]], bool] | None = None
        """Sends a WebSocket PONG control frame on a connection (set by the running simulator)."""
        exchange.customer_listeners.append(self._on_customer)
        exchange.ledger.listeners.append(self._on_ledger)
        exchange.order_listeners.append(self._on_order)

    def __repr__(self) -> str:
        return f"DataPush(events={len(self.events)}, groups={sorted(self._cursors)!r})"

    # ------------------------------------------------------------------ controls

    @on_loop
    def emit(self, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
        """Send one event to every data-push connection (and keep it for the groups' replay).

        Args:
            event_type: the ``eventType`` (any string; the catalogue has 18).
            data: the event's ``data`` object.

        Returns:
            The event as sent: ``{"data": data, "eventType": event_type}``.
        """
        event = {"data": data, "eventType": event_type}
        self.events.append(event)
        self._times.append(self._now_ms())
        frame = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
        copies = 1
        if self._duplicate > 0:
            self._duplicate -= 1
            copies = 2
        for session in self._sockets.datapush:
            for _ in range(copies):
                session.push(frame)
            if session.group:
                self._cursors[session.group] = len(self.events)
        return event

    @on_loop
    def duplicate_next(self, count: int = 1) -> None:
        """Deliver each of the next ``count`` events twice (at-least-once delivery).

        Raises:
            ValueError: ``count`` is not positive.
        """
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count!r}")
        self._duplicate += count

    @on_loop
    def redeliver_on_connect(self, count: int) -> None:
        """Give the next connection of a group that connected before the ``count`` events it already
        had again, before what it missed (at-least-once delivery across reconnects).

        Raises:
            ValueError: ``count`` is not positive.
        """
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count!r}")
        self._redeliver = count

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        """The ``data`` of every event of one type emitted so far, oldest first."""
        return [e["data"] for e in self.events if e["eventType"] == event_type]

    @on_loop
    def deposit(self, account_id: int, amount: Decimal | str) -> dict[str, Any]:
        """Credit a successful deposit: ``deposit``, then the ledger events. Returns the deposit data.

        Raises:
            KeyError: unknown account.
        """
        return self._move(self._exchange.accounts[account_id], Decimal(amount), "deposit")

    @on_loop
    def withdraw(self, account_id: int, amount: Decimal | str) -> dict[str, Any]:
        """Pay out an approved withdrawal: ``withdraw``, then the ledger events. Returns its data.

        Raises:
            KeyError: unknown account.
        """
        return self._move(self._exchange.accounts[account_id], Decimal(amount), "withdraw")

    @on_loop
    def adjust(self, account: SimAccount, amount: Decimal, remark: str = "") -> str:
        """Book a balance adjustment (Manager balance update): ``account_adjust``, then the ledger
        events. Returns the proposal number (``A…``)."""
        data = self._move(account, amount, "account_adjust", remark)
        return str(data["proposalNo"])

    @on_loop
    def approve_kyc(self, customer_no: str, level: str = "level_2") -> None:
        """Approve a KYC level: ``kyc``, ``customer_update`` (``kycAuditStatus`` 2) and
        ``customer_info_update``.

        Raises:
            KeyError: unknown customer number.
        """
        customer = self._customer(customer_no)
        now = self._now_ms()
        revision = self._revisions.get(customer.customer_no, 1) + 1
        self._revisions[customer.customer_no] = revision
        self.emit("kyc", kyc_event(customer, now, level=level))
        self.emit("customer_update", customer_event(customer, now, kyc_status=2, revision=revision))
        self.emit("customer_info_update", customer_info_event(customer, now, extra={"revision": revision}))

    @on_loop
    def update_account(self, account_id: int) -> dict[str, Any]:
        """Emit ``account_update`` for an account (e.g. after a status change). Returns its data.

        Raises:
            KeyError: unknown account.
        """
        account = self._exchange.accounts[account_id]
        data = account_event(self._exchange, account, self._now_ms())
        self.emit("account_update", data)
        return data

    # ------------------------------------------------------------------ sockets (private)

    def _connected(self, session: DataPushSession) -> None:
        """A connection opened: kick out the group's older connection, replay what it missed."""
        group = session.group
        if not group:
            return
        for other in self._sockets.datapush:
            if other is not session and other.group == group:
                other.kicked = True
                other.close(4001, "kicked out by a newer connection of the same group")
        cursor = self._cursors.get(group)
        if cursor is not None and self._redeliver:
            cursor, self._redeliver = max(0, cursor - self._redeliver), 0
        if cursor is not None:
            oldest = self._now_ms() - RETENTION_MS
            for event, time_ms in zip(self.events[cursor:], self._times[cursor:], strict=True):
                if time_ms >= oldest:
                    session.push(json.dumps(event, separators=(",", ":"), ensure_ascii=False))
        self._cursors[group] = len(self.events)

    # ------------------------------------------------------------------ exchange listeners

    def _customer(self, customer_no: str) -> SimCustomer:
        for customer in self._exchange.customers.values():
            if customer.customer_no == customer_no:
                return customer
        raise KeyError(customer_no)

    def _move(self, account: SimAccount, amount: Decimal, kind: str, remark: str = "") -> dict[str, Any]:
        now = self._now_ms()
        self._proposals += 1
        prefix = {"deposit": "D", "withdraw": "W"}.get(kind, "A")
        proposal_no = f"{prefix}{now // 1000}{self._proposals:04d}"
        data = proposal_event(kind, self._exchange, account, amount, proposal_no=proposal_no, now_ms=now)
        self.emit(kind, data)
        signed = -amount if kind == "withdraw" else amount
        account.balance += signed
        ledger_kind: Kind = "deposit" if kind == "deposit" else "withdraw" if kind == "withdraw" else "adjust"
        self._exchange.ledger.book(
            account,
            signed,
            ledger_kind,
            bookkeep_id=int(proposal_no[1:]),
            now_ms=now,
            remark=remark,
        )
        return data

    def _on_customer(self, customer: SimCustomer, accounts: list[SimAccount]) -> None:
        now = self._now_ms()
        self.emit("register", register_event(customer))
        self.emit("customer_info_insert", customer_info_event(customer, now))
        for account in accounts:
            self.emit("open_account", account_event(self._exchange, account, now))
            self.emit("subject_insert", subject_event(account, now))

    def _on_ledger(self, entry: SimLedgerEntry, account: SimAccount) -> None:
        if account.customer_id not in self._exchange.customers:
            return
        self.emit("subject_water_insert", ledger_event(self._exchange, entry, account))
        self.emit("subject_update", subject_event(account, entry.time_ms, version=entry.entry_id))

    def _on_order(self, order: SimOrder) -> None:
        exchange = self._exchange
        position = exchange.positions.get(order.position_id)
        if position is not None:
            if order.open_or_close == 1:
                kind = "position_insert"
            else:
                kind = "position_delete" if position.status == "2" else "position_update"
            self.emit(kind, position_event(exchange, position, order.execute_time_ms))
        self.emit("trade_deal", deal_event(exchange, order))


# ---------------------------------------------------------------------------- proposal events


def _plain(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.000000001")))


def proposal_event(
    kind: str, book: AccountBook, account: SimAccount, amount: Decimal, *, proposal_no: str, now_ms: int
) -> dict[str, Any]:
    """``deposit``, ``withdraw`` or ``account_adjust`` (plain 9-decimal amounts, not scaled)."""
    customer = book.customer_of(account)
    value = _plain(amount)
    common: dict[str, Any] = {
        "id": proposal_no[1:],
        "proposalNo": proposal_no,
        "accountId": account.account_id,
        "tradeType": account.trade_type,
        "companyId": customer.company_id,
        "customerNo": customer.customer_no,
        "revision": 1,
        "createBy": "simulator",
        "createTime": now_ms,
        "updateBy": "simulator",
        "updateTime": now_ms,
    }
    if kind == "deposit":
        return {
            **common,
            "country": customer.country,
            "depositCurrency": account.currency,
            "paymentCurrency": account.currency,
            "intendAmount": value,
            "finalAmount": value,
            "actualAmount": value,
            "depositFee": 0.0,
            "fromPaymentAmount": value,
            "toPaymentAmount": value,
            "toPaymentRate": 1.0,
            "paymentCode": "sim",
            "paymentType": "digit_wallet",
            "paymentChannelClientType": "pc",
            "paymentStatus": 2,
            "depositStatus": 2,
            "checkStatus": 2,
            "notifyStatus": True,
            "depositFrom": "H5",
            "blockchainName": "TRC20",
            "queryMaxCount": 0,
        }
    if kind == "withdraw":
        return {
            **common,
            "country": customer.country,
            "accountCurrency": account.currency,
            "withdrawCurrency": account.currency,
            "amount": value,
            "rate": 1.0,
            "withdrawFee": 0.0,
            "finalAmount": value,
            "rawAmount": value,
            "bankName": "",
            "bankCardNo": "",
            "bankAccountName": "",
            "checkStatus": 2,
            "transferStatus": 2,
            "withdrawType": 2,
            "withdrawCoinStatus": 2,
            "withdrawMethod": "digit_wallet",
            "blockchainName": "TRC20",
            "txid": None,
            "thirdMessage": "",
            "checkBy": "simulator",
            "remark": "",
            "withdraw": True,
        }
    return {
        **common,
        "accountCurrency": account.currency,
        "amount": value,
        "businessType": 4004 if account.trade_type == 1 else 10004 if account.trade_type == 2 else 52004,
        "checkStatus": 2,
        "checkBy": "simulator",
        "withdraw": True,
    }
