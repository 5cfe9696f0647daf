"""Text rendering of meeting times for attendees."""

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def format_local(dt):
    """For example "Mon 2026-10-19 09:00 CEST" (the zone abbreviation in effect at `dt`)."""
    return f"{WEEKDAYS[dt.weekday()]} {dt:%Y-%m-%d %H:%M} {dt.tzname()}"


def agenda(occurrences, zone):
    """One line per occurrence, converted to the attendee's `zone`."""
    return [format_local(dt.astimezone(zone)) for dt in occurrences]
