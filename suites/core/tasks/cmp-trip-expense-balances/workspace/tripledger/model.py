from dataclasses import dataclass


class LedgerError(ValueError):
    """An expense that cannot be booked."""


@dataclass(frozen=True)
class Expense:
    description: str
    payer: str
    amount: int       # in cents of `currency`
    currency: str     # e.g. "EUR"
    shares: object    # {name: weight} with positive int weights, or a list of names (weight 1 each)


@dataclass(frozen=True)
class Transfer:
    debtor: str
    creditor: str
    amount: int       # cents of the base currency
