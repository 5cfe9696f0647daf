"""Instalment plans and late fees for customer invoices."""
from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")


def parse_money(value):
    """Turn a str, int or Decimal into a non-negative Decimal with at most two decimals."""
    if isinstance(value, (bool, float)) or not isinstance(value, (str, int, Decimal)):
        raise TypeError(f"money must be str, int or Decimal, not {type(value).__name__}")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"amount must be a non-negative number: {value!r}")
    if amount != amount.quantize(CENT):
        raise ValueError(f"amount has more than two decimals: {value!r}")
    return amount.quantize(CENT)


def split_amount(total, parts):
    """Split `total` into `parts` instalments that add up to it exactly."""
    if isinstance(parts, bool) or not isinstance(parts, int) or parts < 1:
        raise ValueError("parts must be a positive integer")
    amount = float(parse_money(total))
    share = round(amount / parts, 2)
    shares = [share] * (parts - 1)
    shares.append(round(amount - share * (parts - 1), 2))
    return [Decimal(repr(s)).quantize(CENT) for s in shares]


def late_fee(amount, percent):
    """The fee of `percent` per cent of `amount`, in whole cents."""
    base = parse_money(amount)
    rate = Decimal(str(percent))
    if rate < 0:
        raise ValueError("percent must not be negative")
    fee = round(float(base) * float(rate) / 100, 2)
    return Decimal(repr(fee)).quantize(CENT)
