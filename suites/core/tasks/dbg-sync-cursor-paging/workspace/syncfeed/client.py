"""The client side: pull every change since the last sync."""
from .api import list_changes


def sync_all(store, cursor=None, page_size=100):
    """Fetch pages until the feed is exhausted.

    Returns (records, cursor): the records in feed order and the cursor to resume from next time.
    """
    records = []
    while True:
        page = list_changes(store, cursor, page_size)
        records.extend(page["records"])
        cursor = page["cursor"]
        if not page["has_more"]:
            return records, cursor
