def mask_card(number, visible=4, mask_char="*"):
    """Return the card number with all but the last `visible` digits masked."""
    raise NotImplementedError


def mask_email(address):
    """Return the e-mail address with the middle of its local part masked."""
    raise NotImplementedError
