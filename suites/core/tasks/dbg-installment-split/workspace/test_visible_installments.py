import unittest
from decimal import Decimal

from installments import late_fee, parse_money, split_amount


class VisibleInstallmentTests(unittest.TestCase):
    def test_even_split(self):
        self.assertEqual([str(x) for x in split_amount("90.00", 3)], ["30.00", "30.00", "30.00"])

    def test_simple_fee(self):
        self.assertEqual(late_fee("200.00", 2), Decimal("4.00"))

    def test_parse(self):
        self.assertEqual(str(parse_money("12.5")), "12.50")


if __name__ == "__main__":
    unittest.main()
