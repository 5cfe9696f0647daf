from datetime import datetime


def expand_field(text, kind):
    """Return the sorted list of values that one cron field selects."""
    raise NotImplementedError


def next_run(expr, after):
    """Return the first datetime strictly after `after` that the cron expression matches."""
    raise NotImplementedError
