import calendar
import re
from datetime import datetime, timedelta

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

# kind: (lowest, highest accepted value, highest value for * and V/S, names)
_KINDS = {
    "minute": (0, 59, 59, {}),
    "hour": (0, 23, 23, {}),
    "day": (1, 31, 31, {}),
    "month": (1, 12, 12, {name: i + 1 for i, name in enumerate(_MONTHS)}),
    "weekday": (0, 7, 6, {name: i for i, name in enumerate(_DAYS)}),
}
_ITEM = re.compile(r"(\*|[0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?(?:/([0-9]+))?")


def _value(token, kind):
    low, high, _, names = _KINDS[kind]
    if token.isascii() and token.isdigit():
        number = int(token)
    elif token.upper() in names:
        number = names[token.upper()]
    else:
        raise ValueError(f"invalid {kind} value {token!r}")
    if not low <= number <= high:
        raise ValueError(f"{kind} value {number} out of range")
    return number


def expand_field(text, kind):
    """Return the sorted list of values that one cron field selects."""
    if kind not in _KINDS:
        raise ValueError(f"unknown field kind {kind!r}")
    low, _, top, _ = _KINDS[kind]
    selected = set()
    for item in text.split(","):
        match = _ITEM.fullmatch(item)
        if not match:
            raise ValueError(f"invalid {kind} item {item!r}")
        base, end, step = match.groups()
        if base == "*":
            if end is not None:
                raise ValueError(f"invalid {kind} item {item!r}")
            first, last = low, top
        else:
            first = _value(base, kind)
            if end is not None:
                last = _value(end, kind)
            elif step is not None:
                last = top
            else:
                last = first
        if first > last:
            raise ValueError(f"range {item!r} is backwards")
        stride = 1 if step is None else int(step)
        if stride < 1:
            raise ValueError("step must be at least 1")
        selected.update(range(first, last + 1, stride))
    if kind == "weekday" and 7 in selected:
        selected.discard(7)
        selected.add(0)
    return sorted(selected)


def _day_matches(day, days, weekdays, day_star, weekday_star):
    in_days = day.day in days
    in_weekdays = (day.weekday() + 1) % 7 in weekdays
    if day_star and weekday_star:
        return True
    if day_star:
        return in_weekdays
    if weekday_star:
        return in_days
    return in_days or in_weekdays


def next_run(expr, after):
    """Return the first datetime strictly after `after` that the cron expression matches."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    minutes = expand_field(fields[0], "minute")
    hours = expand_field(fields[1], "hour")
    days = set(expand_field(fields[2], "day"))
    months = set(expand_field(fields[3], "month"))
    weekdays = set(expand_field(fields[4], "weekday"))
    day_star, weekday_star = fields[2] == "*", fields[4] == "*"
    if weekday_star:
        longest = {m: (29 if m == 2 else calendar.monthrange(2023, m)[1]) for m in months}
        if not any(d <= longest[m] for m in months for d in days):
            raise ValueError(f"{expr!r} never matches")

    start = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    day = start.date()
    first = True
    while True:
        if day.month in months and _day_matches(day, days, weekdays, day_star, weekday_star):
            for hour in hours:
                for minute in minutes:
                    candidate = datetime(day.year, day.month, day.day, hour, minute)
                    if not first or candidate >= start:
                        return candidate
        day += timedelta(days=1)
        first = False
