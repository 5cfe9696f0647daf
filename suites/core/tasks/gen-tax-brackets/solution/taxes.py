from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")
_RATE_STEP = Decimal("0.0001")


def _check(income, brackets):
    if not brackets:
        raise ValueError("no brackets")
    if brackets[-1][0] is not None:
        raise ValueError("the last bracket must have no upper limit")
    previous = Decimal(0)
    for i, (limit, rate) in enumerate(brackets):
        if not Decimal(0) <= rate <= Decimal(1):
            raise ValueError(f"rate {rate} out of range")
        if i == len(brackets) - 1:
            break
        if limit is None:
            raise ValueError("only the last bracket may have no upper limit")
        if limit <= previous:
            raise ValueError("limits must be positive and strictly increasing")
        previous = Decimal(limit)
    if income < 0:
        raise ValueError("income must not be negative")


def _raw_tax(income, brackets):
    income = Decimal(income)
    tax = Decimal(0)
    lower = Decimal(0)
    for limit, rate in brackets:
        top = income if limit is None else min(income, Decimal(limit))
        if top > lower:
            tax += (top - lower) * rate
        if limit is None:
            break
        lower = Decimal(limit)
    return tax


def income_tax(income, brackets):
    """Return the progressive tax on income, rounded to cents."""
    _check(income, brackets)
    return _raw_tax(income, brackets).quantize(_CENT, rounding=ROUND_HALF_UP)


def marginal_rate(income, brackets):
    """Return the rate of the bracket that contains income."""
    _check(income, brackets)
    for limit, rate in brackets:
        if limit is None or income <= limit:
            return rate
    raise AssertionError("unreachable")


def effective_rate(income, brackets):
    """Return the tax divided by income, rounded to 4 decimal places."""
    _check(income, brackets)
    if income == 0:
        return Decimal(0)
    return (_raw_tax(income, brackets) / Decimal(income)).quantize(_RATE_STEP, rounding=ROUND_HALF_UP)
