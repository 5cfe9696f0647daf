"""Recurring meetings across European time zones."""
from .recurrence import weekly
from .render import agenda, format_local
from .tz import BERLIN, HELSINKI, LONDON, EUZone, last_sunday

__all__ = ["BERLIN", "HELSINKI", "LONDON", "EUZone", "agenda", "format_local", "last_sunday", "weekly"]
