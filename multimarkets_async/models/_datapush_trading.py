"""Data-push events about money and trading: ledger entries, positions, deals, and the deposit,
withdrawal and balance-adjustment proposals. Prices and ledger amounts are integers scaled by the
event's digits; the ``*_decimal`` properties scale them."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from ._datapush_base import DataPushEvent, scaled

__all__ = [
    "AccountAdjustEvent",
    "DepositEvent",
    "PositionEvent",
    "SubjectWaterEvent",
    "TradeDealEvent",
    "WithdrawEvent",
]


class SubjectWaterEvent(DataPushEvent):
    """``subject_water_insert`` / ``subject_water_update``: a ledger entry."""

    EVENT_TYPES = ("subject_water_insert", "subject_water_update")
    account_id: int | None = None
    """The account."""
    account_type: int | None = None
    """Account category."""
    amount_in: Decimal | None = None
    """Credit, scaled by ``digits``."""
    amount_out: Decimal | None = None
    """Debit, scaled by ``digits``."""
    amount_after: Decimal | None = None
    """Resulting balance, scaled by ``digits``."""
    digits: int | None = None
    """Decimals of the amounts."""
    bookkeep_id: int | None = None
    """Voucher id."""
    business_type: int | None = None
    """Ledger type."""
    business_type1: int | None = Field(default=None, alias="businessType1")
    """Ledger sub-type."""
    currency: int | None = None
    """Asset id."""
    currency_code: str | None = None
    """Currency code."""
    order_id: int | None = None
    """Related order."""
    remark: str | None = None
    """Note."""
    status: int | None = None
    """Entry status."""
    subject_id: int | None = None
    """The balance bucket's id."""
    subject_type: int | None = None
    """The bucket's type."""
    trade_type: int | None = None
    """Account family."""

    @property
    def amount_after_decimal(self) -> Decimal | None:
        """The resulting balance as a decimal."""
        return scaled(self.amount_after, self.digits)


class PositionEvent(DataPushEvent):
    """``position_insert`` / ``position_update`` / ``position_delete`` (``id`` is the position)."""

    EVENT_TYPES = ("position_insert", "position_update", "position_delete")
    account_id: int | None = None
    """The account."""
    symbol_id: int | None = None
    """Product."""
    symbol_digits: int | None = None
    """Price decimals."""
    trade_type: int | None = None
    """Account family."""
    trade_model: int | None = None
    """Execution model (dealing mode)."""
    biz_type: int | None = None
    """Order business type that created the position."""
    direction: int | None = None
    """1 buy, 2 sell."""
    order_id: int | None = None
    """Originating order."""
    deal_id: int | None = None
    """Originating deal."""
    status: int | None = None
    """1 open, 2 closed, 3 partly closed."""
    contract_size: Decimal | None = None
    """Units per lot."""
    open_volume: Decimal | None = None
    """contractSize x lots."""
    cost_price: int | None = None
    """Cost price, scaled by ``symbol_digits``."""
    open_price: int | None = None
    """Open price, scaled by ``symbol_digits``."""
    stop_loss: str | None = None
    """Stop-loss, scaled (``"0"`` = none)."""
    take_profit: str | None = None
    """Take-profit, scaled (``"0"`` = none)."""
    currency: str | None = None
    """Account currency code."""
    currency_digits: int | None = None
    """Decimals of the fees."""
    open_fee: Decimal | None = None
    """Opening fee, scaled by ``currency_digits``."""
    close_fee: Decimal | None = None
    """Closing fee, scaled by ``currency_digits``."""
    open_margin: Decimal | None = None
    """Margin at opening."""
    collatreal_frozen: Decimal | None = None
    """Collateral frozen (the platform's spelling)."""
    cross_level_num: int | None = None
    """Leverage."""
    margin_set_type: str | None = None
    """``"1"`` ratio, ``"2"`` range."""
    interest: str | None = None
    """Accrued interest (isolated margin)."""
    lock_num: str | None = None
    """Locked size (isolated margin)."""
    maintenance_margin: str | None = None
    """Maintenance margin (isolated margin)."""
    occupy_the_margin: str | None = None
    """Margin in use (isolated margin)."""
    single_margin: str | None = None
    """Margin per unit (isolated margin)."""
    warning_margin: str | None = None
    """Warning level (isolated margin)."""
    open_trade_amount: str | None = None
    """Notional at opening."""
    current_trade_amount: str | None = None
    """Notional now."""

    @property
    def open_price_decimal(self) -> Decimal | None:
        """The open price as a decimal."""
        return scaled(self.open_price, self.symbol_digits)


