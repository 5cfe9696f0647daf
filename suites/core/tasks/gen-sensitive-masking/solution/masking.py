_DIGITS = "0123456789"
_SEPARATORS = " -"


def mask_card(number, visible=4, mask_char="*"):
    """Return the card number with all but the last `visible` digits masked."""
    if any(ch not in _DIGITS and ch not in _SEPARATORS for ch in number):
        raise ValueError("card numbers may only hold digits, spaces and hyphens")
    digits = sum(1 for ch in number if ch in _DIGITS)
    if not 12 <= digits <= 19:
        raise ValueError(f"a card number has 12 to 19 digits, not {digits}")
    if not 0 <= visible <= 6:
        raise ValueError("visible must be between 0 and 6")
    if len(mask_char) != 1 or mask_char in _DIGITS:
        raise ValueError("mask_char must be one non-digit character")
    to_hide = digits - visible
    out = []
    for ch in number:
        if ch in _DIGITS and to_hide > 0:
            out.append(mask_char)
            to_hide -= 1
        else:
            out.append(ch)
    return "".join(out)


def mask_email(address):
    """Return the e-mail address with the middle of its local part masked."""
    if address.count("@") != 1:
        raise ValueError("an e-mail address has exactly one @")
    local, domain = address.split("@")
    if not local or not domain:
        raise ValueError("both sides of the @ must be non-empty")
    if len(local) <= 2:
        masked = "*" * len(local)
    else:
        masked = local[0] + "*" * (len(local) - 2) + local[-1]
    return f"{masked}@{domain}"
