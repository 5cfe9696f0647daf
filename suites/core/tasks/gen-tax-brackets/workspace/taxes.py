from decimal import Decimal


def income_tax(income, brackets):
    """Return the progressive tax on income, rounded to cents."""
    raise NotImplementedError


def marginal_rate(income, brackets):
    """Return the rate of the bracket that contains income."""
    raise NotImplementedError


def effective_rate(income, brackets):
    """Return the tax divided by income, rounded to 4 decimal places."""
    raise NotImplementedError
