"""Fine rules per kind of material. Amounts are in cents."""
from dataclasses import dataclass


class UnknownMaterial(KeyError):
    pass


@dataclass(frozen=True)
class FinePolicy:
    loan_days: int
    daily_rate: int   # cents per overdue open day
    grace_days: int   # loans overdue by at most this many open days are not fined
    max_fine: int     # the fine for one loan never exceeds this


POLICIES = {
    "book": FinePolicy(loan_days=21, daily_rate=25, grace_days=2, max_fine=1000),
    "magazine": FinePolicy(loan_days=7, daily_rate=10, grace_days=0, max_fine=200),
    "dvd": FinePolicy(loan_days=7, daily_rate=100, grace_days=1, max_fine=2500),
    "laptop": FinePolicy(loan_days=3, daily_rate=500, grace_days=0, max_fine=10000),
}


def policy_for(material):
    try:
        return POLICIES[material]
    except KeyError:
        raise UnknownMaterial(material) from None
