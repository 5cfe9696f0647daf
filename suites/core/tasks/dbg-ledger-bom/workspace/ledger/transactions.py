"""Turning CSV rows into transactions, across several (possibly overlapping) exports."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .amounts import parse_amount
from .reader import read_table

REQUIRED = ("date", "category", "amount")


@dataclass(frozen=True)
class Transaction:
    id: str | None
    day: date
    category: str
    amount: Decimal


def _to_transaction(row):
    return Transaction(
        id=row.get("id") or None,
        day=date.fromisoformat(row["date"]),
        category=row["category"],
        amount=parse_amount(row["amount"]),
    )


def load_transactions(paths):
    """Load the exports in order.

    Consecutive exports overlap, so a transaction whose id was already seen (in this or an
    earlier file) is skipped. Rows without an id are always kept.
    """
    seen = set()
    result = []
    for path in paths:
        columns, rows = read_table(path)
        for name in REQUIRED:
            if name not in columns:
                raise ValueError(f"{path}: missing column {name!r}")
        for row in rows:
            tx = _to_transaction(row)
            if tx.id is not None:
                if tx.id in seen:
                    continue
                seen.add(tx.id)
            result.append(tx)
    return result
