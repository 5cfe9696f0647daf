"""Parsing amounts as they appear in bank exports."""
from decimal import Decimal, InvalidOperation


def parse_amount(text):
    """Parse "1,234.50", "-3.5" or the accounting style "(12.00)" (= -12.00) into a Decimal."""
    cleaned = text.strip().replace(",", "")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative = True
        cleaned = cleaned[1:-1].strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {text!r}")
    return -value if negative else value
