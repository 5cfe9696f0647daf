"""Recurring meeting series."""
from datetime import timedelta, timezone


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
    zone = first.tzinfo
    # Work in UTC so that the arithmetic is unambiguous.
    anchor = first.astimezone(timezone.utc)
    return [(anchor + timedelta(weeks=every * i)).astimezone(zone) for i in range(count)]
