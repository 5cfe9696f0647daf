"""The paged change-feed endpoint."""
from .cursor import decode_cursor, encode_cursor


def list_changes(store, cursor=None, limit=100):
    """One page of the change feed, starting after `cursor` (from the beginning when None).

    Returns {"records": [...], "cursor": str | None, "has_more": bool}.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError("limit must be a positive integer")
    # The cursor holds the full sort key of the last record sent: many records can share one
    # updated_at, so the timestamp alone cannot say where a page ended.
    after = None
    if cursor is not None:
        position = decode_cursor(cursor)
        if not isinstance(position.get("updated_at"), int) or not isinstance(position.get("id"), str):
            raise ValueError("invalid cursor")
        after = (position["updated_at"], position["id"])

    pending = [r for r in store.changes() if after is None or (r["updated_at"], r["id"]) > after]
    page = pending[:limit]
    if page:
        next_cursor = encode_cursor({"updated_at": page[-1]["updated_at"], "id": page[-1]["id"]})
    else:
        next_cursor = cursor
    return {
        "records": [{**r, "data": dict(r["data"])} for r in page],
        "cursor": next_cursor,
        "has_more": len(pending) > len(page),
    }
