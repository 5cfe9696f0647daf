"""Change feed for offline clients: a record store, a paged API and the client sync loop."""
from .api import list_changes
from .client import sync_all
from .cursor import decode_cursor, encode_cursor
from .store import RecordStore

__all__ = ["RecordStore", "decode_cursor", "encode_cursor", "list_changes", "sync_all"]
