"""Warehouse codes are case-insensitive: " east " and "EAST" are the same warehouse."""


def warehouse_code(code):
    """The canonical spelling of a warehouse code: surrounding spaces removed, upper case."""
    if not isinstance(code, str) or not code.strip():
        raise ValueError(f"invalid warehouse code: {code!r}")
    return code.strip().upper()
