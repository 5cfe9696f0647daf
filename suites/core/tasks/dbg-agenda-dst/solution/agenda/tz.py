"""European time zones without a tz database.

Summer time (one hour ahead of standard time) starts at 01:00 UTC on the last Sunday of March
and ends at 01:00 UTC on the last Sunday of October, in every zone at the same instant.
"""
from datetime import date, datetime, time, timedelta, tzinfo

ZERO = timedelta(0)
HOUR = timedelta(hours=1)


def last_sunday(year, month):
    """The date of the last Sunday of `month` in `year`."""
    first_of_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    # Step back from the first of the next month to the Sunday before it: 1 day back from a
    # Monday, ..., 7 days back when the first of the next month is itself a Sunday.
    days_back = first_of_next.weekday() + 1
    return first_of_next - timedelta(days=days_back)


class EUZone(tzinfo):
    def __init__(self, hours, std_name, dst_name):
        self._std = timedelta(hours=hours)
        self._std_name = std_name
        self._dst_name = dst_name

    def __repr__(self):
        return f"EUZone({self._std_name}/{self._dst_name})"

    def _summer_range(self, year):
        """Start and end of summer time, as naive local wall-clock times.

        `start` is the local standard time at which clocks jump forward (the hour from `start`
        does not exist); `end` is the local summer time at which clocks go back (the hour before
        `end` happens twice).
        """
        switch = time(1)  # 01:00 UTC
        start = datetime.combine(last_sunday(year, 3), switch) + self._std
        end = datetime.combine(last_sunday(year, 10), switch) + self._std + HOUR
        return start, end

    def utcoffset(self, dt):
        return self._std + self.dst(dt)

    def dst(self, dt):
        if dt is None or dt.tzinfo is None:
            return ZERO
        start, end = self._summer_range(dt.year)
        wall = dt.replace(tzinfo=None)
        if start + HOUR <= wall < end - HOUR:
            return HOUR
        if end - HOUR <= wall < end:
            # The repeated hour: fold=0 is the first (summer time) pass.
            return ZERO if dt.fold else HOUR
        if start <= wall < start + HOUR:
            # The skipped hour.
            return HOUR if dt.fold else ZERO
        return ZERO

    def tzname(self, dt):
        return self._dst_name if self.dst(dt) else self._std_name

    def fromutc(self, dt):
        if dt.tzinfo is not self:
            raise ValueError("fromutc: dt.tzinfo is not self")
        start, end = self._summer_range(dt.year)
        start = start.replace(tzinfo=self)
        end = end.replace(tzinfo=self)
        std_time = dt + self._std
        dst_time = std_time + HOUR
        if end <= dst_time < end + HOUR:
            # First hour after clocks went back: the second pass of the repeated hour.
            return std_time.replace(fold=1)
        if std_time < start or dst_time >= end:
            return std_time
        return dst_time


LONDON = EUZone(0, "GMT", "BST")
BERLIN = EUZone(1, "CET", "CEST")
HELSINKI = EUZone(2, "EET", "EEST")
