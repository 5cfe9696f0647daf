import unittest

from stockroom import (
    Inventory, LevelCache, LowStockAlerts, StockEvent, availability, below_threshold, warehouse_code,
)


def counting(inv):
    """Wrap inv.quantity so that the test can count the reads the cache makes."""
    calls = []
    original = inv.quantity

    def quantity(sku, warehouse):
        calls.append((sku, warehouse))
        return original(sku, warehouse)

    inv.quantity = quantity
    return calls


class InventoryTests(unittest.TestCase):
    def test_receive_ship_and_codes(self):
        inv = Inventory()
        inv.receive("NUT", " east ", 12)
        inv.ship("NUT", "East", 5)
        self.assertEqual(inv.quantity("NUT", "EAST"), 7)
        self.assertEqual(inv.quantity("nut", "EAST"), 0)
        self.assertEqual(warehouse_code("  nOrTh "), "NORTH")

    def test_invalid_operations_change_nothing(self):
        inv = Inventory()
        seen = []
        inv.bus.subscribe(seen.append)
        inv.receive("NUT", "EAST", 3)
        for bad in (lambda: inv.ship("NUT", "EAST", 4), lambda: inv.transfer("NUT", "EAST", "WEST", 4),
                    lambda: inv.transfer("NUT", "EAST", " east", 1), lambda: inv.receive("NUT", "EAST", 0),
                    lambda: inv.ship("NUT", "EAST", True)):
            with self.assertRaises(ValueError):
                bad()
        self.assertEqual((inv.quantity("NUT", "EAST"), inv.quantity("NUT", "WEST")), (3, 0))
        self.assertEqual(seen, [StockEvent("receive", "NUT", ("EAST",))])

    def test_events_are_published_after_the_operation(self):
        inv = Inventory()
        observed = []
        inv.bus.subscribe(lambda e: observed.append((e, inv.quantity(e.sku, "EAST"), inv.quantity(e.sku, "WEST"))))
        inv.receive("NUT", "east", 10)
        inv.transfer("NUT", "east", "west", 4)
        inv.ship("NUT", "West", 1)
        self.assertEqual(observed, [
            (StockEvent("receive", "NUT", ("EAST",)), 10, 0),
            (StockEvent("transfer", "NUT", ("EAST", "WEST")), 6, 4),
            (StockEvent("ship", "NUT", ("WEST",)), 6, 3),
        ])


class CacheTests(unittest.TestCase):
    def test_repeated_lookups_are_served_from_cache(self):
        inv = Inventory()
        inv.receive("NUT", "EAST", 5)
        cache = LevelCache(inv)
        calls = counting(inv)
        self.assertEqual([cache.level("NUT", "EAST") for _ in range(3)], [5, 5, 5])
        self.assertEqual(len(calls), 1)

    def test_spellings_share_one_cache_entry(self):
        inv = Inventory()
        inv.receive("NUT", "EAST", 5)
        cache = LevelCache(inv)
        calls = counting(inv)
        self.assertEqual([cache.level("NUT", c) for c in ("east", " EAST", "East ")], [5, 5, 5])
        self.assertEqual(len(calls), 1)

    def test_lower_case_lookup_is_invalidated_by_shipment(self):
        inv = Inventory()
        cache = LevelCache(inv)
        inv.receive("BOLT-5", "EAST", 40)
        self.assertEqual(availability(cache, "BOLT-5", ["east"]), 40)
        inv.ship("BOLT-5", "east", 15)
        self.assertEqual(availability(cache, "BOLT-5", ["east"]), 25)
        self.assertEqual(cache.level("BOLT-5", " East "), 25)

    def test_event_only_drops_affected_entries(self):
        inv = Inventory()
        inv.receive("NUT", "EAST", 5)
        inv.receive("NUT", "WEST", 6)
        inv.receive("BOLT", "EAST", 7)
        cache = LevelCache(inv)
        for sku, code in (("NUT", "EAST"), ("NUT", "WEST"), ("BOLT", "EAST")):
            cache.level(sku, code)
        calls = counting(inv)
        inv.ship("NUT", "EAST", 1)
        self.assertEqual((cache.level("NUT", "WEST"), cache.level("BOLT", "EAST")), (6, 7))
        self.assertEqual(calls, [])
        self.assertEqual(cache.level("NUT", "east"), 4)
        self.assertEqual(len(calls), 1)

    def test_transfer_without_alerts(self):
        inv = Inventory()
        cache = LevelCache(inv)
        inv.receive("BOLT-5", "EAST", 40)
        self.assertEqual((cache.level("BOLT-5", "EAST"), cache.level("BOLT-5", "WEST")), (40, 0))
        inv.transfer("BOLT-5", "EAST", "WEST", 25)
        self.assertEqual((cache.level("BOLT-5", "EAST"), cache.level("BOLT-5", "WEST")), (15, 25))

    def test_clear(self):
        inv = Inventory()
        inv.receive("NUT", "EAST", 5)
        cache = LevelCache(inv)
        cache.level("NUT", "EAST")
        calls = counting(inv)
        cache.clear()
        self.assertEqual(cache.level("NUT", "EAST"), 5)
        self.assertEqual(len(calls), 1)


class AlertTests(unittest.TestCase):
    def test_transfer_destination_is_fresh_with_alerts(self):
        inv = Inventory()
        cache = LevelCache(inv)
        LowStockAlerts(inv, cache, 10)
        inv.receive("BOLT-5", "EAST", 40)
        inv.transfer("BOLT-5", "EAST", "WEST", 25)
        self.assertEqual(cache.level("BOLT-5", "WEST"), 25)
        self.assertEqual(availability(cache, "BOLT-5", ["EAST", "WEST"]), 40)

    def test_no_false_alert_for_transfer_destination(self):
        inv = Inventory()
        cache = LevelCache(inv)
        alerts = LowStockAlerts(inv, cache, 10)
        inv.receive("BOLT-5", "EAST", 40)
        inv.transfer("BOLT-5", "EAST", "WEST", 25)
        self.assertEqual(alerts.alerts, [])
        inv.transfer("BOLT-5", "east", "west", 10)
        self.assertEqual(alerts.alerts, [("BOLT-5", "EAST", 5)])

    def test_alerts_below_threshold_only(self):
        inv = Inventory()
        cache = LevelCache(inv)
        alerts = LowStockAlerts(inv, cache, 10)
        inv.receive("NUT", "north", 3)
        inv.receive("NUT", "north", 7)
        inv.ship("NUT", "North", 1)
        self.assertEqual(alerts.alerts, [("NUT", "NORTH", 3), ("NUT", "NORTH", 9)])

    def test_dashboard_reports_after_mixed_operations(self):
        inv = Inventory()
        cache = LevelCache(inv)
        LowStockAlerts(inv, cache, 5)
        inv.receive("GEAR", "east", 20)
        inv.receive("GEAR", "WEST", 2)
        wanted = ["east", "west", "South"]
        self.assertEqual(below_threshold(cache, "GEAR", wanted, 5), ["west", "South"])
        inv.transfer("GEAR", "EAST", "south", 8)
        inv.ship("GEAR", "East", 9)
        self.assertEqual(availability(cache, "GEAR", wanted), 13)
        self.assertEqual(below_threshold(cache, "GEAR", wanted, 5), ["east", "west"])


if __name__ == "__main__":
    unittest.main()
