from decimal import Decimal


class Portfolio:
    """Share lots per symbol, with FIFO realized gains."""

    def __init__(self):
        raise NotImplementedError

    def buy(self, symbol, quantity, price, day):
        raise NotImplementedError

    def sell(self, symbol, quantity, price, day):
        """Sell the oldest shares first; return (short_term_gain, long_term_gain)."""
        raise NotImplementedError

    def lots(self, symbol):
        raise NotImplementedError

    def position(self, symbol):
        raise NotImplementedError

    def average_cost(self, symbol):
        raise NotImplementedError

    def realized(self, symbol=None):
        raise NotImplementedError
