from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

_STEP = Decimal("0.0001")


class Portfolio:
    """Share lots per symbol, with FIFO realized gains."""

    def __init__(self):
        self._lots = defaultdict(list)  # symbol -> [[quantity, price, day], ...]
        self._realized = defaultdict(Decimal)
        self._last_day = None

    def _check(self, quantity, price, day):
        if quantity < 1:
            raise ValueError("quantity must be at least 1")
        if price <= 0:
            raise ValueError("price must be positive")
        if self._last_day is not None and day < self._last_day:
            raise ValueError("trades must be in date order")

    def buy(self, symbol, quantity, price, day):
        self._check(quantity, price, day)
        self._lots[symbol].append([quantity, price, day])
        self._last_day = day

    def sell(self, symbol, quantity, price, day):
        """Sell the oldest shares first; return (short_term_gain, long_term_gain)."""
        self._check(quantity, price, day)
        if quantity > self.position(symbol):
            raise ValueError("not enough shares")
        short, long_ = Decimal(0), Decimal(0)
        lots = self._lots[symbol]
        remaining = quantity
        while remaining:
            lot = lots[0]
            taken = min(remaining, lot[0])
            gain = taken * (price - lot[1])
            if (day - lot[2]).days > 365:
                long_ += gain
            else:
                short += gain
            lot[0] -= taken
            remaining -= taken
            if lot[0] == 0:
                lots.pop(0)
        self._realized[symbol] += short + long_
        self._last_day = day
        return short, long_

    def lots(self, symbol):
        return [tuple(lot) for lot in self._lots.get(symbol, [])]

    def position(self, symbol):
        return sum(lot[0] for lot in self._lots.get(symbol, []))

    def average_cost(self, symbol):
        held = self.position(symbol)
        if held == 0:
            return None
        cost = sum((lot[0] * lot[1] for lot in self._lots[symbol]), Decimal(0))
        return (cost / held).quantize(_STEP, rounding=ROUND_HALF_UP)

    def realized(self, symbol=None):
        if symbol is None:
            return sum(self._realized.values(), Decimal(0))
        return self._realized.get(symbol, Decimal(0))
