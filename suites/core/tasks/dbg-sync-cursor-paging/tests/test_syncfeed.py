import unittest

import syncfeed.api as api_module
import syncfeed.client as client_module
from syncfeed import RecordStore, encode_cursor, list_changes
from syncfeed import sync_all as _sync_all


def ids(records):
    return [r["id"] for r in records]


def sync_all(*args, calls=None, **kwargs):
    """Run syncfeed.sync_all, counting its requests and stopping a runaway loop."""
    calls = [] if calls is None else calls
    real = api_module.list_changes
    saved = {m: m.__dict__.get("list_changes") for m in (api_module, client_module)}

    def bounded(*a, **kw):
        calls.append(a)
        if len(calls) > 1000:
            raise AssertionError("sync_all made more than 1000 requests")
        return real(*a, **kw)

    # Patch both places sync_all may look the function up.
    for module in saved:
        module.list_changes = bounded
    try:
        return _sync_all(*args, **kwargs)
    finally:
        for module, value in saved.items():
            if value is None:
                del module.list_changes
            else:
                module.list_changes = value


class SyncFeedTests(unittest.TestCase):
    def test_records_sharing_a_timestamp_across_pages(self):
        store = RecordStore()
        for i in range(5):
            store.upsert(f"bulk-{i}", 1000, {"i": i})
        records, _ = sync_all(store, page_size=2)
        self.assertEqual(ids(records), [f"bulk-{i}" for i in range(5)])

    def test_bulk_import_is_delivered_completely(self):
        store = RecordStore()
        store.upsert("before", 10, {})
        for i in range(240):
            store.upsert(f"imp-{i:03d}", 500, {})
        store.upsert("after", 900, {})
        records, _ = sync_all(store, page_size=50)
        self.assertEqual(len(records), 242)
        self.assertEqual(len(set(ids(records))), 242)
        self.assertEqual(ids(records)[0], "before")
        self.assertEqual(ids(records)[-1], "after")

    def test_ties_are_ordered_by_id(self):
        store = RecordStore()
        for rid, ts in [("m", 5), ("b", 5), ("z", 1), ("a", 9), ("k", 5)]:
            store.upsert(rid, ts, {})
        page = list_changes(store, None, 10)
        self.assertEqual(ids(page["records"]), ["z", "b", "k", "m", "a"])
        self.assertEqual(ids(store.changes()), ["z", "b", "k", "m", "a"])

    def test_every_page_size_gives_each_record_once(self):
        store = RecordStore()
        for i in range(23):
            store.upsert(f"r{i:02d}", (i * 7) % 4, {"i": i})
        expected = ids(sorted(store.changes(), key=lambda r: (r["updated_at"], r["id"])))
        for size in range(1, 9):
            records, _ = sync_all(store, page_size=size)
            self.assertEqual(ids(records), expected, f"page size {size}")

    def test_has_more_false_when_pages_divide_exactly(self):
        store = RecordStore()
        for i, ts in enumerate([4, 3, 2, 1]):
            store.upsert(f"r{i}", ts, {})
        first = list_changes(store, None, 2)
        self.assertTrue(first["has_more"])
        second = list_changes(store, first["cursor"], 2)
        self.assertEqual(ids(second["records"]), ["r1", "r0"])
        self.assertFalse(second["has_more"])

    def test_sync_all_makes_no_extra_request(self):
        store = RecordStore()
        for i in range(6):
            store.upsert(f"r{i}", i, {})
        calls = []
        records, _ = sync_all(store, page_size=3, calls=calls)
        self.assertEqual(len(records), 6)
        self.assertEqual(len(calls), 2)

    def test_single_partial_page_and_empty_feed(self):
        store = RecordStore()
        empty = list_changes(store, None, 5)
        self.assertEqual(empty, {"records": [], "cursor": None, "has_more": False})
        store.upsert("a", 1, {"x": 1})
        page = list_changes(store, None, 5)
        self.assertEqual(page["records"], [{"id": "a", "updated_at": 1, "data": {"x": 1}}])
        self.assertFalse(page["has_more"])

    def test_empty_page_keeps_the_cursor(self):
        store = RecordStore()
        store.upsert("a", 1, {})
        _, cursor = sync_all(store)
        page = list_changes(store, cursor, 3)
        self.assertEqual((page["records"], page["cursor"], page["has_more"]), ([], cursor, False))

    def test_resume_returns_only_later_changes(self):
        store = RecordStore()
        store.upsert("a", 100, {"v": 1})
        store.upsert("b", 100, {"v": 1})
        store.upsert("c", 200, {"v": 1})
        first, cursor = sync_all(store, page_size=2)
        self.assertEqual(ids(first), ["a", "b", "c"])
        store.upsert("a", 300, {"v": 2})
        store.upsert("d", 300, {"v": 1})
        second, cursor = sync_all(store, cursor, page_size=1)
        self.assertEqual([(r["id"], r["data"]["v"]) for r in second], [("a", 2), ("d", 1)])
        third, _ = sync_all(store, cursor)
        self.assertEqual(third, [])

    def test_updated_record_moves_in_the_feed(self):
        store = RecordStore()
        store.upsert("a", 1, {})
        store.upsert("b", 2, {})
        store.upsert("a", 3, {"new": True})
        self.assertEqual(ids(list_changes(store, None, 10)["records"]), ["b", "a"])

    def test_invalid_arguments(self):
        store = RecordStore()
        store.upsert("a", 1, {})
        for limit in (0, -1, True, 2.5):
            with self.assertRaises(ValueError):
                list_changes(store, None, limit)
        for cursor in ("bm90IGpzb24", encode_cursor({"page": 3}), encode_cursor([1, 2])):
            with self.assertRaises(ValueError):
                list_changes(store, cursor, 5)
        with self.assertRaises(ValueError):
            store.upsert("", 1, {})
        with self.assertRaises(ValueError):
            store.upsert("x", "1", {})

    def test_cursor_missing_a_field_or_with_wrong_types_is_rejected(self):
        store = RecordStore()
        store.upsert("a", 1, {})
        store.upsert("b", 2, {})
        forged = [
            {"updated_at": 1},
            {"id": "a"},
            {"updated_at": "1", "id": "a"},
            {"updated_at": 1, "id": 7},
        ]
        for position in forged:
            with self.assertRaises(ValueError, msg=repr(position)):
                list_changes(store, encode_cursor(position), 5)


if __name__ == "__main__":
    unittest.main()
