import unittest
from decimal import Decimal

from installments import late_fee, parse_money, split_amount


def texts(values):
    return [str(v) for v in values]


class SplitTests(unittest.TestCase):
    def test_extra_cents_go_first(self):
        self.assertEqual(texts(split_amount("100.00", 3)), ["33.34", "33.33", "33.33"])

    def test_instalments_differ_by_at_most_a_cent(self):
        self.assertEqual(texts(split_amount("10.00", 6)), ["1.67", "1.67", "1.67", "1.67", "1.66", "1.66"])

    def test_half_cent_share_is_not_bankers_rounded(self):
        self.assertEqual(texts(split_amount(1, 8)), ["0.13", "0.13", "0.13", "0.13", "0.12", "0.12", "0.12", "0.12"])

    def test_fewer_cents_than_parts(self):
        self.assertEqual(texts(split_amount("0.01", 3)), ["0.01", "0.00", "0.00"])
        self.assertEqual(texts(split_amount("0.05", 3)), ["0.02", "0.02", "0.01"])
        self.assertEqual(texts(split_amount("0", 2)), ["0.00", "0.00"])

    def test_large_total_is_exact(self):
        got = split_amount("12345678901234.56", 9)
        self.assertEqual(texts(got), ["1371742100137.18"] * 3 + ["1371742100137.17"] * 6)
        self.assertEqual(sum(got), Decimal("12345678901234.56"))

    def test_sum_is_exact_and_types_are_decimal(self):
        for total, parts in [("999.99", 7), (Decimal("0.10"), 4), (250, 12), ("73.41", 1)]:
            got = split_amount(total, parts)
            self.assertEqual(len(got), parts)
            self.assertTrue(all(isinstance(x, Decimal) for x in got))
            self.assertEqual(sum(got), parse_money(total))
            self.assertLessEqual(max(got) - min(got), Decimal("0.01"))

    def test_invalid_parts(self):
        for parts in (0, -2, True, 2.0):
            with self.assertRaises(ValueError):
                split_amount("10.00", parts)

    def test_invalid_totals(self):
        with self.assertRaises(ValueError):
            split_amount("-5.00", 2)
        with self.assertRaises(ValueError):
            split_amount("1.005", 2)
        with self.assertRaises(TypeError):
            split_amount(10.0, 2)


class FeeTests(unittest.TestCase):
    def test_half_rounds_up(self):
        self.assertEqual(str(late_fee("105.00", "2.5")), "2.63")
        self.assertEqual(str(late_fee("0.10", 5)), "0.01")

    def test_fee_is_computed_exactly(self):
        # 8.20 * 7.5 % is exactly 0.615; 257.40 * 7.5 % is exactly 19.305.
        self.assertEqual(str(late_fee("8.20", "7.5")), "0.62")
        self.assertEqual(str(late_fee("257.40", Decimal("7.5"))), "19.31")

    def test_below_half_rounds_down(self):
        self.assertEqual(str(late_fee("178.33", "1.5")), "2.67")
        self.assertEqual(str(late_fee("0.10", 4)), "0.00")

    def test_exact_and_large_fees(self):
        self.assertEqual(str(late_fee("200", 2)), "4.00")
        self.assertEqual(str(late_fee("98765432109876.54", Decimal("1.25"))), "1234567901373.46")

    def test_negative_percent_rejected(self):
        with self.assertRaises(ValueError):
            late_fee("10.00", -1)


class ParseTests(unittest.TestCase):
    def test_parse_money_rules(self):
        self.assertEqual(str(parse_money(" 7 ")), "7.00")
        self.assertEqual(str(parse_money(Decimal("3.1"))), "3.10")
        with self.assertRaises(TypeError):
            parse_money(1.5)
        with self.assertRaises(ValueError):
            parse_money("abc")


if __name__ == "__main__":
    unittest.main()
