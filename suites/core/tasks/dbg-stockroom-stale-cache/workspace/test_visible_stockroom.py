import unittest

from stockroom import Inventory, LevelCache, availability


class VisibleStockroomTests(unittest.TestCase):
    def test_receive_and_ship(self):
        inv = Inventory()
        inv.receive("BOLT-5", "EAST", 40)
        inv.ship("BOLT-5", "EAST", 15)
        self.assertEqual(inv.quantity("BOLT-5", "EAST"), 25)

    def test_cache_follows_shipments(self):
        inv = Inventory()
        cache = LevelCache(inv)
        inv.receive("BOLT-5", "EAST", 40)
        inv.receive("BOLT-5", "WEST", 10)
        self.assertEqual(availability(cache, "BOLT-5", ["EAST", "WEST"]), 50)
        inv.ship("BOLT-5", "WEST", 4)
        self.assertEqual(availability(cache, "BOLT-5", ["EAST", "WEST"]), 46)


if __name__ == "__main__":
    unittest.main()
