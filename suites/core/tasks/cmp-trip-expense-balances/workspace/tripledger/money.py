"""Money helpers. Amounts are ints in cents; exchange rates are Decimals."""
from decimal import ROUND_HALF_EVEN, Decimal

from .model import LedgerError


class UnknownCurrency(LedgerError):
    pass


def convert(cents, currency, base, rates):
    """Convert cents of `currency` into cents of `base`.

    rates[currency] is the value of one unit of `currency` in `base` (e.g. rates["USD"] =
    Decimal("0.92") with base "EUR"). The result is rounded to whole cents, halves to even.
    """
    if currency == base:
        return cents
    if currency not in rates:
        raise UnknownCurrency(f"no exchange rate for {currency}")
    return int((Decimal(cents) * rates[currency]).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def allocate(total, weights):
    """Split `total` cents (>= 0) into parts proportional to `weights` (positive ints).

    Largest remainder method: every part first gets the floor of its exact share; the cents left
    over go one each to the parts with the largest remainders, earlier positions first on ties.
    The parts always add up to `total`. allocate(100, [1, 1, 1]) == [34, 33, 33].
    """
    weight_sum = sum(weights)
    parts = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    left = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts


def format_cents(cents, currency):
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d} {currency}"
