"""The exchange's books: customers, accounts, positions, orders, the ledger, and look-ups on them.

``AccountBook`` holds the state every part of the exchange reads (the trading operations live
in its subclass ``SimExchange``) and answers the questions
the handlers and views ask: whose account, which positions are open, what an account is worth now,
what margin and fee an order would cost. Pure state: no clock reads, no randomness.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from .ledger import Ledger
from .market import Market, SimSymbol, seed_symbols
from .records import BUY, SimAccount, SimCustomer, SimOrder, SimPosition, TradingError
from .rules import pnl

__all__ = ["AccountBook"]


class AccountBook:
    """Customers, accounts, products, positions, orders and the ledger.

    Seeded: customer 1176 (``customerNo`` 86001175, group 1) with USDT accounts 1031001 (tradeType
    1), 1031002 (2) and 1031005 (5); registration adds more customers (``add_customer``).

    Args:
        company_id: the company the customers belong to.
        login_name: the seeded customer's e-mail (login type 1).
        password_md5: lowercase hex MD5 of the seeded customer's password.
        initial_balance: starting balance of every seeded account (booked as a deposit).
        now_ms: server time at creation.
    """

    def __init__(
        self, *, company_id: int, login_name: str, password_md5: str, initial_balance: str, now_ms: int
    ) -> None:
        self.customer = SimCustomer(1176, "86001175", company_id, 1, login_name, password_md5)
        """The seeded customer."""
        self.customers: dict[int, SimCustomer] = {self.customer.customer_id: self.customer}
        """Every customer by id."""
        balance = Decimal(initial_balance)
        self.accounts: dict[int, SimAccount] = {
            acc.account_id: acc
            for acc in (
                SimAccount(1031001, 1176, 1, "USDT", 4, balance),
                SimAccount(1031002, 1176, 2, "USDT", 4, balance),
                SimAccount(1031005, 1176, 5, "USDT", 4, balance),
            )
        }
        self.market = Market(seed_symbols(), now_ms)
        self.positions: dict[int, SimPosition] = {}
        self.orders: dict[int, SimOrder] = {}
        """Every order by id: executed ones, and the records of pending orders."""
        self.ledger = Ledger()
        """The fund flow of every account."""
        self.leverage: dict[tuple[int, int], int] = {}
        """(accountId, symbolId) -> leverage set with setCrossLevelNum/updateCrossLevelNum."""
        self.customer_listeners: list[Callable[[SimCustomer, list[SimAccount]], None]] = []
        """Called with every customer added by registration, and the accounts opened for it."""
        self._next_order = 14460001
        self._next_deal = 13394001
        self._next_position = 2024010100001
        for account in self.accounts.values():
            if balance:
                self.ledger.book(account, balance, "deposit", bookkeep_id=0, now_ms=account.create_time_ms)

    # ------------------------------------------------------------------ look-ups

    def find_account(
        self,
        trade_type: int,
        *,
        account_id: int | None = None,
        currency: str | None = None,
        customer_id: int | None = None,
    ) -> SimAccount | None:
        """Return the account of ``trade_type`` matching the id, currency and owner given."""
        for account in self.accounts.values():
            if account.trade_type != trade_type:
                continue
            if customer_id is not None and account.customer_id != customer_id:
                continue
            if account_id is not None and account.account_id != account_id:
                continue
            if currency is not None and account.currency != currency:
                continue
            return account
        return None

    def customer_of(self, account: SimAccount) -> SimCustomer:
        """The owner of an account."""
        return self.customers[account.customer_id]

    def add_customer(self, customer: SimCustomer, accounts: list[SimAccount]) -> None:
        """Add a registered customer and the accounts opened for it."""
        self.customers[customer.customer_id] = customer
        for account in accounts:
            self.accounts[account.account_id] = account
        for listener in self.customer_listeners:
            listener(customer, accounts)

    def open_positions(self, account_id: int | None = None) -> list[SimPosition]:
        """Positions still open (status ``"1"`` or ``"3"``), optionally of one account."""
        return [
            p
            for p in self.positions.values()
            if p.status in ("1", "3") and (account_id is None or p.account_id == account_id)
        ]

    def symbol_of(self, position: SimPosition) -> SimSymbol:
        """The product of a position."""
        symbol = self.market.get(position.symbol_id)
        assert symbol is not None  # positions only exist on seeded products
        return symbol

    def floating_profit(self, position: SimPosition) -> Decimal:
        """Unrealised P&L of the open volume at the current closing price, in account currency."""
        symbol = self.symbol_of(position)
        price = symbol.bid if position.direction == BUY else symbol.ask
        return pnl(position, price, position.volume)

    def account_totals(self, account: SimAccount) -> dict[str, Decimal]:
        """``balance``, ``profit``, ``margin``, ``equity`` and ``free_margin`` of an account now."""
        digits = Decimal(1).scaleb(-account.digits)
        positions = self.open_positions(account.account_id)
        profit = sum((self.floating_profit(p) for p in positions), Decimal(0))
        margin = sum((p.margin for p in positions), Decimal(0))
        equity = account.balance + profit
        return {
            "balance": account.balance.quantize(digits),
            "profit": profit.quantize(digits),
            "margin": margin.quantize(digits),
            "equity": equity.quantize(digits),
            "free_margin": (equity - margin).quantize(digits),
        }

    def leverage_for(self, account: SimAccount, symbol: SimSymbol) -> int:
        """The leverage an opening order without ``crossLevelNum`` uses on this product."""
        return self.leverage.get((account.account_id, symbol.symbol_id), symbol.default_leverage)

    def margin_and_fee(
        self, account: SimAccount, symbol: SimSymbol, price: Decimal, volume: Decimal, leverage: int
    ) -> tuple[Decimal, Decimal]:
        """``(margin, fee)`` of trading ``volume`` lots at ``price``; the fee is negative (charged)."""
        money = Decimal(1).scaleb(-account.digits)
        notional = price * volume * symbol.contract_size
        margin = (notional / leverage).quantize(money, rounding=ROUND_HALF_UP)
        return margin, -(notional * symbol.fee_rate).quantize(money, rounding=ROUND_HALF_UP)

    def adjust_margin(self, account: SimAccount, position: SimPosition, amount: Decimal) -> None:
        """Move ``amount`` of the account's free margin into an isolated position's margin (negative:
        back out). The balance does not change, so nothing is booked in the ledger.

        Raises:
            TradingError: ``E000008`` the position is closed; ``E000031`` more than the free margin;
                ``E000007`` the margin would fall below what the position needs at its leverage.
        """
        if position.status not in ("1", "3"):
            raise TradingError("E000008")
        if amount > 0 and amount > self.account_totals(account)["free_margin"]:
            raise TradingError("E000031")
        symbol = self.symbol_of(position)
        needed = self.margin_and_fee(
            account, symbol, position.open_price, position.volume, position.leverage
        )[0]
        if position.margin + amount < needed:
            raise TradingError("E000007")
        position.margin += amount

    def customer_by_login(self, login_type: object, login_name: object) -> SimCustomer | None:
        """The customer a login name designates: 1 e-mail (any case), 2 phone, 3 customer number."""
        if not isinstance(login_name, str) or not login_name:
            return None
        for c in self.customers.values():
            if login_type == 1 and c.email and c.email.lower() == login_name.strip().lower():
                return c
            if login_type == 2 and c.phone and c.phone == login_name.strip():
                return c
            if login_type == 3 and c.customer_no == login_name.strip():
                return c
        return None

    def customer_accounts(self, customer_id: int | None, trade_type: int | None = None) -> list[SimAccount]:
        """The accounts of a customer, optionally of one tradeType, in id order."""
        return sorted(
            (
                a
                for a in self.accounts.values()
                if a.customer_id == customer_id and (trade_type is None or a.trade_type == trade_type)
            ),
            key=lambda a: a.account_id,
        )

    def new_customer_ids(self) -> tuple[int, str]:
        """The id and customer number the next registered customer gets."""
        customer_id = max(self.customers) + 1
        return customer_id, str(86001175 + customer_id - 1176)

    def new_account_id(self) -> int:
        """The id the next opened account gets (registered accounts start at 1032001)."""
        return max(1032000, *self.accounts) + 1

    def new_order_id(self) -> int:
        """Allocate an order id (pending orders take theirs when placed)."""
        order_id = self._next_order
        self._next_order += 1
        return order_id

    def _new_deal(self) -> int:
        deal_id = self._next_deal
        self._next_deal += 1
        return deal_id
