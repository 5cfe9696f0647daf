"""Monthly spending summaries."""
from collections import defaultdict
from decimal import Decimal

from .transactions import load_transactions


def monthly_totals(paths):
    """Sum the amounts of the exports per month and category.

    Returns a list of `(month, category, total)` tuples, `month` as "YYYY-MM", sorted by month
    and then category.
    """
    totals = defaultdict(Decimal)
    for tx in load_transactions(paths):
        totals[(tx.day.strftime("%Y-%m"), tx.category)] += tx.amount
    return [(month, category, total) for (month, category), total in sorted(totals.items())]
