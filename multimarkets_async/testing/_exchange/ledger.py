"""The fund flow of every account: one ledger entry per balance change (``queryCapitalFlowList``).

The exchange books an entry whenever a balance moves: the opening deposit of a seeded account, the
fee of every open and close, and the realised P&L of every close. Codes follow the platform's ledger
code tables (as on the message socket's ledger events): full-margin contracts (tradeType 1) book
under ``businessType`` 6 (sub-types 6001 opening fee, 6002 closing fee, 6004/6005/6006 P&L of a
market/stop-loss/take-profit close), isolated contracts (tradeType 2) under 12 (12002, 12004, 12006,
12008, 12007); deposits under 1/1001 and 7/7001 (50/50001 for spot), withdrawals under 2/2001,
8/8001, 51/51001 and Manager balance adjustments (bonus) under 4/4004, 10/10004, 52/52004. Moving
margin into or out of an isolated position (``updateOccupyTheMargin``) leaves the balance alone, so
the isolated "margin moved in/released" entries (12001/12003) are not booked.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Final, Literal

from .records import SimAccount, SimLedgerEntry

__all__ = ["BUSINESS_NAMES", "Kind", "Ledger", "business_codes"]

Kind = Literal[
    "deposit", "withdraw", "adjust", "open_fee", "close_fee", "close_pnl", "stop_loss_pnl", "take_profit_pnl"
]

# tradeType -> kind -> (businessType, businessType1)
_CODES: Final[dict[int, dict[str, tuple[int, int]]]] = {
    1: {
        "deposit": (1, 1001),
        "withdraw": (2, 2001),
        "adjust": (4, 4004),
        "open_fee": (6, 6001),
        "close_fee": (6, 6002),
        "close_pnl": (6, 6004),
        "stop_loss_pnl": (6, 6005),
        "take_profit_pnl": (6, 6006),
    },
    2: {
        "deposit": (7, 7001),
        "withdraw": (8, 8001),
        "adjust": (10, 10004),
        "open_fee": (12, 12002),
        "close_fee": (12, 12004),
        "close_pnl": (12, 12006),
        "take_profit_pnl": (12, 12007),
        "stop_loss_pnl": (12, 12008),
    },
    5: {"deposit": (50, 50001), "withdraw": (51, 51001), "adjust": (52, 52004)},
}

BUSINESS_NAMES: Final[dict[int, str]] = {
    1: "deposit",
    6: "transaction",
    7: "deposit",
    12: "transaction",
    50: "deposit",
    2: "withdrawal",
    4: "balance adjustment",
    8: "withdrawal",
    10: "balance adjustment",
    51: "withdrawal",
    52: "balance adjustment",
    1001: "Front-end deposit",
    2001: "Front-end withdrawal",
    4004: "Adjustment: bonus",
    8001: "Front-end withdrawal",
    10004: "Adjustment: bonus",
    51001: "Front-end withdrawal",
    52004: "Adjustment: bonus",
    6001: "Open position fee",
    6002: "Close position fee",
    6004: "Market close profit and loss",
    6005: "Stop-loss close profit and loss",
    6006: "Take-profit close profit and loss",
    7001: "Front-end deposit",
    12002: "Open position fee",
    12004: "Close position fee",
    12006: "Market close profit and loss",
    12007: "Take-profit close profit and loss",
    12008: "Stop-loss close profit and loss",
    50001: "Front-end deposit",
}
"""English names of the ledger codes the simulator books (``businessTypeName``/``businessType1Name``)."""


def business_codes(trade_type: int, kind: Kind) -> tuple[int, int]:
    """``(businessType, businessType1)`` of a balance change of ``kind`` on a ``trade_type`` account.

    Kinds a family does not know (a fee on a spot account) fall back to the full-margin codes.
    """
    return _CODES.get(trade_type, {}).get(kind) or _CODES[1][kind]


class Ledger:
    """Every account's fund flow, in booking order.

    Attributes:
        entries: every entry booked, oldest first.
    """

    def __init__(self) -> None:
        self.entries: list[SimLedgerEntry] = []
        self.listeners: list[Callable[[SimLedgerEntry, SimAccount], None]] = []
        """Called with every entry booked (and its account), after it is appended."""
        self._next_id = 238603701

    def book(
        self,
        account: SimAccount,
        amount: Decimal,
        kind: Kind,
        *,
        bookkeep_id: int,
        now_ms: int,
        remark: str = "",
    ) -> SimLedgerEntry:
        """Record a change of ``amount`` (signed) already applied to ``account.balance``.

        Args:
            account: the account whose balance moved.
            amount: the change; negative for a debit.
            kind: what moved it; decides the ledger codes.
            bookkeep_id: the business record behind it (the position id for trades).
            now_ms: the server time.
            remark: free text.

        Returns:
            The entry, also appended to ``entries``.
        """
        business_type, business_type1 = business_codes(account.trade_type, kind)
        entry = SimLedgerEntry(
            entry_id=self._next_id,
            account_id=account.account_id,
            amount=amount,
            amount_after=account.balance,
            business_type=business_type,
            business_type1=business_type1,
            bookkeep_id=bookkeep_id,
            time_ms=now_ms,
            remark=remark,
        )
        self._next_id += 1
        self.entries.append(entry)
        for listener in self.listeners:
            listener(entry, account)
        return entry

    def of_account(self, account_id: int) -> list[SimLedgerEntry]:
        """The entries of one account, oldest first."""
        return [e for e in self.entries if e.account_id == account_id]
