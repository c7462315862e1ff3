"""The simulator's products and their prices: seeded symbols and a deterministic random walk.

Pure state: no clock reads and no global randomness. Prices move only when ``Market.tick`` is
called with a seeded ``random.Random`` and the server time, so a seed reproduces every quote.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

__all__ = ["Market", "Quote", "SimSymbol", "seed_symbols"]


@dataclass(slots=True)
class SimSymbol:
    """One product and its trading rules (the fields of getSymbolBaseList/getSymbolDetail).

    Attributes:
        symbol_id: product id.
        code: ``symbolCode``.
        name: ``symbolName``.
        base_currency: base currency.
        profit_currency: profit currency (valued 1:1 against the USDT accounts).
        digits: ``symbolDigits``: price decimals and the price scale of order fields.
        trade_types: the tradeTypes the product is listed under (one base-list row each).
        deal_mode: execution model (1 MM, 2 butterfly MM, 3 matching, 4 aggregation).
        contract_size: units per lot.
        min_volume: smallest order, in lots.
        max_volume: largest order, in lots.
        volume_step: lot increment.
        number_digits: quantity decimals.
        spread_points: ask minus bid, in price points (10^-digits).
        max_leverage: highest ``crossLevelNum`` accepted.
        default_leverage: leverage used when an order sends none.
        fee_rate: commission as a fraction of the notional, charged on open and on close.
        volatility: standard deviation of one random-walk step, relative to the price.
        labels: ``labels``.
        sort_num: ``sortNum``.
        mid: current mid price.
        seq: quote sequence number, increased on every tick.
        tick_time_ms: server time of the last tick.
        quoted: ``(bid, ask)`` exactly as a replayed recording set them (``Market.set_quote``); while
            set, ``bid`` and ``ask`` are these instead of mid minus/plus the spread. ``None`` otherwise.
    """

    symbol_id: int
    code: str
    name: str
    base_currency: str
    profit_currency: str
    digits: int
    trade_types: tuple[int, ...]
    deal_mode: int
    contract_size: int
    min_volume: Decimal
    max_volume: Decimal
    volume_step: Decimal
    number_digits: int
    spread_points: int
    max_leverage: int
    default_leverage: int
    fee_rate: Decimal
    volatility: float
    labels: str
    sort_num: int
    mid: Decimal
    seq: int = 0
    tick_time_ms: int = 0
    quoted: tuple[Decimal, Decimal] | None = None
    _point: Decimal = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._point = Decimal(1).scaleb(-self.digits)
        self.mid = self.mid.quantize(self._point, rounding=ROUND_HALF_UP)

    @property
    def point(self) -> Decimal:
        """The smallest price increment, 10^-digits."""
        return self._point

    @property
    def bid(self) -> Decimal:
        """Current bid: mid minus half the spread (rounded down to a point), or the replayed bid."""
        if self.quoted is not None:
            return self.quoted[0]
        return self.mid - self._point * (self.spread_points // 2)

    @property
    def ask(self) -> Decimal:
        """Current ask: bid plus the spread, or the replayed ask."""
        if self.quoted is not None:
            return self.quoted[1]
        return self.bid + self._point * self.spread_points

    def scale(self, price: Decimal) -> int:
        """Return ``price`` as the scaled integer used by order fields (price times 10^digits)."""
        return int(price.scaleb(self.digits).to_integral_value(rounding=ROUND_HALF_UP))

    def unscale(self, scaled: int) -> Decimal:
        """Return the price of a scaled integer, with exactly ``digits`` decimals."""
        return Decimal(scaled).scaleb(-self.digits).quantize(self._point)


@dataclass(frozen=True, slots=True)
class Quote:
    """A snapshot of one product's price after a tick.

    Attributes:
        symbol_id: product id.
        bid: bid price.
        ask: ask price.
        seq: quote sequence number.
        time_ms: server time of the tick.
    """

    symbol_id: int
    bid: Decimal
    ask: Decimal
    seq: int
    time_ms: int


# One product per line: id, code, name, base and profit currency, digits, tradeTypes, dealMode, contract
# size, min/max volume, volume step, quantity digits, spread (points), max/default leverage, fee rate,
# volatility per tick, labels, sortNum, starting mid price.
_SEED_TABLE: Final = """
1001 EURUSD EURUSD EUR USD 5 1,2 1 100000 0.01 100 0.01 2 12 500 100 0.0001 0.0002 forex 1 1.08500
1002 XAUUSD XAUUSD XAU USD 2 1,2 1 100 0.01 50 0.01 2 30 200 100 0.0001 0.0005 metal 2 2350.00
1003 BTCUSDT BTCUSDT BTC USDT 2 1,2 2 1 0.001 10 0.001 3 1000 100 20 0.0005 0.001 cryptocurrency 3 65000.00
1004 ETHUSDT ETHUSDT ETH USDT 2 2 4 1 0.01 100 0.01 2 100 100 20 0.0005 0.001 cryptocurrency 4 3200.00
1061 DOGE/USDT-BN-TG DOGE/USDT DOGE USDT 4 5 4 1 1 100000 1 0 2 1 1 0.001 0.002 cryptocurrency 292 0.1500
"""


def seed_symbols() -> list[SimSymbol]:
    """Return the seeded product list (fixed ids and rules; only prices depend on the seed)."""
    symbols = []
    for line in _SEED_TABLE.strip().splitlines():
        f = line.split()
        symbols.append(
            SimSymbol(
                symbol_id=int(f[0]),
                code=f[1],
                name=f[2],
                base_currency=f[3],
                profit_currency=f[4],
                digits=int(f[5]),
                trade_types=tuple(int(t) for t in f[6].split(",")),
                deal_mode=int(f[7]),
                contract_size=int(f[8]),
                min_volume=Decimal(f[9]),
                max_volume=Decimal(f[10]),
                volume_step=Decimal(f[11]),
                number_digits=int(f[12]),
                spread_points=int(f[13]),
                max_leverage=int(f[14]),
                default_leverage=int(f[15]),
                fee_rate=Decimal(f[16]),
                volatility=float(f[17]),
                labels=f[18],
                sort_num=int(f[19]),
                mid=Decimal(f[20]),
            )
        )
    return symbols


class Market:
    """The product table and the price of each product.

    Args:
        symbols: the products; see ``seed_symbols``.
        now_ms: server time used as the first quote time.
    """

    def __init__(self, symbols: list[SimSymbol], now_ms: int) -> None:
        self._symbols = {s.symbol_id: s for s in symbols}
        for s in symbols:
            s.tick_time_ms = now_ms

    @property
    def symbols(self) -> list[SimSymbol]:
        """Every product, in id order."""
        return [self._symbols[k] for k in sorted(self._symbols)]

    def get(self, symbol_id: int) -> SimSymbol | None:
        """Return the product with this id, or ``None``."""
        return self._symbols.get(symbol_id)

    def listed(self, symbol_id: int, trade_type: int) -> SimSymbol | None:
        """Return the product when it is listed under ``trade_type``, else ``None``."""
        symbol = self._symbols.get(symbol_id)
        return symbol if symbol is not None and trade_type in symbol.trade_types else None

    def set_price(self, symbol_id: int, mid: Decimal | str, now_ms: int) -> Quote:
        """Move one product to an exact mid price (for tests that need a known fill).

        Raises:
            KeyError: unknown ``symbol_id``.
        """
        symbol = self._symbols[symbol_id]
        symbol.mid = Decimal(mid).quantize(symbol.point, rounding=ROUND_HALF_UP)
        symbol.quoted = None
        return self._stamp(symbol, now_ms)

    def set_quote(
        self, symbol_id: int, bid: Decimal, ask: Decimal, *, price: Decimal, seq: int, time_ms: int
    ) -> Quote:
        """Put one product at a replayed quote: exactly this bid, ask and last price, sequence number
        and tick time (a recording's, not the simulator's). ``tick`` and ``set_price`` end it.

        Raises:
            KeyError: unknown ``symbol_id``.
        """
        symbol = self._symbols[symbol_id]
        symbol.mid, symbol.quoted = price, (bid, ask)
        symbol.seq, symbol.tick_time_ms = seq, time_ms
        return Quote(symbol_id, bid, ask, seq, time_ms)

    def tick(self, rng: random.Random, now_ms: int) -> list[Quote]:
        """Advance every product by one random-walk step and return the new quotes.

        Args:
            rng: the seeded source of randomness (the only one used).
            now_ms: server time stamped on the quotes.
        """
        quotes = []
        for symbol in self.symbols:
            step = Decimal(repr(rng.gauss(0.0, symbol.volatility)))
            mid = (symbol.mid * (1 + step)).quantize(symbol.point, rounding=ROUND_HALF_UP)
            # Keep the bid strictly positive whatever the walk does.
            floor = symbol.point * (symbol.spread_points + 1)
            symbol.mid, symbol.quoted = max(mid, floor), None
            quotes.append(self._stamp(symbol, now_ms))
        return quotes

    @staticmethod
    def _stamp(symbol: SimSymbol, now_ms: int) -> Quote:
        symbol.seq += 1
        symbol.tick_time_ms = now_ms
        return Quote(symbol.symbol_id, symbol.bid, symbol.ask, symbol.seq, now_ms)
