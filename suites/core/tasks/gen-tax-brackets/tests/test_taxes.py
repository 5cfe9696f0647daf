import unittest
from decimal import Decimal as D

from taxes import effective_rate, income_tax, marginal_rate

BRACKETS = [(10000, D("0.10")), (40000, D("0.20")), (None, D("0.40"))]


class IncomeTaxTests(unittest.TestCase):
    def test_income_in_the_first_bracket(self):
        self.assertEqual(income_tax(D("5000"), BRACKETS), D("500.00"))
        self.assertEqual(income_tax(1, BRACKETS), D("0.10"))

    def test_income_spanning_all_brackets(self):
        self.assertEqual(income_tax(D("50000"), BRACKETS), D("11000.00"))
        self.assertEqual(income_tax(D("12345.67"), BRACKETS), D("1469.13"))

    def test_limits_belong_to_the_lower_bracket(self):
        self.assertEqual(income_tax(10000, BRACKETS), D("1000.00"))
        self.assertEqual(income_tax(40000, BRACKETS), D("7000.00"))
        self.assertEqual(income_tax(D("40000.01"), BRACKETS), D("7000.00"))
        self.assertEqual(income_tax(D("40000.02"), BRACKETS), D("7000.01"))

    def test_result_has_two_decimal_places(self):
        self.assertEqual(str(income_tax(50000, BRACKETS)), "11000.00")
        self.assertEqual(str(income_tax(0, BRACKETS)), "0.00")
        self.assertEqual(str(income_tax(D("0.04"), [(None, D("0.125"))])), "0.01")

    def test_rounds_once_at_the_end_half_up(self):
        brackets = [(1, D("0.004")), (2, D("0.004")), (None, D("0.001"))]
        self.assertEqual(income_tax(2, brackets), D("0.01"))
        self.assertEqual(income_tax(D("0.125"), [(None, D("0.1"))]), D("0.01"))
        self.assertEqual(income_tax(D("0.145"), [(None, D("0.1"))]), D("0.01"))
        self.assertEqual(income_tax(D("0.15"), [(None, D("0.1"))]), D("0.02"))


class RateTests(unittest.TestCase):
    def test_marginal_rate(self):
        self.assertEqual(marginal_rate(0, BRACKETS), D("0.10"))
        self.assertEqual(marginal_rate(10000, BRACKETS), D("0.10"))
        self.assertEqual(marginal_rate(D("10000.01"), BRACKETS), D("0.20"))
        self.assertEqual(marginal_rate(40000, BRACKETS), D("0.20"))
        self.assertEqual(marginal_rate(10**9, BRACKETS), D("0.40"))

    def test_effective_rate(self):
        self.assertEqual(effective_rate(50000, BRACKETS), D("0.2200"))
        self.assertEqual(str(effective_rate(50000, BRACKETS)), "0.2200")
        self.assertEqual(effective_rate(12345, BRACKETS), D("0.1190"))
        self.assertEqual(effective_rate(0, BRACKETS), D("0"))
        self.assertEqual(effective_rate(D("3"), [(1, D("0")), (None, D("0.00005"))]), D("0.0000"))
        self.assertEqual(effective_rate(D("3"), [(1, D("0")), (None, D("0.000075"))]), D("0.0001"))


class ValidationTests(unittest.TestCase):
    def test_invalid_brackets(self):
        bad = [
            [],
            [(100, D("0.1"))],
            [(None, D("0.1")), (None, D("0.2"))],
            [(100, D("0.1")), (50, D("0.2")), (None, D("0.3"))],
            [(100, D("0.1")), (100, D("0.2")), (None, D("0.3"))],
            [(0, D("0.1")), (None, D("0.2"))],
            [(-5, D("0.1")), (None, D("0.2"))],
            [(100, D("1.5")), (None, D("0.2"))],
            [(100, D("0.1")), (None, D("-0.01"))],
        ]
        for brackets in bad:
            for function in (income_tax, marginal_rate, effective_rate):
                with self.assertRaises(ValueError, msg=f"{function.__name__} {brackets}"):
                    function(1000, brackets)

    def test_edge_rates_are_valid(self):
        self.assertEqual(income_tax(300, [(100, D("0")), (200, D("1")), (None, D("0.5"))]), D("150.00"))

    def test_negative_income(self):
        for function in (income_tax, marginal_rate, effective_rate):
            with self.assertRaises(ValueError, msg=function.__name__):
                function(D("-0.01"), BRACKETS)


if __name__ == "__main__":
    unittest.main()
