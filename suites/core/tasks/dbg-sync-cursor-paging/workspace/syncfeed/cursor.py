"""Opaque pagination cursors: URL-safe base64 of a small JSON object."""
import base64
import binascii
import json


def encode_cursor(position):
    """Encode a dict of JSON values as an opaque token."""
    raw = json.dumps(position, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(token):
    """Decode a token made by `encode_cursor`; anything else raises ValueError."""
    if not isinstance(token, str) or not token:
        raise ValueError("invalid cursor")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        position = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("invalid cursor") from None
    if not isinstance(position, dict):
        raise ValueError("invalid cursor")
    return position
