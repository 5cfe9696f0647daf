"""Instalment plans and late fees for customer invoices."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
    cents = int(parse_money(total) * 100)
    base, extra = divmod(cents, parts)
    # The first `extra` instalments carry one more cent than the others.
    return [Decimal(base + (1 if i < extra else 0)).scaleb(-2) for i in range(parts)]


def late_fee(amount, percent):
    """The fee of `percent` per cent of `amount`, in whole cents."""
    base = parse_money(amount)
    rate = Decimal(str(percent))
    if rate < 0:
        raise ValueError("percent must not be negative")
    return (base * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