class TradeDealEvent(DataPushEvent):
    """``trade_deal``: an order was executed."""

    EVENT_TYPES = ("trade_deal",)
    order_id: int | None = None
    """Order."""
    position_id: int | None = None
    """Position."""
    order_status: int | None = None
    """Order status (2 filled, ...)."""
    biz_type: int | None = None
    """Order business type."""
    direction: int | None = None
    """1 buy, 2 sell."""
    trade_type: int | None = None
    """Account family."""
    symbol_id: int | None = None
    """Product."""
    symbol_name: str | None = None
    """Product name."""
    contract_size: Decimal | None = None
    """Units per lot."""
    point_ratio: int | None = None
    """Point ratio of the product."""
    spread: int | None = None
    """Spread, scaled."""
    execute_num: Decimal | None = None
    """Lots filled."""
    execute_price: int | None = None
    """Fill price, scaled by ``digits``."""
    digits: int | None = None
    """Price decimals."""
    execute_time_ms: int | None = Field(default=None, alias="executeTime")
    """Fill time, milliseconds since the epoch."""
    execute_margin: int | None = None
    """Margin, scaled by ``account_digits``."""
    execute_margin_category_id: int | None = None
    """Margin category."""
    fee: int | None = None
    """Fee, scaled by ``fee_digits``."""
    fee_digits: int | None = None
    """Decimals of ``fee``."""
    convert_fee: int | None = None
    """Fee converted to USDT, scaled by ``convert_fee_digits``."""
    convert_fee_digits: int | None = None
    """Decimals of ``convert_fee``."""
    convert_exchange_rate: Decimal | None = None
    """Rate used for that conversion."""
    pnl: int | None = None
    """Realised P&L in account currency, scaled by ``account_digits``; closing deals only."""
    account_id: int | None = None
    """The account."""
    account_digits: int | None = None
    """Money decimals of the account."""
    source: str | None = None
    """Order source: ``H5``, ``PC_Web``, ``System`` ..."""
    third_party_order: str | None = None
    """Your client order id."""

    @property
    def execute_price_decimal(self) -> Decimal | None:
        """The fill price as a decimal."""
        return scaled(self.execute_price, self.digits)


class _ProposalEvent(DataPushEvent):
    """The fields of a money proposal (deposit, withdrawal, adjustment)."""

    proposal_no: str | None = None
    """Proposal number, e.g. ``D2022031522005``."""
    account_id: int | None = None
    """The account."""
    trade_type: int | None = None
    """Account family."""
    check_status: int | None = None
    """1 waiting, 2 approved, 3 rejected."""
    check_by: str | None = None
    """Reviewer."""


class DepositEvent(_ProposalEvent):
    """``deposit``: a deposit succeeded."""

    EVENT_TYPES = ("deposit",)
    country: str | None = None
    """Country code."""
    deposit_currency: str | None = None
    """Account-side currency."""
    payment_currency: str | None = None
    """Channel currency."""
    intend_amount: Decimal | None = None
    """Requested amount."""
    final_amount: Decimal | None = None
    """Final amount."""
    actual_amount: Decimal | None = None
    """Credited amount."""
    deposit_fee: Decimal | None = None
    """Fee."""
    from_payment_amount: Decimal | None = None
    """Amount the channel reported."""
    to_payment_amount: Decimal | None = None
    """Amount sent to the channel."""
    to_payment_rate: Decimal | None = None
    """Rate used."""
    payment_code: str | None = None
    """Channel code."""
    payment_type: str | None = None
    """Channel type, e.g. ``bank``."""
    payment_channel_client_type: str | None = None
    """``pc`` or ``mobile``."""
    payment_status: int | None = None
    """1 pending, 2 paid, 3 failed."""
    deposit_status: int | None = None
    """Deposit status."""
    notify_status: bool | None = None
    """Whether the channel's callback arrived."""
    deposit_from: str | None = None
    """Terminal, e.g. ``H5``."""
    blockchain_name: str | None = None
    """Network of a crypto deposit."""
    query_max_count: int | None = None
    """Channel query count."""


class AccountAdjustEvent(_ProposalEvent):
    """``account_adjust``: a balance adjustment (bonus or credit) was proposed or changed."""

    EVENT_TYPES = ("account_adjust",)
    account_currency: str | None = None
    """Account currency."""
    amount: Decimal | None = None
    """Amount."""
    business_type: int | None = None
    """Ledger sub-type, e.g. 60301."""
    withdraw: bool | None = None
    """Whether the credited amount is withdrawable."""


class WithdrawEvent(_ProposalEvent):
    """``withdraw``: a withdrawal proposal was created or changed."""

    EVENT_TYPES = ("withdraw",)
    country: str | None = None
    """Country code."""
    account_currency: str | None = None
    """Account currency."""
    withdraw_currency: str | None = None
    """Payout currency."""
    amount: Decimal | None = None
    """Requested amount."""
    rate: Decimal | None = None
    """Exchange rate."""
    withdraw_fee: Decimal | None = None
    """Fee."""
    final_amount: Decimal | None = None
    """Final amount."""
    raw_amount: Decimal | None = None
    """Amount before conversion."""
    bank_name: str | None = None
    """Bank payout data."""
    bank_card_no: str | None = None
    """Bank payout data."""
    bank_account_name: str | None = None
    """Bank payout data."""
    transfer_status: int | None = None
    """1 pending, 2 sent, 3 failed."""
    withdraw_type: int | None = None
    """1 cash to bank, 2 crypto to wallet."""
    withdraw_coin_status: int | None = None
    """1 pending, 2 sent, 3 failed, 4 submission failed."""
    withdraw_method: str | None = None
    """``bank``, ``digit_wallet``, ``skrill_wallet`` or ``wire``."""
    blockchain_name: str | None = None
    """Network, e.g. ``TRC20``."""
    txid: str | None = None
    """Transaction id."""
    third_message: str | None = None
    """The payout provider's reply."""
    remark: str | None = None
    """Note."""
    withdraw: bool | None = None
    """Withdrawal flag."""
