import unittest

from syncfeed import RecordStore, list_changes, sync_all


class VisibleSyncTests(unittest.TestCase):
    def test_pages_in_feed_order(self):
        store = RecordStore()
        for i, ts in enumerate([500, 100, 300, 200, 400]):
            store.upsert(f"r{i}", ts, {"n": i})
        first = list_changes(store, None, 3)
        self.assertEqual([r["updated_at"] for r in first["records"]], [100, 200, 300])
        self.assertTrue(first["has_more"])
        second = list_changes(store, first["cursor"], 3)
        self.assertEqual([r["updated_at"] for r in second["records"]], [400, 500])
        self.assertFalse(second["has_more"])

    def test_sync_all(self):
        store = RecordStore()
        store.upsert("a", 1, {})
        store.upsert("b", 2, {})
        records, _ = sync_all(store, page_size=10)
        self.assertEqual([r["id"] for r in records], ["a", "b"])


if __name__ == "__main__":
    unittest.main()
