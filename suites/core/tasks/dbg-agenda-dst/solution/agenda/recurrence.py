"""Recurring meeting series."""
from datetime import timedelta


def weekly(first, count, every=1):
    """The first `count` occurrences of a meeting held every `every` weeks.

    All occurrences are at the same local wall-clock time as `first`, in the time zone of
    `first` (the zone whose clocks the organiser follows).
    """
    if first.tzinfo is None or first.utcoffset() is None:
        raise ValueError("first must be a timezone-aware datetime")
    if count < 0:
        raise ValueError("count must not be negative")
    if every < 1:
        raise ValueError("every must be at least 1")
    # Aware datetime + timedelta is wall-clock arithmetic in the same zone: the local time
    # stays the same and the UTC offset follows the date (summer or standard time).
    return [first + timedelta(weeks=every * i) for i in range(count)]
