"""Overdue fines. A fine is charged for each day the branch is open while the loan is overdue."""
from dataclasses import dataclass
from datetime import date

from .calendar import BranchCalendar
from .policy import policy_for


@dataclass
class Loan:
    item_id: str
    material: str
    due: date
    returned: date | None = None  # None while the item is still out


def fine_for(loan: Loan, calendar: BranchCalendar, today: date) -> int:
    """The fine in cents for one loan, as of `today` (or as of its return, if returned)."""
    # TODO: fill in this gap — count overdue open days with the calendar, apply the material's policy
    raise NotImplementedError


def total_fines(loans, calendar, today):
    """Sum of the fines of all loans of one patron."""
    return sum(fine_for(loan, calendar, today) for loan in loans)


def blocked(loans, calendar, today, limit=500):
    """A patron whose fines reach `limit` cents may not borrow until they pay."""
    return total_fines(loans, calendar, today) >= limit


def overdue_report(loans, calendar, today):
    """(item_id, fine) for every loan with a fine, largest fine first, then by item id."""
    rows = [(loan.item_id, fine_for(loan, calendar, today)) for loan in loans]
    return sorted((row for row in rows if row[1] > 0), key=lambda row: (-row[1], row[0]))
