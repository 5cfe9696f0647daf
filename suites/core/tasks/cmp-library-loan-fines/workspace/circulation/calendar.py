"""Opening days of a library branch."""
from datetime import date, timedelta

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


class BranchCalendar:
    """A branch is closed on some weekdays every week and on listed holidays."""

    def __init__(self, closed_weekdays=(SUNDAY,), holidays=()):
        self.closed_weekdays = frozenset(closed_weekdays)
        self.holidays = frozenset(holidays)

    def is_open(self, day):
        return day.weekday() not in self.closed_weekdays and day not in self.holidays

    def open_days_between(self, start, end):
        """Number of open days d with start < d <= end (0 when end <= start)."""
        count = 0
        day = start + timedelta(days=1)
        while day <= end:
            if self.is_open(day):
                count += 1
            day += timedelta(days=1)
        return count

    def next_open_day(self, day):
        """The first open day on or after `day`."""
        while not self.is_open(day):
            day += timedelta(days=1)
        return day

    def due_date(self, borrowed_on, loan_days):
        """Loans are due `loan_days` calendar days later, moved forward to an open day."""
        return self.next_open_day(borrowed_on + timedelta(days=loan_days))


STANDARD = BranchCalendar(closed_weekdays=(SUNDAY,), holidays=(date(2024, 12, 25), date(2025, 1, 1)))
