def format_duration(seconds, max_units=None):
    """Return seconds as text such as "1d 2h 3m 4s"."""
    raise NotImplementedError


def parse_duration(text):
    """Return the number of seconds written in text such as "1d 2h 3m 4s"."""
    raise NotImplementedError
