import re

_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
_PART = re.compile(r"\s*(\d+)([a-z])")


def format_duration(seconds, max_units=None):
    """Return seconds as text such as "1d 2h 3m 4s"."""
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise TypeError("seconds must be an int")
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    if max_units is not None and max_units < 1:
        raise ValueError("max_units must be at least 1")
    parts = []
    rest = seconds
    for letter, size in _UNITS:
        amount, rest = divmod(rest, size)
        if amount:
            parts.append(f"{amount}{letter}")
    if not parts:
        return "0s"
    if max_units is not None:
        parts = parts[:max_units]
    return " ".join(parts)


def parse_duration(text):
    """Return the number of seconds written in text such as "1d 2h 3m 4s"."""
    stripped = text.strip()
    if not stripped:
        raise ValueError("empty duration")
    sizes = dict(_UNITS)
    order = [letter for letter, _ in _UNITS]
    total = 0
    last = -1
    pos = 0
    while pos < len(stripped):
        match = _PART.match(stripped, pos)
        if not match:
            raise ValueError(f"malformed duration: {text!r}")
        amount, letter = match.groups()
        if letter not in sizes:
            raise ValueError(f"unknown unit {letter!r}")
        rank = order.index(letter)
        if rank <= last:
            raise ValueError(f"unit {letter!r} repeated or out of order")
        last = rank
        total += int(amount) * sizes[letter]
        pos = match.end()
    return total
