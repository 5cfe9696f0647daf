import unittest
from datetime import date
from decimal import Decimal as D

from fifo import Portfolio


def sample():
    p = Portfolio()
    p.buy("ACME", 10, D("100"), date(2023, 1, 10))
    p.buy("ACME", 5, D("120"), date(2023, 3, 1))
    p.buy("ACME", 20, D("90.50"), date(2023, 6, 15))
    return p


class PortfolioTests(unittest.TestCase):
    def test_buys_create_lots_in_order(self):
        p = sample()
        self.assertEqual(p.lots("ACME"), [(10, D("100"), date(2023, 1, 10)),
                                          (5, D("120"), date(2023, 3, 1)),
                                          (20, D("90.50"), date(2023, 6, 15))])
        self.assertEqual(p.position("ACME"), 35)
        self.assertEqual(p.lots("NONE"), [])
        self.assertEqual(p.position("NONE"), 0)

    def test_sell_takes_from_the_oldest_lot(self):
        p = sample()
        self.assertEqual(p.sell("ACME", 4, D("110"), date(2023, 7, 1)), (D("40"), D("0")))
        self.assertEqual(p.lots("ACME")[0], (6, D("100"), date(2023, 1, 10)))
        self.assertEqual(p.position("ACME"), 31)

    def test_sell_across_lots_removes_emptied_lots(self):
        p = sample()
        short, long_ = p.sell("ACME", 17, D("110"), date(2023, 7, 1))
        # 10 x (+10) + 5 x (-10) + 2 x (+19.50)
        self.assertEqual((short, long_), (D("89.00"), D("0")))
        self.assertEqual(p.lots("ACME"), [(18, D("90.50"), date(2023, 6, 15))])
        p.sell("ACME", 18, D("1"), date(2023, 7, 2))
        self.assertEqual(p.lots("ACME"), [])
        self.assertEqual(p.position("ACME"), 0)

    def test_losses_are_negative(self):
        p = sample()
        self.assertEqual(p.sell("ACME", 12, D("80.25"), date(2023, 8, 1)), (D("-277.00"), D("0")))

    def test_long_term_needs_more_than_365_days(self):
        p = Portfolio()
        p.buy("X", 1, D("10"), date(2023, 1, 1))
        p.buy("X", 1, D("10"), date(2023, 1, 2))
        p.buy("X", 1, D("10"), date(2024, 1, 1))
        p.buy("X", 1, D("10"), date(2024, 1, 1))
        self.assertEqual(p.sell("X", 1, D("15"), date(2024, 1, 2)), (D("0"), D("5")))  # 366 days
        self.assertEqual(p.sell("X", 1, D("15"), date(2024, 1, 2)), (D("5"), D("0")))  # 365 days
        # 2024 is a leap year: 2024-01-01 to 2024-12-31 is 365 days, to 2025-01-01 is 366.
        self.assertEqual(p.sell("X", 1, D("12"), date(2024, 12, 31)), (D("2"), D("0")))
        self.assertEqual(p.sell("X", 1, D("12"), date(2025, 1, 1)), (D("0"), D("2")))

    def test_one_sale_can_mix_short_and_long_term(self):
        p = Portfolio()
        p.buy("X", 3, D("10"), date(2022, 5, 1))
        p.buy("X", 3, D("20"), date(2023, 5, 1))
        self.assertEqual(p.sell("X", 5, D("25"), date(2023, 6, 1)), (D("10"), D("45")))
        self.assertEqual(p.lots("X"), [(1, D("20"), date(2023, 5, 1))])

    def test_overselling_changes_nothing(self):
        p = sample()
        with self.assertRaises(ValueError):
            p.sell("ACME", 36, D("100"), date(2023, 7, 1))
        with self.assertRaises(ValueError):
            p.sell("acme", 1, D("100"), date(2023, 7, 1))
        self.assertEqual(p.position("ACME"), 35)
        self.assertEqual(len(p.lots("ACME")), 3)
        self.assertEqual(p.realized(), D("0"))
        self.assertEqual(p.sell("ACME", 35, D("100"), date(2023, 7, 1))[0], D("90"))

    def test_trades_must_not_go_back_in_time(self):
        p = sample()
        with self.assertRaises(ValueError):
            p.buy("OTHER", 1, D("5"), date(2023, 6, 14))
        with self.assertRaises(ValueError):
            p.sell("ACME", 1, D("5"), date(2023, 1, 1))
        self.assertEqual(p.position("OTHER"), 0)
        self.assertEqual(p.position("ACME"), 35)
        p.buy("OTHER", 1, D("5"), date(2023, 6, 15))
        p.sell("ACME", 1, D("5"), date(2023, 6, 15))
        with self.assertRaises(ValueError):
            p.buy("ACME", 1, D("5"), date(2023, 6, 14))
        p.sell("ACME", 1, D("5"), date(2023, 9, 1))
        with self.assertRaises(ValueError):
            p.buy("OTHER", 1, D("5"), date(2023, 8, 31))

    def test_invalid_quantity_or_price(self):
        p = sample()
        for call in [lambda: p.buy("ACME", 0, D("1"), date(2023, 7, 1)),
                     lambda: p.buy("ACME", -3, D("1"), date(2023, 7, 1)),
                     lambda: p.buy("ACME", 1, D("0"), date(2023, 7, 1)),
                     lambda: p.buy("ACME", 1, D("-2"), date(2023, 7, 1)),
                     lambda: p.sell("ACME", 0, D("1"), date(2023, 7, 1)),
                     lambda: p.sell("ACME", 1, D("0"), date(2023, 7, 1))]:
            with self.assertRaises(ValueError):
                call()
        self.assertEqual(p.position("ACME"), 35)
        self.assertEqual(p.realized("ACME"), D("0"))

    def test_average_cost(self):
        p = sample()
        # (1000 + 600 + 1810) / 35 = 97.428571...
        self.assertEqual(p.average_cost("ACME"), D("97.4286"))
        p.sell("ACME", 10, D("1"), date(2023, 7, 1))
        self.assertEqual(p.average_cost("ACME"), D("96.4000"))
        self.assertEqual(str(p.average_cost("ACME")), "96.4000")
        self.assertIsNone(p.average_cost("NONE"))
        q = Portfolio()
        q.buy("Y", 1, D("10.0002"), date(2023, 1, 1))
        q.buy("Y", 1, D("10.0003"), date(2023, 1, 1))
        self.assertEqual(q.average_cost("Y"), D("10.0003"))

    def test_realized_totals(self):
        p = sample()
        p.buy("beta", 4, D("10"), date(2023, 6, 20))
        p.sell("ACME", 12, D("105"), date(2023, 7, 1))
        p.sell("beta", 3, D("9"), date(2023, 7, 2))
        p.sell("ACME", 1, D("130"), date(2025, 1, 1))
        self.assertEqual(p.realized("ACME"), D("30"))
        self.assertEqual(p.realized("beta"), D("-3"))
        self.assertEqual(p.realized(), D("27"))
        self.assertEqual(p.realized("BETA"), D("0"))


if __name__ == "__main__":
    unittest.main()
