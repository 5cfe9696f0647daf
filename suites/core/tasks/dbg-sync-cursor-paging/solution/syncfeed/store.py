"""In-memory record store: the server side of the change feed."""


class RecordStore:
    def __init__(self):
        self._records = {}

    def upsert(self, record_id, updated_at, data):
        """Insert or replace a record. `record_id` is a str, `updated_at` an int (epoch ms)."""
        if not isinstance(record_id, str) or not record_id:
            raise ValueError("record_id must be a non-empty string")
        if isinstance(updated_at, bool) or not isinstance(updated_at, int):
            raise ValueError("updated_at must be an int")
        self._records[record_id] = {"id": record_id, "updated_at": updated_at, "data": dict(data)}

    def get(self, record_id):
        record = self._records.get(record_id)
        return None if record is None else {**record, "data": dict(record["data"])}

    def changes(self):
        """All records in change-feed order: by updated_at, then by id (a total order)."""
        return sorted(self._records.values(), key=lambda r: (r["updated_at"], r["id"]))
